/* SPDX-License-Identifier: MIT */
/*
 * The IPC fast path (docs/ipc.md, "Fast path"): msg_send_regs to a server waiting in
 * msg_reply_recv_regs, and msg_reply_recv_regs answering a register client when nothing
 * else waits, done in one short pass straight from the system-call entry, with a direct
 * switch to the other thread and no scheduler pass.
 *
 * Each half first checks every condition under which the general path (regs.c, recv.c,
 * msg.c) would do something more than the plain case: capabilities to move, a timeout,
 * pulses or other clients waiting, a thread that should run instead, a timer to change.
 * If any holds, it changes nothing and the general path runs the call; otherwise it does
 * exactly what the general path would, minus the generality, in one pass over the
 * client, the server and the reply slot with no calls in the common case (the receive
 * queue, the inherited credit and the slot are handled inline). The results are the same
 * either way (tests run both: test_msg_regs.c, test_msg_fast.c), only the cost differs.
 * O(1), except that a server going back to a receive queue where another server thread
 * waits is put behind the waiters of its priority (waitq_insert, O(waiters)).
 */
#include <kernel/channel.h>
#include <kernel/cnode.h>
#include <kernel/errors.h>
#include <kernel/inherit.h>
#include <kernel/msg.h>
#include <kernel/pulse.h>
#include <kernel/reply.h>
#include <kernel/sched.h>
#include <kernel/switch.h>
#include <kernel/syscall.h>
#include <kernel/tcb.h>
#include <kernel/waitq.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <courier/abi/msg.h>
#include <courier/abi/syscall_nr.h>

/* The channel of the capability at cptr with rights `need` (and its badge), or false:
 * msg_channel_slot's lookup (a memo hit inline); the general path then reports why. */
static ALWAYS_INLINE bool
chan_of(struct tcb *self, uint64_t cptr, uint32_t need, struct channel **ch, uint64_t *badge)
{
    struct slot *s;
    if (msg_channel_slot(self, cptr, &s) != 0 || (s->cap.rights & need) != need) {
        return false;
    }
    *badge = s->cap.w1;
    *ch = phys_to_virt(s->cap.obj);
    return true;
}

/* Takes server, the first waiter, off receive queue q: waitq_remove without the call. */
static inline void
recv_queue_pop(struct waitq *q, struct tcb *server)
{
    struct tcb *next = server->q_next;
    q->head = next;
    if (next != NULL) {
        next->q_prev = NULL;
    } else {
        q->tail = NULL;
    }
    server->q_next = NULL;
    server->wait_obj = NULL;
}

/* Puts t on receive queue q as waitq_insert does; an empty queue (the common case: one
 * server thread) takes it without the call. */
static inline void
recv_queue_push(struct waitq *q, struct tcb *t, struct channel *ch)
{
    if (q->head != NULL) {
        waitq_insert(q, t, ch);
        return;
    }
    t->q_prev = NULL;
    t->q_next = NULL;
    q->head = t;
    q->tail = t;
    t->wait_obj = q;
}

/*
 * msg_send_regs(conn, send_len, reply_len): msg_sendv with the message in the message
 * registers (send_len bytes) and the reply buffer the same registers (reply_len bytes;
 * reply bytes beyond those the server gives keep their values). Returns the reply status
 * or an error as msg_sendv. Errors: those of msg_sendv, with EINVAL also for send_len or
 * reply_len > CR_MSG_REG_BYTES. Capabilities named with msg_caps travel as with
 * msg_sendv (off the fast path). Blocks. O(1) on the fast path.
 *
 * The fast path: to a server waiting in a register receive, done here and left straight
 * into the server (arch_exit_to_user: no return); otherwise, having changed nothing, the
 * general path (msg_send_regs_general).
 */
