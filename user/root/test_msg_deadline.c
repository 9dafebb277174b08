/* SPDX-License-Identifier: MIT */
/*
 * A client's deadline armed in the very call that switches straight to its server (the
 * direct switch, kernel/sched/sched.c: switch_direct) must still get its timer, even
 * though no timer was set before the call and the switch skips the scheduler pass: the
 * server here takes the message and then spins (at a priority nothing else outranks) until
 * the client is gone, so only the timer's interrupt can end the client's wait. Once for a
 * memory message (the direct receive) and once for a register one.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/sys.h>

#include "testlib.h"

enum {
    SERVER_PRIO = 100,
    CLIENT_PRIO = 101, /* above the server: its timeout preempts the spin */
    DEADLINE_NS = 5000000,      /* 5 ms */
    SPIN_NS = 500000000,        /* the server gives up after 500 ms */
};

struct dl {
    cr_cptr_t chan, conn;
    volatile uint64_t client_done;
};

static struct dl dl;

static void
spin_until_client_done(struct tl_thread *th)
{
    uint64_t end = tl_now_ns() + SPIN_NS;
    while (dl.client_done == 0 && tl_now_ns() < end) {
    }
    th->out[1] = dl.client_done;
}

static void
memory_server(struct tl_thread *th)
{
    uint64_t v = 0;
    struct cr_iov iov[1] = { { CR_UPTR(&v), sizeof(v) } };
    struct cr_msg_info info;
    th->out[0] = (uint64_t)cr_msg_receivev(dl.chan, CR_UPTR(iov), 1, CR_UPTR(&info));
    spin_until_client_done(th);
}

static void
register_server(struct tl_thread *th)
{
    uint64_t mr[4] = { 0 };
    struct cr_msg_info info;
    th->out[0] = (uint64_t)cr_msg_reply_recv_mr(dl.chan, 0, 0, 0, mr, &info);
    spin_until_client_done(th);
}

static void
client(struct tl_thread *th)
{
    uint64_t v = 5;
    struct cr_iov iov[1] = { { CR_UPTR(&v), sizeof(v) } };
    uint64_t mr[4] = { 5, 0, 0, 0 };
    cr_timeout_set(tl_now_ns() + DEADLINE_NS);
    if (th->arg[0] != 0) {
        th->out[0] = (uint64_t)cr_msg_send_mr(dl.conn, mr, 8, 8);
    } else {
        th->out[0] = (uint64_t)cr_msg_sendv(dl.conn, CR_UPTR(iov), 1, CR_UPTR(iov), 1);
    }
    dl.client_done = 1;
}

static void
deadline_through_direct_switch(tl_thread_fn server, uint64_t regs)
{
    struct tl t;
    struct tl_thread srv;
    struct tl_thread cl;
    if (!tl_begin(&t)) {
        return;
    }
    dl = (struct dl){ 0 };
    dl.chan = tl_ipc_channel(&t, 2, NULL);
    dl.conn = dl.chan != 0 ? tl_mint(&t, dl.chan, CR_RIGHT_WRITE, 1) : 0;
    if (dl.conn == 0 || !tl_thread_new(&t, &srv, server, SERVER_PRIO) ||
        !tl_thread_new(&t, &cl, client, CLIENT_PRIO)) {
        tl_end(&t);
        return;
    }
    tl_thread_start(&srv);
    tl_root_prio(SERVER_PRIO - 1);
    cr_yield(); /* the server reaches its receive */
    tl_root_prio(TL_ROOT_PRIO);
    cl.arg[0] = regs;
    tl_thread_start(&cl);
    /* Below both: the client sends and blocks, the server takes the message and spins. */
    EXPECT_TRUE(tl_wait_word(&srv.finished, 1, SERVER_PRIO - 1, TL_TIMEOUT_MS));
    EXPECT_TRUE((int64_t)srv.out[0] > 0);
    EXPECT_EQ(1, srv.out[1]); /* the client left while the server spun */
    EXPECT_ERR(-CR_ETIMEDOUT, (int64_t)cl.out[0]);
    tl_end(&t);
}

TEST(msg_deadline_armed_in_a_direct_switch_call_fires)
{
    deadline_through_direct_switch(memory_server, 0);
}

TEST(msg_regs_deadline_armed_in_a_direct_switch_call_fires)
{
    deadline_through_direct_switch(register_server, 1);
}
