/* SPDX-License-Identifier: MIT */
/*
 * A big message between two address spaces: a client in a second VSpace sends 64 MiB
 * (16 MiB if memory is short) in three pieces with odd boundaries, the root server
 * receives it in two and checks every byte, then replies 64 MiB of a different pattern
 * into the client's buffer, which the root checks again through its own mapping of the
 * same frames. Meanwhile a high-priority thread wakes every millisecond from a timeout:
 * the copies must let it in (they are preemptible), so it wakes during any copy long
 * enough to span its period. (How late it wakes is measured by make bench, not asserted:
 * under TCG it depends on the host's load.)
 *
 * Memory: 2 MiB frames from a spare RAM untyped of bootinfo (tl_spare_untyped), revoked
 * at the end; the root maps the client's buffer A and its own buffer B in PML4 entry 7,
 * the client maps A at 1 GiB of its address space.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

#define ROOT CR_CAP_ROOT_CNODE
#define RW (CR_RIGHT_READ | CR_RIGHT_WRITE)
#define BIG_REGION 0x38000000000ull /* root: PML4 entry 7, empty between tests */
#define AS_BUF 0x40000000ull        /* client: 1 GiB */
#define AS_BLOB (TL_AS_CODE + 0x2000)
#define FRAME_2M (1ull << 21)
#define BIG_BADGE 0xb16b16ull

enum {
    SRV_PRIO = 50,
    WATCH_PRIO = 200,
    AS_CONN = 3, /* the connection's slot in the client's CNode (1, 2: tl_as) */
    WATCH_PERIOD_US = 1000,
    BIG_TIMEOUT_MS = 120000,
};

/*
 * The client's code, position independent, run in the second address space with its
 * registers set by tcb_write_regs: rax = -msg_sendv and its five arguments in rdi, rsi,
 * rdx, r10, r8. It stores the result at (r12) and 1 at 8(r12), then suspends itself
 * (rdi = r14, rax = r13 = -tcb_suspend) for good.
 */
__asm__(".pushsection .text\n"
        ".globl ipc_blob_start\n"
        ".globl ipc_blob_end\n"
        "ipc_blob_start:\n"
        "    syscall\n"
        "    movq %rax, (%r12)\n"
        "    movq $1, 8(%r12)\n"
        "1:  movq %r14, %rdi\n"
        "    movq %r13, %rax\n"
        "    syscall\n"
        "    jmp 1b\n"
        "ipc_blob_end:\n"
        ".popsection\n");
extern char ipc_blob_start[], ipc_blob_end[];

/* Word i of the message (seed 0) or of the reply (seed 1). */
static uint64_t
word(uint64_t i, unsigned seed)
{
    uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull;
    x ^= x >> 29;
    return seed == 0 ? x : ~x ^ (i << 3);
}

static void
fill_words(volatile uint64_t *p, uint64_t n, unsigned seed)
{
    for (uint64_t i = 0; i < n; i++) {
        p[i] = word(i, seed);
    }
}

/* Index of the first word of p[0..n) that differs from the pattern, or n. */
static uint64_t
first_bad(const volatile uint64_t *p, uint64_t n, unsigned seed)
{
    for (uint64_t i = 0; i < n; i++) {
        if (p[i] != word(i, seed)) {
            return i;
        }
    }
    return n;
}

/* ---- the watcher: wakes from a timeout every millisecond, records how late ---- */

struct watch {
    cr_cptr_t ntfn; /* never signalled */
    volatile uint64_t stop;
    volatile uint64_t from_ns; /* count wake-ups between these two times */
    volatile uint64_t to_ns;
    volatile uint64_t wakes;    /* in the window */
    volatile uint64_t max_late; /* ns, in the window */
    volatile uint64_t bad_rc;   /* a wait that did not end in ETIMEDOUT */
};

