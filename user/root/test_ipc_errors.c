/* SPDX-License-Identifier: MIT */
/*
 * System tests of synchronous message passing (docs/ipc.md), part two: how exchanges go
 * wrong. Stale and forged rcvids; msg_error and the status range; bad buffers on either
 * side (only the side that owns them fails, and the other goes on). What happens to
 * threads blocked in an exchange (clients that die or are suspended, a channel or reply
 * table destroyed under waiters, a full reply table, the order of the send queue) is
 * test_ipc_errors_blocked.c.
 *
 * The shape of most tests: the root server is the server, at TL_SRV_PRIO, and every client
 * is a helper thread at TL_PRIO above it, so starting a client runs it at once until it
 * blocks in msg_sendv (queued or in its reply slot), and a reply runs it at once until it
 * finishes. The root only receives when a client is known to be queued, so no receive
 * here can block; calls that might block on a wrong kernel are made in a helper thread
 * (struct tl_prober) with a bounded wait.
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
#define KERNEL_ADDR 0xffff800000000000ull

enum {
    HELPER_PRIO = 120, /* server threads: above the clients */
};

/* ---- helpers ---- */

/* ---- rcvids ---- */

TEST(ipc_stale_and_forged_rcvids)
{
    struct tl t;
    struct tl_thread a;
    struct tl_thread b;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL); /* slots 1..3 */
    cr_cptr_t chan2 = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    if (conn == 0 || chan2 == 0) {
        goto out;
    }
    char rbuf[8];
    struct cr_iov riov = { CR_UPTR(rbuf), sizeof(rbuf) };
    struct cr_iov siov = { CR_UPTR("abcdefgh"), 8 };
    struct tl_call c = { conn, CR_UPTR(&siov), 1, CR_UPTR(&riov), 1 };
    if (!tl_call_start(&t, &a, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&a))) {
        goto out;
    }
    char buf[8];
    struct cr_msg_info info;
    int64_t r0 = tl_recv1(chan, buf, sizeof(buf), &info);
    if (!EXPECT_TRUE(r0 > 0)) {
        goto out;
    }
    uint64_t r = (uint64_t)r0;
    uint64_t idx = r & 0xffffffffu;
    uint64_t gen = r & ~0xffffffffull;
    const uint64_t forged[] = {
        0,
        idx,                      /* generation 0 */
        r ^ (1ull << 32),         /* wrong generation */
        r + (1ull << 32),         /* the next generation */
        r | (1ull << 63),         /* top bit */
        gen | (idx == 1 ? 2 : 1), /* another slot, free, same generation */
        gen | 3,                  /* last slot */
        gen | 4,                  /* one past the table */
        gen | 0xffffffffull,      /* far past it */
        ~0ull,
        r + 1,
        r - 1,
    };
    struct cr_iov bv = { CR_UPTR(buf), sizeof(buf) };
    for (unsigned i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
        if (forged[i] == r) {
            continue;
        }
        EXPECT_ERR(-CR_ESRCH, cr_msg_replyv(chan, forged[i], 0, CR_UPTR(&bv), 1));
        EXPECT_ERR(-CR_ESRCH, cr_msg_error(chan, forged[i], 1));
        EXPECT_ERR(-CR_ESRCH, cr_msg_read(chan, forged[i], 0, CR_UPTR(&bv), 1));
        EXPECT_ERR(-CR_ESRCH, cr_msg_write(chan, forged[i], 0, CR_UPTR(&bv), 1));
    }
    /* The rcvid names an exchange of chan's table only. */
    EXPECT_ERR(-CR_ESRCH, cr_msg_replyv(chan2, r, 0, CR_UPTR(&bv), 1));
    EXPECT_ERR(-CR_ESRCH, cr_msg_read(chan2, r, 0, CR_UPTR(&bv), 1));
    /* None of that touched the real exchange. */
    EXPECT_TRUE(tl_call_blocked(&a));
    EXPECT_EQ(cr_msg_read(chan, r, 0, CR_UPTR(&bv), 1), 8);
    EXPECT_OK(tl_reply1(chan, r, 3, "reply", 5));
    EXPECT_RESULT(&a, 3);
    /* Stale: the exchange is over. */
    EXPECT_ERR(-CR_ESRCH, cr_msg_replyv(chan, r, 0, 0, 0));
    EXPECT_ERR(-CR_ESRCH, cr_msg_error(chan, r, 1));
    EXPECT_ERR(-CR_ESRCH, cr_msg_read(chan, r, 0, CR_UPTR(&bv), 1));
    EXPECT_ERR(-CR_ESRCH, cr_msg_write(chan, r, 0, CR_UPTR(&bv), 1));
    /* Stale while its slot is in use again by a new exchange. */
    if (!tl_call_start(&t, &b, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&b))) {
        goto out;
    }
    int64_t r2 = tl_recv1(chan, buf, sizeof(buf), &info);
    if (EXPECT_TRUE(r2 > 0)) {
        EXPECT_TRUE((uint64_t)r2 != r);
        EXPECT_ERR(-CR_ESRCH, cr_msg_replyv(chan, r, 0, 0, 0));
        EXPECT_ERR(-CR_ESRCH, cr_msg_error(chan, r, 1));
        EXPECT_TRUE(tl_call_blocked(&b));
        EXPECT_OK(cr_msg_replyv(chan, (uint64_t)r2, 4, 0, 0));
        EXPECT_RESULT(&b, 4);
    }
