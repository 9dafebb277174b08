/* SPDX-License-Identifier: MIT */
/*
 * Timeouts on blocking calls, QNX TimerTimeout style: timeout_set(deadline) applies to
 * the caller's next kernel call; if that call blocks, it returns ETIMEDOUT at the deadline
 * (leaving whatever queue or exchange it waited in). Armed deadlines sit on one list in
 * deadline order, and the one-shot timer is armed for the earliest.
 */
#pragma once

#include <kernel/tcb.h>
#include <kernel/types.h>

int timeout_arm(struct tcb *t);
void timeout_disarm(struct tcb *t);

/*
 * t is about to block in its current call: arm the call's deadline, if it has one.
 * Returns -CR_ETIMEDOUT, without arming, if the deadline has already passed (the call
 * must then return that instead of blocking); otherwise 0. O(armed timeouts). Inline for
 * the common case, a call with no deadline.
 */
static inline int
timeout_block(struct tcb *t)
{
    return t->timeout_call == 0 ? 0 : timeout_arm(t);
}

/* t stopped waiting (woken, stopped or destroyed): disarm its timeout. O(1). */
static inline void
timeout_cancel(struct tcb *t)
{
    t->timeout_call = 0;
    if (t->on_timeouts) {
        timeout_disarm(t);
    }
}

/* The armed timeouts (timeout.c): `earliest` is the head's deadline, cached so the
 * scheduler's look-up on every yield and switch is one load. */
struct timeout_list {
    struct tcb *head;  /* earliest deadline first */
    uint64_t earliest; /* head->timeout_at, 0 when the list is empty */
};
extern struct timeout_list timeout_list;

/* The earliest armed deadline, or 0 if none. */
static inline uint64_t
timeout_earliest(void)
{
    return timeout_list.earliest;
}
void timeout_expire(uint64_t now);
