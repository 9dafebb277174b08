/* SPDX-License-Identifier: MIT */
/*
 * Adversarial test of the seven message-passing calls (channel_bind, msg_sendv,
 * msg_receivev, msg_replyv, msg_error, msg_read, msg_write): a thread whose whole CSpace
 * is a sacrificial CNode makes FUZZ_CALLS of them with arguments from a deterministic PRNG
 * (cptrs good and wild; iov arrays that are good, unreadable, kernel, non-canonical or
 * full of wild entries; counts up to and past CR_IOV_MAX; rcvids open, stale and forged;
 * offsets, statuses and error codes in and out of range). Every result must be >= 0 or a
 * code from errors.def, and afterwards both channels must still carry messages.
 *
 * So that no call blocks for good, the fuzzer talks to live peers: it is the client of
 * channel C1, which a server thread answers (reads, writes, replies or errors), and the
 * server of channel C2, on which FZ_CLIENTS client threads keep sending. The fuzzer
 * knows which slot names what (it makes no capability calls, so its CNode never
 * changes) and how many C2 exchanges it holds open, and skips the few calls that would
 * wait forever: a send on C2 (nobody else receives there), a receive on C1 (nobody else
 * sends there), a receive on C2 with every client held, and anything waiting on C3 once
 * the fuzzer has bound a table to it.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

#include "test_ipc_fuzz.h"

/* The C1 server thread's and the C2 clients' state. */
struct peers {
    cr_cptr_t c1; /* root's C1 capability (READ) */
    cr_cptr_t c2; /* root's C2 connection for the clients (WRITE) */
    volatile uint64_t served;
    volatile uint64_t bad; /* undocumented results seen by the server */
    volatile int64_t bad_rc;
    volatile uint64_t dead; /* the server's receive failed: it stopped */
    volatile int64_t dead_rc;
    volatile uint64_t client_calls;
};

/* The slot a cptr names in the fuzzer's CSpace (radix 8 behind a 56-bit zero guard). */
static int
fz_slot(uint64_t cptr)
{
    return cptr < (1u << FUZZ_CNODE_RADIX) ? (int)cptr : -1;
}

/* True if the call would wait for good (see the file comment). */
static bool
fz_would_block(const struct fuzz_state *f, uint64_t nr, const uint64_t a[5])
{
    int s = fz_slot(a[0]);
    bool c3 = s == FZ_C3 && f->c3_bound;
    if (nr == CR_SYS_msg_sendv) {
        return s == FZ_C2 || c3 || ((s == FZ_C1 || s == FZ_C1_WO) && *f->server_dead != 0);
    }
    if (nr == CR_SYS_msg_receivev) {
        return s == FZ_C1 || c3 || ((s == FZ_C2 || s == FZ_C2_RO) && f->nopen >= FZ_CLIENTS);
    }
    return false;
}

static void
forget(struct fuzz_state *f, uint64_t rcvid)
{
    for (unsigned i = 0; i < f->nopen; i++) {
        if (f->open[i] == rcvid) {
            f->open[i] = f->open[--f->nopen];
            return;
        }
    }
}

static bool
holds(const struct fuzz_state *f, uint64_t rcvid)
{
    for (unsigned i = 0; i < f->nopen; i++) {
        if (f->open[i] == rcvid) {
            return true;
        }
    }
    return false;
}

/* Keeps the list of open C2 exchanges exact after call nr returned rc. */
static void
fz_track(struct fuzz_state *f, uint64_t nr, const uint64_t a[5], int64_t rc)
{
    int s = fz_slot(a[0]);
    bool c2 = s == FZ_C2 || s == FZ_C2_RO;
    switch (nr) {
    case CR_SYS_channel_bind:
        if (rc == 0) {
            f->c3_bound = true; /* the only binding left to make: C3 to T3 */
        }
        break;
    case CR_SYS_msg_sendv:
        if (s == FZ_C1 && rc != -CR_EFAULT && rc != -CR_EINVAL) {
            f->sent++;
        }
        break;
    case CR_SYS_msg_receivev:
        if (c2 && rc > 0) {
            f->received++;
            if (f->nopen < FZ_MAX_OPEN) {
                f->open[f->nopen++] = (uint64_t)rc;
            }
        }
        break;
    default:
        /* An exchange ends with a reply or error that succeeded, or is found gone. */
        if (c2 && holds(f, a[1]) &&
            (rc == -CR_ESRCH || (rc == 0 && (nr == CR_SYS_msg_replyv || nr == CR_SYS_msg_error)))) {
            forget(f, a[1]);
            f->answered++;
        }
        break;
    }
}

