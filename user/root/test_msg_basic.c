/* SPDX-License-Identifier: MIT */
/*
 * The basic message round trip: a client thread sends a vectored message on a badged
 * connection and blocks; the root server receives it (rcvid, badge, lengths), replies
 * with data and a status, and the client's msg_sendv returns that status with the reply
 * in its buffer. The fuller IPC suite is test_ipc*.c.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

enum {
    BADGE = 0x77,
    STATUS = 7,
};

static void
client(struct tl_thread *th)
{
    static const char a[] = "hel";
    static const char b[] = "lo!";
    char reply[16];
    memset(reply, 0, sizeof(reply));
    struct cr_iov siov[2] = { { CR_UPTR(a), 3 }, { CR_UPTR(b), 3 } };
    struct cr_iov riov[1] = { { CR_UPTR(reply), sizeof(reply) } };
    th->out[0] = (uint64_t)cr_msg_sendv(th->arg[0], CR_UPTR(siov), 2, CR_UPTR(riov), 1);
    memcpy((void *)&th->out[1], reply, sizeof(reply));
}

TEST(msg_round_trip_with_badge_and_status)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 2);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, BADGE) : 0;
    if (conn == 0 || table == 0 || !EXPECT_OK(cr_channel_bind(chan, table, 0)) ||
        !tl_thread_new(&t, &th, client, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = conn;
    if (!tl_thread_start(&th)) {
        goto out;
    }
    char buf[4];
    struct cr_iov iov[1] = { { CR_UPTR(buf), sizeof(buf) } };
    struct cr_msg_info info;
    int64_t rcvid = cr_msg_receivev(chan, CR_UPTR(iov), 1, CR_UPTR(&info));
    if (!EXPECT_TRUE(rcvid > 0)) {
        goto out;
    }
    EXPECT_EQ((uint64_t)rcvid, info.rcvid);
    EXPECT_EQ(BADGE, info.badge);
    EXPECT_EQ(6, info.send_len);
    EXPECT_EQ(16, info.reply_len);
    EXPECT_EQ(4, info.copied);
    EXPECT_EQ(0, memcmp(buf, "hell", 4));
    char rest[8];
    struct cr_iov riov[1] = { { CR_UPTR(rest), sizeof(rest) } };
    EXPECT_EQ(2, cr_msg_read(chan, (uint64_t)rcvid, 4, CR_UPTR(riov), 1));
    EXPECT_EQ(0, memcmp(rest, "o!", 2));
    static const char answer[] = "world";
    struct cr_iov aiov[1] = { { CR_UPTR(answer), 6 } };
    EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid, STATUS, CR_UPTR(aiov), 1));
    EXPECT_ERR(-CR_ESRCH, cr_msg_replyv(chan, (uint64_t)rcvid, STATUS, 0, 0));
    if (EXPECT_TRUE(tl_wait_word(&th.finished, 1, 0, TL_TIMEOUT_MS))) {
        EXPECT_EQ(STATUS, th.out[0]);
        EXPECT_EQ(0, memcmp((const void *)&th.out[1], "world", 6));
    }
out:
    tl_end(&t);
}

static void
counting_client(struct tl_thread *th)
{
    uint64_t mine = th->arg[1];
    uint64_t got = 0;
    struct cr_iov s[1] = { { CR_UPTR(&mine), sizeof(mine) } };
    struct cr_iov r[1] = { { CR_UPTR(&got), sizeof(got) } };
    for (int i = 0; i < 3; i++) {
        int64_t st = cr_msg_sendv(th->arg[0], CR_UPTR(s), 1, CR_UPTR(r), 1);
        th->out[i] = (uint64_t)st == mine + 1 && got == mine * 2;
    }
}

TEST(msg_reply_recv_serves_a_loop)
{
    struct tl t;
    struct tl_thread th[2];
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 2);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    if (conn == 0 || table == 0 || !EXPECT_OK(cr_channel_bind(chan, table, 0))) {
        goto out;
    }
    for (int i = 0; i < 2; i++) {
        if (!tl_thread_new(&t, &th[i], counting_client, TL_PRIO)) {
            goto out;
        }
        th[i].arg[0] = conn;
        th[i].arg[1] = 100 + (uint64_t)i;
        tl_thread_start(&th[i]);
    }
    uint64_t val = 0;
    struct cr_iov iov[1] = { { CR_UPTR(&val), sizeof(val) } };
    struct cr_msg_info info;
    struct cr_msg_recv next = { CR_UPTR(iov), 1, CR_UPTR(&info) };
    int64_t rcvid = cr_msg_receivev(chan, CR_UPTR(iov), 1, CR_UPTR(&info));
    /* Six requests in all: reply to each (val * 2, status val + 1) and take the next. */
    for (int i = 0; i < 6 && rcvid > 0; i++) {
        EXPECT_TRUE(val == 100 || val == 101);
        uint64_t answer = val * 2;
        struct cr_iov a[1] = { { CR_UPTR(&answer), sizeof(answer) } };
        if (i == 5) {
            EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid, val + 1, CR_UPTR(a), 1));
            break;
        }
        rcvid = cr_msg_reply_recv(chan, (uint64_t)rcvid, val + 1, CR_UPTR(a), 1, CR_UPTR(&next));
        EXPECT_TRUE(rcvid > 0);
    }
    /* A stale rcvid fails the reply half, and then nothing is received. */
    EXPECT_ERR(-CR_ESRCH, cr_msg_reply_recv(chan, (uint64_t)rcvid, 0, 0, 0, CR_UPTR(&next)));
    EXPECT_ERR(-CR_EFAULT, cr_msg_reply_recv(chan, (uint64_t)rcvid, 0, 0, 0, 8));
    for (int i = 0; i < 2; i++) {
        EXPECT_TRUE(tl_wait_word(&th[i].finished, 1, 0, TL_TIMEOUT_MS));
        EXPECT_EQ(1, th[i].out[0] & th[i].out[1] & th[i].out[2]);
    }
