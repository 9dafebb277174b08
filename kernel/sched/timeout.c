/* SPDX-License-Identifier: MIT */
/*
 * Timeouts (kernel/include/kernel/timeout.h). The list is kept in deadline order, so the
 * earliest is at the head: insertion walks it (O(threads with a timeout armed)), removal
 * and expiry are O(1) per thread. Expiry happens on the way out of the kernel
 * (sched_schedule), never inside a preemption window, so an operation interrupted at a
 * preemption point never sees a thread it works on leave under it.
 */
#include <kernel/cpu.h>
#include <kernel/timeout.h>
#include <kernel/channel.h>
#include <kernel/errors.h>
#include <kernel/reply.h>
#include <courier/abi/msg.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/tcb.h>
#include <arch/timer.h>

struct timeout_list timeout_list;

/* timeout_block for t, whose call has a deadline (timeout_call != 0). */
int
timeout_arm(struct tcb *t)
{
    uint64_t d = t->timeout_call;
    t->timeout_call = 0;
    if (arch_timer_now_ns() >= d) {
        return -CR_ETIMEDOUT;
    }
    t->timeout_at = d;
    struct tcb *prev = NULL;
    struct tcb *x = timeout_list.head;
    /* Bounded by the number of threads with a timeout armed. */
    while (x != NULL && x->timeout_at <= d) {
        prev = x;
        x = x->to_next;
    }
    t->to_prev = prev;
    t->to_next = x;
    if (x != NULL) {
        x->to_prev = t;
    }
    if (prev != NULL) {
        prev->to_next = t;
    } else {
        timeout_list.head = t;
        timeout_list.earliest = d;
    }
    t->on_timeouts = true;
    return 0;
}

/* timeout_cancel for t, which is on the list (on_timeouts). */
void
timeout_disarm(struct tcb *t)
{
    if (t->to_prev != NULL) {
        t->to_prev->to_next = t->to_next;
    } else {
        timeout_list.head = t->to_next;
        timeout_list.earliest = t->to_next != NULL ? t->to_next->timeout_at : 0;
    }
    if (t->to_next != NULL) {
        t->to_next->to_prev = t->to_prev;
    }
    t->to_next = NULL;
    t->to_prev = NULL;
    t->on_timeouts = false;
}

/*
 * A REPLY-blocked client on a channel that asked for unblock pulses: tell the server
 * (pulse {CR_PULSE_UNBLOCK, rcvid}) and keep the client waiting. False if that does not
 * apply or the pulse queue is full (then the client leaves at once).
 */
static bool
unblock_pulse(struct tcb *t)
{
    struct channel *ch = t->ipc.chan;
    if (t->state != TS_BLOCKED_REPLY || t->ipc.rt == NULL || ch == NULL ||
        !(ch->flags & CR_CHANNEL_UNBLOCK)) {
        return false;
    }
    struct cr_pulse p = { .code = CR_PULSE_UNBLOCK, .value = reply_rcvid(t->ipc.rt, t->ipc.slot),
                          .badge = t->ipc.badge };
    return channel_pulse(ch, &p) == 0;
}

/*
 * Ends the wait of every thread whose deadline is at or before now, with ETIMEDOUT, except
 * a REPLY-blocked client on a CR_CHANNEL_UNBLOCK channel whose unblock pulse could be
 * queued: it stays blocked, with no deadline. O(threads expiring), each with ipc_abort.
 */
void
timeout_expire(uint64_t now)
{
    struct tcb *t;
    while ((t = timeout_list.head) != NULL && t->timeout_at <= now) {
        timeout_cancel(t);
        if (unblock_pulse(t)) {
            continue; /* the server decides when the client leaves */
        }
        ipc_abort(t);
        tcb_detach_wait(t);
        tcb_unblock(t, -CR_ETIMEDOUT);
    }
}

/*
 * timeout_set(deadline): the caller's next kernel call returns ETIMEDOUT if it is still
 * blocked at `deadline` (ns since boot, as clock_get reports; 0 = no timeout). A
 * deadline already past makes a call that would block return ETIMEDOUT at once; a
 * call that does not block ignores it. Never fails. O(1).
 */
int64_t
sys_timeout_set(uint64_t deadline)
{
    sched_current()->timeout_next = deadline;
    return 0;
}
