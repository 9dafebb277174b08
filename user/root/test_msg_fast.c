/* SPDX-License-Identifier: MIT */
/*
 * The IPC fast path's corners (docs/ipc.md, "Fast path"): what its one-pass delivery and
 * its inline receive queue, credit and slot handling must get right when more is going
 * on than one client and one server. Two register servers waiting on one channel take
 * the messages in turn (the queue keeps its order when a server comes back to it). A
 * server below a busy thread runs a higher client's requests on the client's priority
 * (the credit taken in the send half, given back in the reply half). A client that
 * queues, at a higher priority, while the server holds another exchange is taken next,
 * and the fast path then goes on as before. Every outcome is the general path's: these
 * tests check results and order, never which path ran or how fast.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/sys.h>

#include "testlib.h"

enum {
    ROUNDS = 40,          /* even: two servers serve half each */
    STATUS_BASE = 1000,   /* a server answers with STATUS_BASE + its id or the message */
    LOW_PRIO = 40,        /* a server below the load */
    LOAD_PRIO = 150,      /* busy, never blocks: only a lent priority gets past it */
    HIGH_PRIO = 200,      /* the client the low server must inherit from */
    QSRV_PRIO = 90,       /* the queued-client test's server, below both clients */
    QCLIENT_PRIO = 120,   /* the client that queues, above the root's TL_PRIO */
    LOAD_GUARD_MS = 2000, /* a load that spins this long has starved the server: a fail */
};

/* A register server: th->arg[0] the channel, th->arg[1] its id. Answers each message with
 * STATUS_BASE + id, or STATUS_BASE + the message's first word if id is 0; counts in
 * out[0]. If th->arg[2] names a notification, it signals it while it holds the first
 * exchange, before replying to it; if th->arg[3] is set, it yields before each reply (a
 * thread ready above its priority, inherited or not, runs then). Appends each message's
 * first word to `order`. */
static volatile uint64_t order[ROUNDS + 4];
static volatile uint64_t norder;

static void
fast_server(struct tl_thread *th)
{
    uint64_t mr[4] = { 0 };
    struct cr_msg_info info = { 0 };
    int64_t rcvid = cr_msg_reply_recv_mr(th->arg[0], 0, 0, 0, mr, &info);
    while (rcvid > 0) {
        if (norder < ROUNDS + 4) {
            order[norder++] = mr[0];
        }
        if (th->arg[2] != 0 && th->out[0] == 0) {
            cr_notify_signal(th->arg[2]); /* a higher client wakes and queues */
        }
        if (th->arg[3] != 0) {
            cr_yield();
        }
        th->out[0]++;
        uint64_t status = STATUS_BASE + (th->arg[1] != 0 ? th->arg[1] : mr[0]);
        mr[1] = mr[0] * 3;
        rcvid = cr_msg_reply_recv_mr(th->arg[0], (uint64_t)rcvid, status, 16, mr, &info);
    }
    th->out[1] = (uint64_t)rcvid;
}

static bool
server_new(struct tl *t, struct tl_thread *th, cr_cptr_t chan, uint64_t id, unsigned prio)
{
    if (!tl_thread_new(t, th, fast_server, prio)) {
        return false;
    }
    th->arg[0] = chan;
    th->arg[1] = id;
    return true;
}

/* A channel with a reply table and a connection with WRITE; false on failure. */
static bool
channel_new(struct tl *t, cr_cptr_t *chan, cr_cptr_t *conn)
{
    cr_cptr_t table = tl_new(t, CR_OBJ_REPLY_TABLE, 2);
    *chan = tl_new(t, CR_OBJ_CHANNEL, 0);
    *conn = *chan != 0 ? tl_mint(t, *chan, CR_RIGHT_WRITE, 7) : 0;
    return table != 0 && *conn != 0 && EXPECT_OK(cr_channel_bind(*chan, table, 0));
}

TEST(msg_fast_two_waiting_servers_take_turns)
{
    struct tl t;
    struct tl_thread s1, s2;
    cr_cptr_t chan, conn;
    if (!tl_begin(&t)) {
        return;
    }
    norder = 0;
    if (!channel_new(&t, &chan, &conn) || !server_new(&t, &s1, chan, 1, TL_PRIO) ||
        !server_new(&t, &s2, chan, 2, TL_PRIO) || !tl_thread_start(&s1) ||
        !tl_thread_start(&s2)) {
        goto out;
    }
    tl_pause(TL_PRIO - 1, 2); /* s1, then s2, wait in their receives */
    /* The first message goes to the first waiter; it comes back behind the other. */
    for (uint64_t i = 0; i < ROUNDS; i++) {
        uint64_t mr[4] = { i, 0, 0, 0 };
        int64_t r = cr_msg_send_mr(conn, mr, 8, 16);
        if (!EXPECT_EQ(STATUS_BASE + 1 + i % 2, r) || !EXPECT_EQ(i * 3, mr[1])) {
            break;
        }
    }
    EXPECT_EQ(ROUNDS / 2, s1.out[0]);
    EXPECT_EQ(ROUNDS / 2, s2.out[0]);
out:
    tl_end(&t);
}

static volatile uint64_t load_stop;

/* Spins until load_stop; then out[1] says whether the thread whose `finished` word is
 * at arg[0] was done before the load ran again. */
