/* SPDX-License-Identifier: MIT */
/*
 * System tests of synchronous message passing (docs/ipc.md), part two continued: threads
 * blocked in an exchange when it goes wrong. Clients that die or are suspended while
 * blocked; a channel or reply table destroyed under waiting clients and servers; a full
 * reply table; the order of the send queue. Stale rcvids, msg_error and bad buffers are
 * test_ipc_errors.c, which also explains the shape of the tests: the root server is the
 * server at TL_SRV_PRIO and every client a helper thread at TL_PRIO above it.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

#define ROOT CR_CAP_ROOT_CNODE

enum {
    HELPER_PRIO = 120, /* server threads: above the clients */
};

/* ---- clients that go away ---- */

/* Killed while REPLY-blocked: the server's calls on its rcvid get ESRCH and the slot is
 * free again (the table has one). Killed while SEND-blocked: its message is gone. */
TEST(ipc_client_killed)
{
    struct tl t;
    struct tl_thread a;
    struct tl_thread x;
    struct tl_thread y;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 1, NULL); /* one exchange */
    cr_cptr_t ca = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 0xa) : 0;
    cr_cptr_t cx = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 0x10) : 0;
    cr_cptr_t cy = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 0x11) : 0;
    if (cy == 0) {
        goto out;
    }
    char rbuf[8];
    struct cr_iov siov = { CR_UPTR("dead"), 4 };
    struct cr_iov riov = { CR_UPTR(rbuf), sizeof(rbuf) };
    struct tl_call callA = { ca, CR_UPTR(&siov), 1, CR_UPTR(&riov), 1 };
    struct tl_call callX = { cx, CR_UPTR(&siov), 1, CR_UPTR(&riov), 1 };
    struct tl_call callY = { cy, CR_UPTR(&siov), 1, CR_UPTR(&riov), 1 };
    if (!tl_call_start(&t, &a, &callA, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&a))) {
        goto out;
    }
    char buf[8];
    struct cr_msg_info info;
    int64_t r0 = tl_recv1(chan, buf, sizeof(buf), &info);
    if (!EXPECT_TRUE(r0 > 0)) {
        goto out;
    }
    uint64_t r = (uint64_t)r0;
    EXPECT_OK(cr_cap_delete(ROOT, a.tcb));
    struct cr_iov bv = { CR_UPTR(buf), sizeof(buf) };
    EXPECT_ERR(-CR_ESRCH, cr_msg_read(chan, r, 0, CR_UPTR(&bv), 1));
    EXPECT_ERR(-CR_ESRCH, cr_msg_write(chan, r, 0, CR_UPTR(&bv), 1));
    EXPECT_ERR(-CR_ESRCH, cr_msg_error(chan, r, 1));
    EXPECT_ERR(-CR_ESRCH, cr_msg_replyv(chan, r, 0, CR_UPTR(&bv), 1));
    /* X and Y queue; X dies; the receive gets Y, in the one slot. */
    if (!tl_call_start(&t, &x, &callX, TL_PRIO) || !tl_call_start(&t, &y, &callY, TL_PRIO) ||
        !EXPECT_TRUE(tl_call_blocked(&x)) || !EXPECT_TRUE(tl_call_blocked(&y))) {
        goto out;
    }
    EXPECT_OK(cr_cap_delete(ROOT, x.tcb));
    int64_t ry = tl_recv1(chan, buf, sizeof(buf), &info);
    if (EXPECT_TRUE(ry > 0)) {
        EXPECT_EQ(info.badge, 0x11);
        EXPECT_EQ(CR_RCVID_INDEX(ry), CR_RCVID_INDEX(r));
        EXPECT_TRUE((uint64_t)ry != r);
        EXPECT_OK(cr_msg_replyv(chan, (uint64_t)ry, 1, 0, 0));
        EXPECT_RESULT(&y, 1);
    }
out:
    tl_end(&t);
}

/* Suspended while blocked: the client leaves (REPLY-blocked: its rcvid dies) and its
 * msg_sendv returns EINTR when it is resumed. */
TEST(ipc_client_suspended_gets_eintr)
{
    struct tl t;
    struct tl_thread a;
    struct tl_thread s;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    if (conn == 0) {
        goto out;
    }
    struct cr_iov siov = { CR_UPTR("zz"), 2 };
    struct tl_call c = { conn, CR_UPTR(&siov), 1, 0, 0 };
    if (!tl_call_start(&t, &a, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&a))) {
        goto out;
    }
    char buf[4];
    struct cr_msg_info info;
    int64_t r = tl_recv1(chan, buf, sizeof(buf), &info);
    if (!EXPECT_TRUE(r > 0)) {
        goto out;
    }
    EXPECT_OK(cr_tcb_suspend(a.tcb));
    EXPECT_ERR(-CR_ESRCH, cr_msg_replyv(chan, (uint64_t)r, 0, 0, 0));
    EXPECT_OK(cr_tcb_resume(a.tcb));
    EXPECT_RESULT(&a, -CR_EINTR);
    /* SEND-blocked, suspended, resumed: EINTR, and nothing is queued any more. */
    if (!tl_call_start(&t, &s, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&s))) {
        goto out;
    }
    EXPECT_OK(cr_tcb_suspend(s.tcb));
    EXPECT_OK(cr_tcb_resume(s.tcb));
    EXPECT_RESULT(&s, -CR_EINTR);
