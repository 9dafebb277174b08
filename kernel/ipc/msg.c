/* SPDX-License-Identifier: MIT */
/*
 * The message-passing calls (docs/ipc.md): channel_bind, pulse_send, msg_sendv,
 * msg_error, msg_read and msg_write here; the server's receive and reply in recv.c; the
 * register calls and the fast path in regs.c. The bookkeeping of exchanges (slots,
 * handoff, unwinding) is in exchange.c.
 *
 * A client's msg_sendv records its iov arrays in its TCB and either queues on the
 * channel (SEND-blocked) or, when a server thread waits, takes a reply slot and hands
 * the exchange to that server, whose msg_receivev is restarted to do the copy. Every copy
 * runs in the server's call (receive, reply, read, write), is preemptible, and keeps its
 * progress in the reply slot (`done`), owned by that server thread (`op`) until it ends.
 * The client stays REPLY-blocked in its slot until msg_replyv or msg_error.
 *
 * Who is where: a SEND-blocked client is on ch->msg_senders; a client in a slot is on no
 * queue (its TCB names the slot); a waiting server is on ch->msg_receivers. Stopping or
 * destroying a thread (ipc_abort), destroying the channel (ipc_channel_dead) or the reply
 * table (ipc_table_dead) unwinds exactly these links. A server runs at least at the
 * priority of the clients it holds (inherit.c); pulses are taken before messages.
 *
 * A thread a call makes ready (the server a message goes to, the client a reply goes to)
 * runs next without a scheduler pass if the caller blocks (sched_direct), on the
 * caller's timeslice when it carries the caller's call on.
 */
#include <kernel/capxfer.h>
#include <kernel/channel.h>
#include <kernel/cnode.h>
#include <kernel/cpu.h>
#include <kernel/errors.h>
#include <kernel/exchange.h>
#include <kernel/inherit.h>
#include <kernel/ipccopy.h>
#include <kernel/msg.h>
#include <kernel/pulse.h>
#include <kernel/reply.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/tcb.h>
#include <kernel/timeout.h>
#include <kernel/usercopy.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <courier/abi/msg.h>
#include <courier/abi/syscall_nr.h>

enum {
    ERR_MAX = 4095, /* msg_error codes are 1..ERR_MAX */
};

/*
 * Every message call a server makes ends here unless it will be restarted: an operation
 * it still owns (its call failed a check after being restarted) is given up, and the
 * "waiting in receive" mark is cleared unless it is blocked in a receive right now.
 */
int64_t
msg_settle(struct tcb *self, int64_t rc)
{
    if (rc == -ERESTART) {
        return rc;
    }
    exchange_release_op(self);
    if (self->state != TS_BLOCKED_MSG_RECV) {
        self->ipc.in_receive = 0;
        self->ipc.reply_done = 0;
    }
    return rc;
}

/* The channel capability at cptr, which must have the rights `need`. */
int
msg_lookup_chan(uint64_t cptr, uint32_t need, struct channel **out)
{
    struct slot *s;
    int rc = msg_channel_slot(sched_current(), cptr, &s);
    if (rc != 0) {
        return rc;
    }
    if ((s->cap.rights & need) != need) {
        return -CR_EPERM;
    }
    *out = phys_to_virt(s->cap.obj);
    return 0;
}

/*
 * channel_bind(chan, obj, flags): attaches a reply table (its slots become the channel's
 * rcvid space) or a pulse queue (where pulse_send leaves pulses) to a channel. Errors:
 * EBADCAP/ENOCAP/EBUSY (lookups), EPERM (chan without READ: a client's connection cannot
 * bind), EWRONGTYPE (chan not a channel, obj neither a reply
 * table nor a pulse queue), EINVAL (flags other than CR_CHANNEL_UNBLOCK, or flags with a
 * pulse queue), EBUSY (the channel already has one, or obj is bound elsewhere). O(1).
 */
