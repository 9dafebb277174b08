/* SPDX-License-Identifier: MIT */
/*
 * The scheduler. The running thread is this_cpu()->current and is not on the ready
 * queue. Invariant: a thread is on the ready queue exactly when it is READY and not
 * running. Decisions happen only on the way out of the kernel
 * (sched_exit_to_user): the highest-priority ready thread runs; a running thread
 * preempted by a higher priority goes back to the head of its queue, one that yields
 * or used up its round-robin slice to the tail. The one-shot timer is armed only for a
 * round-robin thread with a peer at its own priority (tickless otherwise).
 *
 * Direct switch and donation (docs/ipc.md): a thread an IPC call made ready (the server
 * a client's message went to, the client a reply went to) is marked `direct`; if the
 * caller then blocks in that call and nothing ready outranks the marked thread, it runs
 * next without a scheduler pass. A switch in the call direction donates the caller's
 * timeslice: the server's time is charged to its client (`donor`) until the reply comes
 * back the same way or a full scheduler pass ends the donation.
 */
#include <kernel/sched.h>
#include <kernel/cpu.h>
#include <kernel/errors.h>
#include <kernel/inherit.h>
#include <kernel/panic.h>
#include <kernel/switch.h>
#include <kernel/syscall.h>
#include <kernel/tcb.h>
#include <kernel/timeout.h>
#include <kernel/waitq.h>
#include <arch/cpu.h>
#include <arch/timer.h>

struct cpu cpu0;

/*
 * A reschedule is due. exit_slow goes with it (and with every change of current): the
 * system-call exit tests that one flag, not each reason (syscall_user).
 */
static inline void
resched_set(struct cpu *c)
{
    c->pend.resched = true;
    c->exit_slow = true;
}

/*
 * The thread in a system call may not leave it by the lean return (syscall_user), for a
 * reason the scheduler does not see: its VSpace may have changed (cpu.h, exit_slow).
 */
void
sched_no_lean_return(void)
{
    this_cpu()->exit_slow = true;
}

/* Sets up the ready queue. */
void
sched_init(void)
{
    runqueue_init(&this_cpu()->rq);
}

/* Thread t is being destroyed: drop every per-CPU reference to it. */
void
sched_forget(struct tcb *t)
{
    struct cpu *c = this_cpu();
    if (c->fpu_owner == t) {
        c->fpu_owner = NULL;
    }
    if (c->current == t) {
        c->current = NULL;
        resched_set(c);
    }
    if (c->direct == t) {
        c->direct = NULL;
    }
    if (c->donor == t) {
        c->donor = NULL;
    }
}

/* t became READY: queue it, and note a reschedule if it beats the running thread. */
void
sched_make_ready(struct tcb *t)
{
    struct cpu *c = this_cpu();
    KASSERT(t->state == TS_READY);
    if (t == c->current) {
        return;
    }
    runqueue_push_back(&c->rq, t);
    /* Equal priority too: the running thread's slice timer may now need arming. */
    if (c->current == NULL || c->current->state != TS_READY || t->prio >= c->current->prio) {
        resched_set(c);
    }
}

/*
 * t was just made READY by the running thread's IPC call (a message or a reply for it):
 * if the running thread blocks in that call, t runs next without a scheduler pass
 * (switch_direct). `donate`: the running thread's call goes on in t (a message t will
 * serve), so t runs on the caller's slice; otherwise (a reply) the donation, if any,
 * ends.
 */
void
sched_direct(struct tcb *t, bool donate)
{
    struct cpu *c = this_cpu();
    c->direct = t;
    c->direct_donate = donate;
}

/*
 * Takes t off the ready queue, or notes that the running thread stops running. Call
 * before changing t->state from TS_READY.
 */
void
sched_remove(struct tcb *t)
{
    struct cpu *c = this_cpu();
    if (t == c->current) {
        resched_set(c);
        return;
    }
    if (t->state == TS_READY) {
        runqueue_remove(&c->rq, t);
    }
}

/*
 * Sets t's effective priority, moving it within whatever queue holds it (the ready
 * queue, or a priority-ordered wait queue). O(1) on the ready queue, O(waiters) on a
 * wait queue.
 */
void
sched_change_prio(struct tcb *t, unsigned prio)
{
    struct cpu *c = this_cpu();
    if (t->state == TS_READY && t != c->current) {
        runqueue_remove(&c->rq, t);
        t->prio = (uint8_t)prio;
        runqueue_push_back(&c->rq, t);
    } else if (t->wait_obj != NULL) {
        struct waitq *q = t->wait_obj;
        waitq_remove(q, t);
        t->prio = (uint8_t)prio;
        waitq_insert(q, t, NULL);
    } else {
        t->prio = (uint8_t)prio;
    }
    resched_set(c);
}

/* Sets t's base priority and policy; its effective priority follows (inherit.c). */
void
sched_set_priority(struct tcb *t, unsigned prio, unsigned policy)
{
    t->base_prio = (uint8_t)prio;
    t->policy = (uint8_t)policy;
    if (t->parked != NULL && t->parked->held_prio > prio) {
        inherit_release(t->parked); /* it could count now (inherit_park) */
    }
    inherit_update(t);
    resched_set(this_cpu());
}

