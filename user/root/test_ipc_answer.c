/* SPDX-License-Identifier: MIT */
/*
 * System tests of synchronous message passing (docs/ipc.md), how a server answers: it
 * reads what a truncated message left behind with msg_read and fills a reply with
 * msg_write; it tells clients apart by the badge of their capability; and it holds a
 * hundred exchanges open at once and answers them out of order. The first part (binding,
 * argument errors, round trips, vectored messages) is test_ipc.c, which also explains the
 * shape of the tests: the root server is the server at TL_SRV_PRIO and every client a
 * helper thread at TL_PRIO above it. The name sorts before test_ipc_big.c, so these tests
 * still run right after those of test_ipc.c.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "test_ipc.h"
#include "testlib.h"

#define ROOT CR_CAP_ROOT_CNODE
#define RW (CR_RIGHT_READ | CR_RIGHT_WRITE)
/* A fresh 512 GiB slot of the root's address space (PML4 entry 5), empty between tests.
 * Not entry 6: the process manager keeps its scratch window there (pm/vm.c SCRATCH_VA)
 * once any test has started it. */
#define IPC_REGION 0x28000000000ull

/* ---- truncation ---- */

TEST(ipc_truncation_and_msg_read)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    uint8_t *cp = tl_pages(&t, 1, RW); /* client */
    uint8_t *sp = tl_pages(&t, 1, RW); /* server */
    if (conn == 0 || cp == NULL || sp == NULL) {
        goto out;
    }
    /* 300 bytes in pieces of 100, 150, 50; the reply buffers are 7 + 13 bytes with
     * guard bytes around them. */
    memset(cp, '.', CR_PAGE_SIZE);
    fill(cp + 0, 100, 5, 0);
    fill(cp + 500, 150, 5, 100);
    fill(cp + 1001, 50, 5, 250);
    struct cr_iov *siov = (struct cr_iov *)(void *)(cp + 2048);
    siov[0] = (struct cr_iov){ CR_UPTR(cp + 0), 100 };
    siov[1] = (struct cr_iov){ CR_UPTR(cp + 500), 150 };
    siov[2] = (struct cr_iov){ CR_UPTR(cp + 1001), 50 };
    struct cr_iov *riov = siov + 3;
    riov[0] = (struct cr_iov){ CR_UPTR(cp + 1500), 7 };
    riov[1] = (struct cr_iov){ CR_UPTR(cp + 1600), 13 };
    struct tl_call c = { conn, CR_UPTR(siov), 3, CR_UPTR(riov), 2 };
    if (!tl_call_start(&t, &th, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th))) {
        goto out;
    }
    memset(sp, '#', CR_PAGE_SIZE);
    struct cr_iov rv[2] = { { CR_UPTR(sp + 10), 50 }, { CR_UPTR(sp + 100), 30 } };
    struct cr_msg_info info;
    int64_t r = cr_msg_receivev(chan, CR_UPTR(rv), 2, CR_UPTR(&info));
    if (!EXPECT_TRUE(r > 0)) {
        goto out;
    }
    uint64_t rcvid = (uint64_t)r;
    EXPECT_EQ(info.send_len, 300);
    EXPECT_EQ(info.copied, 80);
    EXPECT_EQ(info.reply_len, 20);
    EXPECT_TRUE(matches(sp + 10, 50, 5, 0));
    EXPECT_TRUE(matches(sp + 100, 30, 5, 50));
    EXPECT_TRUE(tl_all_bytes(sp + 60, 40, '#'));
    EXPECT_TRUE(tl_all_bytes(sp + 130, 100, '#'));
    /* The rest with msg_read, at offsets that cross the client's pieces and ours. */
    memset(sp, '#', CR_PAGE_SIZE);
    struct cr_iov mv[2] = { { CR_UPTR(sp + 1), 11 }, { CR_UPTR(sp + 200), 100 } };
    EXPECT_EQ(cr_msg_read(chan, rcvid, 77, CR_UPTR(mv), 2), 111);
    EXPECT_TRUE(matches(sp + 1, 11, 5, 77));
    EXPECT_TRUE(matches(sp + 200, 100, 5, 88));
    EXPECT_EQ(sp[0], '#');
    EXPECT_EQ(sp[12], '#');
    EXPECT_EQ(sp[300], '#');
    struct cr_iov one = { CR_UPTR(sp + 1000), 60 };
    EXPECT_EQ(cr_msg_read(chan, rcvid, 249, CR_UPTR(&one), 1), 51);
    EXPECT_TRUE(matches(sp + 1000, 51, 5, 249));
    EXPECT_TRUE(tl_all_bytes(sp + 1051, 9, '#'));
    EXPECT_EQ(cr_msg_read(chan, rcvid, 299, CR_UPTR(&one), 1), 1);
    EXPECT_TRUE(matches(sp + 1000, 1, 5, 299));
    EXPECT_EQ(cr_msg_read(chan, rcvid, 300, CR_UPTR(&one), 1), 0);
    EXPECT_EQ(cr_msg_read(chan, rcvid, 1000, CR_UPTR(&one), 1), 0);
    EXPECT_EQ(cr_msg_read(chan, rcvid, ~0ull, CR_UPTR(&one), 1), 0);
    EXPECT_EQ(cr_msg_read(chan, rcvid, 0, CR_UPTR(&one), 0), 0);
    EXPECT_ERR(-CR_EINVAL, cr_msg_read(chan, rcvid, 0, CR_UPTR(&one), CR_IOV_MAX + 1));
    /* The whole message again from 0, in one piece. */
    struct cr_iov whole = { CR_UPTR(sp + 2048), 1000 };
    EXPECT_EQ(cr_msg_read(chan, rcvid, 0, CR_UPTR(&whole), 1), 300);
    EXPECT_TRUE(matches(sp + 2048, 300, 5, 0));
    /* A 100-byte reply into 20 bytes: the client gets what fits, nothing past it. */
    fill(sp, 60, 6, 0);
    fill(sp + 3000, 40, 6, 60);
    struct cr_iov pv[2] = { { CR_UPTR(sp), 60 }, { CR_UPTR(sp + 3000), 40 } };
    EXPECT_TRUE(tl_call_blocked(&th));
    EXPECT_OK(cr_msg_replyv(chan, rcvid, 5, CR_UPTR(pv), 2));
    if (EXPECT_RESULT(&th, 5)) {
        EXPECT_TRUE(matches(cp + 1500, 7, 6, 0));
        EXPECT_TRUE(matches(cp + 1600, 13, 6, 7));
        EXPECT_TRUE(tl_all_bytes(cp + 1507, 93, '.'));
        EXPECT_TRUE(tl_all_bytes(cp + 1613, 2048 - 1613, '.'));
        EXPECT_EQ(cp[1499], '.');
    }
