/* SPDX-License-Identifier: MIT */
/*
 * The server's half of message passing (docs/ipc.md): msg_receivev, msg_replyv and
 * msg_reply_recv, and the receive and reply they share with the register calls
 * (regs.c). A receive takes a pulse first, else the first queued client into a reply
 * slot, copies its message (preemptibly, progress in the slot) and reports it; with
 * nothing to take it blocks, and a sender or pulse_send restarts it later. A reply copies
 * into the client's reply buffers and ends the exchange.
 */
#include <kernel/capxfer.h>
#include <kernel/channel.h>
#include <kernel/errors.h>
#include <kernel/exchange.h>
#include <kernel/inherit.h>
#include <kernel/msg.h>
#include <kernel/pulse.h>
#include <kernel/reply.h>
#include <kernel/sched.h>
#include <kernel/switch.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/tcb.h>
#include <kernel/timeout.h>
#include <kernel/usercopy.h>
#include <arch/cpu.h>
#include <courier/abi/msg.h>
#include <courier/abi/syscall_nr.h>

/* Reports a received message or pulse: struct cr_msg_info in memory, or registers. */
static int
deliver_info(struct tcb *self, const struct recv_to *to, const struct cr_msg_info *mi)
{
    if (to->regs) {
        uint64_t r[5] = { mi->badge, mi->send_len, mi->reply_len, mi->copied, mi->caps };
        arch_context_set_results(&self->ctx, r);
        return 0;
    }
    return copy_to_user(self, uaddr(to->info), mi, sizeof(*mi));
}

/* A receive into memory checks its info is writable before anything moves. */
static int
probe_info(struct tcb *self, const struct recv_to *to)
{
    return to->regs ? 0 : usercopy_probe(self, uaddr(to->info), sizeof(struct cr_msg_info),
                                         true);
}

/* Delivers the oldest pulse of ch to the receiving thread: rcvid 0. */
static int64_t
take_pulse(struct tcb *self, struct channel *ch, const struct cr_pulse *p,
           const struct recv_to *to)
{
    uint64_t copied = sizeof(*p);
    if (to->regs) {
        _Static_assert(sizeof(*p) <= CR_MSG_REG_BYTES, "a pulse fits the registers");
        memcpy(arch_context_msg_regs(&self->ctx), p, sizeof(*p));
    } else {
        int rc = ipc_copy_out(self, to->iov, to->n, p, sizeof(*p), &copied);
        if (rc != 0) {
            return rc; /* the pulse stays queued */
        }
    }
    struct cr_msg_info mi = { .badge = p->badge, .send_len = sizeof(*p), .copied = copied };
    int rc = deliver_info(self, to, &mi);
    if (rc != 0) {
        return rc;
    }
    pulse_drop(ch->pq);
    return 0;
}

static int
fill_info(struct tcb *self, const struct recv_to *to, struct reply_table *rt, uint32_t idx,
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
    return deliver_info(self, to, &mi);
}

/* Puts the caller in its receive on ch, blocked (a sender or a pulse restarts the call). */
static void
recv_block(struct tcb *self, struct channel *ch, const struct recv_to *to, unsigned sysno)
{
    sched_remove(self);
    self->ipc.recv_sysno = sysno;
    self->ipc.recv_regs = to->regs;
    self->ipc.recv_n = to->n;
    self->ipc.recv_iov = to->iov;
    self->ipc.recv_info = to->info;
    self->ipc.in_receive = 1;
    self->state = TS_BLOCKED_MSG_RECV;
    waitq_insert(&ch->msg_receivers, self, ch);
}

/* Blocks the caller in its receive on ch, after the checks waiting needs. */
static int64_t
wait_receive(struct tcb *self, struct channel *ch, const struct recv_to *to, unsigned sysno)
{
    /* Before waiting, make sure the info can be written (later, a bad one would only be
     * found with a message in hand). */
    int rc = probe_info(self, to);
    if (rc == 0) {
        rc = timeout_block(self);
    }
    if (rc != 0) {
        return rc;
    }
    recv_block(self, ch, to, sysno);
    return -CR_EINTR;
}

/*
 * Whether msg_receive on ch (the channel self has just replied on, looked up with the
 * READ right; no capability moved since) would go straight to wait_receive and block
 * there: its arguments pass, no pulse or client waits, no deadline is to be armed and
 * its info is writable. O(1).
 */
static bool
receive_would_wait(struct tcb *self, struct channel *ch, const struct recv_to *to)
{
    return to->n <= CR_IOV_MAX && self->timeout_call == 0 && ch->msg_senders.head == NULL &&
           (ch->pq == NULL || ch->pq->count == 0) && probe_info(self, to) == 0;
}