static void
watcher(struct tl_thread *th)
{
    struct watch *w = (struct watch *)(uintptr_t)th->arg[0];
    while (!w->stop) {
        uint64_t deadline = tl_now_ns() + WATCH_PERIOD_US * 1000ull;
        uint64_t bits = 0;
        cr_timeout_set(deadline);
        int64_t rc = cr_notify_wait(w->ntfn, CR_UPTR(&bits));
        uint64_t now = tl_now_ns();
        if (rc != -CR_ETIMEDOUT) {
            w->bad_rc = (uint64_t)rc;
        }
        if (w->from_ns != 0 && now >= w->from_ns && (w->to_ns == 0 || now <= w->to_ns)) {
            w->wakes++;
            uint64_t late = now - deadline;
            if (late > w->max_late) {
                w->max_late = late;
            }
        }
    }
}

/* Maps nframes 2 MiB frames (slots first..) at va of vs; first makes `tables` levels of
 * page tables there (2: PDPT and PD, 1: PD, 0: none). */
static bool
map_big(struct tl *t, cr_cptr_t vs, uint64_t va, cr_cptr_t first, unsigned nframes, unsigned tables)
{
    static const unsigned types[2] = { CR_OBJ_PDPT, CR_OBJ_PD };
    for (unsigned i = 2 - tables; i < 2; i++) {
        cr_cptr_t tab = tl_new(t, types[i], 0);
        if (tab == 0 || !EXPECT_OK(cr_vspace_map_table(tab, vs, va))) {
            return false;
        }
    }
    for (unsigned i = 0; i < nframes; i++) {
        if (!EXPECT_OK(cr_vspace_map(first + i, vs, va + i * FRAME_2M, RW, 0))) {
            return false;
        }
    }
    return true;
}

/*
 * Two buffers of the same size in the root's address space, from 2 MiB frames of the
 * spare untyped: A (the client's) at BIG_REGION, B (the server's) right after it; 64 MiB
 * each if the spare untyped holds both, else 16 MiB, and at most max_size. A's frames
 * are slots fa.. (nframes of them). big_buffers_end revokes the spare after tl_end.
 */
struct bigbufs {
    cr_cptr_t spare;
    uint64_t size;
    unsigned nframes;
    cr_cptr_t fa;
    volatile uint64_t *A;
    volatile uint64_t *B;
};

static bool
big_buffers(struct tl *t, struct bigbufs *bb, uint64_t max_size)
{
    unsigned bits = 0;
    memset(bb, 0, sizeof(*bb));
    if (!tl_spare_untyped(25, &bb->spare, &bits)) {
        TEST_FAIL("no spare RAM untyped of 32 MiB or more");
        return false;
    }
    bb->size = bits >= 27 ? 64ull << 20 : 16ull << 20;
    bb->size = bb->size < max_size ? bb->size : max_size;
    bb->nframes = (unsigned)(bb->size / FRAME_2M);
    bb->fa = tl_slots(t, bb->nframes);
    cr_cptr_t fb = tl_slots(t, bb->nframes);
    if (fb == 0 ||
        !EXPECT_OK(cr_untyped_retype(bb->spare, CR_OBJ_FRAME, 21, ROOT, bb->fa, bb->nframes)) ||
        !EXPECT_OK(cr_untyped_retype(bb->spare, CR_OBJ_FRAME, 21, ROOT, fb, bb->nframes))) {
        return false;
    }
    bb->A = (volatile uint64_t *)(uintptr_t)BIG_REGION;
    bb->B = (volatile uint64_t *)(uintptr_t)(BIG_REGION + bb->size);
    return map_big(t, CR_CAP_ROOT_VSPACE, BIG_REGION, bb->fa, bb->nframes, 2) &&
           map_big(t, CR_CAP_ROOT_VSPACE, BIG_REGION + bb->size, fb, bb->nframes, 0);
}

static void
big_buffers_end(struct bigbufs *bb)
{
    if (bb->spare != 0) {
        EXPECT_OK(cr_cap_revoke(ROOT, bb->spare));
    }
}

/* Waits (bounded) for the client's result word; the root ends at SRV_PRIO. */
static bool
client_done(struct tl_as *a)
{
    bool ok = tl_wait_word(&a->data[1], 1, SRV_PRIO, BIG_TIMEOUT_MS);
    tl_root_prio(SRV_PRIO);
    return ok;
}

/*
 * The message and its reply (see the file comment): 64 MiB each way if there is room,
 * else 16 MiB; at most max_size. With `watch`, the watcher runs throughout and its
 * wake-ups are checked.
 */
