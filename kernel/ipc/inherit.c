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
 * REPLY-blocked thread cannot receive — but the bound keeps the loop honest). Clients
 * still queued lend nothing, and no timeslice is donated.
 */
#include <kernel/inherit.h>
#include <kernel/reply.h>
#include <kernel/sched.h>
#include <kernel/tcb.h>

enum {
    INHERIT_CHAIN_MAX = 256,
};

static void
credit(struct tcb *h, unsigned prio)
{
    if (h->held_count[prio]++ == 0) {
        h->held_map[prio / 64] |= 1ull << (prio % 64);
    }
}

static void
debit(struct tcb *h, unsigned prio)
{
    if (--h->held_count[prio] == 0) {
        h->held_map[prio / 64] &= ~(1ull << (prio % 64));
    }
}

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
 * Recomputes t's effective priority and carries a change along the chain of servers
 * holding t's own exchange. O(chain length), at most INHERIT_CHAIN_MAX.
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
        if (t->state != TS_BLOCKED_REPLY || t->ipc.rt == NULL) {
            return;
        }
        struct reply_slot *s = &reply_slots(t->ipc.rt)[t->ipc.slot];
        struct tcb *h = s->holder;
        if (h == NULL) {
            return;
        }
        debit(h, s->held_prio);
        s->held_prio = p;
        credit(h, p);
        t = h;
    }
}

/* holder received exchange s of a client at prio: it inherits prio until s ends. O(1)+. */
void
inherit_hold(struct tcb *holder, struct reply_slot *s, unsigned prio)
{
    s->holder = holder;
    s->held_prio = prio;
    s->held_prev = NULL;
    s->held_next = holder->held_head;
    if (holder->held_head != NULL) {
        holder->held_head->held_prev = s;
    }
    holder->held_head = s;
    credit(holder, prio);
    inherit_update(holder);
}

/* Exchange s ends (or loses its holder): the holder stops inheriting from it. */
void
inherit_release(struct reply_slot *s)
{
    struct tcb *h = s->holder;
    if (h == NULL) {
        return;
    }
    if (s->held_prev != NULL) {
        s->held_prev->held_next = s->held_next;
    } else {
        h->held_head = s->held_next;
    }
    if (s->held_next != NULL) {
        s->held_next->held_prev = s->held_prev;
    }
    s->holder = NULL;
    s->held_prev = NULL;
    s->held_next = NULL;
    debit(h, s->held_prio);
    inherit_update(h);
}

/* holder is being destroyed: its exchanges stay open but nobody inherits from them. */
void
inherit_drop_all(struct tcb *holder)
{
    /* Bounded by the exchanges it holds (at most the slots of its tables). */
    while (holder->held_head != NULL) {
        inherit_release(holder->held_head);
    }
}