out:
    tl_end(&t);
}

/* ---- msg_error and reply status ---- */

TEST(ipc_msg_error_and_status_range)
{
    struct tl t;
    struct tl_thread th[3];
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    if (conn == 0) {
        goto out;
    }
    struct cr_iov siov = { CR_UPTR("e"), 1 };
    struct tl_call c = { conn, CR_UPTR(&siov), 1, 0, 0 };
    static const uint64_t errs[3] = { 42, 4095, 1 };
    for (unsigned i = 0; i < 3; i++) {
        if (!tl_call_start(&t, &th[i], &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th[i]))) {
            goto out;
        }
        char buf[4];
        struct cr_msg_info info;
        int64_t r = tl_recv1(chan, buf, sizeof(buf), &info);
        if (!EXPECT_TRUE(r > 0)) {
            goto out;
        }
        EXPECT_ERR(-CR_EINVAL, cr_msg_error(chan, (uint64_t)r, 0));
        EXPECT_ERR(-CR_EINVAL, cr_msg_error(chan, (uint64_t)r, 4096));
        EXPECT_ERR(-CR_EINVAL, cr_msg_error(chan, (uint64_t)r, ~0ull));
        EXPECT_ERR(-CR_EINVAL, cr_msg_error(chan, (uint64_t)r, 1ull << 32 | 5));
        EXPECT_ERR(-CR_EINVAL, cr_msg_replyv(chan, (uint64_t)r, ~0ull, 0, 0));
        EXPECT_ERR(-CR_EINVAL, cr_msg_replyv(chan, (uint64_t)r, 1ull << 63, 0, 0));
        EXPECT_ERR(-CR_EINVAL, cr_msg_replyv(chan, (uint64_t)r, 0, 0, CR_IOV_MAX + 1));
        EXPECT_TRUE(tl_call_blocked(&th[i]));
        EXPECT_OK(cr_msg_error(chan, (uint64_t)r, errs[i]));
        EXPECT_RESULT(&th[i], -(int64_t)errs[i]);
        EXPECT_ERR(-CR_ESRCH, cr_msg_replyv(chan, (uint64_t)r, 0, 0, 0));
        EXPECT_ERR(-CR_ESRCH, cr_msg_error(chan, (uint64_t)r, errs[i]));
    }
out:
    tl_end(&t);
}

/* ---- bad client buffers ---- */

/* A server thread: one receive (out[0] = result, info in out[2..6]), then a reply with
 * status 9; out[1] = 1 once it is about to receive. */
static void
server_once(struct tl_thread *th)
{
    struct cr_msg_info info;
    struct cr_iov iov = { th->arg[1], th->arg[2] };
    th->out[1] = 1;
    int64_t r = cr_msg_receivev(th->arg[0], CR_UPTR(&iov), 1, CR_UPTR(&info));
    th->out[0] = (uint64_t)r;
    if (r > 0) {
        th->out[2] = info.badge;
        th->out[3] = info.send_len;
        th->out[4] = info.copied;
        th->out[5] = (uint64_t)cr_msg_replyv(th->arg[0], (uint64_t)r, 9, 0, 0);
    }
}