static void
big_message(uint64_t max_size, bool watch)
{
    static struct watch w;
    struct tl t;
    struct tl_as a;
    struct tl_thread wt;
    struct bigbufs bb;
    if (!tl_begin(&t)) {
        return;
    }
    if (!big_buffers(&t, &bb, max_size)) {
        goto out;
    }
    uint64_t size = bb.size;
    unsigned nframes = bb.nframes;
    volatile uint64_t *A = bb.A;
    volatile uint64_t *B = bb.B;
    cr_cptr_t fa2 = tl_slots(&t, nframes); /* A again, for the client's mapping */
    if (fa2 == 0) {
        goto out;
    }
    for (unsigned i = 0; i < nframes; i++) {
        if (!EXPECT_OK(cr_cap_copy(ROOT, fa2 + i, ROOT, bb.fa + i, RW))) {
            goto out;
        }
    }

    /* The client's address space: tl_as, plus our code blob, A at AS_BUF, the
     * connection in its CNode. */
    cr_cptr_t chan = tl_ipc_channel(&t, 1, NULL);
    if (chan == 0 || !tl_as_build(&t, &a, t.ut) || !map_big(&t, a.vs, AS_BUF, fa2, nframes, 1) ||
        !EXPECT_OK(cr_cap_mint(a.cnode, AS_CONN, ROOT, chan, CR_RIGHT_WRITE, BIG_BADGE))) {
        goto out;
    }
    cr_cptr_t code;
    void *c = tl_map(&t, RW, &code);
    cr_cptr_t code2 = c != NULL ? tl_copy(&t, code, CR_RIGHT_READ | CR_RIGHT_EXEC) : 0;
    if (code2 == 0 ||
        !EXPECT_OK(cr_vspace_map(code2, a.vs, AS_BLOB, CR_RIGHT_READ | CR_RIGHT_EXEC, 0))) {
        goto out;
    }
    memcpy(c, ipc_blob_start, (size_t)(ipc_blob_end - ipc_blob_start));

    /* The message: all of A in three pieces (1 MiB + 3, the middle, the last 5 bytes);
     * the reply goes back into all of A. The iov arrays live in the client's data page. */
    fill_words(A, size / 8, 0);
    struct cr_iov *v = (struct cr_iov *)(uintptr_t)(a.data + 8);
    v[0] = (struct cr_iov){ AS_BUF, (1u << 20) + 3 };
    v[1] = (struct cr_iov){ AS_BUF + (1u << 20) + 3, size - (1u << 20) - 3 - 5 };
    v[2] = (struct cr_iov){ AS_BUF + size - 5, 5 };
    v[3] = (struct cr_iov){ AS_BUF, size };
    a.data[0] = 0;
    a.data[1] = 0;

    /* The watcher, above everything. */
    memset((void *)&w, 0, sizeof(w));
    if (watch) {
        w.ntfn = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
        if (w.ntfn == 0 || !tl_thread_new(&t, &wt, watcher, WATCH_PRIO)) {
            goto out;
        }
        wt.arg[0] = (uint64_t)(uintptr_t)&w;
        if (!tl_thread_start(&wt)) {
            goto out;
        }
    }

    /* Start the client (at TL_PRIO, above the root): it sends and blocks. */
    tl_root_prio(SRV_PRIO);
    struct cr_regs r;
    memset(&r, 0, sizeof(r));
    r.rip = AS_BLOB;
    r.rflags = 0x202;
    r.rax = (uint64_t)(-(int64_t)CR_SYS_msg_sendv);
    r.rdi = AS_CONN;
    r.rsi = TL_AS_DATA + 8 * 8;
    r.rdx = 3;
    r.r10 = TL_AS_DATA + 8 * 8 + 3 * sizeof(struct cr_iov);
    r.r8 = 1;
    r.r12 = TL_AS_DATA;
    r.r13 = (uint64_t)(-(int64_t)CR_SYS_tcb_suspend);
    r.r14 = TL_AS_SELF;
    if (!EXPECT_OK(cr_tcb_write_regs(a.tcb, CR_UPTR(&r), CR_REGS_RESUME))) {
        goto out;
    }
    tl_pause(SRV_PRIO, 5);
    tl_root_prio(SRV_PRIO);
    struct cr_fault_msg fm;
    if (cr_fault_recv(a.chan, CR_UPTR(&fm), CR_FAULT_RECV_NONBLOCK) == 0) {
        TEST_FAIL("the client faulted: kind %u addr %#llx rip %#llx", fm.kind,
                  (unsigned long long)fm.addr, (unsigned long long)fm.rip);
        goto out;
    }
    if (!EXPECT_EQ(a.data[1], 0)) {
        TEST_FAIL("the client's msg_sendv returned %lld", (long long)a.data[0]);
        goto out;
    }

    /* Receive all of it in two pieces (7 bytes, the rest), with the watcher counting. */
    struct cr_iov rv[2] = { { CR_UPTR(B), 7 }, { CR_UPTR(B) + 7, size - 7 } };
    struct cr_msg_info info;
    w.from_ns = tl_now_ns();
    int64_t rcvid = cr_msg_receivev(chan, CR_UPTR(rv), 2, CR_UPTR(&info));
    w.to_ns = tl_now_ns();
    uint64_t recv_ns = w.to_ns - w.from_ns;
    if (!EXPECT_TRUE(rcvid > 0)) {
        goto out;
    }
    EXPECT_EQ(info.badge, BIG_BADGE);
    EXPECT_EQ(info.send_len, size);
    EXPECT_EQ(info.copied, size);
    EXPECT_EQ(info.reply_len, size);
    uint64_t bad = first_bad(B, size / 8, 0);
    if (bad != size / 8) {
        TEST_FAIL("received word %llu of %llu: %#llx, want %#llx", (unsigned long long)bad,
                  (unsigned long long)(size / 8), (unsigned long long)B[bad],
                  (unsigned long long)word(bad, 0));
    }
    EXPECT_EQ(first_bad(A, size / 8, 0), size / 8); /* the source is untouched */
    uint64_t wakes_recv = w.wakes;
    uint64_t late_recv = w.max_late;

    /* Reply with another pattern, the whole size, into A. */
    fill_words(B, size / 8, 1);
    struct cr_iov pv = { CR_UPTR(B), size };
    w.wakes = 0;
    w.max_late = 0;
    w.to_ns = 0;
    w.from_ns = tl_now_ns();
    EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid, 7, CR_UPTR(&pv), 1));
    w.to_ns = tl_now_ns();
    uint64_t reply_ns = w.to_ns - w.from_ns;
    if (EXPECT_TRUE(client_done(&a))) {
        EXPECT_EQ(a.data[0], 7);
        bad = first_bad(A, size / 8, 1);
        if (bad != size / 8) {
            TEST_FAIL("reply word %llu of %llu: %#llx, want %#llx", (unsigned long long)bad,
                      (unsigned long long)(size / 8), (unsigned long long)A[bad],
                      (unsigned long long)word(bad, 1));
        }
    }
    w.stop = 1;
    if (!watch) {
        goto out;
    }
    EXPECT_EQ(w.bad_rc, 0);
    /* The watcher got in during any copy long enough for it to matter: without preemption
     * points it could only run after the copy. */
    if (recv_ns > 20000000ull && !EXPECT_TRUE(wakes_recv > 0)) {
        TEST_FAIL("no watcher wake-up in a %llu ms receive",
                  (unsigned long long)(recv_ns / 1000000));
    }
    if (reply_ns > 20000000ull && !EXPECT_TRUE(w.wakes > 0)) {
        TEST_FAIL("no watcher wake-up in a %llu ms reply",
                  (unsigned long long)(reply_ns / 1000000));
    }
    /* How late the wake-ups were is a measurement, not a pass/fail: under TCG it follows
     * the host's load. make bench reports it deterministically (wake_latency_copy_max). */
    (void)late_recv;