static void
fuzz_thread(struct tl_thread *th)
{
    struct fuzz_state *f = (struct fuzz_state *)(uintptr_t)th->arg[0];
    uint64_t s = f->seed;
    for (uint64_t i = 0; i < FUZZ_CALLS; i++) {
        uint64_t k = i % FUZZ_NCALLS;
        uint64_t nr = FUZZ_FIRST_NR + k;
        uint64_t a[5];
        fz_args(f, &s, nr, a);
        if (fz_would_block(f, nr, a)) {
            f->skipped++;
            continue;
        }
        int slot = fz_slot(a[0]);
        if (nr == CR_SYS_msg_receivev && (slot == FZ_C2 || slot == FZ_C2_RO) &&
            f->nopen >= (1u << FZ_C2_TABLE_BITS) - 1) {
            /* The table is full: with a client queued the receive fails with EBUSY, with
             * none it would wait for a slot only we can free. Holding exchanges we run
             * at the clients' priority: yield so that the one we answered last queues. */
            cr_yield();
            cr_yield();
        }
        f->now_nr = nr;
        for (unsigned j = 0; j < 5; j++) {
            f->now_args[j] = a[j];
        }
        f->at = i;
        int64_t rc = cr_syscall5(nr, a[0], a[1], a[2], a[3], a[4]);
        f->calls[k]++;
        if (rc >= 0) {
            f->ok++;
        } else if (!tl_is_documented(rc) && f->bad++ == 0) {
            f->bad_nr = nr;
            f->bad_rc = rc;
            memcpy(f->bad_args, a, sizeof(a));
        }
        fz_track(f, nr, a, rc);
    }
    /* Let the clients go before stopping. */
    while (f->nopen > 0) {
        cr_msg_error(FZ_C2, f->open[f->nopen - 1], CR_EIO);
        f->nopen--;
    }
    f->done = 1;
}

/* The C1 server: receive, then a read and a write at small offsets, then a reply with
 * data or an error, in turn. */
static void
c1_server(struct tl_thread *th)
{
    struct peers *p = (struct peers *)(uintptr_t)th->arg[0];
    static uint8_t buf[FZ_SERVE_BUF];
    static uint8_t out[128];
    memset(out, 0x5a, sizeof(out));
    for (uint64_t n = 0;; n++) {
        struct cr_iov iov = { CR_UPTR(buf), sizeof(buf) };
        struct cr_msg_info info;
        int64_t r = cr_msg_receivev(p->c1, CR_UPTR(&iov), 1, CR_UPTR(&info));
        if (r <= 0) {
            p->dead_rc = r;
            p->dead = 1;
            return;
        }
        p->served++;
        struct cr_iov part = { CR_UPTR(buf), 64 };
        int64_t rc[3];
        rc[0] = cr_msg_read(p->c1, (uint64_t)r, n % 70, CR_UPTR(&part), 1);
        rc[1] = cr_msg_write(p->c1, (uint64_t)r, n % 50, CR_UPTR(&part), 1);
        /* A write into bad client buffers ends the exchange (ESRCH): then no reply. */
        struct cr_iov rv = { CR_UPTR(out), sizeof(out) };
        rc[2] = n % 3 == 2 ? cr_msg_error(p->c1, (uint64_t)r, CR_EIO)
                           : cr_msg_replyv(p->c1, (uint64_t)r, n, CR_UPTR(&rv), 1);
        for (unsigned i = 0; i < 3; i++) {
            bool fine = i < 2 ? rc[i] >= 0 || rc[i] == -CR_ESRCH : rc[i] == 0 || rc[i] == -CR_ESRCH;
            if (!fine && p->bad++ == 0) {
                p->bad_rc = rc[i];
            }
        }
    }
}

/* A C2 client: sends for ever; whatever comes back, it sends again. */
static void
c2_client(struct tl_thread *th)
{
    struct peers *p = (struct peers *)(uintptr_t)th->arg[0];
    uint8_t msg[16];
    uint8_t reply[64];
    memset(msg, (int)th->arg[1], sizeof(msg));
    for (;;) {
        struct cr_iov s = { CR_UPTR(msg), sizeof(msg) };
        struct cr_iov r = { CR_UPTR(reply), sizeof(reply) };
        cr_msg_sendv(p->c2, CR_UPTR(&s), 1, CR_UPTR(&r), 1);
        p->client_calls++;
    }
}

/* A one-shot client for the liveness check at the end. */
static void
one_send(struct tl_thread *th)
{
    uint8_t reply[8];
    struct cr_iov s = { CR_UPTR("alive?"), 6 };
    struct cr_iov r = { CR_UPTR(reply), sizeof(reply) };
    th->out[0] = (uint64_t)cr_msg_sendv(th->arg[0], CR_UPTR(&s), 1, CR_UPTR(&r), 1);
}