out:
    tl_end(&t);
}

TEST(msg_pulses_arrive_first_and_never_block)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t pq = tl_new(&t, CR_OBJ_PULSE_QUEUE, 2); /* 4 entries: room for 2 pulses */
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 0x55) : 0;
    cr_cptr_t ro = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_READ, 0x66) : 0;
    if (conn == 0 || ro == 0 || pq == 0) {
        goto out;
    }
    EXPECT_ERR(-CR_EINVAL, cr_pulse_send(conn, 1, 2)); /* no queue bound yet */
    EXPECT_OK(cr_channel_bind(chan, pq, 0));
    EXPECT_ERR(-CR_EBUSY, cr_channel_bind(chan, pq, 0));
    EXPECT_ERR(-CR_EPERM, cr_pulse_send(ro, 1, 2));
    EXPECT_ERR(-CR_EINVAL, cr_pulse_send(conn, 1ull << 32, 2));
    EXPECT_OK(cr_pulse_send(conn, 7, 1000));
    EXPECT_OK(cr_pulse_send(conn, 8, 2000));
    EXPECT_ERR(-CR_EAGAIN, cr_pulse_send(conn, 9, 3000)); /* full: never blocks */
    struct cr_pulse p;
    struct cr_iov iov[1] = { { CR_UPTR(&p), sizeof(p) } };
    struct cr_msg_info info;
    EXPECT_EQ(0, cr_msg_receivev(chan, CR_UPTR(iov), 1, CR_UPTR(&info)));
    EXPECT_EQ(7, p.code);
    EXPECT_EQ(1000, p.value);
    EXPECT_EQ(0x55, p.badge);
    EXPECT_EQ(0x55, info.badge);
    EXPECT_EQ(0, info.rcvid);
    EXPECT_EQ(sizeof(p), info.copied);
    /* A receive buffer that is not writable leaves the pulse queued. */
    struct cr_iov bad[1] = { { 0x10, sizeof(p) } };
    EXPECT_ERR(-CR_EFAULT, cr_msg_receivev(chan, CR_UPTR(bad), 1, CR_UPTR(&info)));
    EXPECT_EQ(0, cr_msg_receivev(chan, CR_UPTR(iov), 1, CR_UPTR(&info)));
    EXPECT_EQ(8, p.code);
    EXPECT_EQ(2000, p.value);
    /* Only pulses here (no reply table): sending a message is refused. */
    EXPECT_ERR(-CR_EINVAL, cr_msg_sendv(conn, 0, 0, 0, 0));
out:
    tl_end(&t);
}

static void
pulse_later(struct tl_thread *th)
{
    th->out[0] = (uint64_t)cr_pulse_send(th->arg[0], 42, 4242);
}

