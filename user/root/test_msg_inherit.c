/* SPDX-License-Identifier: MIT */
/*
 * Priority inheritance through a chain of two servers. A high-priority client (200)
 * calls server S1 (base 50), which forwards the request to server S2 (base 40) before it
 * replies. The root busy-polls at priority 150 the whole time and never blocks, so
 * without inheritance S1 and S2 would never run and the call would never finish: with
 * it, S1 runs at 200 while it holds the client's exchange and S2 at 200 while it holds
 * S1's, and both drop back once they reply.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/sys.h>

#include "testlib.h"

enum {
    CLIENT_PRIO = 200,
    LOAD_PRIO = 150,
    S1_PRIO = 50,
    S2_PRIO = 40,
};

struct chain {
    cr_cptr_t c1, conn1, c2, conn2;
    volatile uint64_t s2_saw, s1_saw;
};

static struct chain ch;

static uint64_t
serve_once(cr_cptr_t chan, uint64_t (*work)(uint64_t))
{
    uint64_t v = 0;
    struct cr_iov iov[1] = { { CR_UPTR(&v), sizeof(v) } };
    struct cr_msg_info info;
    int64_t rcvid = cr_msg_receivev(chan, CR_UPTR(iov), 1, CR_UPTR(&info));
    if (rcvid <= 0) {
        return 0;
    }
    uint64_t r = work(v);
    struct cr_iov out[1] = { { CR_UPTR(&r), sizeof(r) } };
    cr_msg_replyv(chan, (uint64_t)rcvid, 0, CR_UPTR(out), 1);
    return v;
}

static uint64_t
s2_work(uint64_t v)
{
    ch.s2_saw = v;
    return v * 3;
}

static uint64_t
s1_work(uint64_t v)
{
    ch.s1_saw = v;
    uint64_t r = 0;
    struct cr_iov s[1] = { { CR_UPTR(&v), sizeof(v) } };
    struct cr_iov rr[1] = { { CR_UPTR(&r), sizeof(r) } };
    cr_msg_sendv(ch.conn2, CR_UPTR(s), 1, CR_UPTR(rr), 1);
    return r + 1;
}

static void
s2(struct tl_thread *th)
{
    (void)th;
    serve_once(ch.c2, s2_work);
}

static void
s1(struct tl_thread *th)
{
    (void)th;
    serve_once(ch.c1, s1_work);
}

static void
client(struct tl_thread *th)
{
    uint64_t v = 14;
    uint64_t r = 0;
    struct cr_iov s[1] = { { CR_UPTR(&v), sizeof(v) } };
    struct cr_iov rr[1] = { { CR_UPTR(&r), sizeof(r) } };
    th->out[1] = (uint64_t)cr_msg_sendv(ch.conn1, CR_UPTR(s), 1, CR_UPTR(rr), 1);
    th->out[0] = r;
}

TEST(msg_priority_inheritance_through_two_servers)
{
    struct tl t;
    struct tl_thread th[3];
    if (!tl_begin(&t)) {
        return;
    }
    ch = (struct chain){ 0 };
    ch.c1 = tl_new(&t, CR_OBJ_CHANNEL, 0);
    ch.c2 = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t t1 = tl_new(&t, CR_OBJ_REPLY_TABLE, 1);
    cr_cptr_t t2 = tl_new(&t, CR_OBJ_REPLY_TABLE, 1);
    if (ch.c1 == 0 || ch.c2 == 0 || t1 == 0 || t2 == 0 ||
        !EXPECT_OK(cr_channel_bind(ch.c1, t1, 0)) || !EXPECT_OK(cr_channel_bind(ch.c2, t2, 0))) {
        goto out;
    }
    ch.conn1 = tl_mint(&t, ch.c1, CR_RIGHT_WRITE, 1);
    ch.conn2 = tl_mint(&t, ch.c2, CR_RIGHT_WRITE, 2);
    if (!tl_thread_new(&t, &th[0], s2, S2_PRIO) || !tl_thread_new(&t, &th[1], s1, S1_PRIO) ||
        !tl_thread_new(&t, &th[2], client, CLIENT_PRIO)) {
        goto out;
    }
    /* Servers first, so they wait in receive; then the load; then the client. */
    tl_thread_start(&th[0]);
    tl_thread_start(&th[1]);
    tl_root_prio(S2_PRIO - 1);
    cr_yield();
    tl_root_prio(TL_ROOT_PRIO);
    tl_thread_start(&th[2]);
    /* Busy load at 150: only inheritance lets S1 and S2 (50, 40) finish the call. */
    EXPECT_TRUE(tl_wait_word(&th[2].finished, 1, LOAD_PRIO, TL_TIMEOUT_MS));
    EXPECT_EQ(0, th[2].out[1]);
    EXPECT_EQ(14 * 3 + 1, th[2].out[0]);
    EXPECT_EQ(14, ch.s1_saw);
    EXPECT_EQ(14, ch.s2_saw);
    /* After replying both servers are back at their base priorities: under the load
     * they cannot even return from their reply; once the load stops, they do. */
    tl_pause(LOAD_PRIO, 20);
    EXPECT_EQ(0, th[0].finished);
    EXPECT_EQ(0, th[1].finished);
    EXPECT_TRUE(tl_wait_word(&th[0].finished, 1, S2_PRIO - 1, TL_TIMEOUT_MS));
    EXPECT_TRUE(tl_wait_word(&th[1].finished, 1, S2_PRIO - 1, TL_TIMEOUT_MS));