/* Fills the sacrificial CNode (see enum fz_slot). */
static bool
fz_stock(struct tl *t, cr_cptr_t cn, cr_cptr_t c1, cr_cptr_t t1, cr_cptr_t c2, cr_cptr_t t2,
         cr_cptr_t fuzz_tcb)
{
    static const struct {
        unsigned slot;
        unsigned type;
        unsigned bits;
    } objs[] = {
        { FZ_C3, CR_OBJ_CHANNEL, 0 },
        { FZ_T3, CR_OBJ_REPLY_TABLE, 1 },
        { FZ_NTFN, CR_OBJ_NOTIFICATION, 0 },
    };
    for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
        if (!EXPECT_OK(cr_untyped_retype(t->ut, objs[i].type, objs[i].bits, cn, objs[i].slot, 1))) {
            return false;
        }
    }
    return EXPECT_OK(cr_cap_mint(cn, FZ_C1, ROOT, c1, RW, 0xc1)) &&
           EXPECT_OK(cr_cap_mint(cn, FZ_C2, ROOT, c2, RW, 0xc2)) &&
           EXPECT_OK(cr_cap_mint(cn, FZ_C2_RO, ROOT, c2, CR_RIGHT_READ, 0xc22)) &&
           EXPECT_OK(cr_cap_mint(cn, FZ_C1_WO, ROOT, c1, CR_RIGHT_WRITE, 0xc11)) &&
           EXPECT_OK(cr_cap_copy(cn, FZ_T1, ROOT, t1, CR_RIGHTS_ALL)) &&
           EXPECT_OK(cr_cap_copy(cn, FZ_T2, ROOT, t2, CR_RIGHTS_ALL)) &&
           EXPECT_OK(cr_cap_copy(cn, FZ_TCB, ROOT, fuzz_tcb, CR_RIGHTS_ALL));
}

