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
uint64_t timeout_earliest(void);
void timeout_expire(uint64_t now);