out:
    tl_end(&t);
}

/* ---- channel and table destroyed under waiting threads ---- */

static void
server_block(struct tl_thread *th)
{
    char buf[8];
    struct cr_iov iov = { CR_UPTR(buf), sizeof(buf) };
    struct cr_msg_info info;
    th->out[1] = 1;
    th->out[0] = (uint64_t)cr_msg_receivev(th->arg[0], CR_UPTR(&iov), 1, CR_UPTR(&info));
}

/*
 * One REPLY-blocked client (holding the table's only exchange), one SEND-blocked client
 * and one server blocked in receive; then the channel's capabilities all go (whole) or
 * the reply table's does (!whole). Everyone gets EREVOKED.
 */
static void
destroyed_under_waiters(bool whole)
{
    struct tl t;
    struct tl_thread rep;
    struct tl_thread snd;
    struct tl_thread srv;
    struct tl_thread after;
    struct tl_prober p;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t rt = 0;
    cr_cptr_t chan = tl_ipc_channel(&t, 1, &rt);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    cr_cptr_t srvcap = chan != 0 ? tl_copy(&t, chan, CR_RIGHT_READ) : 0;
    if (srvcap == 0 || !tl_prober_init(&t, &p)) {
        goto out;
    }
    struct cr_iov siov = { CR_UPTR("bye"), 3 };
    struct tl_call c = { conn, CR_UPTR(&siov), 1, 0, 0 };
    if (!tl_call_start(&t, &rep, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&rep))) {
        goto out;
    }
    char buf[4];
    struct cr_msg_info info;
    int64_t r = tl_recv1(chan, buf, sizeof(buf), &info);
    if (!EXPECT_TRUE(r > 0) || !tl_thread_new(&t, &srv, server_block, HELPER_PRIO)) {
        goto out;
    }
    srv.arg[0] = srvcap;
    if (!tl_thread_start(&srv) || !EXPECT_TRUE(srv.out[1] == 1 && srv.finished == 0)) {
        goto out;
    }
    /* The table is full: this one queues although a server waits. */
    if (!tl_call_start(&t, &snd, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&snd))) {
        goto out;
    }
    EXPECT_TRUE(tl_call_blocked(&rep));
    EXPECT_TRUE(srv.finished == 0);
    if (whole) {
        /* Every capability to the channel: its children, the server's copy, itself. */
        EXPECT_OK(cr_cap_revoke(ROOT, chan));
        EXPECT_OK(cr_cap_delete(ROOT, conn));
        EXPECT_OK(cr_cap_delete(ROOT, srvcap));
        EXPECT_OK(cr_cap_delete(ROOT, chan));
    } else {
        EXPECT_OK(cr_cap_delete(ROOT, rt));
    }
    EXPECT_RESULT(&rep, -CR_EREVOKED);
    EXPECT_RESULT(&snd, -CR_EREVOKED);
    if (EXPECT_TRUE(tl_wait_word(&srv.finished, 1, TL_SRV_PRIO, 0))) {
        EXPECT_ERR(-CR_EREVOKED, (int64_t)srv.out[0]);
    }
    tl_root_prio(TL_SRV_PRIO);
    if (whole) {
        /* The table is free for another channel. */
        cr_cptr_t chan2 = tl_new(&t, CR_OBJ_CHANNEL, 0);
        EXPECT_OK(cr_channel_bind(chan2, rt, 0));
        goto out;
    }
    /* The channel lives on, unbound: no calls until a new table is bound. */
    EXPECT_ERR(-CR_EINVAL, cr_msg_replyv(chan, (uint64_t)r, 0, 0, 0));
    char b[4];
    struct cr_iov bv = { CR_UPTR(b), sizeof(b) };
    EXPECT_ERR(-CR_EINVAL, tl_probe(&p, CR_SYS_msg_sendv, conn, CR_UPTR(&siov), 1, 0, 0));
    EXPECT_ERR(-CR_EINVAL,
               tl_probe(&p, CR_SYS_msg_receivev, chan, CR_UPTR(&bv), 1, CR_UPTR(&info), 0));
    cr_cptr_t rt2 = tl_new(&t, CR_OBJ_REPLY_TABLE, 1);
    if (!EXPECT_OK(cr_channel_bind(chan, rt2, 0)) || !tl_call_start(&t, &after, &c, TL_PRIO) ||
        !EXPECT_TRUE(tl_call_blocked(&after))) {
        goto out;
    }
    int64_t r2 = tl_recv1(chan, buf, sizeof(buf), &info);
    if (EXPECT_TRUE(r2 > 0)) {
        EXPECT_OK(cr_msg_replyv(chan, (uint64_t)r2, 8, 0, 0));
        EXPECT_RESULT(&after, 8);
    }
