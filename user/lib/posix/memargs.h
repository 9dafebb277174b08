/* SPDX-License-Identifier: MIT */
/*
 * Argument checks of the memory calls (memargs.c): a Linux mmap, munmap or mprotect
 * turned into what the memory manager is asked, or the errno Linux gives. Pure: no
 * messages, no state, so host tests call them directly.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* A range and what to do with it, in the memory manager's terms (courier/proto/mem.h). */
struct memargs {
    uint64_t addr; /* page-aligned; 0 for an mmap that may go anywhere */
    uint64_t len;  /* rounded up to whole pages; 0 for an mprotect with nothing to do */
    uint64_t prot; /* MEM_READ, MEM_WRITE, MEM_EXEC */
    bool replace;  /* mmap with MAP_FIXED: unmap whatever is in the range first */
};

long memargs_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, uint64_t off,
                  struct memargs *out);
long memargs_munmap(uint64_t addr, uint64_t len, struct memargs *out);
long memargs_mprotect(uint64_t addr, uint64_t len, uint64_t prot, struct memargs *out);