out:
    tl_end(&t);
}

/* msg_write at offsets (crossing the client's pieces, cut at the end), then a reply
 * with no data keeps it; a reply with data overwrites from offset 0. */
TEST(ipc_msg_write_then_reply)
{
    struct tl t;
    struct tl_thread th;
    struct tl_thread th2;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    uint8_t *cp = tl_pages(&t, 1, RW);
    if (conn == 0 || cp == NULL) {
        goto out;
    }
    memset(cp, 'x', 256);
    struct cr_iov *riov = (struct cr_iov *)(void *)(cp + 1024);
    riov[0] = (struct cr_iov){ CR_UPTR(cp + 0), 12 };
    riov[1] = (struct cr_iov){ CR_UPTR(cp + 100), 20 };
    struct cr_iov *siov = riov + 2;
    siov[0] = (struct cr_iov){ CR_UPTR("w"), 1 };
    struct tl_call c = { conn, CR_UPTR(siov), 1, CR_UPTR(riov), 2 };
    if (!tl_call_start(&t, &th, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th))) {
        goto out;
    }
    char buf[8];
    struct cr_msg_info info;
    int64_t r = tl_recv1(chan, buf, sizeof(buf), &info);
    if (!EXPECT_TRUE(r > 0)) {
        goto out;
    }
    EXPECT_EQ(info.reply_len, 32);
    struct cr_iov w1 = { CR_UPTR("ABCDE"), 5 };
    struct cr_iov w2 = { CR_UPTR("12345"), 5 };
    EXPECT_EQ(cr_msg_write(chan, (uint64_t)r, 10, CR_UPTR(&w1), 1), 5);
    EXPECT_EQ(cr_msg_write(chan, (uint64_t)r, 30, CR_UPTR(&w2), 1), 2);
    EXPECT_EQ(cr_msg_write(chan, (uint64_t)r, 32, CR_UPTR(&w2), 1), 0);
    EXPECT_EQ(cr_msg_write(chan, (uint64_t)r, ~0ull, CR_UPTR(&w2), 1), 0);
    EXPECT_ERR(-CR_EINVAL, cr_msg_write(chan, (uint64_t)r, 0, CR_UPTR(&w2), CR_IOV_MAX + 1));
    EXPECT_TRUE(tl_call_blocked(&th));
    EXPECT_OK(cr_msg_replyv(chan, (uint64_t)r, 6, 0, 0));
    if (EXPECT_RESULT(&th, 6)) {
        /* client bytes 0..11 are cp[0..12), 12..31 are cp[100..120) */
        EXPECT_EQ(memcmp(cp, "xxxxxxxxxxAB", 12), 0);
        EXPECT_EQ(memcmp(cp + 100, "CDExxxxxxxxxxxxxxx12", 20), 0);
        EXPECT_TRUE(tl_all_bytes(cp + 12, 88, 'x'));
        EXPECT_TRUE(tl_all_bytes(cp + 120, 136, 'x'));
    }
    memset(cp, 'x', 256);
    if (!tl_call_start(&t, &th2, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th2))) {
        goto out;
    }
    r = tl_recv1(chan, buf, sizeof(buf), &info);
    if (!EXPECT_TRUE(r > 0)) {
        goto out;
    }
    EXPECT_EQ(cr_msg_write(chan, (uint64_t)r, 10, CR_UPTR(&w1), 1), 5);
    EXPECT_OK(tl_reply1(chan, (uint64_t)r, 7, "zz", 2));
    if (EXPECT_RESULT(&th2, 7)) {
        EXPECT_EQ(memcmp(cp, "zzxxxxxxxxAB", 12), 0);
        EXPECT_EQ(memcmp(cp + 100, "CDExxxxxxxxxxxxxxxxx", 20), 0);
    }