out:
    tl_end(&t);
}

/*
 * Lending by queued clients: server S (base 50) holds client C1's exchange (60) and
 * waits for a notification before answering. A client C2 at 200 then sends: S is busy,
 * so C2 queues, and S, the thread that last took a message from the channel, runs at
 * 200 while C2 waits. The root busy-polls at 150 once S may go on: only the lent
 * priority lets S answer C1, take C2 and answer it. A queued client that gives up (its
 * timeout) takes its priority back: then S stays starved at 60 under the load.
 */
struct busy {
    cr_cptr_t chan, conn, go;
    volatile uint64_t stage;
};

static struct busy bz;

static void
busy_server(struct tl_thread *th)
{
    uint64_t v = 0;
    struct cr_iov iov[1] = { { CR_UPTR(&v), sizeof(v) } };
    struct cr_msg_info info;
    for (;;) {
        int64_t rcvid = cr_msg_receivev(bz.chan, CR_UPTR(iov), 1, CR_UPTR(&info));
        if (rcvid <= 0) {
            return;
        }
        bz.stage++;
        if (v == 1) {
            uint64_t bits;
            cr_notify_wait(bz.go, CR_UPTR(&bits)); /* "work" that waits for the root */
        }
        v += 100;
        cr_msg_replyv(bz.chan, (uint64_t)rcvid, 0, CR_UPTR(iov), 1);
    }
    (void)th;
}

static void
busy_client(struct tl_thread *th)
{
    uint64_t v = th->arg[0];
    struct cr_iov iov[1] = { { CR_UPTR(&v), sizeof(v) } };
    if (th->arg[1] != 0) {
        cr_timeout_set(tl_now_ns() + th->arg[1]);
    }
    th->out[1] = (uint64_t)cr_msg_sendv(bz.conn, CR_UPTR(iov), 1, CR_UPTR(iov), 1);
    th->out[0] = v;
}

static bool
busy_begin(struct tl *t, struct tl_thread *srv, struct tl_thread *c1)
{
    bz = (struct busy){ 0 };
    bz.chan = tl_new(t, CR_OBJ_CHANNEL, 0);
    bz.go = tl_new(t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t table = tl_new(t, CR_OBJ_REPLY_TABLE, 2);
    bz.conn = bz.chan != 0 ? tl_mint(t, bz.chan, CR_RIGHT_WRITE, 1) : 0;
    if (bz.conn == 0 || bz.go == 0 || table == 0 ||
        !EXPECT_OK(cr_channel_bind(bz.chan, table, 0)) ||
        !tl_thread_new(t, srv, busy_server, S1_PRIO) ||
        !tl_thread_new(t, c1, busy_client, S1_PRIO + 10)) {
        return false;
    }
    c1->arg[0] = 1;
    tl_thread_start(srv);
    tl_thread_start(c1);
    /* Below both: they run until S holds C1's exchange and waits for `go`. */
    return EXPECT_TRUE(tl_wait_word(&bz.stage, 1, S1_PRIO - 1, TL_TIMEOUT_MS));
}

TEST(msg_queued_client_lends_its_priority_to_the_busy_server)
{
    struct tl t;
    struct tl_thread srv;
    struct tl_thread c1;
    struct tl_thread c2;
    if (!tl_begin(&t)) {
        return;
    }
    if (!busy_begin(&t, &srv, &c1) || !tl_thread_new(&t, &c2, busy_client, CLIENT_PRIO)) {
        goto out;
    }
    c2.arg[0] = 2;
    tl_thread_start(&c2); /* runs at once: queues behind C1's exchange */
    EXPECT_EQ(0, c2.finished);
    EXPECT_OK(cr_notify_signal(bz.go));
    EXPECT_TRUE(tl_wait_word(&c2.finished, 1, LOAD_PRIO, TL_TIMEOUT_MS));
    EXPECT_EQ(0, c2.out[1]);
    EXPECT_EQ(102, c2.out[0]);
    /* C1 was answered first but runs at 60: it returns once the load stops. */
    EXPECT_TRUE(tl_wait_word(&c1.finished, 1, S1_PRIO - 1, TL_TIMEOUT_MS));
    EXPECT_EQ(101, c1.out[0]);
    EXPECT_EQ(2, bz.stage);
out:
    tl_end(&t);
}

TEST(msg_queued_client_that_leaves_takes_its_priority_back)
{
    struct tl t;
    struct tl_thread srv;
    struct tl_thread c1;
    struct tl_thread c2;
    if (!tl_begin(&t)) {
        return;
    }
    if (!busy_begin(&t, &srv, &c1) || !tl_thread_new(&t, &c2, busy_client, CLIENT_PRIO)) {
        goto out;
    }
    c2.arg[0] = 2;
    c2.arg[1] = 5000000; /* gives up after 5 ms in the queue */
    tl_thread_start(&c2);
    EXPECT_TRUE(tl_wait_word(&c2.finished, 1, LOAD_PRIO, TL_TIMEOUT_MS));
    EXPECT_ERR(-CR_ETIMEDOUT, c2.out[1]);
    /* S is back at 60: under the load at 150 it cannot answer C1. */
    EXPECT_OK(cr_notify_signal(bz.go));
    tl_pause(LOAD_PRIO, 20);
    EXPECT_EQ(0, c1.finished);
    EXPECT_TRUE(tl_wait_word(&c1.finished, 1, S1_PRIO - 1, TL_TIMEOUT_MS));
    EXPECT_EQ(101, c1.out[0]);
out:
    tl_end(&t);
}
