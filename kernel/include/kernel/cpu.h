/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU state. One struct cpu per processor, reached through this_cpu(); the arch
 * part comes first because the entry stubs address it through the GS base.
 */
#pragma once

#include <kernel/sched.h>
#include <kernel/tlbtag.h>
#include <arch/cpu.h>

struct cpu {
    struct arch_cpu arch;      /* must be first: entry.S uses fixed offsets */
    struct tcb *current;       /* running thread, or NULL when idle */
    struct tcb *fpu_owner;     /* whose state is in the FPU registers */
    struct runqueue rq;
    /*
     * What stops a direct switch without a scheduler pass, in one word so the IPC fast
     * path tests it with one load (sched_fast_switch_ok): a reschedule is due before
     * returning to user mode, a yield or an expired round-robin slice is to be acted on,
     * the one-shot timer is set (timer_armed != 0).
     */
    union {
        struct {
            bool resched;
            bool yield_pending;
            bool slice_expired;
            bool timer_on;
        };
        uint32_t any;
    } pend;
    /*
     * The thread that entered by syscall may not take the lean return (syscall_user):
     * set with resched, whenever current changes or stops being READY (sched.c), when a
     * context is rewritten or its message registers written (arch_context_set_regs,
     * arch_context_mrs_written), and when a VSpace capability leaves a slot or a thread
     * gets another VSpace (the loaded one may be gone); cleared by every full exit
     * (arch_exit_to_user).
     */
    bool exit_slow;
    bool in_preempt_window;    /* interrupts briefly enabled at a preemption point */
    uint64_t slice_start;      /* clock_now() when current's slice (re)started */
    uint64_t timer_armed;      /* deadline the one-shot timer is set for, 0 = none */
    struct tcb *direct;        /* made ready by current's IPC call: runs next if current
                                * blocks in it and nothing outranks it (sched.c) */
    bool direct_donate;        /* the switch to `direct` donates current's slice */
    struct tcb *donor;         /* whose slice current runs on (donated by a call), or NULL */
    struct tlbtag_cpu tlbtags; /* which TLB tags (PCIDs) need a flush; used only with PCIDs
                                * on (arch_mmu_tags_init) */
};

extern struct cpu cpu0;

static inline struct cpu *
this_cpu(void)
{
    return &cpu0;
}

/* The thread running on this CPU (NULL while idle). */
static inline struct tcb *
sched_current(void)
{
    return this_cpu()->current;
}