out:
    w.stop = 1;
    tl_end(&t);
    big_buffers_end(&bb);
}

TEST(ipc_big_message_between_address_spaces)
{
    big_message(64ull << 20, false);
}

/* Long copies are preemptible: a timer wake-up of a higher-priority thread is not held
 * up by a 16 MiB copy (docs/ipc.md: latency bounded by one 16 KiB chunk). */
TEST(ipc_long_copy_lets_timer_wakeups_in)
{
    big_message(16ull << 20, true);
}

/* ---- a server thread destroyed in the middle of a long copy ---- */

enum {
    DOOM_PRIO = 60,  /* the server thread that is destroyed (above the root) */
    KILL_PRIO = 200, /* the thread that destroys it */
    KILL_DELAY_US = 1000,
};
#define POISON 0x5a5a5a5a5a5a5a5aull

/* The killer waits for `armed`, then KILL_DELAY_US on a timeout, then deletes victim. */
struct killer {
    cr_cptr_t armed;
    cr_cptr_t never; /* a notification nobody signals */
    cr_cptr_t victim;
    volatile int64_t rc;
    volatile uint64_t fired;
};

static void
killer_fn(struct tl_thread *th)
{
    struct killer *k = (struct killer *)(uintptr_t)th->arg[0];
    uint64_t bits = 0;
    cr_notify_wait(k->armed, CR_UPTR(&bits));
    cr_timeout_set(tl_now_ns() + KILL_DELAY_US * 1000ull);
    cr_notify_wait(k->never, CR_UPTR(&bits));
    k->rc = cr_cap_delete(ROOT, k->victim);
    k->fired = 1;
}

