/* SPDX-License-Identifier: MIT */
/*
 * Priority inheritance. Each exchange a server thread holds (from the moment it is taken
 * into a slot for the thread, at handoff or in its receive and before the copy, until it
 * ends or the thread gives the receive up) credits the thread with its client's priority
 * (held_count/held_map, so the maximum is O(1) to find); the thread's effective priority
 * is that maximum or its base priority, whichever is higher. When a thread's effective
 * priority changes while it is itself a client in another server's exchange, that
 * server's credit moves with it, and so on along the chain: transitive inheritance, one
 * step per server, at most INHERIT_CHAIN_MAX steps (a cycle is impossible — a
 * REPLY-blocked thread cannot receive — but the bound keeps the loop honest).
 *
 * Clients still queued on a channel (SEND-blocked, no server thread free to take them)
 * lend too: the priority of the first of them (the queue is in priority order) is
 * credited to the channel's `server`, the thread that last took a message from it — the
 * one busy with the channel's work, whose progress the queued clients wait for. A thread
 * serves one channel at a time in this sense (tcb->served), so the link is 1:1 and
 * cleared from either end when a thread or channel dies. A SEND-blocked thread whose own
 * priority changes moves the lent priority with it, continuing the chain.
 */
#include <kernel/inherit.h>
#include <kernel/channel.h>
#include <kernel/reply.h>
#include <kernel/sched.h>
#include <kernel/tcb.h>

enum {
    INHERIT_CHAIN_MAX = 256,
};

static unsigned
effective(const struct tcb *t)
{
    for (int w = 3; w >= 0; w--) {
        if (t->held_map[w] != 0) {
            unsigned top = (unsigned)w * 64 + 63 - (unsigned)__builtin_clzll(t->held_map[w]);
            return top > t->base_prio ? top : t->base_prio;
        }
    }
    return t->base_prio;
}

/*
 * Credits ch's server with the priority of ch's first queued client (nothing if none
 * queue), moving the credit if either changed. Returns the server if its credit changed
 * (its effective priority is for the caller to update), else NULL; a former holder is
 * updated here. O(1) plus that update.
 */
static struct tcb *
lend(struct channel *ch)
{
    struct tcb *first = ch->msg_senders.head;
    struct tcb *h = first != NULL ? ch->server : NULL;
    unsigned p = h != NULL ? first->prio : 0;
    struct tcb *old = ch->q_holder;
    if (h == old && (h == NULL || p == ch->q_prio)) {
        return NULL;
    }
    if (old != NULL) {
        inherit_debit(old, ch->q_prio);
    }
    ch->q_holder = h;
    ch->q_prio = p;
    if (h != NULL) {
        inherit_credit(h, p);
    }
    if (old != NULL && old != h) {
        inherit_update(old);
    }
    return h;
}

/*
 * Recomputes t's effective priority and carries a change along the chain of servers
 * holding t's own exchange, or lent to by the queue t waits in. O(chain length), at most
 * INHERIT_CHAIN_MAX.
 */
void
inherit_update(struct tcb *t)
{
    for (int step = 0; t != NULL && step < INHERIT_CHAIN_MAX; step++) {
        unsigned p = effective(t);
        if (p == t->prio) {
            return;
        }
        sched_change_prio(t, p);
        if (t->state == TS_BLOCKED_SEND && t->wait_obj != NULL) {
            t = lend(t->ipc.chan); /* its queue's first client may have changed */
            continue;
        }
        if (t->state != TS_BLOCKED_REPLY || t->ipc.rt == NULL) {
            return;
        }
        struct reply_slot *s = &reply_slots(t->ipc.rt)[t->ipc.slot];
        struct tcb *h = s->holder;
        if (h == NULL) {
            return;
        }
        inherit_debit(h, s->held_prio);
        s->held_prio = p;
        inherit_credit(h, p);
        t = h;
    }
}

/* ch's queue changed (a client joined or left it): lend its first client's priority. */
void
inherit_queue_changed(struct channel *ch)
{
    inherit_update(lend(ch));
}

/* Thread t took a message from ch: it is ch's server now (and no other channel's). */
void
inherit_serving(struct tcb *t, struct channel *ch)
{
    if (ch->server == t && ch->msg_senders.head == NULL && ch->q_holder == NULL) {
        return; /* what inherit_queue_changed would find: nothing queued, nothing lent */
    }
    if (ch->server != t) {
        struct channel *before = t->served;
        if (before != NULL && before->server == t) {
            before->server = NULL;
            inherit_queue_changed(before);
        }
        if (ch->server != NULL && ch->server->served == ch) {
            ch->server->served = NULL;
        }
        ch->server = t;
        t->served = ch;
    }
    inherit_queue_changed(ch);
}

/* ch is being destroyed (its queues are empty): its server loses the link. */
void
inherit_channel_dead(struct channel *ch)
{
    inherit_queue_changed(ch); /* the queue is empty: any lent priority goes back */
    if (ch->server != NULL && ch->server->served == ch) {
        ch->server->served = NULL;
    }
    ch->server = NULL;
}

/* holder is being destroyed: its exchanges stay open but nobody inherits from them. */
void
inherit_drop_all(struct tcb *holder)
{
    /* Bounded by the exchanges it holds (at most the slots of its tables). */
    while (holder->held_head != NULL) {
        inherit_release(holder->held_head);
    }
    struct channel *ch = holder->served;
    if (ch != NULL && ch->server == holder) {
        ch->server = NULL;
        inherit_queue_changed(ch); /* takes the lent priority back */
    }
    holder->served = NULL;
}
