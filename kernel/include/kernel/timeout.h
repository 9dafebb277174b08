/* SPDX-License-Identifier: MIT */
/*
 * Timeouts on blocking calls, QNX TimerTimeout style: timeout_set(deadline) applies to
 * the caller's next kernel call; if that call blocks, it returns ETIMEDOUT at the deadline
 * (leaving whatever queue or exchange it waited in). Armed deadlines sit on one list in
 * deadline order, and the one-shot timer is armed for the earliest.
 */
#pragma once

#include <kernel/types.h>

struct tcb;

int timeout_block(struct tcb *t);
void timeout_cancel(struct tcb *t);

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
