/* SPDX-License-Identifier: MIT */
/*
 * Preemption by the one-shot timer. Two round-robin threads of one priority that never
 * yield must still share the CPU: the kernel arms the timer for the running thread's
 * slice when a peer of its priority is ready, and moves it to the back of its queue when
 * the slice is over. A FIFO thread is not time-sliced: while it runs, its peer waits.
 * The slice timer is lazy (kernel/sched/sched.c, arm_timer): a yield between two
 * round-robin threads leaves it set for the earlier thread's slice, so the tests below
 * check that a slice still ends after many such yields and that a timeout armed while
 * they go on is still honoured.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/sys.h>

#include "testlib.h"

enum {
    SLICE_PRIO = 120,
    SPIN_LIMIT_MS = 2000,
};

static volatile uint64_t partner_count;
static volatile uint64_t stop;

static void
spinner(struct tl_thread *th)
{
    (void)th;
    while (!stop) {
        partner_count++;
    }
}

/* Busy-waits (no yield, no blocking) until the partner has counted or time runs out. */
static bool
partner_ran_while_we_spun(void)
{
    uint64_t deadline = tl_now_ns() + SPIN_LIMIT_MS * 1000000ull;
    while (partner_count == 0) {
        if (tl_now_ns() > deadline) {
            return false;
        }
    }
    return true;
}

TEST(sched_round_robin_timer_preempts_spinner)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    partner_count = 0;
    stop = 0;
    if (tl_thread_new(&t, &th, spinner, SLICE_PRIO)) {
        EXPECT_OK(cr_tcb_set_priority(CR_CAP_ROOT_TCB, SLICE_PRIO, CR_SCHED_RR));
        if (tl_thread_start(&th)) {
            EXPECT_TRUE(partner_ran_while_we_spun());
        }
        stop = 1;
        EXPECT_OK(cr_tcb_suspend(th.tcb));
    }
    tl_end(&t);
}

TEST(sched_fifo_is_not_time_sliced)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    partner_count = 0;
    stop = 0;
    if (tl_thread_new(&t, &th, spinner, SLICE_PRIO)) {
        EXPECT_OK(cr_tcb_set_priority(CR_CAP_ROOT_TCB, SLICE_PRIO, CR_SCHED_FIFO));
        if (tl_thread_start(&th)) {
            /* 50 ms is ten round-robin slices: a FIFO root keeps the CPU throughout. */
            uint64_t deadline = tl_now_ns() + 50 * 1000000ull;
            while (tl_now_ns() < deadline) {
            }
            EXPECT_EQ(0, partner_count);
            cr_yield(); /* FIFO threads give the CPU up only by yielding or blocking */
            EXPECT_TRUE(partner_count != 0);
        }
        stop = 1;
        EXPECT_OK(cr_tcb_suspend(th.tcb));
    }
    tl_end(&t);
}

static volatile uint64_t spin_now;  /* the partner stops yielding and spins */
static volatile uint64_t gave_up;   /* the partner's spin reached its limit unpreempted */
static volatile uint64_t yields[2]; /* yields made by each ping-pong thread */

/* Yields until told to spin, then spins (never yielding) until stopped or out of time. */
static void
yield_then_spin(struct tl_thread *th)
{
    (void)th;
    while (!spin_now && !stop) {
        cr_yield();
        partner_count++;
    }
    uint64_t limit = tl_now_ns() + SPIN_LIMIT_MS * 1000000ull;
    while (!stop) {
        if (tl_now_ns() > limit) {
            gave_up = 1;
            cr_yield();
        }
    }
}

TEST(sched_round_robin_slice_ends_after_many_yields)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    partner_count = 0;
    stop = 0;
    spin_now = 0;
    gave_up = 0;
    if (tl_thread_new(&t, &th, yield_then_spin, SLICE_PRIO)) {
        EXPECT_OK(cr_tcb_set_priority(CR_CAP_ROOT_TCB, SLICE_PRIO, CR_SCHED_RR));
        if (tl_thread_start(&th)) {
            /* Each yield hands the CPU to the partner, which yields it back. */
            for (unsigned i = 0; i < 2000; i++) {
                cr_yield();
            }
            EXPECT_TRUE(partner_count != 0);
            /* The partner now spins: only the end of its slice gives the CPU back. */
            spin_now = 1;
            cr_yield();
            EXPECT_EQ(0, gave_up);
        }
        stop = 1;
        EXPECT_OK(cr_tcb_suspend(th.tcb));
    }
    tl_end(&t);
}

/* Yields to its round-robin peer until stopped; gives up (returns) past the limit. */
static void
ping_pong(struct tl_thread *th)
{
    uint64_t limit = tl_now_ns() + SPIN_LIMIT_MS * 1000000ull;
    while (!stop) {
        if (tl_now_ns() > limit) {
            gave_up = 1;
            return;
        }
        yields[th->arg[0]]++;
        cr_yield();
    }
}

TEST(sched_timeout_honoured_while_round_robin_threads_yield)
{
    struct tl t;
    struct tl_thread a;
    struct tl_thread b;
    if (!tl_begin(&t)) {
        return;
    }
    stop = 0;
    gave_up = 0;
    yields[0] = 0;
    yields[1] = 0;
    cr_cptr_t ntfn = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (ntfn != 0 && tl_thread_new(&t, &a, ping_pong, SLICE_PRIO) &&
        tl_thread_new(&t, &b, ping_pong, SLICE_PRIO)) {
        a.arg[0] = 0;
        b.arg[0] = 1;
        EXPECT_OK(cr_tcb_set_priority(CR_CAP_ROOT_TCB, SLICE_PRIO + 1, CR_SCHED_RR));
        if (tl_thread_start(&a) && tl_thread_start(&b)) {
            /* Nobody signals: the wait ends at its deadline, while a and b yield. */
            uint64_t bits;
            EXPECT_OK(cr_timeout_set(tl_now_ns() + 5000000));
            EXPECT_ERR(-CR_ETIMEDOUT, cr_notify_wait(ntfn, CR_UPTR(&bits)));
            EXPECT_EQ(0, gave_up);
            EXPECT_TRUE(yields[0] != 0 && yields[1] != 0);
        }
        stop = 1;
        EXPECT_OK(cr_tcb_suspend(a.tcb));
        EXPECT_OK(cr_tcb_suspend(b.tcb));
    }
    tl_end(&t);
}
