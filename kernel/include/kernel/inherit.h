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
 * Exchange s ends (or loses its holder), or the credit parked on it goes: the holder
 * stops inheriting from it. O(1), plus inherit_update's chain when the holder's
 * effective priority falls. Inline: the fast path ends an exchange on every round trip,
 * and the holder's priority rarely changes.
 */
static inline void
inherit_release(struct reply_slot *s)
{
    struct tcb *h = s->holder;
    if (h == NULL) {
        return;
    }
    if (h->parked == s) {
        h->parked = NULL;
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
 * A credit parked on s (inherit_park) is taken over as it is when it is holder's at
 * prio, the usual case of one client calling one server thread again; otherwise it goes
 * first.
 */
static inline void
inherit_hold(struct tcb *holder, struct reply_slot *s, unsigned prio)
{
    if (s->holder != NULL) {
        if (s->holder == holder && s->held_prio == prio) {
            holder->parked = NULL; /* the credit is the exchange's again */
            return;
        }
        inherit_release(s);
    }
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

/*
 * Exchange s ends and its slot is freed (reply_free, the fast path's reply): its credit
 * may stay with its holder, parked on the free slot, so that the holder's next exchange in
 * that slot at the same priority (inherit_hold) neither gives it back nor takes it again.
 * Parked only when it cannot count: at most the holder's base priority, whose maximum
 * with the credits is the effective priority, so the holder runs as if it had gone. At
 * most one per thread (tcb->parked), so the rules that keep that true are O(1): a lower
 * base priority releases a parked credit above it (sched_set_priority), a slot taken for
 * another holder or priority releases it (inherit_hold), a dying table releases those on
 * its slots (fail_table), a dying holder releases all it holds (inherit_drop_all).
 * Otherwise the credit goes (inherit_release). O(1).
 */
static inline void
inherit_park(struct reply_slot *s)
{
    struct tcb *h = s->holder;
    if (h != NULL && h->parked == NULL && s->held_prio <= h->base_prio) {
        h->parked = s;
        return;
    }
    inherit_release(s);
}