/*
 * The one-shot timer fired: a timeout may be due or the running round-robin thread's
 * slice over. The lazy slice timer (arm_timer) may fire before either; the scheduler pass
 * this asks for then charges the thread, finds slice_left not 0 and re-arms.
 */
void
sched_timer_tick(void)
{
    struct cpu *c = this_cpu();
    c->pend.slice_expired = true;
    c->timer_armed = 0; /* one-shot: it is not set any more */
    c->pend.timer_on = false;
    resched_set(c);
}

/* Preemption point for long kernel operations (sched_preempt_check, switch.h). */
bool
sched_preempt_pending(void)
{
    return sched_preempt_check();
}

/* sched_preempt_check's rare part: a deadline is armed; true if it is due. */
bool
sched_preempt_due(void)
{
    uint64_t due = timeout_earliest();
    return due != 0 && due <= arch_timer_now_ns();
}

/* Charges the time since the last charge to the slice current runs on. */
static void
charge(struct cpu *c, uint64_t now)
{
    struct tcb *t = c->donor != NULL ? c->donor : c->current;
    if (t == NULL) {
        return;
    }
    uint64_t used = now - c->slice_start;
    t->slice_left = used >= t->slice_left ? 0 : t->slice_left - used;
    c->slice_start = now;
}

/*
 * Sets the one-shot timer for the next timeout or the end of a shared slice. The slice
 * timer is lazy: when the end of a slice is what the timer is needed for and it is
 * already set for an earlier moment (the slice of the round-robin thread that ran before,
 * say, a yield ago), it stays. Writing the timer costs more than anything else in a
 * yield, and an early interrupt costs one scheduler pass, which finds the running
 * thread's slice not used up (charge, slice_left) and re-arms for what is left of it.
 * A timeout is never left to a lazy timer: the timer is set for it exactly.
 */
static void
arm_timer(struct cpu *c, uint64_t now)
{
    struct tcb *t = c->current;
    uint64_t due = timeout_earliest();
    uint64_t deadline = due;
    if (t != NULL && t->policy == CR_SCHED_RR && c->rq.head[t->prio] != NULL) {
        struct tcb *payer = c->donor != NULL ? c->donor : t;
        uint64_t slice_end = now + payer->slice_left;
        deadline = deadline == 0 || slice_end < deadline ? slice_end : deadline;
    }
    if (deadline == c->timer_armed) {
        return; /* already set for it (a fired timer resets timer_armed) */
    }
    if (deadline != due && c->timer_armed != 0 && c->timer_armed < deadline) {
        return; /* for a slice, and set earlier than it ends: fires early (above) */
    }
    c->timer_armed = deadline;
    c->pend.timer_on = deadline != 0;
    if (deadline != 0) {
        arch_timer_arm(deadline);
    } else {
        arch_timer_disarm();
    }
}

/*
 * The running thread blocked in an IPC call that made c->direct ready: switch to it
 * without a scheduler pass when that is what a pass would do anyway (nothing ready
 * outranks it, no timeout is due, no yield or expired slice to act on). Returns false to
 * ask for the full pass. O(1).
 *
 * With nothing timed (untimed_switch_ok) the switch is the IPC fast path's: nothing to
 * read the clock for, no timer to set; the reschedule pending is the one it answers.
 */
static bool
switch_direct(struct cpu *c)
{
    struct tcb *to = c->direct;
    struct tcb *from = c->current;
    c->direct = NULL;
    if (to == NULL || from == NULL || from->state == TS_READY || to->state != TS_READY ||
        c->pend.yield_pending || c->pend.slice_expired ||
        runqueue_has_above(&c->rq, to->prio)) {
        return false;
    }
    bool alone = c->rq.head[to->prio] == to && to->q_next == NULL; /* no peer queued */
    if (untimed_switch_ok(c, to, alone)) {
        runqueue_remove(&c->rq, to);
        sched_fast_switch(to, c->direct_donate);
        c->pend.resched = false;
        c->exit_slow = true;
        return true;
    }
    uint64_t now = arch_timer_now_ns();
    uint64_t due = timeout_earliest();
    if (due != 0 && due <= now) {
        return false;
    }
    charge(c, now); /* arm_timer below reads the slice left */
    runqueue_remove(&c->rq, to);
    sched_fast_switch(to, c->direct_donate);
    c->pend.resched = false; /* what a full pass would have decided is done */
    c->exit_slow = true;
    arm_timer(c, now);
    return true;
}

/* The switch's charge (sched_fast_switch): the slice being used changes hands. */
void
sched_charge_switch(void)
{
    charge(this_cpu(), arch_timer_now_ns());
}

