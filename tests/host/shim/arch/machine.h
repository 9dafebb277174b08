/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for kernel/arch/x86_64/include/arch/machine.h, for host unit tests of
 * pure-logic kernel files whose headers name arch types (tcb.h embeds the saved context
 * and the FPU area). Generic code never reads their fields, so a few are enough. Add a
 * definition here only when a host-tested file needs it, with the real header's value.
 */
#pragma once

#include <kernel/types.h>

struct arch_context {
    uint64_t rax, rdi, rsi, rdx, r10, r8, r9;
    uint64_t rip, rsp, rflags;
    uint64_t fs_base;
};

struct arch_fpu {
    uint8_t area[512];
} __attribute__((aligned(16)));

/* The copier's page-table cache (tcb.h keeps two). */
struct arch_xlat {
    uint64_t *pt;
    uint64_t span;
    uint64_t gen;
    void *pml4;
    bool upper_w;
};
