/* SPDX-License-Identifier: MIT */
/*
 * Notifications: a word of event bits plus a queue of waiting threads. signal ORs the
 * capability's badge into the word and never blocks; wait takes and clears the word,
 * blocking while it is zero. Interrupts arrive as notification signals.
 */
#pragma once

#include <kernel/waitq.h>

struct notification {
    uint64_t word;      /* pending bits */
    struct waitq waiters;
    uint64_t reserved[5];
};
_Static_assert(sizeof(struct notification) <= 64, "notification fits its object");

void notification_signal(struct notification *n, uint64_t badge);
void notification_finalise(struct notification *n);