/* A client whose send buffers are bad fails with EFAULT; a server already waiting stays
 * waiting and takes the next good message. */
TEST(ipc_client_bad_buffer_waiting_server)
{
    struct tl t;
    struct tl_thread srv;
    struct tl_thread bad[4];
    struct tl_thread good;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 0xbad) : 0;
    cr_cptr_t gconn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 0x600d) : 0;
    uint8_t *p = tl_pages(&t, 1, RW);
    uint64_t hole = tl_va(&t, 1);
    uint8_t *sbuf = tl_pages(&t, 1, RW);
    if (gconn == 0 || p == NULL || hole == 0 || sbuf == NULL ||
        !tl_thread_new(&t, &srv, server_once, HELPER_PRIO)) {
        goto out;
    }
    srv.arg[0] = chan;
    srv.arg[1] = CR_UPTR(sbuf);
    srv.arg[2] = 64;
    if (!tl_thread_start(&srv) || !EXPECT_TRUE(srv.out[1] == 1 && srv.finished == 0)) {
        goto out;
    }
    memset(sbuf, '#', 64);
    memcpy(p, "0123456789", 10);
    struct cr_iov *v = (struct cr_iov *)(void *)(p + 1024);
    v[0] = (struct cr_iov){ hole, 10 };       /* all bad */
    v[1] = (struct cr_iov){ CR_UPTR(p), 10 }; /* good, then bad */
    v[2] = (struct cr_iov){ hole + 100, 10 };
    v[3] = (struct cr_iov){ KERNEL_ADDR, 10 };                  /* the kernel's */
    v[4] = (struct cr_iov){ CR_UPTR(p) + CR_PAGE_SIZE - 4, 8 }; /* runs into the hole */
    struct tl_call calls[4] = {
        { conn, CR_UPTR(&v[0]), 1, 0, 0 },
        { conn, CR_UPTR(&v[1]), 2, 0, 0 },
        { conn, CR_UPTR(&v[3]), 1, 0, 0 },
        { conn, CR_UPTR(&v[4]), 1, 0, 0 },
    };
    for (unsigned i = 0; i < 4; i++) {
        if (!tl_call_start(&t, &bad[i], &calls[i], TL_PRIO)) {
            goto out;
        }
        EXPECT_RESULT(&bad[i], -CR_EFAULT);
        /* the server did not notice */
        EXPECT_TRUE(srv.finished == 0);
        EXPECT_EQ(srv.out[0], 0);
    }
    struct cr_iov gv = { CR_UPTR("good"), 4 };
    struct tl_call gc = { gconn, CR_UPTR(&gv), 1, 0, 0 };
    if (!tl_call_start(&t, &good, &gc, TL_PRIO)) {
        goto out;
    }
    EXPECT_RESULT(&good, 9);
    if (EXPECT_TRUE(tl_wait_word(&srv.finished, 1, TL_SRV_PRIO, 0))) {
        EXPECT_TRUE((int64_t)srv.out[0] > 0);
        EXPECT_EQ(srv.out[2], 0x600d);
        EXPECT_EQ(srv.out[3], 4);
        EXPECT_EQ(srv.out[4], 4);
        EXPECT_OK((int64_t)srv.out[5]);
        EXPECT_EQ(memcmp(sbuf, "good", 4), 0);
    }
out:
    tl_end(&t);
}

