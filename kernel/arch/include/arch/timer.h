/* SPDX-License-Identifier: MIT */
/*
 * Arch contract: the clock and the one-shot timer. Time is nanoseconds since boot,
 * read from an invariant counter (the TSC on x86). There is no periodic tick: the
 * scheduler arms one deadline at a time.
 */
#pragma once

#include <kernel/types.h>

enum {
    TIMER_VECTOR = 0xf0,
    SPURIOUS_VECTOR = 0xff,
};

void arch_timer_init(void);
uint64_t arch_timer_now_ns(void);
uint64_t arch_timer_tsc_hz(void);
void arch_timer_arm(uint64_t deadline_ns);
void arch_timer_disarm(void);
void arch_timer_eoi(void);