static void
load(struct tl_thread *th)
{
    uint64_t guard = tl_now_ns() + LOAD_GUARD_MS * 1000000ull;
    while (!load_stop) {
        if (tl_now_ns() > guard) {
            th->out[0] = 1; /* starved the server: inheritance failed */
            return;
        }
    }
    th->out[1] = *(volatile uint64_t *)th->arg[0];
}

TEST(msg_fast_server_runs_on_a_higher_clients_priority)
{
    struct tl t;
    struct tl_thread srv, ld;
    cr_cptr_t chan, conn;
    if (!tl_begin(&t)) {
        return;
    }
    norder = 0;
    load_stop = 0;
    cr_cptr_t pq = tl_new(&t, CR_OBJ_PULSE_QUEUE, 2);
    if (pq == 0 || !channel_new(&t, &chan, &conn) || !EXPECT_OK(cr_channel_bind(chan, pq, 0)) ||
        !server_new(&t, &srv, chan, 0, LOW_PRIO)) {
        goto out;
    }
    srv.arg[3] = 1;
    if (!tl_thread_start(&srv)) {
        goto out;
    }
    tl_pause(LOW_PRIO - 1, 2); /* the server waits in its receive */
    if (!tl_thread_new(&t, &ld, load, LOAD_PRIO)) {
        goto out;
    }
    ld.arg[0] = (uint64_t)&srv.finished;
    if (!tl_thread_start(&ld)) {
        goto out;
    }
    /* The load is ready above the server, which yields with each request: the yield
     * keeps it running only because it has the client's priority from the message (the
     * send half's credit; the reply half gives it back). Without the credit the load
     * runs, spins until its guard and the test fails. */
    tl_root_prio(HIGH_PRIO);
    for (uint64_t i = 0; i < ROUNDS; i++) {
        uint64_t mr[4] = { i + 1, 0, 0, 0 };
        int64_t r = cr_msg_send_mr(conn, mr, 8, 16);
        if (!EXPECT_EQ(STATUS_BASE + i + 1, r) || !EXPECT_EQ((i + 1) * 3, mr[1])) {
            break;
        }
    }
    /* Every credit went back: a pulse ends the server's loop, and the server, at its
     * own priority again, finishes only after the load (which then looks) has run. */
    EXPECT_OK(cr_pulse_send(conn, 1, 0));
    load_stop = 1;
    EXPECT_TRUE(tl_wait_word(&ld.finished, 1, 1, 5000));
    EXPECT_TRUE(tl_wait_word(&srv.finished, 1, 1, 5000));
    EXPECT_EQ(0, ld.out[0]);
    EXPECT_EQ(0, ld.out[1]);
    EXPECT_EQ(ROUNDS, srv.out[0]);
    EXPECT_EQ(ROUNDS, norder);
out:
    load_stop = 1;
    tl_end(&t);
}

/* The client that queues: waits for the server's signal, then sends message 2. */
static void
queued_client(struct tl_thread *th)
{
    uint64_t bits = 0;
    cr_notify_wait(th->arg[1], CR_UPTR(&bits));
    uint64_t mr[4] = { 2, 0, 0, 0 };
    th->out[0] = (uint64_t)cr_msg_send_mr(th->arg[0], mr, 8, 16);
    th->out[1] = mr[1];
}

TEST(msg_fast_queued_higher_client_is_taken_next)
{
    struct tl t;
    struct tl_thread srv, qc;
    cr_cptr_t chan, conn;
    if (!tl_begin(&t)) {
        return;
    }
    norder = 0;
    cr_cptr_t ntfn = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (ntfn == 0 || !channel_new(&t, &chan, &conn) ||
        !server_new(&t, &srv, chan, 0, QSRV_PRIO) ||
        !tl_thread_new(&t, &qc, queued_client, QCLIENT_PRIO)) {
        goto out;
    }
    srv.arg[2] = ntfn;
    qc.arg[0] = conn;
    qc.arg[1] = ntfn;
    if (!tl_thread_start(&srv) || !tl_thread_start(&qc)) {
        goto out;
    }
    tl_pause(QSRV_PRIO - 1, 2); /* the server receives, the second client waits */
    /* Message 1 (the root at TL_PRIO): while the server holds it, the second client
     * (above the root) wakes, finds no server waiting and queues, lending the server its
     * priority. The reply to 1 cannot take the fast path's receive; the server takes 2
     * next and answers it before the root runs again. Then 3.. go as usual. */
    tl_root_prio(TL_PRIO);
    for (uint64_t i = 1; i <= ROUNDS; i += i == 1 ? 2 : 1) {
        uint64_t mr[4] = { i, 0, 0, 0 };
        int64_t r = cr_msg_send_mr(conn, mr, 8, 16);
        if (i == 1) {
            EXPECT_EQ(1, qc.finished); /* higher, so done before we run again */
        }
        if (!EXPECT_EQ(STATUS_BASE + i, r) || !EXPECT_EQ(i * 3, mr[1])) {
            break;
        }
    }
    tl_root_prio(TL_ROOT_PRIO);
    EXPECT_EQ(STATUS_BASE + 2, qc.out[0]);
    EXPECT_EQ(6, qc.out[1]);
    EXPECT_EQ(ROUNDS, norder);
    for (uint64_t k = 0; k < norder && k < ROUNDS; k++) {
        if (!EXPECT_EQ(k + 1, order[k])) {
            break;
        }
    }
out:
    tl_end(&t);
}
