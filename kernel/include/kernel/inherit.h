/* SPDX-License-Identifier: MIT */
/*
 * Priority inheritance through message passing: a server thread runs at the highest
 * priority among its own and those of the clients whose exchanges it holds, the thread
 * that last took a message from a channel runs at least at the priority of the clients
 * queued there, and a boost follows the chain of servers the boosted thread is itself
 * waiting on. See docs/ipc.md.
 */
#pragma once

#include <kernel/reply.h>
#include <kernel/tcb.h>

struct channel;

void inherit_drop_all(struct tcb *holder);
void inherit_update(struct tcb *t);
void inherit_serving(struct tcb *t, struct channel *ch);
void inherit_queue_changed(struct channel *ch);
void inherit_channel_dead(struct channel *ch);

/* One more credit at prio for h (the count-and-map of inherit.c). O(1). */
static inline void
inherit_credit(struct tcb *h, unsigned prio)
{
    if (h->held_count[prio]++ == 0) {
        h->held_map[prio / 64] |= 1ull << (prio % 64);
    }
}

/* One credit at prio fewer for h. O(1). */
static inline void
inherit_debit(struct tcb *h, unsigned prio)
{
    if (--h->held_count[prio] == 0) {
        h->held_map[prio / 64] &= ~(1ull << (prio % 64));
    }
}

/*
 * Exchange s ends (or loses its holder): the holder stops inheriting from it. O(1), plus
 * inherit_update's chain when the holder's effective priority falls. Inline: the fast
 * path ends an exchange on every round trip, and the holder's priority rarely changes.
 */
static inline void
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
    inherit_debit(h, s->held_prio);
    /* Only the last credit at its priority, when that priority was above the base, can
     * have set the holder's: otherwise its effective priority stays. */
    if (s->held_prio >= h->prio && h->held_count[s->held_prio] == 0 &&
        s->held_prio > h->base_prio) {
        inherit_update(h);
    }
}

/*
 * holder received exchange s of a client at prio: it inherits prio until s ends. O(1),
 * plus inherit_update's chain when prio raises the holder. Inline, as inherit_release.
 */
static inline void
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
    inherit_credit(holder, prio);
    if (prio > holder->prio) {
        inherit_update(holder); /* otherwise its effective priority cannot change */
    }
}
