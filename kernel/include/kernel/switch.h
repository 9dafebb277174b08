/* SPDX-License-Identifier: MIT */
/*
 * The scheduler's inline part: the direct switch of the IPC fast path
 * (kernel/ipc/fastpath.c) and of switch_direct (sched.c). Inline because the fast path
 * asks twice per round trip and its whole state is a few per-CPU words (cpu.h).
 */
#pragma once

#include <kernel/cpu.h>
#include <kernel/tcb.h>
#include <kernel/timeout.h>

void sched_charge_switch(void);
bool sched_preempt_due(void);

/*
 * True if, were the running thread to block now, a scheduler pass would pick t (at
 * priority prio) and leave the timer as it is: nothing pending (no reschedule, yield or
 * expired slice, no timer armed, so no timeout anywhere: one word, c->pend), nothing
 * ready above prio, no round-robin peer of t. O(1).
 */
static ALWAYS_INLINE bool
sched_fast_switch_ok(const struct tcb *t, unsigned prio)
{
    struct cpu *c = this_cpu();
    return c->pend.any == 0 && !runqueue_has_above(&c->rq, prio) &&
           (t->policy != CR_SCHED_RR || c->rq.head[prio] == NULL);
}

/*
 * Makes t (READY, on no queue) current in place of the running thread, which has
 * blocked: the fast path's switch (after sched_fast_switch_ok) and switch_direct's. A
 * call (`donate`) runs t on the slice the caller was using (its own, or the one donated
 * to it along a chain of servers); a reply ends the donation. O(1). No reschedule is
 * pending after sched_fast_switch_ok, and the fast path leaves by arch_exit_to_user, so
 * `resched` and `exit_slow` are switch_direct's to set.
 */
static ALWAYS_INLINE void
sched_fast_switch(struct tcb *t, bool donate)
{
    struct cpu *c = this_cpu();
    struct tcb *payer = c->donor != NULL ? c->donor : c->current;
    if (donate) {
        c->donor = payer;
    } else {
        if (payer != t) {
            sched_charge_switch(); /* the slice being used changes hands */
        }
        c->donor = NULL;
    }
    c->current = t;
    c->direct = NULL;
}

/*
 * Preemption point for long kernel operations: lets pending interrupts in, then says
 * whether the caller should stop: a thread above the running one became ready (or, with
 * the caller's own thread gone, anyone), or a deadline is due (handled on the way out,
 * timeout.c: the woken thread may outrank the caller). Inline for the copier, which asks
 * every 16 KiB; sched_preempt_pending is the same as a call. O(1).
 */
static ALWAYS_INLINE bool
sched_preempt_check(void)
{
    struct cpu *c = this_cpu();
    c->in_preempt_window = true;
    arch_preempt_window();
    c->in_preempt_window = false;
    if (UNLIKELY(c->current == NULL)) {
        return c->rq.top != 0; /* the caller's own thread is gone: anyone ready may run */
    }
    return runqueue_has_above(&c->rq, c->current->prio) ||
           (timeout_earliest() != 0 && sched_preempt_due());
}

/*
 * A switch to t needs nothing timed: no yield or expired slice to act on, the one-shot
 * timer off (no slice timed) and no deadline armed anywhere (the caller's own may have
 * been armed in this very call, before any timer was set for it: the deadline list is
 * asked, not the timer), nothing ready above t, and, for a round-robin t, no peer of its
 * priority queued (`no_peer`, the caller's to say). Then there is nothing to charge, time
 * or set: the switch is the IPC fast path's (sched_fast_switch).
 */
static inline bool
untimed_switch_ok(const struct cpu *c, const struct tcb *t, bool no_peer)
{
    return !c->pend.yield_pending && !c->pend.slice_expired && !c->pend.timer_on &&
           timeout_earliest() == 0 && !runqueue_has_above(&c->rq, t->prio) &&
           (t->policy != CR_SCHED_RR || no_peer);
}

/*
 * The running thread has just blocked in an IPC call that made t READY (not queued yet):
 * the server its message went to, or the client its reply went to (the reply then wait).
 * If a scheduler pass would pick t with nothing to time (untimed_switch_ok), t becomes
 * current now, never queued, on the caller's slice (`donate`), and the call leaves into
 * it; returns true. Otherwise returns false, having changed nothing: the caller queues t
 * and marks it direct (sched_make_ready, sched_direct). O(1). Inline: the general path
 * switches this way twice per round trip.
 */
static ALWAYS_INLINE bool
sched_switch_now(struct tcb *t, bool donate)
{
    struct cpu *c = this_cpu();
    if (c->current == NULL || c->current->state == TS_READY ||
        !untimed_switch_ok(c, t, c->rq.head[t->prio] == NULL)) {
        return false;
    }
    sched_fast_switch(t, donate);
    c->pend.resched = false; /* what a full pass would have decided is done */
    c->exit_slow = true;
    return true;
}