out:
    tl_end(&t);
}

/* ---- badges ---- */

TEST(ipc_badges)
{
    struct tl t;
    struct tl_thread th[4];
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 3, NULL);
    if (chan == 0) {
        goto out;
    }
    static const uint64_t badges[4] = { 0, 1, 0xdeadbeefcafeull, 0x7fffffffffffffffull };
    cr_cptr_t conns[4];
    conns[0] = tl_copy(&t, chan, CR_RIGHT_WRITE); /* unbadged */
    for (unsigned i = 1; i < 4; i++) {
        conns[i] = tl_mint(&t, chan, CR_RIGHT_WRITE, badges[i]);
    }
    struct cr_iov siov[4];
    struct tl_call c[4];
    for (unsigned i = 0; i < 4; i++) {
        if (conns[i] == 0) {
            goto out;
        }
        siov[i] = (struct cr_iov){ CR_UPTR(&badges[i]), 8 };
        c[i] = (struct tl_call){ conns[i], CR_UPTR(&siov[i]), 1, 0, 0 };
        if (!tl_call_start(&t, &th[i], &c[i], TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th[i]))) {
            goto out;
        }
    }
    /* The channel's own capability (what the server holds) has no badge either. */
    for (unsigned i = 0; i < 4; i++) {
        uint64_t said = 0;
        struct cr_msg_info info;
        int64_t r = tl_recv1(chan, &said, 8, &info);
        if (!EXPECT_TRUE(r > 0)) {
            goto out;
        }
        EXPECT_EQ(info.badge, said);
        EXPECT_EQ(info.copied, 8);
        EXPECT_OK(cr_msg_replyv(chan, (uint64_t)r, i, 0, 0));
    }
    for (unsigned i = 0; i < 4; i++) {
        EXPECT_TRUE(tl_call_done(&th[i]));
    }
out:
    tl_end(&t);
}

/* ---- a hundred clients ---- */

enum {
    MANY = 100,
    MANY_TABLE_BITS = 7, /* 127 exchanges */
};
#define MANY_MAGIC 0x6d616e79636c6e74ull

struct many_msg {
    uint64_t idx;
    uint64_t magic;
    char text[16];
};

static void
many_client(struct tl_thread *th)
{
    uint64_t i = th->arg[1];
    struct many_msg m = { i, MANY_MAGIC ^ i, "many clients" };
    uint64_t reply[2] = { 0, 0 };
    struct cr_iov s = { CR_UPTR(&m), sizeof(m) };
    struct cr_iov r = { CR_UPTR(reply), sizeof(reply) };
    th->out[1] = 1;
    th->out[0] = (uint64_t)cr_msg_sendv(th->arg[0], CR_UPTR(&s), 1, CR_UPTR(&r), 1);
    th->out[2] = reply[0];
    th->out[3] = reply[1];
}

/*
 * n threads with one-page stacks (tl_thread_new's 4 pages and guard each would not fit
 * the test window): TCBs from the arena's untyped, stacks from stack_ut, mapped in
 * IPC_REGION with an unmapped guard page below each. Not started.
 */
