/* SPDX-License-Identifier: MIT */
/*
 * Priority-ordered wait queues (highest priority first, FIFO among equals). A thread
 * on a wait queue records the queue in t->wait_obj so it can be taken off when it is
 * suspended, deleted or its object dies.
 */
#include <kernel/waitq.h>
#include <kernel/tcb.h>

/* Inserts t behind every waiter of equal or higher priority. O(waiters). */
void
waitq_insert(struct waitq *q, struct tcb *t, void *owner)
{
    (void)owner;
    struct tcb *after = q->tail;
    /* Bounded by the number of waiters. */
    while (after != NULL && after->prio < t->prio) {
        after = after->q_prev;
    }
    t->q_prev = after;
    t->q_next = after != NULL ? after->q_next : q->head;
    if (t->q_next != NULL) {
        t->q_next->q_prev = t;
    } else {
        q->tail = t;
    }
    if (after != NULL) {
        after->q_next = t;
    } else {
        q->head = t;
    }
    t->wait_obj = q;
}

/* Removes t from q. */
void
waitq_remove(struct waitq *q, struct tcb *t)
{
    if (t->q_prev != NULL) {
        t->q_prev->q_next = t->q_next;
    } else {
        q->head = t->q_next;
    }
    if (t->q_next != NULL) {
        t->q_next->q_prev = t->q_prev;
    } else {
        q->tail = t->q_prev;
    }
    t->q_next = NULL;
    t->q_prev = NULL;
    t->wait_obj = NULL;
}

/* Removes and returns the first waiter, or NULL. */
struct tcb *
waitq_pop(struct waitq *q)
{
    struct tcb *t = q->head;
    if (t != NULL) {
        waitq_remove(q, t);
    }
    return t;
}
