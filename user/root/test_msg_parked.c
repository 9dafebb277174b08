/* SPDX-License-Identifier: MIT */
/*
 * Parked credits (kernel/include/kernel/inherit.h, inherit_park): when an exchange ends,
 * its server may keep the client's priority credit parked on the freed slot, so that the
 * next call in that slot at the same priority need not take it again — but only while
 * the credit cannot count (it is at most the server's base priority). These tests break
 * each rule that keeps it from counting and watch the server's priority through what it
 * can run against a busy root: a base priority lowered under a parked credit, a slot
 * taken again by a client of another priority, a table that dies with credits parked on
 * it.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/sys.h>

#include "testlib.h"

enum {
    SERVER_PRIO = 100,
    CLIENT_PRIO = 90,
    HIGH_PRIO = 200,
    LOAD_PRIO = 150,
    LOW_BASE = 50,
    MID_LOAD = 70,
};

struct parked {
    cr_cptr_t chan, conn, table, go;
    volatile uint64_t stage; /* messages and pulses the server took */
};

static struct parked pk;

/* A register server: counts what it takes; a message whose mr[0] is 1 waits for `go`
 * before it is answered (work that needs the server to run at its client's priority).
 * A receive failed by its table's death (EREVOKED) is counted in out[1] and made again. */
static void
server(struct tl_thread *th)
{
    uint64_t mr[4] = { 0 };
    struct cr_msg_info info;
    int64_t rcvid = 0;
    for (;;) {
        rcvid = cr_msg_reply_recv_mr(pk.chan, (uint64_t)rcvid, 0, 0, mr, &info);
        if (rcvid == -CR_EREVOKED && th->out[1] == 0) {
            th->out[1] = 1;
            rcvid = 0;
            continue;
        }
        if (rcvid < 0) {
            th->out[0] = (uint64_t)rcvid;
            return;
        }
        pk.stage++;
        if (rcvid > 0 && mr[0] == 1) {
            uint64_t bits;
            cr_notify_wait(pk.go, CR_UPTR(&bits));
        }
    }
}

static void
client(struct tl_thread *th)
{
    uint64_t mr[4] = { th->arg[0], 0, 0, 0 };
    th->out[1] = (uint64_t)cr_msg_send_mr(pk.conn, mr, 8, 0);
}

/* The channel with a reply table and a pulse queue, the server waiting in its receive,
 * and one call from a client at CLIENT_PRIO answered (so its credit is parked). */