out:
    tl_end(&t);
}

TEST(ipc_channel_destroyed_under_waiters)
{
    destroyed_under_waiters(true);
}

TEST(ipc_reply_table_destroyed_under_waiters)
{
    destroyed_under_waiters(false);
}

/* ---- a full reply table ---- */

TEST(ipc_one_exchange_table_busy)
{
    struct tl t;
    struct tl_thread a;
    struct tl_thread b;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 1, NULL); /* 2 slots: the header and one exchange */
    cr_cptr_t ca = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 0xa) : 0;
    cr_cptr_t cb = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 0xb) : 0;
    if (cb == 0) {
        goto out;
    }
    struct cr_iov siov = { CR_UPTR("one"), 3 };
    struct tl_call callA = { ca, CR_UPTR(&siov), 1, 0, 0 };
    struct tl_call callB = { cb, CR_UPTR(&siov), 1, 0, 0 };
    if (!tl_call_start(&t, &a, &callA, TL_PRIO) || !tl_call_start(&t, &b, &callB, TL_PRIO) ||
        !EXPECT_TRUE(tl_call_blocked(&a)) || !EXPECT_TRUE(tl_call_blocked(&b))) {
        goto out;
    }
    char buf[4];
    struct cr_msg_info info;
    int64_t ra = tl_recv1(chan, buf, sizeof(buf), &info);
    if (!EXPECT_TRUE(ra > 0)) {
        goto out;
    }
    EXPECT_EQ(info.badge, 0xa);
    EXPECT_ERR(-CR_EBUSY, tl_recv1(chan, buf, sizeof(buf), &info));
    EXPECT_ERR(-CR_EBUSY, tl_recv1(chan, buf, sizeof(buf), &info));
    EXPECT_TRUE(tl_call_blocked(&b));
    EXPECT_OK(cr_msg_replyv(chan, (uint64_t)ra, 1, 0, 0));
    EXPECT_RESULT(&a, 1);
    int64_t rb = tl_recv1(chan, buf, sizeof(buf), &info);
    if (EXPECT_TRUE(rb > 0)) {
        EXPECT_EQ(info.badge, 0xb);
        EXPECT_EQ(CR_RCVID_INDEX(rb), CR_RCVID_INDEX(ra));
        EXPECT_TRUE(CR_RCVID_GEN(rb) != CR_RCVID_GEN(ra));
        EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rb, 2, 0, 0));
        EXPECT_RESULT(&b, 2);
    }
out:
    tl_end(&t);
}

/* ---- queue order (docs/ipc.md: by priority, first come first served within one) ---- */

TEST(ipc_send_queue_priority_order)
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
    /* started in this order, at these priorities */
    static const unsigned prio[4] = { 90, 100, 110, 100 };
    static const unsigned want[4] = { 2, 1, 3, 0 }; /* badges, in receive order */
    cr_cptr_t conns[4];
    struct cr_iov siov = { CR_UPTR("q"), 1 };
    struct tl_call c[4];
    for (unsigned i = 0; i < 4; i++) {
        conns[i] = tl_mint(&t, chan, CR_RIGHT_WRITE, i);
        c[i] = (struct tl_call){ conns[i], CR_UPTR(&siov), 1, 0, 0 };
        if (conns[i] == 0 || !tl_call_start(&t, &th[i], &c[i], prio[i]) ||
            !EXPECT_TRUE(tl_call_blocked(&th[i]))) {
            goto out;
        }
    }
    int64_t r[4];
    for (unsigned k = 0; k < 4; k++) {
        char buf[2];
        struct cr_msg_info info;
        r[k] = tl_recv1(chan, buf, sizeof(buf), &info);
        if (!EXPECT_TRUE(r[k] > 0)) {
            goto out;
        }
        EXPECT_EQ(info.badge, want[k]);
    }
    for (unsigned k = 0; k < 4; k++) {
        EXPECT_OK(cr_msg_replyv(chan, (uint64_t)r[k], k, 0, 0));
    }
    for (unsigned i = 0; i < 4; i++) {
        EXPECT_TRUE(tl_call_done(&th[i]));
    }
out:
    tl_end(&t);
}
