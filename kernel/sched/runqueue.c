/* SPDX-License-Identifier: MIT */
/*
 * Ready queues: one FIFO list per priority and a two-level bitmap (a top word whose bit
 * w says bitmap word w is non-zero), so finding the highest ready priority is two
 * count-leading-zeros, O(1) for all 256 priorities. Pure logic: host unit tested.
 * Threads are linked through t->q_next/q_prev (a ready thread is on no wait queue).
 */
#include <kernel/sched.h>
#include <kernel/tcb.h>

/* Empties rq. */
void
runqueue_init(struct runqueue *rq)
{
    *rq = (struct runqueue){ 0 };
}

static void
mark(struct runqueue *rq, unsigned p)
{
    rq->bitmap[p / 64] |= 1ull << (p % 64);
    rq->top |= 1ull << (p / 64);
}

static void
unmark_if_empty(struct runqueue *rq, unsigned p)
{
    if (rq->head[p] == NULL) {
        rq->bitmap[p / 64] &= ~(1ull << (p % 64));
        if (rq->bitmap[p / 64] == 0) {
            rq->top &= ~(1ull << (p / 64));
        }
    }
}

/* Appends t to the queue of its priority. */
void
runqueue_push_back(struct runqueue *rq, struct tcb *t)
{
    unsigned p = t->prio;
    t->q_next = NULL;
    t->q_prev = rq->tail[p];
    if (rq->tail[p] != NULL) {
        rq->tail[p]->q_next = t;
    } else {
        rq->head[p] = t;
    }
    rq->tail[p] = t;
    mark(rq, p);
}

/* Puts t at the head of the queue of its priority (a preempted thread keeps its turn). */
void
runqueue_push_front(struct runqueue *rq, struct tcb *t)
{
    unsigned p = t->prio;
    t->q_prev = NULL;
    t->q_next = rq->head[p];
    if (rq->head[p] != NULL) {
        rq->head[p]->q_prev = t;
    } else {
        rq->tail[p] = t;
    }
    rq->head[p] = t;
    mark(rq, p);
}

/* Removes t, which must be on rq. */
void
runqueue_remove(struct runqueue *rq, struct tcb *t)
{
    unsigned p = t->prio;
    if (t->q_prev != NULL) {
        t->q_prev->q_next = t->q_next;
    } else {
        rq->head[p] = t->q_next;
    }
    if (t->q_next != NULL) {
        t->q_next->q_prev = t->q_prev;
    } else {
        rq->tail[p] = t->q_prev;
    }
    t->q_next = NULL;
    t->q_prev = NULL;
    unmark_if_empty(rq, p);
}

/*
 * A yield's queue change in one step: takes the head of t's priority off (the queue must
 * not be empty) and appends t (on no queue), as runqueue_remove of the head then
 * runqueue_push_back(t) would. The bitmaps do not change. Returns the old head.
 */
struct tcb *
runqueue_rotate(struct runqueue *rq, struct tcb *t)
{
    unsigned p = t->prio;
    struct tcb *next = rq->head[p];
    struct tcb *second = next->q_next;
    next->q_next = NULL;
    t->q_next = NULL;
    if (second == NULL) {
        rq->head[p] = t;
        t->q_prev = NULL;
    } else {
        second->q_prev = NULL;
        rq->head[p] = second;
        t->q_prev = rq->tail[p];
        rq->tail[p]->q_next = t;
    }
    rq->tail[p] = t;
    return next;
}

/* The thread that should run next (not removed), or NULL. */
struct tcb *
runqueue_peek(const struct runqueue *rq)
{
    int p = runqueue_top_prio(rq);
    return p < 0 ? NULL : rq->head[p];
}

/* True if t is queued on rq. O(queue length); for assertions and tests. */
bool
runqueue_contains(const struct runqueue *rq, const struct tcb *t)
{
    for (const struct tcb *x = rq->head[t->prio]; x != NULL; x = x->q_next) {
        if (x == t) {
            return true;
        }
    }
    return false;
}
