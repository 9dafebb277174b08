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

/*
 * Registers around one syscall (regcheck_call). `in`: rax..r15 as the syscall gets them
 * (rcx and r11 too, though syscall overwrites them). `out`: rax..r15 as they came back,
 * rsp and rflags after, `rip` the address after the syscall (what rcx must hold), and
 * rsp and rflags just before the syscall (what rsp and r11 must hold).
 */
struct regcheck_set {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rsp, rflags, rip, rsp_in, rflags_in;
};

void regcheck_call(const struct regcheck_set *in, struct regcheck_set *out);