/* A bad client queued ahead of a good one: the server's receive skips it. */
TEST(ipc_client_bad_buffer_queued)
{
    struct tl t;
    struct tl_thread bad;
    struct tl_thread good;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 0xbad) : 0;
    cr_cptr_t gconn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 0x600d) : 0;
    uint64_t hole = tl_va(&t, 1);
    if (gconn == 0 || hole == 0) {
        goto out;
    }
    struct cr_iov bv = { hole, 16 };
    struct tl_call bc = { conn, CR_UPTR(&bv), 1, 0, 0 };
    struct cr_iov gv = { CR_UPTR("fine"), 4 };
    struct tl_call gc = { gconn, CR_UPTR(&gv), 1, 0, 0 };
    if (!tl_call_start(&t, &bad, &bc, TL_PRIO) || !tl_call_start(&t, &good, &gc, TL_PRIO) ||
        !EXPECT_TRUE(tl_call_blocked(&bad)) || !EXPECT_TRUE(tl_call_blocked(&good))) {
        goto out;
    }
    char buf[16];
    memset(buf, '#', sizeof(buf));
    struct cr_msg_info info;
    int64_t r = tl_recv1(chan, buf, sizeof(buf), &info);
    EXPECT_RESULT(&bad, -CR_EFAULT);
    if (EXPECT_TRUE(r > 0)) {
        EXPECT_EQ(info.badge, 0x600d);
        EXPECT_EQ(info.copied, 4);
        EXPECT_EQ(memcmp(buf, "fine", 4), 0);
        EXPECT_OK(cr_msg_replyv(chan, (uint64_t)r, 2, 0, 0));
        EXPECT_RESULT(&good, 2);
    }
out:
    tl_end(&t);
}

/* ---- bad server buffers ---- */

TEST(ipc_server_bad_buffers)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    uint8_t *ro = tl_pages(&t, 1, CR_RIGHT_READ);
    uint8_t *p = tl_pages(&t, 1, RW);
    uint64_t hole = tl_va(&t, 1);
    if (conn == 0 || ro == NULL || p == NULL || hole == 0) {
        goto out;
    }
    char reply[8];
    memset(reply, '.', sizeof(reply));
    struct cr_iov siov = { CR_UPTR("message!"), 8 };
    struct cr_iov riov = { CR_UPTR(reply), sizeof(reply) };
    struct tl_call c = { conn, CR_UPTR(&siov), 1, CR_UPTR(&riov), 1 };
    if (!tl_call_start(&t, &th, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th))) {
        goto out;
    }
    uint64_t info = CR_UPTR(p + 512);
    struct cr_iov *v = (struct cr_iov *)(void *)(p + 1024);
    v[0] = (struct cr_iov){ CR_UPTR(p), 64 };                   /* good */
    v[1] = (struct cr_iov){ hole, 64 };                         /* unmapped */
    v[2] = (struct cr_iov){ CR_UPTR(ro), 64 };                  /* read-only */
    v[3] = (struct cr_iov){ CR_UPTR(p) + CR_PAGE_SIZE - 4, 8 }; /* runs into the hole */
    v[4] = (struct cr_iov){ KERNEL_ADDR, 64 };
    uint64_t good = CR_UPTR(&v[0]);
    /* Each fails with EFAULT and leaves the message queued. */
    EXPECT_ERR(-CR_EFAULT, cr_msg_receivev(chan, good, 1, hole));
    EXPECT_ERR(-CR_EFAULT, cr_msg_receivev(chan, good, 1, CR_UPTR(ro)));
    EXPECT_ERR(-CR_EFAULT, cr_msg_receivev(chan, good, 1, KERNEL_ADDR));
    EXPECT_ERR(-CR_EFAULT, cr_msg_receivev(chan, hole, 1, info));
    for (unsigned i = 1; i <= 4; i++) {
        EXPECT_ERR(-CR_EFAULT, cr_msg_receivev(chan, CR_UPTR(&v[i]), 1, info));
        EXPECT_TRUE(tl_call_blocked(&th));
    }
    /* Then a good receive gets all of it. */
    memset(p, '#', 64);
    struct cr_msg_info mi;
    int64_t r0 = cr_msg_receivev(chan, good, 1, CR_UPTR(&mi));
    if (!EXPECT_TRUE(r0 > 0)) {
        goto out;
    }
    uint64_t r = (uint64_t)r0;
    EXPECT_EQ(mi.copied, 8);
    EXPECT_EQ(mi.send_len, 8);
    EXPECT_EQ(memcmp(p, "message!", 8), 0);
    /* Bad buffers in read, write and reply: EFAULT, the exchange stays open. */
    EXPECT_ERR(-CR_EFAULT, cr_msg_read(chan, r, 0, hole, 1));
    EXPECT_ERR(-CR_EFAULT, cr_msg_read(chan, r, 0, CR_UPTR(&v[1]), 1));
    EXPECT_ERR(-CR_EFAULT, cr_msg_read(chan, r, 0, CR_UPTR(&v[2]), 1));
    EXPECT_ERR(-CR_EFAULT, cr_msg_read(chan, r, 0, CR_UPTR(&v[3]), 1));
    EXPECT_ERR(-CR_EFAULT, cr_msg_write(chan, r, 0, hole, 1));
    EXPECT_ERR(-CR_EFAULT, cr_msg_write(chan, r, 0, CR_UPTR(&v[1]), 1));
    EXPECT_ERR(-CR_EFAULT, cr_msg_write(chan, r, 0, CR_UPTR(&v[4]), 1));
    EXPECT_ERR(-CR_EFAULT, cr_msg_replyv(chan, r, 1, hole, 1));
    EXPECT_ERR(-CR_EFAULT, cr_msg_replyv(chan, r, 1, CR_UPTR(&v[1]), 1));
    EXPECT_ERR(-CR_EFAULT, cr_msg_replyv(chan, r, 1, CR_UPTR(&v[4]), 1));
    /* v[3]: 4 good bytes, then the hole; the retry below writes from 0 again */
    memcpy(p + CR_PAGE_SIZE - 4, "BAD!", 4);
    EXPECT_ERR(-CR_EFAULT, cr_msg_replyv(chan, r, 1, CR_UPTR(&v[3]), 1));
    EXPECT_TRUE(tl_call_blocked(&th));
    EXPECT_OK(tl_reply1(chan, r, 3, "reply!!!", 8));
    if (EXPECT_RESULT(&th, 3)) {
        EXPECT_EQ(memcmp(reply, "reply!!!", 8), 0);
    }