/*
 * A memory server's receive, done by the sender (msg_sendv, or msg_send_regs off the fast
 * path): when the first thread waiting on ch waits in msg_receivev or msg_reply_recv,
 * nobody is queued ahead, the sender names no capabilities and a slot is free, the sender
 * takes the slot (REPLY-blocked) and copies its message into the server's buffers (as
 * recorded when it blocked) in its own call. If the copy and the info are done, the
 * server's call completes with the rcvid without running again; otherwise (a preemption
 * check found one pending, or either side's memory is bad) the server's call is restarted
 * as after a handoff, owning the receive with the progress made, and finishes it as any
 * receive would, errors included. Either way the server is ready and runs next if it can
 * (sched_switch_now: at once, else sched_direct). Returns false, having changed nothing,
 * when the conditions do not hold. Bounded: one ipc_copy, which gives up at its first
 * pending preemption.
 */
bool
msg_receive_direct(struct tcb *self, struct channel *ch)
{
    struct tcb *server = ch->msg_receivers.head;
    struct reply_table *rt = ch->rt;
    uint32_t idx;
    if (server == NULL || server->ipc.recv_regs || self->xfer.nsend != 0 ||
        ch->msg_senders.head != NULL || reply_alloc(rt, self, &idx) == NULL) {
        return false;
    }
    sched_remove(self);
    waitq_remove(&ch->msg_receivers, server);
    timeout_cancel(server); /* it got its message: the receive completes */
    self->ipc.rt = rt;
    self->ipc.slot = idx;
    self->state = TS_BLOCKED_REPLY;
    exchange_op_begin(server, rt, idx, RS_RECEIVING);
    inherit_hold(server, &reply_slots(rt)[idx], self->prio);
    inherit_serving(server, ch);
    struct reply_slot *s = &reply_slots(rt)[idx];
    struct recv_to to = { server->ipc.recv_iov, server->ipc.recv_n, server->ipc.recv_info,
                          false };
    struct ipc_side src = msg_client_side(self, false, 0);
    struct ipc_side dst = { server, to.iov, to.n, 0, NULL, 0 };
    int side;
    int rc = self->ipc.send_len == 0 ? 0 : ipc_copy(&src, &dst, &s->done, &side);
    if (rc == 0) {
        rc = fill_info(server, &to, rt, idx, s->done, 0);
    }
    if (rc == 0) {
        exchange_op_end(server, rt, idx);
        server->ipc.in_receive = 0; /* its call completes, as msg_settle would leave it */
        server->ipc.reply_done = 0;
        arch_context_set_result(&server->ctx, (int64_t)reply_rcvid(rt, idx));
    } else {
        arch_context_restart_syscall(&server->ctx, (uint64_t)-(int64_t)server->ipc.recv_sysno);
    }
    server->state = TS_READY;
    if (!sched_switch_now(server, true)) {
        sched_make_ready(server);
        sched_direct(server, true);
    }
    return true;
}

/*
 * The receive of msg_receivev, msg_reply_recv and msg_reply_recv_regs: see
 * sys_msg_receivev for what it does and its errors.
 */