/* The doomed server: with `reply` 0 it arms the killer and receives the big message;
 * otherwise it receives a small one, arms the killer and replies the big reply. */
struct doomed {
    cr_cptr_t chan;
    cr_cptr_t armed;
    uint64_t reply;
    struct cr_iov iov;
    struct cr_msg_info info;
};

static void
doomed_fn(struct tl_thread *th)
{
    struct doomed *d = (struct doomed *)(uintptr_t)th->arg[0];
    if (d->reply == 0) {
        cr_notify_signal(d->armed);
        th->out[0] = (uint64_t)cr_msg_receivev(d->chan, CR_UPTR(&d->iov), 1, CR_UPTR(&d->info));
        return;
    }
    uint64_t small = 0;
    struct cr_iov iov = { CR_UPTR(&small), sizeof(small) };
    th->out[0] = (uint64_t)cr_msg_receivev(d->chan, CR_UPTR(&iov), 1, CR_UPTR(&d->info));
    cr_notify_signal(d->armed);
    th->out[1] = (uint64_t)cr_msg_replyv(d->chan, d->info.rcvid, 5, CR_UPTR(&d->iov), 1);
}

/* Starts the killer (it waits for k->armed) and then the doomed server, its victim. */
static bool
doom(struct tl *t, struct killer *k, struct tl_thread *kt, struct doomed *d, struct tl_thread *dt)
{
    k->armed = tl_new(t, CR_OBJ_NOTIFICATION, 0);
    k->never = tl_new(t, CR_OBJ_NOTIFICATION, 0);
    if (k->never == 0 || !tl_thread_new(t, kt, killer_fn, KILL_PRIO) ||
        !tl_thread_new(t, dt, doomed_fn, DOOM_PRIO)) {
        return false;
    }
    k->victim = dt->tcb;
    d->armed = k->armed;
    kt->arg[0] = (uint64_t)(uintptr_t)k;
    dt->arg[0] = (uint64_t)(uintptr_t)d;
    if (!tl_thread_start(kt) || !tl_thread_start(dt)) {
        return false;
    }
    bool fired = tl_wait_word(&k->fired, 1, TL_SRV_PRIO, BIG_TIMEOUT_MS);
    tl_root_prio(TL_SRV_PRIO);
    return EXPECT_TRUE(fired) && EXPECT_OK(k->rc);
}

/*
 * A server thread destroyed while it copies a big message in: the message goes back to
 * the queue, whole, and another receive gets all of it. One destroyed while it copies a
 * big reply out: the exchange stays open, and a reply from another thread completes it.
 * (If a copy happens to finish before the killer fires, the test checks the same data
 * through the finished exchange instead.)
 */