TEST(msg_pulse_wakes_a_waiting_server)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t pq = tl_new(&t, CR_OBJ_PULSE_QUEUE, 3);
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 1);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 3) : 0;
    if (conn == 0 || pq == 0 || table == 0 || !EXPECT_OK(cr_channel_bind(chan, pq, 0)) ||
        !EXPECT_OK(cr_channel_bind(chan, table, 0)) ||
        !tl_thread_new(&t, &th, pulse_later, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = conn;
    tl_thread_start(&th);
    /* The root blocks in receive; the lower-priority thread then runs and pulses. */
    struct cr_pulse p;
    struct cr_iov iov[1] = { { CR_UPTR(&p), sizeof(p) } };
    struct cr_msg_info info;
    EXPECT_EQ(0, cr_msg_receivev(chan, CR_UPTR(iov), 1, CR_UPTR(&info)));
    EXPECT_EQ(42, p.code);
    EXPECT_EQ(4242, p.value);
    EXPECT_TRUE(tl_wait_word(&th.finished, 1, 0, TL_TIMEOUT_MS));
    EXPECT_EQ(0, th.out[0]);
out:
    tl_end(&t);
}

TEST(msg_timeouts_end_blocking_calls)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 1);
    cr_cptr_t ntfn = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (chan == 0 || table == 0 || ntfn == 0 || !EXPECT_OK(cr_channel_bind(chan, table, 0))) {
        goto out;
    }
    struct cr_msg_info info;
    uint64_t bits;
    /* A receive with nobody sending ends at its deadline. */
    uint64_t t0 = tl_now_ns();
    EXPECT_OK(cr_timeout_set(t0 + 5000000));
    EXPECT_ERR(-CR_ETIMEDOUT, cr_msg_receivev(chan, 0, 0, CR_UPTR(&info)));
    EXPECT_TRUE(tl_now_ns() >= t0 + 5000000);
    /* So does a notification wait; a deadline already past fails at once. */
    EXPECT_OK(cr_timeout_set(tl_now_ns() + 2000000));
    EXPECT_ERR(-CR_ETIMEDOUT, cr_notify_wait(ntfn, CR_UPTR(&bits)));
    EXPECT_OK(cr_timeout_set(1));
    EXPECT_ERR(-CR_ETIMEDOUT, cr_notify_wait(ntfn, CR_UPTR(&bits)));
    /* The timeout applies to the next call only: a call that does not block uses it
     * up, and the one after blocks normally (here: it finds a signal and returns). */
    EXPECT_OK(cr_timeout_set(1));
    EXPECT_OK(cr_null());
    EXPECT_OK(cr_notify_signal(ntfn));
    EXPECT_OK(cr_notify_wait(ntfn, CR_UPTR(&bits)));
    /* A send nobody receives ends too, and leaves the channel's queue. */
    cr_cptr_t conn = tl_mint(&t, chan, CR_RIGHT_WRITE, 9);
    EXPECT_OK(cr_timeout_set(tl_now_ns() + 3000000));
    EXPECT_ERR(-CR_ETIMEDOUT, cr_msg_sendv(conn, 0, 0, 0, 0));
    EXPECT_OK(cr_timeout_set(tl_now_ns() + 1000000));
    EXPECT_ERR(-CR_ETIMEDOUT, cr_msg_receivev(chan, 0, 0, CR_UPTR(&info)));
out:
    tl_end(&t);
}

static void
impatient_client(struct tl_thread *th)
{
    cr_timeout_set(tl_now_ns() + 3000000); /* 3 ms */
    th->out[0] = (uint64_t)cr_msg_sendv(th->arg[0], 0, 0, 0, 0);
}

TEST(msg_unblock_pulse_lets_the_server_answer_a_timeout)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 1);
    cr_cptr_t pq = tl_new(&t, CR_OBJ_PULSE_QUEUE, 2);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 5) : 0;
    if (conn == 0 || table == 0 || pq == 0 ||
        !EXPECT_OK(cr_channel_bind(chan, table, CR_CHANNEL_UNBLOCK)) ||
        !tl_thread_new(&t, &th, impatient_client, TL_PRIO)) {
        goto out;
    }
    EXPECT_ERR(-CR_EINVAL, cr_channel_bind(chan, pq, CR_CHANNEL_UNBLOCK));
    EXPECT_OK(cr_channel_bind(chan, pq, 0));
    th.arg[0] = conn;
    tl_thread_start(&th);
    struct cr_msg_info info;
    int64_t rcvid = cr_msg_receivev(chan, 0, 0, CR_UPTR(&info));
    if (!EXPECT_TRUE(rcvid > 0)) {
        goto out;
    }
    /* We hold the exchange past the client's deadline: a pulse names it instead of the
     * client leaving, and the client waits for our answer. */
    struct cr_pulse p;
    struct cr_iov iov[1] = { { CR_UPTR(&p), sizeof(p) } };
    EXPECT_EQ(0, cr_msg_receivev(chan, CR_UPTR(iov), 1, CR_UPTR(&info)));
    EXPECT_EQ(CR_PULSE_UNBLOCK, p.code);
    EXPECT_EQ((uint64_t)rcvid, p.value);
    EXPECT_EQ(5, p.badge);
    EXPECT_EQ(0, th.finished);
    EXPECT_OK(cr_msg_error(chan, (uint64_t)rcvid, CR_ETIMEDOUT));
    EXPECT_TRUE(tl_wait_word(&th.finished, 1, 0, TL_TIMEOUT_MS));
    EXPECT_EQ((uint64_t)-CR_ETIMEDOUT, th.out[0]);