TEST(ipc_adversarial_fuzz)
{
    static struct fuzz_state f;
    static struct peers p;
    static struct tl_thread clients[FZ_CLIENTS];
    struct tl t;
    struct tl_thread fz;
    struct tl_thread srv;
    struct tl_thread probe1;
    if (!tl_begin(&t)) {
        return;
    }
    memset(&f, 0, sizeof(f));
    memset((void *)&p, 0, sizeof(p));
    f.seed = 0x3c6ef372fe94f82bull;
    f.server_dead = &p.dead;
    cr_cptr_t t1 = 0;
    cr_cptr_t t2 = 0;
    cr_cptr_t c1 = tl_ipc_channel(&t, 1, &t1);
    cr_cptr_t c2 = tl_ipc_channel(&t, FZ_C2_TABLE_BITS, &t2);
    cr_cptr_t cn = tl_new(&t, CR_OBJ_CNODE, FUZZ_CNODE_RADIX);
    cr_cptr_t guarded = cn != 0 ? tl_mint(&t, cn, CR_RIGHTS_ALL, 64 - FUZZ_CNODE_RADIX) : 0;
    cr_cptr_t fch = tl_new(&t, CR_OBJ_CHANNEL, 0);
    f.scratch = tl_map(&t, RW, NULL);
    bool pages_ok = f.scratch != NULL && tl_map(&t, RW, NULL) != NULL && tl_va(&t, 1) != 0;
    cr_cptr_t ro = tl_new(&t, CR_OBJ_FRAME, CR_PAGE_BITS);
    if (c1 == 0 || c2 == 0 || guarded == 0 || fch == 0 || !pages_ok || ro == 0 ||
        !EXPECT_OK(
            tl_map_at(ro, (uint64_t)(uintptr_t)f.scratch + 3 * CR_PAGE_SIZE, CR_RIGHT_READ)) ||
        !tl_thread_new(&t, &fz, fuzz_thread, FUZZ_PRIO) ||
        !fz_stock(&t, cn, c1, t1, c2, t2, fz.tcb)) {
        goto out;
    }
    /* The peers, in the root's CSpace. */
    p.c1 = tl_copy(&t, c1, CR_RIGHT_READ);
    p.c2 = tl_mint(&t, c2, CR_RIGHT_WRITE, 0xc2c);
    if (p.c2 == 0 || !tl_thread_new(&t, &srv, c1_server, PEER_PRIO)) {
        goto out;
    }
    srv.arg[0] = (uint64_t)(uintptr_t)&p;
    if (!tl_thread_start(&srv)) {
        goto out;
    }
    for (unsigned i = 0; i < FZ_CLIENTS; i++) {
        if (!tl_thread_new(&t, &clients[i], c2_client, PEER_PRIO)) {
            goto out;
        }
        clients[i].arg[0] = (uint64_t)(uintptr_t)&p;
        clients[i].arg[1] = 'a' + i;
        if (!tl_thread_start(&clients[i])) {
            goto out;
        }
    }
    /* The fuzzer: its CSpace is the sacrificial CNode, its faults come to fch. */
    if (!EXPECT_OK(cr_tcb_configure(fz.tcb, guarded, CR_CAP_ROOT_VSPACE, fch, 0))) {
        goto out;
    }
    fz.self = FZ_TCB;
    fz.arg[0] = (uint64_t)(uintptr_t)&f;
    if (!tl_thread_start(&fz)) {
        goto out;
    }
    bool finished = tl_wait_word(&f.done, 1, FUZZ_PRIO - 10, 60000);
    if (!finished) {
        TEST_FAIL("the fuzzer is stuck at call %llu: %llu (%#llx, %#llx, %#llx, %#llx, %#llx); "
                  "%u open, C3 bound %d, server served %llu dead %llu, clients sent %llu",
                  (unsigned long long)f.at, (unsigned long long)f.now_nr,
                  (unsigned long long)f.now_args[0], (unsigned long long)f.now_args[1],
                  (unsigned long long)f.now_args[2], (unsigned long long)f.now_args[3],
                  (unsigned long long)f.now_args[4], f.nopen, f.c3_bound,
                  (unsigned long long)p.served, (unsigned long long)p.dead,
                  (unsigned long long)p.client_calls);
    }
    struct cr_fault_msg m;
    int64_t frc = cr_fault_recv(fch, CR_UPTR(&m), CR_FAULT_RECV_NONBLOCK);
    if (frc == 0) {
        TEST_FAIL("fuzz thread faulted: kind %u addr %#llx rip %#llx", m.kind,
                  (unsigned long long)m.addr, (unsigned long long)m.rip);
    }
    if (f.bad != 0) {
        TEST_FAIL("%llu undocumented results; first: call %llu returned %lld (args %#llx %#llx "
                  "%#llx %#llx %#llx)",
                  (unsigned long long)f.bad, (unsigned long long)f.bad_nr, (long long)f.bad_rc,
                  (unsigned long long)f.bad_args[0], (unsigned long long)f.bad_args[1],
                  (unsigned long long)f.bad_args[2], (unsigned long long)f.bad_args[3],
                  (unsigned long long)f.bad_args[4]);
    }
    if (p.bad != 0) {
        TEST_FAIL("the C1 server saw %llu unexpected results; first %lld",
                  (unsigned long long)p.bad, (long long)p.bad_rc);
    }
    if (p.dead) {
        TEST_FAIL("the C1 server's receive failed: %lld", (long long)p.dead_rc);
    }
    uint64_t total = f.skipped;
    for (unsigned k = 0; k < FUZZ_NCALLS; k++) {
        total += f.calls[k];
        if (f.calls[k] < FUZZ_CALLS / FUZZ_NCALLS / 4) {
            TEST_FAIL("call %u made only %llu times", (unsigned)(FUZZ_FIRST_NR + k),
                      (unsigned long long)f.calls[k]);
        }
    }
    if (finished) {
        EXPECT_EQ(total, FUZZ_CALLS);
    }
    /* It went deep: messages both ways. */
    EXPECT_TRUE(f.received > 0);
    EXPECT_TRUE(f.answered > 0);
    EXPECT_TRUE(p.served > 0);
    EXPECT_TRUE(f.sent > 0);

    /* Alive: a round trip on C1 through its server, and one on C2 with the root as
     * server (a client is queued there). */
    tl_root_prio(FUZZ_PRIO - 10);
    cr_cptr_t conn1 = tl_mint(&t, c1, CR_RIGHT_WRITE, 0x11);
    if (conn1 != 0 && tl_thread_new(&t, &probe1, one_send, PEER_PRIO)) {
        probe1.arg[0] = conn1;
        if (tl_thread_start(&probe1) &&
            EXPECT_TRUE(tl_wait_word(&probe1.finished, 1, FUZZ_PRIO - 10, 0))) {
            int64_t rc = (int64_t)probe1.out[0];
            EXPECT_TRUE(rc >= 0 || rc == -CR_EIO);
        }
    }
    tl_root_prio(FUZZ_PRIO - 10);
    uint8_t buf[32];
    struct cr_iov iov = { CR_UPTR(buf), sizeof(buf) };
    struct cr_msg_info info;
    if (finished) {
        int64_t r = cr_msg_receivev(c2, CR_UPTR(&iov), 1, CR_UPTR(&info));
        if (EXPECT_TRUE(r > 0)) {
            EXPECT_EQ(info.badge, 0xc2c);
            EXPECT_EQ(info.send_len, 16);
            EXPECT_OK(cr_msg_replyv(c2, (uint64_t)r, 0, 0, 0));
        }
    }
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
    EXPECT_EQ(cr_null(), 0);
}
