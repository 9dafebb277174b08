/* SPDX-License-Identifier: MIT */
/*
 * The message-passing calls (docs/ipc.md): channel_bind, pulse_send, msg_sendv,
 * msg_receivev, msg_replyv, msg_reply_recv, msg_error, msg_read and msg_write. The
 * bookkeeping of exchanges (slots, handoff, unwinding) is in exchange.c.
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
 * Not yet (issue #3): the register fast path, a direct switch without a scheduler pass,
 * timeslice donation, boosting by clients still queued.
 */
#include <kernel/capxfer.h>
#include <kernel/channel.h>
#include <kernel/cnode.h>
#include <kernel/errors.h>
#include <kernel/exchange.h>
#include <kernel/inherit.h>
#include <kernel/ipccopy.h>
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

static int64_t receive(uint64_t chan, uint64_t iov, uint64_t n, uint64_t info,
                       unsigned sysno);
static int64_t reply(uint64_t chan, uint64_t rcvid, uint64_t status, uint64_t iov,
                     uint64_t n);

/*
 * Every message call a server makes ends here unless it will be restarted: an operation
 * it still owns (its call failed a check after being restarted) is given up, and the
 * "waiting in receive" mark is cleared unless it is blocked in a receive right now.
 */
static int64_t
settle(struct tcb *self, int64_t rc)
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