int64_t
sys_channel_bind(uint64_t chan, uint64_t obj, uint64_t flags)
{
    struct channel *ch;
    struct slot *os;
    int rc = msg_lookup_chan(chan, CR_RIGHT_READ, &ch); /* the server's side, not a client's */
    if (rc == 0) {
        rc = cnode_lookup_cap(sched_current(), obj, CR_OBJ_NULL, &os);
    }
    if (rc != 0) {
        return rc;
    }
    if (os->cap.type != CR_OBJ_REPLY_TABLE && os->cap.type != CR_OBJ_PULSE_QUEUE) {
        return -CR_EWRONGTYPE;
    }
    if ((flags & ~(uint64_t)CR_CHANNEL_UNBLOCK) != 0 ||
        (flags != 0 && os->cap.type != CR_OBJ_REPLY_TABLE)) {
        return -CR_EINVAL;
    }
    if (os->cap.type == CR_OBJ_PULSE_QUEUE) {
        struct pulse_queue *pq = phys_to_virt(os->cap.obj);
        if (ch->pq != NULL || pq->chan != NULL) {
            return -CR_EBUSY;
        }
        ch->pq = pq;
        pq->chan = ch;
        return 0;
    }
    struct reply_table *rt = phys_to_virt(os->cap.obj);
    if (ch->rt != NULL || rt->chan != NULL) {
        return -CR_EBUSY;
    }
    ch->rt = rt;
    ch->flags = flags;
    rt->chan = ch;
    return 0;
}

/*
 * pulse_send(conn, code, value): leaves a pulse (code, value, the connection's badge) on
 * the channel and wakes a waiting server; never blocks. Errors: EBADCAP/ENOCAP/EBUSY/
 * EWRONGTYPE (conn), EPERM (no WRITE right), EINVAL (code > 0xffffffff, or the channel
 * has no pulse queue), EAGAIN (the queue is full). O(1).
 */
int64_t
sys_pulse_send(uint64_t conn, uint64_t code, uint64_t value)
{
    struct slot *cs;
    int rc = cnode_lookup_cap(sched_current(), conn, CR_OBJ_CHANNEL, &cs);
    if (rc != 0) {
        return rc;
    }
    if (!(cs->cap.rights & CR_RIGHT_WRITE)) {
        return -CR_EPERM;
    }
    struct channel *ch = phys_to_virt(cs->cap.obj);
    if (code > 0xffffffffu || ch->pq == NULL) {
        return -CR_EINVAL;
    }
    struct cr_pulse p = { .code = (uint32_t)code, .value = value, .badge = cs->cap.w1 };
    return channel_pulse(ch, &p);
}

/*
 * Queues pulse p on ch and wakes one waiting server, whose receive runs again and finds
 * it. Returns 0, -CR_EINVAL (no pulse queue) or -CR_EAGAIN (queue full). Never blocks;
 * safe from interrupt handlers (it touches only the queue and the receiver list). O(1).
 */
int
channel_pulse(struct channel *ch, const struct cr_pulse *p)
{
    if (ch->pq == NULL) {
        return -CR_EINVAL;
    }
    if (!pulse_push(ch->pq, p)) {
        return -CR_EAGAIN;
    }
    struct tcb *server = waitq_pop(&ch->msg_receivers);
    if (server != NULL) {
        timeout_cancel(server);
        arch_context_restart_syscall(&server->ctx, (uint64_t)-(int64_t)server->ipc.recv_sysno);
        server->state = TS_READY;
        sched_make_ready(server);
    }
    return 0;
}

/*
 * msg_sendv(conn, siov, sn, riov, rn): sends the message in siov and blocks until the
 * server replies into riov. Returns the reply status (>= 0) or the error the server gave.
 * Errors: EBADCAP/ENOCAP/EWRONGTYPE/EBUSY (conn), EPERM (no WRITE right, or capabilities
 * named with msg_caps but no GRANT right), EINVAL (sn or rn > CR_IOV_MAX, a wrapping iov
 * entry, channel without a reply table), EFAULT (iov arrays unreadable), ETIMEDOUT
 * (timeout_set deadline passed), then, after blocking: EFAULT or EINVAL (a server's copy
 * found our arrays or buffers bad), EREVOKED (channel or table destroyed while waiting),
 * EINTR (the wait was abandoned), ETIMEDOUT, or the -err a server gave msg_error. Blocks.
 * O(sn + rn).
 */
