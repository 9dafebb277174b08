/* SPDX-License-Identifier: MIT */
/*
 * Preemption by the one-shot timer. Two round-robin threads of one priority that never
 * yield must still share the CPU: the kernel arms the timer for the running thread's
 * slice when a peer of its priority is ready, and moves it to the back of its queue when
 * the slice is over. A FIFO thread is not time-sliced: while it runs, its peer waits.
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
