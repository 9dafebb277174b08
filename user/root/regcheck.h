/* SPDX-License-Identifier: MIT */
/*
 * A probe of the system-call register contract (regcheck.S): fills every register the
 * kernel must preserve with a known pattern, traps, and reports which ones changed.
 */
#pragma once

#include <stdint.h>

/* Bits of regcheck_syscall's result, one per register the kernel must preserve. */
enum regcheck_bit {
    REGCHECK_RBX = 1u << 0,
    REGCHECK_RDX = 1u << 1,
    REGCHECK_RSI = 1u << 2,
    REGCHECK_RDI = 1u << 3,
    REGCHECK_RBP = 1u << 4,
    REGCHECK_R8 = 1u << 5,
    REGCHECK_R9 = 1u << 6,
    REGCHECK_R10 = 1u << 7,
    REGCHECK_R12 = 1u << 8,
    REGCHECK_R13 = 1u << 9,
    REGCHECK_R14 = 1u << 10,
    REGCHECK_R15 = 1u << 11,
    REGCHECK_RSP = 1u << 12,
    REGCHECK_DF = 1u << 13, /* the direction flag came back set */
};

uint64_t regcheck_syscall(int64_t rax);
