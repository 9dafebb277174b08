/* SPDX-License-Identifier: MIT */
/*
 * The life of an exchange (docs/ipc.md): a client moving from a channel's send queue
 * into a reply slot and out again, the operation a server thread has in progress on a
 * slot, the handing of queued clients to waiting servers, and the unwinding when a
 * thread stops or a channel or reply table dies. The calls themselves are in msg.c.
 * Every function here is O(1) except as noted.
 */
#include <kernel/exchange.h>
#include <kernel/channel.h>
#include <kernel/errors.h>
#include <kernel/inherit.h>
#include <kernel/pulse.h>
#include <kernel/reply.h>
#include <kernel/sched.h>
#include <kernel/tcb.h>
#include <kernel/timeout.h>
#include <arch/cpu.h>
#include <courier/abi/syscall_nr.h>

/*
 * Gives queued clients to waiting servers while reply slots are free: each server's
 * receive is restarted to copy its message. Returns the last server given one, or NULL.
 * Bounded by min(clients, servers, slots).
 */
struct tcb *
exchange_handoff(struct channel *ch)
{
    struct reply_table *rt = ch->rt;
    struct tcb *c;
    struct tcb *server;
    struct tcb *last = NULL;
    uint32_t idx;
    while (rt != NULL && (c = ch->msg_senders.head) != NULL &&
           (server = ch->msg_receivers.head) != NULL && reply_alloc(rt, c, &idx) != NULL) {
        waitq_remove(&ch->msg_senders, c);
        waitq_remove(&ch->msg_receivers, server);
        c->ipc.rt = rt;
        c->ipc.slot = idx;
        c->state = TS_BLOCKED_REPLY;
        exchange_op_begin(server, rt, idx, RS_RECEIVING);
        inherit_hold(server, &reply_slots(rt)[idx], c->prio);
        inherit_serving(server, ch);
        timeout_cancel(server); /* it got its message: the receive completes */
        arch_context_restart_syscall(&server->ctx, (uint64_t)-(int64_t)server->ipc.recv_sysno);
        server->state = TS_READY;
        sched_make_ready(server);
        last = server;
    }
    return last;
}

/*
 * The client in slot idx leaves its exchange with `result`, READY but on no queue (the
 * caller queues it or switches to it); the slot is freed. Returns the client.
 */
struct tcb *
exchange_end(struct reply_table *rt, uint32_t idx, int64_t result)
{
    struct tcb *c = reply_slots(rt)[idx].client;
    c->ipc.rt = NULL;
    c->ipc.slot = 0;
    reply_free(rt, idx);
    timeout_cancel(c);
    arch_context_set_result(&c->ctx, result);
    c->state = TS_READY;
    return c;
}

/* The client in slot idx leaves its exchange with `result`, ready to run; the slot goes
 * to a queued client if a server waits. */
void
exchange_finish(struct reply_table *rt, uint32_t idx, int64_t result)
{
    sched_make_ready(exchange_end(rt, idx, result));
    if (rt->chan != NULL) {
        exchange_handoff(rt->chan);
    }
}

/* Puts the client of slot idx back on its channel's send queue (not received after all). */
void
exchange_requeue(struct reply_table *rt, uint32_t idx)
{
    struct tcb *c = reply_slots(rt)[idx].client;
    c->ipc.rt = NULL;
    c->ipc.slot = 0;
    reply_free(rt, idx);
    c->state = TS_BLOCKED_SEND;
    waitq_insert(&c->ipc.chan->msg_senders, c, c->ipc.chan);
    inherit_queue_changed(c->ipc.chan);
}

/*
 * Thread t stops (suspended, registers rewritten, destroyed, or its deadline passed):
 * undo its IPC links. A SEND-blocked client or a waiting server is left on its queue for
 * the caller's tcb_detach_wait; a client in a slot leaves its exchange (the server's later
 * reply gets ESRCH); a server with a copy in progress gives it up (a message it was
 * receiving goes back to the queue). O(1) plus a handoff and the inheritance chain.
 */