out:
    tl_end(&t);
}

TEST(msg_bind_needs_the_servers_side)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 1);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    if (conn != 0 && table != 0) {
        /* A client's WRITE-only connection cannot bind the server's channel. */
        EXPECT_ERR(-CR_EPERM, cr_channel_bind(conn, table, 0));
        EXPECT_OK(cr_channel_bind(chan, table, 0));
    }
    tl_end(&t);
}

struct rr_server {
    cr_cptr_t chan;
    volatile int64_t first_rcvid;
    volatile int64_t result; /* what the msg_reply_recv returned */
    volatile uint64_t stage;
};

static struct rr_server rrs;

static void
rr_server(struct tl_thread *th)
{
    struct cr_msg_info info;
    struct cr_msg_recv next = { 0, 0, CR_UPTR(&info) };
    rrs.first_rcvid = cr_msg_receivev(rrs.chan, 0, 0, CR_UPTR(&info));
    rrs.stage = 1;
    /* Replies to the first client, then waits in the receive half. */
    rrs.result = cr_msg_reply_recv(rrs.chan, (uint64_t)rrs.first_rcvid, 7, 0, 0, CR_UPTR(&next));
    rrs.stage = 2;
    (void)th;
}

static void
plain_client(struct tl_thread *th)
{
    th->out[0] = (uint64_t)cr_msg_sendv(th->arg[0], 0, 0, 0, 0);
}

/* Wakes the server with a pulse (its msg_reply_recv will run again), then stops and
 * restarts it before it runs: it has lower priority, so it has not run yet. */
static void
stopper(struct tl_thread *th)
{
    th->out[2] = (uint64_t)cr_pulse_send(th->arg[1], 5, 6);
    th->out[0] = (uint64_t)cr_tcb_suspend(th->arg[0]);
    th->out[1] = (uint64_t)cr_tcb_resume(th->arg[0]);
}

TEST(msg_reply_recv_stopped_before_its_restart_returns_eintr)
{
    struct tl t;
    struct tl_thread srv;
    struct tl_thread c1;
    struct tl_thread k;
    if (!tl_begin(&t)) {
        return;
    }
    rrs = (struct rr_server){ 0 };
    rrs.chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 2);
    cr_cptr_t pq = tl_new(&t, CR_OBJ_PULSE_QUEUE, 2);
    cr_cptr_t conn = rrs.chan != 0 ? tl_mint(&t, rrs.chan, CR_RIGHT_WRITE, 1) : 0;
    if (conn == 0 || table == 0 || pq == 0 ||
        !EXPECT_OK(cr_channel_bind(rrs.chan, table, 0)) ||
        !EXPECT_OK(cr_channel_bind(rrs.chan, pq, 0)) ||
        !tl_thread_new(&t, &srv, rr_server, 100) || !tl_thread_new(&t, &c1, plain_client, 100) ||
        !tl_thread_new(&t, &k, stopper, 200)) {
        goto out;
    }
    c1.arg[0] = conn;
    k.arg[0] = srv.tcb;
    k.arg[1] = conn;
    tl_thread_start(&srv);
    tl_thread_start(&c1);
    /* c1 is answered (status 7) and the server waits in its receive half. */
    EXPECT_TRUE(tl_wait_word(&c1.finished, 1, 50, TL_TIMEOUT_MS));
    EXPECT_EQ(7, c1.out[0]);
    tl_pause(50, 5);
    tl_thread_start(&k);
    EXPECT_TRUE(tl_wait_word(&rrs.stage, 2, 50, TL_TIMEOUT_MS));
    EXPECT_EQ(0, k.out[2]);
    EXPECT_EQ(0, k.out[0]);
    EXPECT_EQ(0, k.out[1]);
    /* The abandoned call says EINTR; it did not redo the first reply (ESRCH). */
    EXPECT_ERR(-CR_EINTR, rrs.result);
    /* The pulse stays queued: a plain receive gets it. */
    struct cr_pulse p = { 0 };
    struct cr_iov iov = { CR_UPTR(&p), sizeof(p) };
    struct cr_msg_info info;
    EXPECT_OK(cr_timeout_set(tl_now_ns() + (uint64_t)TL_TIMEOUT_MS * 1000000u));
    EXPECT_EQ(0, cr_msg_receivev(rrs.chan, CR_UPTR(&iov), 1, CR_UPTR(&info)));
    EXPECT_EQ(5, p.code);
    EXPECT_EQ(6, p.value);
out:
    tl_end(&t);
}