/* Picks the thread to run next and makes it current. */
void
sched_schedule(void)
{
    struct cpu *c = this_cpu();
    uint64_t now = arch_timer_now_ns();
    timeout_expire(now); /* here, outside any preemption window (timeout.c) */
    charge(c, now);
    c->direct = NULL;
    if (c->donor != NULL) {
        /* A full pass ends a donation; a donor whose slice ran out while it waited gets
         * a fresh one (it could not go to the back of its queue while blocked). */
        if (c->donor->slice_left == 0) {
            c->donor->slice_left = c->donor->slice_ns;
        }
        c->donor = NULL;
    }
    struct tcb *cur = c->current;
    int top = runqueue_top_prio(&c->rq);
    if (cur != NULL && cur->state == TS_READY) {
        bool expired = c->pend.slice_expired && cur->policy == CR_SCHED_RR &&
                       cur->slice_left == 0;
        bool give_way = top > (int)cur->prio ||
                        (top == (int)cur->prio && (c->pend.yield_pending || expired));
        if (!give_way) {
            if (cur->slice_left == 0) {
                cur->slice_left = cur->slice_ns;
            }
            goto out;
        }
        /* Yielding or a used-up RR slice goes to the back; a preempted thread keeps
         * its turn at the head (FIFO threads always, whatever they have run). */
        if (c->pend.yield_pending || expired) {
            cur->slice_left = cur->slice_ns;
            runqueue_push_back(&c->rq, cur);
        } else {
            runqueue_push_front(&c->rq, cur);
        }
    }
    cur = runqueue_peek(&c->rq);
    if (cur != NULL) {
        runqueue_remove(&c->rq, cur);
    }
    c->current = cur;
    c->exit_slow = true;
out:
    c->pend.yield_pending = false;
    c->pend.slice_expired = false;
    c->pend.resched = false;
    arm_timer(c, now);
}

static void exit_decide(struct cpu *c) NORETURN;

/*
 * Leaves the kernel: reschedule if needed, then run the current thread or idle. The
 * common case — a current thread, ready, nothing to decide (after a direct switch made
 * by the fast path or a yield, say) — goes straight out.
 */
void
sched_exit_to_user(void)
{
    struct cpu *c = this_cpu();
    struct tcb *t = c->current;
    if (LIKELY(t != NULL && !c->pend.resched && t->state == TS_READY &&
               arch_context_can_enter(&t->ctx))) {
        arch_exit_to_user(t);
    }
    exit_decide(c);
}

static NOINLINE void
exit_decide(struct cpu *c)
{
    /* Bounded: each pass that does not leave stops one thread for good. */
    for (;;) {
        if (c->pend.resched || c->current == NULL || c->current->state != TS_READY) {
            if (c->direct == NULL || !switch_direct(c)) {
                sched_schedule();
            }
        }
        if (c->current == NULL) {
            arch_cpu_idle();
        }
        if (LIKELY(arch_context_can_enter(&c->current->ctx))) {
            arch_exit_to_user(c->current);
        }
        /* A rip iretq would fault on in ring 0: the thread faults, as if in user mode. */
        tcb_deliver_fault(c->current, CR_FAULT_GP, 13, 0, 0);
    }
}

/*
 * The timer after a yield made `next` current at `now` with nothing else changed: with a
 * timer already set no later than next's slice ends (the slice the yielding thread ran
 * on, say) and no timeout due before that end, it stays (arm_timer's lazy rule, with
 * nothing recomputed); otherwise arm_timer decides. O(1).
 */
static inline void
yield_timer(struct cpu *c, struct tcb *next, uint64_t now, uint64_t due)
{
    uint64_t slice_end = now + next->slice_left;
    if (next->policy == CR_SCHED_RR && c->timer_armed != 0 && c->timer_armed <= slice_end &&
        (due == 0 || slice_end < due)) {
        return;
    }
    arm_timer(c, now);
}

/*
 * yield(): gives the rest of the slice to the next ready thread of equal priority. In the
 * plain case — nothing pending (no reschedule, expired slice or donation), no deadline
 * due, nothing ready above the caller — it does here, in O(1), exactly what the full
 * pass would: with a peer ready at its priority, the caller goes to the tail with a
 * fresh slice and the peer becomes current (a direct switch on the way out), its slice
 * starting now; with none, the caller is charged and goes on. Any other case takes the
 * full pass (sched_schedule).
 */
int64_t
sys_yield(void)
{
    struct cpu *c = this_cpu();
    struct tcb *cur = c->current;
    unsigned p = cur->prio;
    if (LIKELY(!c->pend.resched && c->donor == NULL && !c->pend.slice_expired &&
               !runqueue_has_above(&c->rq, p))) {
        uint64_t now = arch_timer_now_ns();
        uint64_t due = timeout_earliest();
        if (due == 0 || due > now) {
            c->direct = NULL;
            if (c->rq.head[p] != NULL) {
                /* No charge: cur's slice starts afresh at the tail whatever it used. */
                cur->slice_left = cur->slice_ns;
                c->slice_start = now;
                struct tcb *next = runqueue_rotate(&c->rq, cur); /* next runs, cur at the tail */
                c->current = next;
                c->exit_slow = true;
                yield_timer(c, next, now, due);
                return 0;
            }
            charge(c, now);
            if (cur->slice_left == 0) {
                cur->slice_left = cur->slice_ns;
            }
            arm_timer(c, now);
            return 0;
        }
    }
    c->pend.yield_pending = true;
    resched_set(c);
    return 0;
}