TEST(ipc_server_destroyed_mid_copy)
{
    struct tl t;
    struct bigbufs bb;
    struct tl_thread c1;
    struct tl_thread c2;
    struct tl_thread k1t;
    struct tl_thread k2t;
    struct tl_thread d1t;
    struct tl_thread d2t;
    struct tl_prober p;
    static struct killer k1;
    static struct killer k2;
    static struct doomed d1;
    static struct doomed d2;
    if (!tl_begin(&t)) {
        return;
    }
    tl_root_prio(TL_SRV_PRIO);
    memset(&k1, 0, sizeof(k1));
    memset(&k2, 0, sizeof(k2));
    memset(&d1, 0, sizeof(d1));
    memset(&d2, 0, sizeof(d2));
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 0xd00d) : 0;
    if (conn == 0 || !big_buffers(&t, &bb, 64ull << 20) || !tl_prober_init(&t, &p)) {
        goto out;
    }
    p.ms = BIG_TIMEOUT_MS; /* it receives the big message */
    uint64_t size = bb.size;
    uint64_t words = size / 8;

    /* 1. Killed while receiving. */
    fill_words(bb.A, words, 0);
    uint64_t small = 0;
    struct cr_iov siov = { CR_UPTR(bb.A), size };
    struct cr_iov riov = { CR_UPTR(&small), sizeof(small) };
    struct tl_call call1 = { conn, CR_UPTR(&siov), 1, CR_UPTR(&riov), 1 };
    if (!tl_call_start(&t, &c1, &call1, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&c1))) {
        goto out;
    }
    d1.chan = chan;
    d1.iov = (struct cr_iov){ CR_UPTR(bb.B), size };
    d1.info.rcvid = POISON;
    if (!doom(&t, &k1, &k1t, &d1, &d1t)) {
        goto out;
    }
    EXPECT_TRUE(tl_call_blocked(&c1));
    /* A receive that completed filled in info (the kernel zeroes it first). */
    uint64_t rcvid = d1.info.rcvid;
    if (rcvid == POISON || rcvid == 0) {
        /* It died mid-copy: the message is queued again, whole. */
        struct cr_msg_info info;
        struct cr_iov iov = { CR_UPTR(bb.B), size };
        memset(&info, 0, sizeof(info));
        int64_t r = tl_probe(&p, CR_SYS_msg_receivev, chan, CR_UPTR(&iov), 1, CR_UPTR(&info), 0);
        if (!EXPECT_TRUE(r > 0)) {
            goto out;
        }
        EXPECT_EQ(info.copied, size);
        EXPECT_EQ(info.badge, 0xd00d);
        rcvid = (uint64_t)r;
    }
    EXPECT_EQ(first_bad(bb.B, words, 0), words);
    EXPECT_OK(cr_msg_replyv(chan, rcvid, 3, 0, 0));
    EXPECT_RESULT(&c1, 3);

    /* 2. Killed while replying. */
    for (uint64_t i = 0; i < words; i++) {
        bb.A[i] = 0;
    }
    fill_words(bb.B, words, 1);
    struct cr_iov s2 = { CR_UPTR("big reply, please"), 17 };
    struct cr_iov r2 = { CR_UPTR(bb.A), size };
    struct tl_call call2 = { conn, CR_UPTR(&s2), 1, CR_UPTR(&r2), 1 };
    if (!tl_call_start(&t, &c2, &call2, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&c2))) {
        goto out;
    }
    d2.chan = chan;
    d2.reply = 1;
    d2.iov = (struct cr_iov){ CR_UPTR(bb.B), size };
    d2.info.rcvid = POISON;
    if (!doom(&t, &k2, &k2t, &d2, &d2t) || !EXPECT_TRUE(d2.info.rcvid != POISON) ||
        !EXPECT_TRUE(d2.info.rcvid != 0)) {
        goto out;
    }
    if (tl_call_blocked(&c2)) {
        /* It died mid-copy: the exchange is open, and anyone may reply. */
        struct cr_iov pv = { CR_UPTR(bb.B), size };
        EXPECT_OK(cr_msg_replyv(chan, d2.info.rcvid, 5, CR_UPTR(&pv), 1));
    }
    if (EXPECT_RESULT(&c2, 5)) {
        EXPECT_EQ(first_bad(bb.A, words, 1), words);
    }
out:
    tl_end(&t);
    big_buffers_end(&bb);
}
