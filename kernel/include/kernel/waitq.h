/* SPDX-License-Identifier: MIT */
/*
 * Wait queues of threads, ordered by priority (highest first), FIFO within a priority.
 * Used by notifications and channels. Insertion walks the queue: O(waiters), bounded by
 * the number of threads that hold a capability to the object.
 */
#pragma once

#include <kernel/types.h>

struct tcb;

struct waitq {
    struct tcb *head;
    struct tcb *tail;
};

void waitq_insert(struct waitq *q, struct tcb *t, void *owner);
void waitq_remove(struct waitq *q, struct tcb *t);
struct tcb *waitq_pop(struct waitq *q);