static bool
light_threads(struct tl *t, struct tl_thread *th, unsigned n, tl_thread_fn fn, unsigned prio,
              cr_cptr_t stack_ut)
{
    if (tl_map_tables(t, CR_CAP_ROOT_VSPACE, IPC_REGION) == 0) {
        return false;
    }
    cr_cptr_t tcbs = tl_slots(t, n);
    cr_cptr_t frames = tl_slots(t, n);
    if (tcbs == 0 || frames == 0 ||
        !EXPECT_OK(cr_untyped_retype(t->ut, CR_OBJ_TCB, 0, ROOT, tcbs, n)) ||
        !EXPECT_OK(cr_untyped_retype(stack_ut, CR_OBJ_FRAME, CR_PAGE_BITS, ROOT, frames, n))) {
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        uint64_t va = IPC_REGION + (2 * (uint64_t)i + 1) * CR_PAGE_SIZE;
        memset(&th[i], 0, sizeof(th[i]));
        th[i].fn = fn;
        th[i].tcb = tcbs + i;
        th[i].self = tcbs + i;
        th[i].stack_top = va + CR_PAGE_SIZE;
        if (!EXPECT_OK(tl_map_at(frames + i, va, RW)) ||
            !EXPECT_OK(cr_tcb_configure(tcbs + i, ROOT, CR_CAP_ROOT_VSPACE, 0, 0)) ||
            !EXPECT_OK(cr_tcb_set_priority(tcbs + i, prio, CR_SCHED_RR))) {
            return false;
        }
    }
    return true;
}

TEST(ipc_hundred_clients_out_of_order)
{
    static struct tl_thread th[MANY];
    static uint64_t rcvids[MANY];
    static uint64_t order[MANY];
    struct tl t;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t stack_ut = tl_ut(&t);
    cr_cptr_t chan = tl_ipc_channel(&t, MANY_TABLE_BITS, NULL);
    cr_cptr_t conns = tl_slots(&t, MANY);
    if (stack_ut == 0 || chan == 0 || conns == 0 ||
        !light_threads(&t, th, MANY, many_client, TL_PRIO, stack_ut)) {
        goto out;
    }
    for (unsigned i = 0; i < MANY; i++) {
        if (!EXPECT_OK(cr_cap_mint(ROOT, conns + i, ROOT, chan, CR_RIGHT_WRITE, i + 1))) {
            goto out;
        }
        th[i].arg[0] = conns + i;
        th[i].arg[1] = i;
        if (!tl_thread_start(&th[i]) || !EXPECT_TRUE(tl_call_blocked(&th[i]))) {
            goto out;
        }
    }
    /* Receive all of them before answering any. */
    bool fifo = true;
    for (unsigned k = 0; k < MANY; k++) {
        struct many_msg m;
        memset(&m, 0, sizeof(m));
        struct cr_msg_info info;
        int64_t r = tl_recv1(chan, &m, sizeof(m), &info);
        if (!EXPECT_TRUE(r > 0) || !EXPECT_TRUE(m.idx < MANY)) {
            goto out;
        }
        EXPECT_EQ(info.badge, m.idx + 1);
        EXPECT_EQ(m.magic, MANY_MAGIC ^ m.idx);
        EXPECT_EQ(memcmp(m.text, "many clients", 13), 0);
        EXPECT_EQ(info.send_len, sizeof(m));
        EXPECT_EQ(info.copied, sizeof(m));
        EXPECT_EQ(info.reply_len, 16);
        EXPECT_TRUE(CR_RCVID_INDEX(r) >= 1 && CR_RCVID_INDEX(r) < (1u << MANY_TABLE_BITS));
        fifo = fifo && m.idx == k; /* equal priorities: first come, first served */
        rcvids[m.idx] = (uint64_t)r;
        order[k] = m.idx;
    }
    EXPECT_TRUE(fifo);
    for (unsigned i = 0; i < MANY; i++) {
        EXPECT_TRUE(tl_call_blocked(&th[i]));
        for (unsigned j = 0; j < i; j++) {
            if (rcvids[i] == rcvids[j]) {
                TEST_FAIL("clients %u and %u share rcvid %#llx", j, i,
                          (unsigned long long)rcvids[i]);
            }
        }
    }
    /* Answer in a shuffled order; each reply carries its own client's index. */
    uint64_t seed = 0x1234567887654321ull;
    for (unsigned i = MANY - 1; i > 0; i--) {
        unsigned j = (unsigned)(tl_rand(&seed) % (i + 1));
        uint64_t x = order[i];
        order[i] = order[j];
        order[j] = x;
    }
    for (unsigned k = 0; k < MANY; k++) {
        uint64_t i = order[k];
        uint64_t data[2] = { i ^ 0x5555555555555555ull, ~i };
        EXPECT_OK(tl_reply1(chan, rcvids[i], 1000 + i, data, sizeof(data)));
    }
    for (unsigned i = 0; i < MANY; i++) {
        if (!EXPECT_TRUE(tl_call_done(&th[i]))) {
            break;
        }
        EXPECT_EQ(th[i].out[0], 1000 + i);
        EXPECT_EQ(th[i].out[2], i ^ 0x5555555555555555ull);
        EXPECT_EQ(th[i].out[3], ~(uint64_t)i);
    }
    for (unsigned i = 0; i < MANY; i += 7) {
        EXPECT_ERR(-CR_ESRCH, cr_msg_replyv(chan, rcvids[i], 0, 0, 0));
    }
out:
    tl_end(&t);
}