int64_t
sys_msg_sendv(uint64_t conn, uint64_t siov, uint64_t sn, uint64_t riov, uint64_t rn)
{
    struct tcb *self = sched_current();
    struct channel *ch;
    uint64_t badge;
    int rc = msg_send_check(self, conn, &ch, &badge);
    if (rc != 0) {
        return rc;
    }
    if (sn > CR_IOV_MAX || rn > CR_IOV_MAX) {
        return -CR_EINVAL;
    }
    uint64_t slen;
    uint64_t rlen;
    rc = ipc_iov_total(self, siov, (uint32_t)sn, &slen);
    if (rc == 0) {
        rc = ipc_iov_total(self, riov, (uint32_t)rn, &rlen);
    }
    if (rc != 0) {
        return rc;
    }
    rc = timeout_block(self);
    if (rc != 0) {
        return rc;
    }
    /* The record. The rest of self->ipc is clear: no exchange of self's is open (its last
     * one cleared rt and slot) and no server call of self's is in progress (msg_settle). */
    self->ipc.chan = ch;
    self->ipc.regs = 0;
    self->ipc.sn = (uint32_t)sn;
    self->ipc.rn = (uint32_t)rn;
    self->ipc.siov = siov;
    self->ipc.riov = riov;
    self->ipc.send_len = slen;
    self->ipc.reply_len = rlen;
    self->ipc.badge = badge;
    if (!msg_receive_direct(self, ch)) {
        msg_send_queue(self, ch);
    }
    return -CR_EINTR; /* replaced by the reply */
}

/*
 * The checks msg_sendv and msg_send_regs share, in this order: the connection (EBADCAP/
 * ENOCAP/EWRONGTYPE/EBUSY), its WRITE right (EPERM), GRANT if capabilities are named
 * (EPERM), a bound reply table (EINVAL). Gives the channel and the connection's badge.
 */
int
msg_send_check(struct tcb *self, uint64_t conn, struct channel **ch, uint64_t *badge)
{
    struct slot *cs;
    int rc = msg_channel_slot(self, conn, &cs);
    if (rc != 0) {
        return rc;
    }
    if (!(cs->cap.rights & CR_RIGHT_WRITE)) {
        return -CR_EPERM;
    }
    rc = capxfer_check(self, (cs->cap.rights & CR_RIGHT_GRANT) != 0);
    if (rc != 0) {
        return rc;
    }
    *ch = phys_to_virt(cs->cap.obj);
    *badge = cs->cap.w1;
    return (*ch)->rt == NULL ? -CR_EINVAL : 0;
}

/*
 * The client, its message recorded in self->ipc, queues on ch (SEND-blocked) and is
 * handed straight to a waiting server if there is one; that server then runs next
 * (sched_direct), on the client's timeslice.
 */
void
msg_send_queue(struct tcb *self, struct channel *ch)
{
    sched_remove(self);
    self->state = TS_BLOCKED_SEND;
    waitq_insert(&ch->msg_senders, self, ch);
    struct tcb *server = exchange_handoff(ch);
    if (server != NULL && self->state == TS_BLOCKED_REPLY) {
        sched_direct(server, true);
    }
    inherit_queue_changed(ch); /* still queued: lend to the busy server */
}

/*
 * The open exchange `rcvid` on the channel at `chan` (READ right): ESRCH if the rcvid is
 * stale, forged or still being received; EBUSY if another thread, or this one with an
 * operation other than `op`, is copying on it.
 */
int
msg_lookup_open(uint64_t chan, uint64_t rcvid, struct reply_table **rt, uint32_t *idx,
                unsigned op)
{
    struct channel *ch;
    int rc = msg_lookup_chan(chan, CR_RIGHT_READ, &ch);
    if (rc != 0) {
        return rc;
    }
    if (ch->rt == NULL) {
        return -CR_EINVAL;
    }
    struct reply_slot *s = reply_lookup(ch->rt, rcvid, idx);
    if (s == NULL || s->state == RS_RECEIVING) {
        return -CR_ESRCH;
    }
    struct tcb *self = sched_current();
    if (s->state != RS_OPEN && (s->op != self || s->state != op)) {
        return -CR_EBUSY; /* another server thread is copying on this exchange */
    }
    *rt = ch->rt;
    return 0;
}

