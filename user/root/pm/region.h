/* SPDX-License-Identifier: MIT */
/*
 * The regions of an address space (docs/memory.md): a table of PM_MAX_REGIONS entries,
 * each a page-aligned range [start, end) with one protection and a kind, and what the
 * MEM_* requests do to it. Pure bookkeeping: no system calls and no pages; vm.c calls
 * these functions and maps, remaps and frees the pages behind them. Host-tested by
 * test/region_test.c.
 *
 * Invariants the functions keep (and assume): an entry is in use when its kind is not
 * PM_R_FREE, and then start < end; entries in use never overlap; the table has no order,
 * and a free entry may sit anywhere. Ranges that come from a request pass
 * region_range_ok first, so they lie in [CR_USER_MIN, CR_USER_MAX) and `addr + len`
 * cannot overflow.
 *
 * Cost: each function is O(PM_MAX_REGIONS), except region_place and region_is_covered,
 * O(PM_MAX_REGIONS^2) at worst: each of their steps passes one region.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum {
    PM_MAX_REGIONS = 256, /* mappings per address space */
    REGION_PAGE = 4096,
};

/* Anonymous mappings with no address asked for are placed from here up (16 TiB). */
#define REGION_MMAP_BASE 0x100000000000ull

struct pm_region {
    uint64_t start; /* page aligned */
    uint64_t end;   /* exclusive, page aligned; start < end when in use */
    uint32_t prot;  /* MEM_READ | MEM_WRITE | MEM_EXEC */
    uint32_t kind;  /* enum pm_region_kind */
};

enum pm_region_kind {
    PM_R_FREE = 0,
    PM_R_ANON,  /* zero-filled on first touch */
    PM_R_IMAGE, /* an ELF segment: filled at load */
    PM_R_STACK, /* the initial stack: grows by touch within its range */
    PM_R_BRK,   /* the heap end that MEM_BRK moves */
    PM_R_SHM,   /* a shared memory object's pages, all mapped at once */
};

bool region_range_ok(uint64_t addr, uint64_t len);
struct pm_region *region_lookup(struct pm_region rs[PM_MAX_REGIONS], uint64_t addr);
bool region_overlaps(const struct pm_region rs[PM_MAX_REGIONS], uint64_t start, uint64_t end);
unsigned region_count_free(const struct pm_region rs[PM_MAX_REGIONS]);
struct pm_region *region_add(struct pm_region rs[PM_MAX_REGIONS], uint64_t start, uint64_t end,
                             uint32_t prot, uint32_t kind);
int region_cut(struct pm_region rs[PM_MAX_REGIONS], uint64_t start, uint64_t end);
bool region_split(struct pm_region rs[PM_MAX_REGIONS], uint64_t x);
uint64_t region_place(const struct pm_region rs[PM_MAX_REGIONS], uint64_t len);
bool region_is_covered(const struct pm_region rs[PM_MAX_REGIONS], uint64_t start, uint64_t end);
int region_map(struct pm_region rs[PM_MAX_REGIONS], uint64_t addr, uint64_t len, uint32_t prot,
               uint32_t kind, uint64_t *out);
int region_protect(struct pm_region rs[PM_MAX_REGIONS], uint64_t start, uint64_t end,
                   uint32_t prot);
int region_grow_brk(struct pm_region rs[PM_MAX_REGIONS], uint64_t old_top, uint64_t new_top,
                    uint32_t prot);
