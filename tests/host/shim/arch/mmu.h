/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for kernel/arch/include/arch/mmu.h. "Physical" addresses in host unit
 * tests are host addresses, so the direct map is the identity: a CNode capability's obj
 * is simply the address of a slot array the test owns. The page-table hooks are left
 * out; a test that needs one declares and stubs it itself.
 */
#pragma once

#include <kernel/types.h>
#include <arch/machine.h>

static inline void *
phys_to_virt(paddr_t pa)
{
    return (void *)(uintptr_t)pa;
}

static inline paddr_t
virt_to_phys(const void *va)
{
    return (paddr_t)(uintptr_t)va;
}

/* The kernel's own tables: declared for the inlines of kernel/tcb.h; a test that calls
 * them defines it. */
void *arch_mmu_kernel_pml4(void);