out:
    tl_end(&t);
}

/* A client whose reply buffer is read-only: a reply with data gives it EFAULT (the
 * server's reply succeeds and the exchange ends); a reply with no data does not fault;
 * msg_write into it ends the exchange with EFAULT for the client and ESRCH for us. */
TEST(ipc_client_reply_buffer_read_only)
{
    struct tl t;
    struct tl_thread th[3];
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    uint8_t *ro = tl_pages(&t, 1, CR_RIGHT_READ);
    if (conn == 0 || ro == NULL) {
        goto out;
    }
    struct cr_iov siov = { CR_UPTR("x"), 1 };
    struct cr_iov riov = { CR_UPTR(ro + 8), 16 };
    struct tl_call c = { conn, CR_UPTR(&siov), 1, CR_UPTR(&riov), 1 };
    char buf[4];
    struct cr_msg_info info;
    for (unsigned i = 0; i < 3; i++) {
        if (!tl_call_start(&t, &th[i], &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th[i]))) {
            goto out;
        }
        int64_t r = tl_recv1(chan, buf, sizeof(buf), &info);
        if (!EXPECT_TRUE(r > 0)) {
            goto out;
        }
        EXPECT_EQ(info.reply_len, 16);
        switch (i) {
        case 0:
            EXPECT_OK(tl_reply1(chan, (uint64_t)r, 4, "0123456789", 10));
            EXPECT_RESULT(&th[i], -CR_EFAULT);
            break;
        case 1:
            EXPECT_OK(cr_msg_replyv(chan, (uint64_t)r, 4, 0, 0));
            EXPECT_RESULT(&th[i], 4);
            break;
        default: {
            struct cr_iov w = { CR_UPTR("abc"), 3 };
            EXPECT_ERR(-CR_ESRCH, cr_msg_write(chan, (uint64_t)r, 0, CR_UPTR(&w), 1));
            EXPECT_RESULT(&th[i], -CR_EFAULT);
            break;
        }
        }
        EXPECT_ERR(-CR_ESRCH, cr_msg_replyv(chan, (uint64_t)r, 0, 0, 0));
        EXPECT_TRUE(tl_all_bytes(ro, CR_PAGE_SIZE, 0));
    }
out:
    tl_end(&t);
}
