/* SPDX-License-Identifier: MIT */
/*
 * Register messages and the IPC fast path (docs/ipc.md, "Register messages").
 *
 * msg_send_regs sends up to CR_MSG_REG_BYTES held in the caller's message registers and
 * takes the reply back into them; msg_reply_recv_regs is a server loop whose reply and
 * next message both travel in registers, with the message's description returned in
 * registers too. Either side may be a register or a memory (iov) caller: a register
 * client's message is kept in its TCB and its registers are its reply buffer, so the
 * ordinary copier (copy.c) serves every combination, with the same truncation rules.
 *
 * The fast path: a register client whose channel has a server thread waiting in
 * msg_reply_recv_regs, nobody queued ahead, no capabilities to move and a free reply
 * slot does the whole delivery in its own call — four words from its TCB into the
 * server's saved registers, the rcvid and description into the server's result
 * registers — and switches straight to the server, which runs on the client's
 * timeslice. No user memory is touched, no scheduler pass and no restart of the
 * server's call happen. Anything else takes the general path (msg.c, recv.c).
 */
#include <kernel/channel.h>
#include <kernel/cpu.h>
#include <kernel/errors.h>
#include <kernel/inherit.h>
#include <kernel/msg.h>
#include <kernel/reply.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/switch.h>
#include <kernel/syscall.h>
#include <kernel/tcb.h>
#include <kernel/timeout.h>
#include <arch/cpu.h>
#include <courier/abi/msg.h>
#include <courier/abi/syscall_nr.h>

/* msg_copy_mrs for 0 < n < CR_MSG_REG_BYTES: whole words, then the bytes of a part word. */
void
msg_copy_mrs_part(uint64_t *dst, const uint64_t *src, uint64_t n)
{
    uint64_t w = n / 8;
    for (uint64_t i = 0; i < w; i++) {
        dst[i] = src[i];
    }
    if (n % 8 != 0) {
        uint64_t keep = ~0ull << (8 * (n % 8)); /* bytes of dst[w] past the message */
        dst[w] = (dst[w] & keep) | (src[w] & ~keep);
    }
}

/*
 * Hands self's register message (recorded in self->ipc, no capabilities) to `server`,
 * the first thread waiting in a register receive on ch, in reply slot idx: the server's
 * call completes with the rcvid and the description in its registers, and self is
 * REPLY-blocked. Scheduling is the caller's (a direct switch or a wake-up). O(1).
 */
void
msg_regs_deliver(struct tcb *self, struct channel *ch, struct tcb *server, uint32_t idx)
{
    struct reply_table *rt = ch->rt;
    waitq_remove(&ch->msg_receivers, server);
    timeout_cancel(server);
    /* The server's call completes here, as msg_settle would leave it. */
    server->ipc.in_receive = 0;
    server->ipc.reply_done = 0;
    self->ipc.rt = rt;
    self->ipc.slot = idx;
    self->state = TS_BLOCKED_REPLY;
    msg_copy_mrs(arch_context_msg_regs(&server->ctx), self->ipc.mr_send, self->ipc.send_len);
    uint64_t r[5] = { self->ipc.badge, self->ipc.send_len, self->ipc.reply_len,
                      self->ipc.send_len, 0 };
    arch_context_set_results(&server->ctx, r);
    arch_context_set_result(&server->ctx, (int64_t)reply_rcvid(rt, idx));
    inherit_hold(server, &reply_slots(rt)[idx], self->prio);
    inherit_serving(server, ch);
    server->state = TS_READY;
}

/* The general path's delivery to a server waiting in a register receive. O(1). */
static bool
fast_call(struct tcb *self, struct channel *ch)
{
    struct tcb *server = ch->msg_receivers.head;
    uint32_t idx;
    if (server == NULL || !server->ipc.recv_regs || self->xfer.nsend != 0 ||
        ch->msg_senders.head != NULL || reply_alloc(ch->rt, self, &idx) == NULL) {
        return false;
    }
    sched_remove(self);
    msg_regs_deliver(self, ch, server, idx);
    if (!sched_switch_now(server, true)) {
        sched_make_ready(server);
        sched_direct(server, true);
    }
    return true;
}

/* msg_send_regs off the fast path (sys_msg_send_regs falls back to it). */
int64_t
msg_send_regs_general(struct tcb *self, uint64_t conn, uint64_t send_len, uint64_t reply_len)
{
    struct channel *ch;
    uint64_t badge;
    int rc = msg_send_check(self, conn, &ch, &badge);
    if (rc != 0) {
        return rc;
    }
    if (send_len > CR_MSG_REG_BYTES || reply_len > CR_MSG_REG_BYTES) {
        return -CR_EINVAL;
    }
    rc = timeout_block(self);
    if (rc != 0) {
        return rc;
    }
    /* The record, as msg_sendv's (the iov fields are not used with regs set). */
    self->ipc.chan = ch;
    self->ipc.regs = 1;
    self->ipc.send_len = send_len;
    self->ipc.reply_len = reply_len;
    self->ipc.badge = badge;
    memcpy(self->ipc.mr_send, arch_context_msg_regs(&self->ctx), CR_MSG_REG_BYTES);
    if (!fast_call(self, ch) && !msg_receive_direct(self, ch)) {
        msg_send_queue(self, ch);
    }
    return -CR_EINTR; /* replaced by the reply */
}

static NOINLINE int64_t
reply_recv_regs(struct tcb *self, uint64_t chan, uint64_t rcvid, uint64_t status,
                uint64_t reply_len)
{
    struct recv_to to = { .regs = true };
    /* On a restart the reply half is done (see msg_reply_recv). */
    if (rcvid != 0 && !self->ipc.reply_done) {
        struct ipc_side src = { self, 0, 0, 0, arch_context_msg_regs(&self->ctx), reply_len };
        int64_t err = msg_reply(chan, rcvid, status, &src, &to, CR_SYS_msg_reply_recv_regs);
        if (err != 0) {
            return err > 0 ? -CR_EINTR : err; /* 1: waiting in the receive already */
        }
        self->ipc.reply_done = 1;
    }
    arch_context_mrs_written(&self->ctx); /* the receive writes them without a switch */
    return msg_receive(chan, &to, CR_SYS_msg_reply_recv_regs);
}

/* msg_reply_recv_regs off the fast path (sys_msg_reply_recv_regs falls back to it). */
int64_t
msg_reply_recv_regs_general(struct tcb *self, uint64_t chan, uint64_t rcvid, uint64_t status,
                            uint64_t reply_len)
{
    return msg_settle(self, reply_recv_regs(self, chan, rcvid, status, reply_len));
}
