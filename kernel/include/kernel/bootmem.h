/* SPDX-License-Identifier: MIT */
/*
 * Boot-time memory: a bump allocator for what the kernel needs before user space
 * exists (its page tables, the root server's first objects), and the carving of all
 * remaining RAM and device space into untyped capabilities. After boot the kernel
 * allocates nothing on its own behalf.
 */
#pragma once

#include <kernel/types.h>

struct boot_params;
struct untyped_region {
    paddr_t base;
    uint8_t size_bits;
    bool device;
};

void bootmem_init(const struct boot_params *bp);
paddr_t bootmem_alloc_page(void);
paddr_t bootmem_alloc_pages(unsigned n);
unsigned bootmem_untyped(const struct boot_params *bp, struct untyped_region *out, unsigned max);