/*
 * msg_error(chan, rcvid, err): ends the exchange; the client's msg_sendv returns -err. No
 * capability goes, and the caller's named ones are used up. Errors: as msg_replyv, EINVAL
 * (err not in 1..4095), EBUSY (any copy in progress on the exchange, the caller's own
 * included). O(1) plus a handoff and the inheritance chain.
 */
int64_t
sys_msg_error(uint64_t chan, uint64_t rcvid, uint64_t err)
{
    struct reply_table *rt;
    uint32_t idx;
    int rc = msg_lookup_open(chan, rcvid, &rt, &idx, RS_OPEN);
    if (rc != 0) {
        return rc;
    }
    if (err == 0 || err > ERR_MAX) {
        return -CR_EINVAL;
    }
    if (reply_slots(rt)[idx].state != RS_OPEN) {
        return -CR_EBUSY;
    }
    sched_current()->xfer.nsend = 0; /* an error carries no capabilities */
    exchange_finish(rt, idx, -(int64_t)err);
    return 0;
}

static int64_t
read_write(uint64_t chan, uint64_t rcvid, uint64_t offset, uint64_t iov, uint64_t n,
           bool write)
{
    struct tcb *self = sched_current();
    struct reply_table *rt;
    uint32_t idx;
    unsigned op = write ? RS_WRITING : RS_READING;
    int rc = msg_lookup_open(chan, rcvid, &rt, &idx, op);
    if (rc != 0) {
        return rc;
    }
    if (n > CR_IOV_MAX) {
        return -CR_EINVAL;
    }
    struct reply_slot *s = &reply_slots(rt)[idx];
    struct tcb *c = s->client;
    uint64_t len = write ? c->ipc.reply_len : c->ipc.send_len;
    if (offset >= len) {
        return 0;
    }
    if (s->state == RS_OPEN) {
        exchange_op_begin(self, rt, idx, op);
    }
    struct ipc_side mine = { self, iov, (uint32_t)n, 0, NULL, 0 };
    struct ipc_side theirs = msg_client_side(c, write, offset);
    int side;
    rc = write ? ipc_copy(&mine, &theirs, &s->done, &side)
               : ipc_copy(&theirs, &mine, &s->done, &side);
    if (rc == -ERESTART) {
        return rc;
    }
    uint64_t done = s->done;
    exchange_op_end(self, rt, idx);
    if (rc != 0) {
        bool ours = (side == IPC_FAULT_SRC) == write;
        if (ours) {
            return rc;
        }
        exchange_finish(rt, idx, rc); /* the client's buffers are bad: it gets the error */
        return -CR_ESRCH;
    }
    return (int64_t)done;
}

/*
 * msg_read(chan, rcvid, offset, iov, n): copies the client's message from byte `offset`
 * into iov; returns the bytes copied (0 at or past the end). Errors: as msg_replyv
 * (without the status check); a client whose own send buffers are bad gets EFAULT, its
 * exchange ends and the call returns ESRCH. Preemptible.
 */
int64_t
sys_msg_read(uint64_t chan, uint64_t rcvid, uint64_t offset, uint64_t iov, uint64_t n)
{
    return msg_settle(sched_current(), read_write(chan, rcvid, offset, iov, n, false));
}

/*
 * msg_write(chan, rcvid, offset, iov, n): copies iov into the client's reply buffers at
 * byte `offset` before the reply; returns the bytes copied. Errors: as msg_read.
 */
int64_t
sys_msg_write(uint64_t chan, uint64_t rcvid, uint64_t offset, uint64_t iov, uint64_t n)
{
    return msg_settle(sched_current(), read_write(chan, rcvid, offset, iov, n, true));
}