void
ipc_abort(struct tcb *t)
{
    if (t->ipc.in_receive && t->state == TS_READY) {
        /* Woken to run its receive again, stopped before it did: the call ends with EINTR
         * instead of running again (a msg_reply_recv would otherwise redo its reply). */
        arch_context_cancel_restart(&t->ctx, -CR_EINTR);
    }
    t->ipc.in_receive = 0;
    t->ipc.reply_done = 0;
    if (t->state == TS_BLOCKED_REPLY && t->ipc.rt != NULL) {
        struct reply_table *rt = t->ipc.rt;
        uint32_t idx = t->ipc.slot;
        struct reply_slot *s = &reply_slots(rt)[idx];
        if (s->op != NULL) {
            s->op->ipc.op_rt = NULL;
            s->op->ipc.op_slot = 0;
        }
        t->ipc.rt = NULL;
        t->ipc.slot = 0;
        reply_free(rt, idx);
        if (rt->chan != NULL) {
            exchange_handoff(rt->chan);
        }
    }
    exchange_release_op(t);
}

/* exchange_release_op for t, which owns an operation (op_rt set). */
void
exchange_give_up_op(struct tcb *t)
{
    struct reply_table *rt = t->ipc.op_rt;
    uint32_t idx = t->ipc.op_slot;
    if (reply_slots(rt)[idx].state == RS_RECEIVING) {
        exchange_op_end(t, rt, idx);
        exchange_requeue(rt, idx);
        if (rt->chan != NULL) {
            exchange_handoff(rt->chan);
        }
    } else {
        exchange_op_end(t, rt, idx);
    }
}

static void
fail_table(struct reply_table *rt)
{
    /* Bounded by the table size (at most 2^CR_REPLY_MAX_BITS slots). */
    for (uint32_t i = 1; i < rt->fresh; i++) {
        struct reply_slot *s = &reply_slots(rt)[i];
        if (s->state != RS_FREE) {
            if (s->op != NULL) {
                s->op->ipc.op_rt = NULL;
                s->op->ipc.op_slot = 0;
            }
            exchange_finish(rt, i, -CR_EREVOKED);
        }
        inherit_release(s); /* no credit stays parked on it (inherit_park) */
    }
}

static void
fail_queues(struct channel *ch)
{
    struct tcb *t;
    /* Bounded by the number of threads blocked on the channel. */
    while ((t = waitq_pop(&ch->msg_senders)) != NULL) {
        tcb_unblock(t, -CR_EREVOKED);
    }
    inherit_queue_changed(ch);
    while ((t = waitq_pop(&ch->msg_receivers)) != NULL) {
        t->ipc.in_receive = 0;
        t->ipc.reply_done = 0;
        tcb_unblock(t, -CR_EREVOKED);
    }
}

/* The channel's last capability is gone: every client and waiting server gets EREVOKED. */
void
ipc_channel_dead(struct channel *ch)
{
    /* Unbind first, so that nothing freed below is handed to a waiting server. */
    struct reply_table *rt = ch->rt;
    ch->rt = NULL;
    if (rt != NULL) {
        rt->chan = NULL;
    }
    if (ch->pq != NULL) {
        ch->pq->chan = NULL;
        ch->pq->count = 0; /* pulses of a dead channel never reach a later one */
        ch->pq = NULL;
    }
    fail_queues(ch);
    if (rt != NULL) {
        fail_table(rt);
    }
    inherit_channel_dead(ch);
}

/* ch can no longer deliver anything (no table, no pulse queue): waiting servers leave. */
void
ipc_channel_idle(struct channel *ch)
{
    fail_queues(ch);
}

/* The reply table's last capability is gone: its exchanges and its channel's queues fail. */
void
ipc_table_dead(struct reply_table *rt)
{
    struct channel *ch = rt->chan;
    rt->chan = NULL; /* first: no handoff into the dying table (ipc_channel_dead) */
    if (ch != NULL) {
        ch->rt = NULL;
        fail_queues(ch);
    }
    fail_table(rt);
}
