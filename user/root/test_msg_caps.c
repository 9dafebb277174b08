/* SPDX-License-Identifier: MIT */
/*
 * Capabilities in messages. A client sends a notification capability with its message;
 * it lands in the server's receive window (info.caps = 1) and the server signals the
 * client through it. The reply carries a capability the other way, into the client's
 * window: the shape of "open returns a connection". Sending capabilities needs GRANT on
 * the connection, untyped and page-table capabilities do not travel, and a full window
 * stops the transfer.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/sys.h>

#include "testlib.h"

struct xfer_client {
    cr_cptr_t conn;
    cr_cptr_t ntfn;   /* sent to the server */
    cr_cptr_t window; /* where the reply's capability lands */
};

static struct xfer_client xc;

static void
xfer_client(struct tl_thread *th)
{
    uint64_t send[1] = { xc.ntfn };
    th->out[0] = (uint64_t)cr_msg_caps(CR_UPTR(send), 1, CR_CAP_ROOT_CNODE, xc.window, 1);
    th->out[1] = (uint64_t)cr_msg_sendv(xc.conn, 0, 0, 0, 0);
}

TEST(msg_caps_travel_both_ways)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 1);
    cr_cptr_t gift = tl_new(&t, CR_OBJ_NOTIFICATION, 0); /* the server hands this out */
    xc.ntfn = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    xc.window = tl_slot(&t);
    cr_cptr_t window = tl_slot(&t);
    cr_cptr_t nogrant = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    xc.conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE | CR_RIGHT_GRANT, 2) : 0;
    if (xc.conn == 0 || nogrant == 0 || table == 0 || gift == 0 || xc.ntfn == 0 ||
        !EXPECT_OK(cr_channel_bind(chan, table, 0)) ||
        !tl_thread_new(&t, &th, xfer_client, TL_PRIO)) {
        goto out;
    }
    /* Without GRANT the send is refused before anything happens. */
    uint64_t one[1] = { xc.ntfn };
    EXPECT_OK(cr_msg_caps(CR_UPTR(one), 1, 0, 0, 0));
    EXPECT_ERR(-CR_EPERM, cr_msg_sendv(nogrant, 0, 0, 0, 0));
    EXPECT_OK(cr_msg_caps(0, 0, 0, 0, 0));
    EXPECT_ERR(-CR_EINVAL, cr_msg_caps(CR_UPTR(one), CR_MSG_MAX_CAPS + 1, 0, 0, 0));
    EXPECT_ERR(-CR_EFAULT, cr_msg_caps(0x10, 1, 0, 0, 0));
    EXPECT_ERR(-CR_ERANGE, cr_msg_caps(0, 0, CR_CAP_ROOT_CNODE, 4095, 2));

    /* Our window: one slot. */
    EXPECT_OK(cr_msg_caps(0, 0, CR_CAP_ROOT_CNODE, window, 1));
    tl_thread_start(&th);
    struct cr_msg_info info;
    int64_t rcvid = cr_msg_receivev(chan, 0, 0, CR_UPTR(&info));
    if (!EXPECT_TRUE(rcvid > 0)) {
        goto out;
    }
    EXPECT_EQ(1, info.caps);
    struct cr_cap_info ci;
    EXPECT_OK(cr_cap_identify(window, CR_UPTR(&ci)));
    EXPECT_EQ(CR_OBJ_NOTIFICATION, ci.type);
    /* It is the client's notification: signal through our copy, poll through theirs. */
    EXPECT_OK(cr_notify_signal(window));
    uint64_t bits = 0;
    EXPECT_OK(cr_notify_poll(xc.ntfn, CR_UPTR(&bits)));
    EXPECT_EQ(1, bits);

    /* The reply carries `gift` into the client's window. */
    uint64_t g[1] = { gift };
    EXPECT_OK(cr_msg_caps(CR_UPTR(g), 1, CR_CAP_ROOT_CNODE, window, 1));
    EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid, 0, 0, 0));
    EXPECT_TRUE(tl_wait_word(&th.finished, 1, 0, TL_TIMEOUT_MS));
    EXPECT_EQ(0, th.out[0]);
    EXPECT_EQ(0, th.out[1]);
    EXPECT_OK(cr_cap_identify(xc.window, CR_UPTR(&ci)));
    EXPECT_EQ(CR_OBJ_NOTIFICATION, ci.type);
    EXPECT_OK(cr_notify_signal(xc.window));
    EXPECT_OK(cr_notify_poll(gift, CR_UPTR(&bits)));
    /* Revoking the original takes the transferred copy with it. */
    EXPECT_OK(cr_cap_revoke(CR_CAP_ROOT_CNODE, gift));
    EXPECT_ERR(-CR_ENOCAP, cr_cap_identify(xc.window, CR_UPTR(&ci)));
out:
    cr_msg_caps(0, 0, 0, 0, 0); /* the root's window goes away with the arena */
    tl_end(&t);
}