int64_t
msg_receive(uint64_t chan, const struct recv_to *to, unsigned sysno)
{
    struct tcb *self = sched_current();
    self->ipc.in_receive = 0; /* set again only if it blocks below */
    struct channel *ch;
    int rc = msg_lookup_chan(chan, CR_RIGHT_READ, &ch);
    if (rc != 0) {
        return rc;
    }
    if (to->n > CR_IOV_MAX || (ch->rt == NULL && ch->pq == NULL)) {
        return -CR_EINVAL;
    }
    struct reply_table *rt = ch->rt;
    if (self->ipc.op_rt != NULL && self->ipc.op_rt != rt) {
        exchange_release_op(self); /* restarted on another channel: give the old one up */
    }
    struct ipc_side dst = { self, to->iov, to->n, 0, NULL, 0 };
    if (to->regs) {
        dst.kbuf = arch_context_msg_regs(&self->ctx);
        dst.kbuf_len = CR_MSG_REG_BYTES;
    }
    /* Bounded: each pass either returns or ends one client's exchange with EFAULT. */
    for (;;) {
        uint32_t idx = self->ipc.op_slot;
        if (idx == 0 || rt == NULL || self->ipc.op_rt != rt ||
            reply_slots(rt)[idx].state != RS_RECEIVING) {
            struct cr_pulse p;
            if (ch->pq != NULL && pulse_peek(ch->pq, &p)) {
                return take_pulse(self, ch, &p, to);
            }
            struct tcb *c = rt != NULL ? ch->msg_senders.head : NULL;
            if (c == NULL) {
                return wait_receive(self, ch, to, sysno);
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
            inherit_serving(self, ch);
        }
        struct reply_slot *s = &reply_slots(rt)[idx];
        struct tcb *c = s->client;
        if (c->xfer.nsend > 0 && s->done == 0) {
            /* Capabilities move before info is written: check info first, so a bad one
             * leaves them with the client (other messages find out at the write). */
            rc = probe_info(self, to);
            if (rc != 0) {
                exchange_op_end(self, rt, idx);
                exchange_requeue(rt, idx);
                exchange_handoff(ch);
                return rc;
            }
        }
        struct ipc_side src = msg_client_side(c, false, 0);
        int side = IPC_FAULT_NONE;
        rc = c->ipc.send_len == 0 ? 0 : ipc_copy(&src, &dst, &s->done, &side);
        if (rc == -ERESTART) {
            return rc;
        }
        if (rc == 0) {
            uint64_t copied = s->done;
            exchange_op_end(self, rt, idx);
            unsigned caps = capxfer_move(c, self);
            rc = fill_info(self, to, rt, idx, copied, caps);
            if (rc == 0) {
                return (int64_t)reply_rcvid(rt, idx);
            }
            side = IPC_FAULT_DST;
        }
        if (side == IPC_FAULT_SRC) {
            exchange_op_end(self, rt, idx);
            exchange_finish(rt, idx, rc); /* the client's buffers: its error; take the next */
            if (sched_preempt_check()) {
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
    struct recv_to to = { iov, n > CR_IOV_MAX ? CR_IOV_MAX + 1 : (uint32_t)n, info, false };
    return msg_settle(sched_current(), msg_receive(chan, &to, CR_SYS_msg_receivev));
}

/*
 * The reply of msg_replyv, msg_reply_recv and msg_reply_recv_regs, from src (the
 * caller's iov list or its message registers): see sys_msg_replyv. Returns 0 when
 * replied, or an error.
 *
 * `then` is the receive the caller makes next (msg_reply_recv: with `sysno`), or NULL.
 * When that receive would block at once (receive_would_wait), the reply does it too:
 * the caller waits in its receive (as wait_receive leaves it) and the client, never
 * queued, runs next if a scheduler pass would pick it (sched_switch_now, as a send to a
 * waiting server does); returns 1. Same results as the reply and then msg_receive.
 */
int64_t
msg_reply(uint64_t chan, uint64_t rcvid, uint64_t status, const struct ipc_side *src,
          const struct recv_to *then, unsigned sysno)
{
    struct tcb *self = sched_current();
    struct reply_table *rt;
    uint32_t idx;
    int rc = msg_lookup_open(chan, rcvid, &rt, &idx, RS_REPLYING);
    if (rc != 0) {
        return rc;
    }
    bool bad_len = src->kbuf != NULL ? src->kbuf_len > CR_MSG_REG_BYTES : src->n > CR_IOV_MAX;
    if (bad_len || (int64_t)status < 0) {
        return -CR_EINVAL;
    }
    struct reply_slot *s = &reply_slots(rt)[idx];
    if (s->state == RS_OPEN) {
        exchange_op_begin(self, rt, idx, RS_REPLYING);
    }
    struct tcb *c = s->client;
    struct ipc_side dst = msg_client_side(c, true, 0);
    int side = IPC_FAULT_NONE;
    /* Nothing fits in a client with no reply buffers: nothing to read either. */
    rc = c->ipc.reply_len == 0 ? 0 : ipc_copy(src, &dst, &s->done, &side);
    if (rc == -ERESTART) {
        return rc;
    }
    exchange_op_end(self, rt, idx);
    if (rc != 0 && side == IPC_FAULT_SRC) {
        return rc;
    }
    int64_t result = rc != 0 ? rc : (int64_t)status;
    if (self->xfer.nsend != 0) {
        if (rc == 0) {
            capxfer_move(self, c); /* capabilities for the client's window */
        }
        self->xfer.nsend = 0; /* the named capabilities were for this reply only */
    } else if (then != NULL && receive_would_wait(self, rt->chan, then)) {
        exchange_end(rt, idx, result); /* no client waits: no handoff to make */
        self->ipc.reply_done = 1;
        recv_block(self, rt->chan, then, sysno);
        if (!sched_switch_now(c, false)) {
            sched_make_ready(c);
            sched_direct(c, false);
        }
        return 1;
    }
    exchange_finish(rt, idx, result);
    sched_direct(c, false); /* if we block next, the client runs without a pass */
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
    struct tcb *self = sched_current();
    struct ipc_side src = { self, iov, n > CR_IOV_MAX ? CR_IOV_MAX + 1 : (uint32_t)n, 0,
                            NULL, 0 };
    return msg_settle(self, msg_reply(chan, rcvid, status, &src, NULL, 0));
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
    struct recv_to to = { r.iov, r.n > CR_IOV_MAX ? CR_IOV_MAX + 1 : (uint32_t)r.n, r.info,
                          false };
    /* On a restart (preempted, or woken with work) the reply half is already done, even
     * if the client it was copying for has left since. */
    if (!self->ipc.reply_done) {
        struct ipc_side src = { self, iov, n > CR_IOV_MAX ? CR_IOV_MAX + 1 : (uint32_t)n, 0,
                                NULL, 0 };
        int64_t err = msg_reply(chan, rcvid, status, &src, &to, CR_SYS_msg_reply_recv);
        if (err != 0) {
            return err > 0 ? -CR_EINTR : err; /* 1: waiting in the receive already */
        }
        self->ipc.reply_done = 1;
    }
    return msg_receive(chan, &to, CR_SYS_msg_reply_recv);
}

int64_t
sys_msg_reply_recv(uint64_t chan, uint64_t rcvid, uint64_t status, uint64_t iov, uint64_t n,
                   uint64_t recv)
{
    return msg_settle(sched_current(), reply_recv(chan, rcvid, status, iov, n, recv));
}