static int
lookup_chan(uint64_t cptr, uint32_t need, struct channel **out)
{
    struct slot *s;
    int rc = cnode_lookup_cap(sched_current(), cptr, CR_OBJ_CHANNEL, &s);
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
    int rc = lookup_chan(chan, CR_RIGHT_READ, &ch); /* the server's side, not a client's */
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
    struct slot *cs;
    int rc = cnode_lookup_cap(self, conn, CR_OBJ_CHANNEL, &cs);
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
    struct channel *ch = phys_to_virt(cs->cap.obj);
    if (sn > CR_IOV_MAX || rn > CR_IOV_MAX || ch->rt == NULL) {
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
    self->ipc = (struct tcb_ipc){
        .chan = ch, .sn = (uint32_t)sn, .rn = (uint32_t)rn, .siov = siov, .riov = riov,
        .send_len = slen, .reply_len = rlen, .badge = cs->cap.w1,
    };
    sched_remove(self);
    self->state = TS_BLOCKED_SEND;
    waitq_insert(&ch->msg_senders, self, ch);
    exchange_handoff(ch); /* straight to a waiting server if there is one */
    return -CR_EINTR; /* replaced by the reply */
}

/* Delivers the oldest pulse of ch to the receiving thread: rcvid 0. */
static int64_t
take_pulse(struct tcb *self, struct channel *ch, const struct cr_pulse *p, uint64_t iov,
           uint32_t n, uint64_t info)
{
    uint64_t copied;
    int rc = ipc_copy_out(self, iov, n, p, sizeof(*p), &copied);
    if (rc != 0) {
        return rc; /* the pulse stays queued */
    }
    struct cr_msg_info mi = { .badge = p->badge, .send_len = sizeof(*p), .copied = copied };
    rc = copy_to_user(self, uaddr(info), &mi, sizeof(mi));
    if (rc != 0) {
        return rc;
    }
    pulse_drop(ch->pq);
    return 0;
}

static int
fill_info(struct tcb *self, uint64_t info, struct reply_table *rt, uint32_t idx,
          uint64_t copied, uint64_t caps)
{
    struct tcb *c = reply_slots(rt)[idx].client;
    struct cr_msg_info mi = {
        .rcvid = reply_rcvid(rt, idx),
        .badge = c->ipc.badge,
        .send_len = c->ipc.send_len,
        .reply_len = c->ipc.reply_len,
        .copied = copied,
        .caps = caps,
    };
    return copy_to_user(self, uaddr(info), &mi, sizeof(mi));
}

/*
 * msg_receivev(chan, iov, n, info): waits for a message, copies as much as fits into
 * iov and describes it in struct cr_msg_info at info. Returns the rcvid (> 0), or 0 for a
 * pulse (taken before messages; the struct cr_pulse is copied into iov). Errors:
 * EBADCAP/ENOCAP/EWRONGTYPE/EBUSY (chan), EPERM (no READ right), EINVAL (n > CR_IOV_MAX,
 * neither a reply table nor a pulse queue bound, a wrapping iov entry), EFAULT (info, iov
 * or its buffers not writable: a pulse stays queued, a client goes back on the queue
 * behind those of its priority, to be copied again from byte 0), EBUSY (a client waits
 * but every reply slot holds an open exchange), ETIMEDOUT, EREVOKED (channel or table
 * destroyed while waiting), EINTR (wait abandoned). Blocks. Preemptible: progress in the
 * reply slot. A client whose own buffers turn out bad gets EFAULT and the receive goes on
 * with the next message.
 */
int64_t
sys_msg_receivev(uint64_t chan, uint64_t iov, uint64_t n, uint64_t info)
{
    return settle(sched_current(), receive(chan, iov, n, info, CR_SYS_msg_receivev));
}

static int64_t
receive(uint64_t chan, uint64_t iov, uint64_t n, uint64_t info, unsigned sysno)
{
    struct tcb *self = sched_current();
    self->ipc.in_receive = 0; /* set again only if it blocks below */
    struct channel *ch;
    int rc = lookup_chan(chan, CR_RIGHT_READ, &ch);
    if (rc != 0) {
        return rc;
    }
    if (n > CR_IOV_MAX || (ch->rt == NULL && ch->pq == NULL)) {
        return -CR_EINVAL;
    }
    struct reply_table *rt = ch->rt;
    if (self->ipc.op_rt != NULL && self->ipc.op_rt != rt) {
        exchange_release_op(self); /* restarted on another channel: give the old one up */
    }
    /* Bounded: each pass either returns or ends one client's exchange with EFAULT. */
    for (;;) {
        uint32_t idx = self->ipc.op_slot;
        if (idx == 0 || rt == NULL || self->ipc.op_rt != rt ||
            reply_slots(rt)[idx].state != RS_RECEIVING) {
            struct cr_pulse p;
            if (ch->pq != NULL && pulse_peek(ch->pq, &p)) {
                self->ipc.in_receive = 0;
                return take_pulse(self, ch, &p, iov, (uint32_t)n, info);
            }
            struct tcb *c = rt != NULL ? ch->msg_senders.head : NULL;
            if (c == NULL) {
                /* Before waiting, make sure the info can be written (later, a bad one
                 * would only be found with a message in hand). */
                struct cr_msg_info probe = { 0 };
                rc = copy_to_user(self, uaddr(info), &probe, sizeof(probe));
                if (rc == 0) {
                    rc = timeout_block(self);
                }
                if (rc != 0) {
                    return rc;
                }
                sched_remove(self);
                self->ipc.recv_sysno = sysno;
                self->ipc.in_receive = 1;
                self->state = TS_BLOCKED_MSG_RECV;
                waitq_insert(&ch->msg_receivers, self, ch);
                return -CR_EINTR;
            }
            if (reply_alloc(rt, c, &idx) == NULL) {
                return -CR_EBUSY;
            }
            waitq_remove(&ch->msg_senders, c);
            c->ipc.rt = rt;
            c->ipc.slot = idx;
            c->state = TS_BLOCKED_REPLY;
            exchange_op_begin(self, rt, idx, RS_RECEIVING);
            inherit_hold(self, &reply_slots(rt)[idx], c->prio);
        }
        struct reply_slot *s = &reply_slots(rt)[idx];
        struct tcb *c = s->client;
        if (c->xfer.nsend > 0 && s->done == 0) {
            /* Capabilities move before info is written: check info first, so a bad one
             * leaves them with the client (other messages find out at the write). */
            struct cr_msg_info probe = { 0 };
            rc = copy_to_user(self, uaddr(info), &probe, sizeof(probe));
            if (rc != 0) {
                exchange_op_end(self, rt, idx);
                exchange_requeue(rt, idx);
                exchange_handoff(ch);
                return rc;
            }
        }
        struct ipc_side src = { c, c->ipc.siov, c->ipc.sn, 0 };
        struct ipc_side dst = { self, iov, (uint32_t)n, 0 };
        int side = IPC_FAULT_NONE;
        rc = c->ipc.send_len == 0 ? 0 : ipc_copy(&src, &dst, &s->done, &side);
        if (rc == -ERESTART) {
            return rc;
        }
        self->ipc.in_receive = 0;
        if (rc == 0) {
            uint64_t copied = s->done;
            exchange_op_end(self, rt, idx);
            unsigned caps = capxfer_move(c, self);
            rc = fill_info(self, info, rt, idx, copied, caps);
            if (rc == 0) {
                return (int64_t)reply_rcvid(rt, idx);
            }
            side = IPC_FAULT_DST;
        }
        if (side == IPC_FAULT_SRC) {
            exchange_op_end(self, rt, idx);
            exchange_finish(rt, idx, rc); /* the client's buffers: its error; take the next */
            if (sched_preempt_pending()) {
                return -ERESTART;
            }
            continue;
        }
        exchange_op_end(self, rt, idx);
        exchange_requeue(rt, idx); /* our buffers: the message waits for a better receive */
        exchange_handoff(ch);
        return rc;
    }
}

static int
lookup_open(uint64_t chan, uint64_t rcvid, struct reply_table **rt, uint32_t *idx,
            unsigned op)
{
    struct channel *ch;
    int rc = lookup_chan(chan, CR_RIGHT_READ, &ch);
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
 * msg_replyv(chan, rcvid, status, iov, n): copies the reply into the client's reply
 * buffers (as much as fits) and ends the exchange; the client's msg_sendv returns
 * status. Errors: EBADCAP/ENOCAP/EWRONGTYPE/EBUSY (chan), EPERM (no READ right), EINVAL
 * (n > CR_IOV_MAX, status < 0, no reply table), ESRCH (rcvid stale, forged or its client
 * gone), EBUSY (another thread is copying on the exchange), EFAULT or EINVAL (our iov or
 * buffers bad: the exchange stays open, the named capabilities stay named). A client whose
 * reply arrays or buffers are bad gets EFAULT (or EINVAL) and the call returns 0. The
 * capabilities named with msg_caps go to the client only with a good copy (no right
 * needed); ending the exchange uses the list up. Preemptible: progress in the reply slot.
 */
int64_t
sys_msg_replyv(uint64_t chan, uint64_t rcvid, uint64_t status, uint64_t iov, uint64_t n)
{
    return settle(sched_current(), reply(chan, rcvid, status, iov, n));
}

static int64_t
reply(uint64_t chan, uint64_t rcvid, uint64_t status, uint64_t iov, uint64_t n)
{
    struct tcb *self = sched_current();
    struct reply_table *rt;
    uint32_t idx;
    int rc = lookup_open(chan, rcvid, &rt, &idx, RS_REPLYING);
    if (rc != 0) {
        return rc;
    }
    if (n > CR_IOV_MAX || (int64_t)status < 0) {
        return -CR_EINVAL;
    }
    struct reply_slot *s = &reply_slots(rt)[idx];
    if (s->state == RS_OPEN) {
        exchange_op_begin(self, rt, idx, RS_REPLYING);
    }
    struct tcb *c = s->client;
    struct ipc_side src = { self, iov, (uint32_t)n, 0 };
    struct ipc_side dst = { c, c->ipc.riov, c->ipc.rn, 0 };
    int side = IPC_FAULT_NONE;
    /* Nothing fits in a client with no reply buffers: nothing to read either. */
    rc = c->ipc.reply_len == 0 ? 0 : ipc_copy(&src, &dst, &s->done, &side);
    if (rc == -ERESTART) {
        return rc;
    }
    exchange_op_end(self, rt, idx);
    if (rc != 0 && side == IPC_FAULT_SRC) {
        return rc;
    }
    if (rc == 0) {
        capxfer_move(self, c); /* capabilities for the client's window */
    }
    self->xfer.nsend = 0; /* the named capabilities were for this reply only */
    exchange_finish(rt, idx, rc != 0 ? rc : (int64_t)status);
    return 0;
}

/*
 * msg_reply_recv(chan, rcvid, status, iov, n, recv): msg_replyv(chan, rcvid, status, iov,
 * n), then msg_receivev with the struct cr_msg_recv at `recv` — a server loop in one
 * kernel entry per request. Returns what the receive returns. Errors: EFAULT (recv
 * unreadable; checked first, nothing is replied), those of msg_replyv (then nothing is
 * received), then those of msg_receivev. When the call restarts (preempted, or woken to
 * take a message or pulse) after its reply is done, it goes straight to the receive.
 */
static int64_t
reply_recv(uint64_t chan, uint64_t rcvid, uint64_t status, uint64_t iov, uint64_t n,
                   uint64_t recv)
{
    struct tcb *self = sched_current();
    struct cr_msg_recv r;
    int rc = copy_from_user(self, &r, uaddr(recv), sizeof(r));
    if (rc != 0) {
        return rc;
    }
    /* On a restart (preempted, or woken with work) the reply half is already done, even
     * if the client it was copying for has left since. */
    if (!self->ipc.reply_done) {
        int64_t err = reply(chan, rcvid, status, iov, n);
        if (err != 0) {
            return err;
        }
        self->ipc.reply_done = 1;
    }
    return receive(chan, r.iov, r.n, r.info, CR_SYS_msg_reply_recv);
}

int64_t
sys_msg_reply_recv(uint64_t chan, uint64_t rcvid, uint64_t status, uint64_t iov, uint64_t n,
                   uint64_t recv)
{
    return settle(sched_current(), reply_recv(chan, rcvid, status, iov, n, recv));
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
    int rc = lookup_open(chan, rcvid, &rt, &idx, RS_OPEN);
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
    int rc = lookup_open(chan, rcvid, &rt, &idx, op);
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
    struct ipc_side mine = { self, iov, (uint32_t)n, 0 };
    struct ipc_side theirs = { c, write ? c->ipc.riov : c->ipc.siov,
                               write ? c->ipc.rn : c->ipc.sn, offset };
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
    return settle(sched_current(), read_write(chan, rcvid, offset, iov, n, false));
}

/*
 * msg_write(chan, rcvid, offset, iov, n): copies iov into the client's reply buffers at
 * byte `offset` before the reply; returns the bytes copied. Errors: as msg_read.
 */
int64_t
sys_msg_write(uint64_t chan, uint64_t rcvid, uint64_t offset, uint64_t iov, uint64_t n)
{
    return settle(sched_current(), read_write(chan, rcvid, offset, iov, n, true));
}

