/* SPDX-License-Identifier: MIT */
/*
 * msg_reply_recv whose receive has nothing to take blocks in the same pass as its reply
 * and switches to the client it answered (docs/ipc.md, "How a message moves": the reply
 * then wait). These tests check the cases where the receive must not simply wait: a pulse
 * queued before the call, an info pointer it cannot write, an iov count over CR_IOV_MAX.
 * In each the reply is delivered and the receive half answers as msg_receivev would. A
 * kernel that waited anyway leaves the server blocked, and the bounded wait fails.
 *
 * The server thread runs above the client, which runs above the root: starting the server
 * blocks it in its first receive, starting the client runs the whole exchange.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

enum {
    SERVER_PRIO = 120,
    CLIENT_PRIO = 110,
    STATUS = 7,
    CODE = 5,
    VALUE = 0x66,
};

enum variant {
    PULSE_QUEUED,  /* the server leaves a pulse on its own channel before the call */
    INFO_UNMAPPED, /* the receive's info pointer names no memory */
    INFO_READONLY, /* ... names a read-only page */
    TOO_MANY,      /* the receive's iov count is CR_IOV_MAX + 1 */
};

/* arg[0] = channel, arg[1] = connection, arg[2] = variant, arg[3] = a read-only page.
 * out[0] = the first receive's result, out[1] = msg_reply_recv's, out[2..3] = the pulse
 * it got (code, value), out[4] = the bytes its info says were copied. */
static void
server(struct tl_thread *th)
{
    cr_cptr_t chan = th->arg[0];
    struct cr_pulse p = { 0 };
    struct cr_iov iov = { CR_UPTR(&p), sizeof(p) };
    struct cr_msg_info info = { 0 };
    struct cr_msg_recv next = { CR_UPTR(&iov), 1, CR_UPTR(&info) };
    int64_t r = cr_msg_receivev(chan, 0, 0, CR_UPTR(&info));
    th->out[0] = (uint64_t)r;
    if (r <= 0) {
        return;
    }
    switch ((enum variant)th->arg[2]) {
    case PULSE_QUEUED:
        if (cr_pulse_send(th->arg[1], CODE, VALUE) != 0) {
            return;
        }
        break;
    case INFO_UNMAPPED:
        next.info = 16;
        break;
    case INFO_READONLY:
        next.info = th->arg[3];
        break;
    case TOO_MANY:
        next.n = CR_IOV_MAX + 1;
        break;
    }
    th->out[1] = (uint64_t)cr_msg_reply_recv(chan, (uint64_t)r, STATUS, 0, 0, CR_UPTR(&next));
    th->out[2] = p.code;
    th->out[3] = p.value;
    th->out[4] = info.copied;
}

static void
client(struct tl_thread *th)
{
    th->out[0] = (uint64_t)cr_msg_sendv(th->arg[0], 0, 0, 0, 0);
}

/* One exchange with the server in `v`: returns the server's msg_reply_recv result, or
 * INT64_MIN (a failure recorded) if the server or the client did not finish. */
static int64_t
reply_recv_case(enum variant v, struct tl_thread *srv)
{
    struct tl t;
    struct tl_thread cl;
    int64_t result = INT64_MIN;
    if (!tl_begin(&t)) {
        return result;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t pq = tl_new(&t, CR_OBJ_PULSE_QUEUE, 2);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    uint8_t *ro = tl_pages(&t, 1, CR_RIGHT_READ);
    if (conn == 0 || pq == 0 || ro == NULL || !EXPECT_OK(cr_channel_bind(chan, pq, 0)) ||
        !tl_thread_new(&t, srv, server, SERVER_PRIO) ||
        !tl_thread_new(&t, &cl, client, CLIENT_PRIO)) {
        goto out;
    }
    srv->arg[0] = chan;
    srv->arg[1] = conn;
    srv->arg[2] = v;
    srv->arg[3] = CR_UPTR(ro);
    cl.arg[0] = conn;
    tl_thread_start(srv);
    tl_thread_start(&cl);
    /* The client is answered whatever the receive half does. */
    if (EXPECT_TRUE(tl_wait_word(&cl.finished, 1, 0, TL_TIMEOUT_MS))) {
        EXPECT_EQ(STATUS, cl.out[0]);
    }
    if (EXPECT_TRUE(tl_wait_word(&srv->finished, 1, 0, TL_TIMEOUT_MS))) {
        EXPECT_TRUE((int64_t)srv->out[0] > 0);
        result = (int64_t)srv->out[1];
    }
out:
    tl_end(&t);
    return result;
}

TEST(msg_reply_recv_takes_a_pulse_queued_before_it)
{
    struct tl_thread srv;
    if (EXPECT_EQ(0, reply_recv_case(PULSE_QUEUED, &srv))) {
        EXPECT_EQ(CODE, srv.out[2]);
        EXPECT_EQ(VALUE, srv.out[3]);
        EXPECT_EQ(sizeof(struct cr_pulse), srv.out[4]);
    }
}

TEST(msg_reply_recv_with_bad_info_replies_then_fails)
{
    struct tl_thread srv;
    EXPECT_ERR(-CR_EFAULT, reply_recv_case(INFO_UNMAPPED, &srv));
    EXPECT_ERR(-CR_EFAULT, reply_recv_case(INFO_READONLY, &srv));
}

TEST(msg_reply_recv_with_too_many_entries_replies_then_fails)
{
    struct tl_thread srv;
    EXPECT_ERR(-CR_EINVAL, reply_recv_case(TOO_MANY, &srv));
}