static bool
parked_begin(struct tl *t, struct tl_thread *srv, struct tl_thread *c1)
{
    pk = (struct parked){ 0 };
    pk.chan = tl_new(t, CR_OBJ_CHANNEL, 0);
    pk.table = tl_new(t, CR_OBJ_REPLY_TABLE, 2);
    pk.go = tl_new(t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t pq = tl_new(t, CR_OBJ_PULSE_QUEUE, 2);
    pk.conn = pk.chan != 0 ? tl_mint(t, pk.chan, CR_RIGHT_WRITE, 1) : 0;
    if (pk.conn == 0 || pk.table == 0 || pk.go == 0 || pq == 0 ||
        !EXPECT_OK(cr_channel_bind(pk.chan, pk.table, 0)) ||
        !EXPECT_OK(cr_channel_bind(pk.chan, pq, 0)) ||
        !tl_thread_new(t, srv, server, SERVER_PRIO) ||
        !tl_thread_new(t, c1, client, CLIENT_PRIO)) {
        return false;
    }
    tl_thread_start(srv);
    tl_root_prio(SERVER_PRIO - 1);
    cr_yield(); /* the server reaches its receive */
    tl_root_prio(TL_ROOT_PRIO);
    c1->arg[0] = 7;
    tl_thread_start(c1);
    return EXPECT_TRUE(tl_wait_word(&c1->finished, 1, CLIENT_PRIO - 1, TL_TIMEOUT_MS)) &&
           EXPECT_EQ(0, c1->out[1]) && EXPECT_EQ(1, pk.stage);
}

/* A pulse wakes the server; under a busy root at MID_LOAD it must not run (it is at
 * LOW_BASE, not at the parked 90); once the root drops below LOW_BASE, it does. */
static void
expect_server_at_low_base(void)
{
    EXPECT_OK(cr_pulse_send(pk.conn, 1, 2));
    tl_pause(MID_LOAD, 20);
    EXPECT_EQ(1, pk.stage);
    EXPECT_TRUE(tl_wait_word(&pk.stage, 2, LOW_BASE - 1, TL_TIMEOUT_MS));
}

TEST(msg_parked_credit_goes_when_the_base_priority_drops_below_it)
{
    struct tl t;
    struct tl_thread srv;
    struct tl_thread c1;
    if (!tl_begin(&t)) {
        return;
    }
    if (parked_begin(&t, &srv, &c1)) {
        /* 90 is parked with the server (base 100); base 50 would let it count. */
        EXPECT_OK(cr_tcb_set_priority(srv.tcb, LOW_BASE, CR_SCHED_RR));
        expect_server_at_low_base();
    }
    tl_end(&t);
}

TEST(msg_parked_credit_is_not_kept_for_a_client_of_another_priority)
{
    struct tl t;
    struct tl_thread srv;
    struct tl_thread c1;
    struct tl_thread c2;
    if (!tl_begin(&t)) {
        return;
    }
    if (parked_begin(&t, &srv, &c1) && tl_thread_new(&t, &c2, client, HIGH_PRIO)) {
        /* C2 (200) takes the slot C1's credit is parked on; the server must run at 200
         * while it holds C2's exchange: under the load at 150 it still answers. */
        c2.arg[0] = 1;
        tl_thread_start(&c2);
        EXPECT_TRUE(tl_wait_word(&pk.stage, 2, LOAD_PRIO, TL_TIMEOUT_MS)); /* waits for go */
        EXPECT_OK(cr_notify_signal(pk.go));
        EXPECT_TRUE(tl_wait_word(&c2.finished, 1, LOAD_PRIO, TL_TIMEOUT_MS));
        EXPECT_EQ(0, c2.out[1]);
        /* And back at 100 after: a base of 50 now leaves it at 50 (nothing parked above
         * it: 200 > 100 was not parked, 90 went when the slot was taken). */
        EXPECT_OK(cr_tcb_set_priority(srv.tcb, LOW_BASE, CR_SCHED_RR));
        pk.stage = 1;
        expect_server_at_low_base();
    }
    tl_end(&t);
}

TEST(msg_parked_credit_goes_with_its_table)
{
    struct tl t;
    struct tl_thread srv;
    struct tl_thread c1;
    if (!tl_begin(&t)) {
        return;
    }
    if (parked_begin(&t, &srv, &c1)) {
        /* The table dies with 90 parked on one of its slots (the server's receive fails
         * with EREVOKED, and it receives again: pulses only), and its credit must not
         * outlive the slot. */
        EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, pk.table));
        EXPECT_TRUE(tl_wait_word(&srv.out[1], 1, SERVER_PRIO - 1, TL_TIMEOUT_MS));
        cr_cptr_t table2 = tl_new(&t, CR_OBJ_REPLY_TABLE, 2);
        EXPECT_OK(cr_channel_bind(pk.chan, table2, 0));
        EXPECT_OK(cr_tcb_set_priority(srv.tcb, LOW_BASE, CR_SCHED_RR));
        expect_server_at_low_base();
        /* The server goes on serving calls in the new table. */
        c1.finished = 0;
        tl_thread_start(&c1);
        EXPECT_TRUE(tl_wait_word(&c1.finished, 1, LOW_BASE - 1, TL_TIMEOUT_MS));
        EXPECT_EQ(3, pk.stage);
    }
    tl_end(&t);
}
