/* SPDX-License-Identifier: MIT */
/*
 * The scheduler: 256 priorities, an O(1) bitmap lookup, FIFO and round-robin within a
 * priority, preemption by a one-shot timer (no periodic tick). Ready queues hold READY
 * threads other than the one running. runqueue.c is the pure queue logic (host tested);
 * sched.c decides what runs.
 */
#pragma once

#include <kernel/types.h>
#include <courier/abi/caps.h>

struct tcb;

enum {
    SCHED_NUM_PRIOS = CR_NUM_PRIOS,
    SCHED_WORDS = SCHED_NUM_PRIOS / 64,
    SCHED_DEFAULT_SLICE_NS = 5000000, /* 5 ms, like QNX's default 4x tick */
};

struct runqueue {
    uint64_t top;                  /* bit w set: bitmap[w] != 0 */
    uint64_t bitmap[SCHED_WORDS];  /* bit p set: queue p non-empty */
    struct tcb *head[SCHED_NUM_PRIOS];
    struct tcb *tail[SCHED_NUM_PRIOS];
};
_Static_assert(SCHED_WORDS <= 64, "two-level bitmap covers at most 4096 priorities");

/* Highest ready priority, or -1 if rq is empty. O(1); inline, as every switch asks. */
static inline int
runqueue_top_prio(const struct runqueue *rq)
{
    if (rq->top == 0) {
        return -1;
    }
    unsigned w = 63 - (unsigned)__builtin_clzll(rq->top);
    return (int)(w * 64 + 63 - (unsigned)__builtin_clzll(rq->bitmap[w]));
}

/* True if a thread above priority p is ready. O(1), cheaper than runqueue_top_prio. */
static inline bool
runqueue_has_above(const struct runqueue *rq, unsigned p)
{
    unsigned w = p / 64;
    /* Two shifts, as p % 64 + 1 or w + 1 may be 64. */
    return ((rq->top >> w) >> 1) != 0 || ((rq->bitmap[w] >> (p % 64)) >> 1) != 0;
}

void runqueue_init(struct runqueue *rq);
void runqueue_push_back(struct runqueue *rq, struct tcb *t);
void runqueue_push_front(struct runqueue *rq, struct tcb *t);
void runqueue_remove(struct runqueue *rq, struct tcb *t);
struct tcb *runqueue_rotate(struct runqueue *rq, struct tcb *t);
struct tcb *runqueue_peek(const struct runqueue *rq);
bool runqueue_contains(const struct runqueue *rq, const struct tcb *t);

void sched_init(void);
void sched_make_ready(struct tcb *t);
void sched_direct(struct tcb *t, bool donate);
void sched_remove(struct tcb *t);
void sched_no_lean_return(void);
void sched_yield(void);
void sched_block_current(void);
void sched_set_priority(struct tcb *t, unsigned prio, unsigned policy);
void sched_change_prio(struct tcb *t, unsigned prio);
void sched_timer_tick(void);
void sched_schedule(void);
bool sched_preempt_pending(void);
void sched_forget(struct tcb *t);
void sched_exit_to_user(void) NORETURN;