int64_t
sys_msg_send_regs(uint64_t conn, uint64_t send_len, uint64_t reply_len)
{
    struct tcb *self = this_cpu()->current;
    uint64_t badge;
    struct channel *ch;
    if (!chan_of(self, conn, CR_RIGHT_WRITE, &ch, &badge) || send_len > CR_MSG_REG_BYTES ||
        reply_len > CR_MSG_REG_BYTES || ch->rt == NULL || self->xfer.nsend != 0 ||
        self->timeout_call != 0 || ch->msg_senders.head != NULL) {
        goto general;
    }
    struct tcb *server = ch->msg_receivers.head;
    if (server == NULL || !server->ipc.recv_regs || server->on_timeouts ||
        !sched_fast_switch_ok(server, server->prio > self->prio ? server->prio : self->prio)) {
        goto general;
    }
    struct reply_table *rt = ch->rt;
    uint32_t idx;
    if (reply_alloc(rt, self, &idx) == NULL) {
        goto general;
    }
    /* Committed: msg_send_regs's record (the server-side fields are all clear: no call of
     * self's is in progress; the iov fields are not used with regs set), then
     * msg_regs_deliver's work in one pass, with a direct switch instead of a wake-up. */
    self->ipc.chan = ch;
    self->ipc.send_len = send_len;
    self->ipc.reply_len = reply_len;
    self->ipc.badge = badge;
    self->ipc.regs = 1;
    self->ipc.rt = rt;
    self->ipc.slot = idx;
    self->state = TS_BLOCKED_REPLY;
    msg_copy_mrs(self->ipc.mr_send, arch_context_msg_regs(&self->ctx), CR_MSG_REG_BYTES);
    arch_context_set_result(&self->ctx, -CR_EINTR); /* replaced by the reply */
    recv_queue_pop(&ch->msg_receivers, server);
    server->timeout_call = 0; /* timeout_cancel: no deadline is armed (checked) */
    server->ipc.in_receive = 0;
    server->ipc.reply_done = 0;
    msg_copy_mrs(arch_context_msg_regs(&server->ctx), self->ipc.mr_send, send_len);
    uint64_t r[5] = { badge, send_len, reply_len, send_len, 0 };
    arch_context_set_results(&server->ctx, r);
    arch_context_set_result(&server->ctx, (int64_t)reply_rcvid(rt, idx));
    inherit_hold(server, &reply_slots(rt)[idx], self->prio);
    if (ch->server != server || ch->q_holder != NULL) {
        inherit_serving(server, ch); /* otherwise it would find nothing to do */
    }
    server->state = TS_READY;
    sched_fast_switch(server, true);
    arch_exit_to_user(server); /* its results and ours are set */
general:
    return msg_send_regs_general(self, conn, send_len, reply_len);
}

/*
 * msg_reply_recv_regs(chan, rcvid, status, reply_len): replies with the first reply_len
 * bytes of the message registers (rcvid 0: no reply, receive only), then receives the
 * next message into the message registers (as much as fits in CR_MSG_REG_BYTES; the rest
 * with msg_read) or a pulse (its struct cr_pulse). Returns the rcvid, 0 for a pulse, or
 * an error; on success also rdi = badge, rsi = send_len, rdx = reply_len, r10 = bytes
 * copied, r8 = capabilities received (regs.h). Errors: those of msg_replyv (EINVAL also
 * for reply_len > CR_MSG_REG_BYTES; then nothing is received), then those of
 * msg_receivev. Blocks.
 *
 * The fast path: answering a register client, with no pulse and no other client
 * waiting, the reply, then the receive blocks, and the kernel is left straight into the
 * client (arch_exit_to_user: no return); otherwise, having changed nothing, the general
 * path (msg_reply_recv_regs_general).
 */
int64_t
sys_msg_reply_recv_regs(uint64_t chan, uint64_t rcvid, uint64_t status, uint64_t reply_len)
{
    struct tcb *self = this_cpu()->current;
    uint64_t badge;
    struct channel *ch;
    if (!chan_of(self, chan, CR_RIGHT_READ, &ch, &badge) || ch->rt == NULL || rcvid == 0 ||
        reply_len > CR_MSG_REG_BYTES || (int64_t)status < 0 || self->ipc.reply_done ||
        self->xfer.nsend != 0 || self->timeout_call != 0 || ch->msg_senders.head != NULL ||
        (ch->pq != NULL && ch->pq->count != 0)) {
        goto general;
    }
    struct reply_table *rt = ch->rt;
    uint32_t idx;
    struct reply_slot *s = reply_lookup(rt, rcvid, &idx);
    if (s == NULL || s->state != RS_OPEN) {
        goto general;
    }
    struct tcb *c = s->client;
    if (!c->ipc.regs || c->on_timeouts || !sched_fast_switch_ok(c, c->prio)) {
        goto general;
    }
    /* Committed: the reply (msg_reply), then the receive blocks (msg_receive). */
    uint64_t n = reply_len < c->ipc.reply_len ? reply_len : c->ipc.reply_len;
    msg_copy_mrs(arch_context_msg_regs(&c->ctx), arch_context_msg_regs(&self->ctx), n);
    c->ipc.rt = NULL;
    c->ipc.slot = 0;
    inherit_park(s); /* inline: usually the credit parked for the next call */
    reply_free_slot(rt, idx);
    arch_context_set_result(&c->ctx, (int64_t)status);
    c->state = TS_READY;
    self->ipc.recv_sysno = CR_SYS_msg_reply_recv_regs;
    self->ipc.recv_regs = 1;
    self->ipc.in_receive = 1;
    self->ipc.reply_done = 1; /* a restart goes straight to the receive */
    self->state = TS_BLOCKED_MSG_RECV;
    recv_queue_push(&ch->msg_receivers, self, ch);
    arch_context_set_result(&self->ctx, -CR_EINTR); /* the receive is restarted later */
    sched_fast_switch(c, false);
    arch_exit_to_user(c); /* its status is set */
general:
    return msg_reply_recv_regs_general(self, chan, rcvid, status, reply_len);
}
