/* SPDX-License-Identifier: MIT */
/*
 * The region table of an address space (region.h, docs/memory.md): lookup, placement,
 * adding, cutting, splitting and re-protecting ranges, with the checks the MEM_* requests
 * make on them, in the order they make them. No system calls: vm.c calls this and then
 * does the page work (drop, remap) for the ranges that changed, so every function here
 * either succeeds or changes nothing.
 */
#include "region.h"

#include <stddef.h>

#include <courier/abi/errors.h>
#include <courier/abi/types.h>

static bool
in_use(const struct pm_region *r)
{
    return r->kind != PM_R_FREE;
}

/* The index of the region holding addr, or -1. */
static int
find(const struct pm_region rs[PM_MAX_REGIONS], uint64_t addr)
{
    for (int i = 0; i < PM_MAX_REGIONS; i++) {
        if (in_use(&rs[i]) && addr >= rs[i].start && addr < rs[i].end) {
            return i;
        }
    }
    return -1;
}

/* True if r meets [addr, addr + len), len > 0; no overflow even past 2^64. */
static bool
meets(const struct pm_region *r, uint64_t addr, uint64_t len)
{
    return in_use(r) && addr < r->end && (r->start <= addr || r->start - addr < len);
}

/*
 * True if [addr, addr + len) may hold a region: len > 0, addr page aligned and the range
 * inside [CR_USER_MIN, CR_USER_MAX). Written so that no sum can overflow. The caller
 * rounds len up to pages first.
 */
bool
region_range_ok(uint64_t addr, uint64_t len)
{
    return len > 0 && addr % REGION_PAGE == 0 && len <= CR_USER_MAX && addr >= CR_USER_MIN &&
           addr <= CR_USER_MAX - len;
}

/* The region holding addr, or NULL. */
struct pm_region *
region_lookup(struct pm_region rs[PM_MAX_REGIONS], uint64_t addr)
{
    int i = find(rs, addr);
    return i < 0 ? NULL : &rs[i];
}

/* True if some region meets [start, end). */
bool
region_overlaps(const struct pm_region rs[PM_MAX_REGIONS], uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < PM_MAX_REGIONS; i++) {
        const struct pm_region *r = &rs[i];
        if (in_use(r) && start < r->end && r->start < end) {
            return true;
        }
    }
    return false;
}

/* The number of free entries. */
unsigned
region_count_free(const struct pm_region rs[PM_MAX_REGIONS])
{
    unsigned n = 0;
    for (unsigned i = 0; i < PM_MAX_REGIONS; i++) {
        n += !in_use(&rs[i]);
    }
    return n;
}

/*
 * Records [start, end) with prot and kind in the first free entry, unchecked: the caller
 * has made sure that start < end, that kind is not PM_R_FREE and that nothing overlaps.
 * Returns the entry, or NULL when every entry is in use.
 */
struct pm_region *
region_add(struct pm_region rs[PM_MAX_REGIONS], uint64_t start, uint64_t end, uint32_t prot,
           uint32_t kind)
{
    for (unsigned i = 0; i < PM_MAX_REGIONS; i++) {
        struct pm_region *r = &rs[i];
        if (!in_use(r)) {
            *r = (struct pm_region){ start, end, prot, kind };
            return r;
        }
    }
    return NULL;
}

/*
 * Cuts [start, end) out of every region: a region inside it goes, one that sticks out on
 * one side is trimmed, and one that sticks out on both sides is split in two, the tail
 * taking a new entry. Holes are fine. ENOSPC: that split found no free entry; nothing
 * has changed then, because a region that holds the whole range is the only one the
 * range meets.
 */
int
region_cut(struct pm_region rs[PM_MAX_REGIONS], uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < PM_MAX_REGIONS; i++) {
        struct pm_region *r = &rs[i];
        if (!in_use(r) || end <= r->start || r->end <= start) {
            continue;
        }
        if (start > r->start && end < r->end) {
            /* The tail lies above the range, so the loop skips it if it comes later. */
            if (region_add(rs, end, r->end, r->prot, r->kind) == NULL) {
                return -CR_ENOSPC;
            }
            r->end = start;
        } else if (start <= r->start && end >= r->end) {
            r->kind = PM_R_FREE;
        } else if (start > r->start) {
            r->end = start;
        } else {
            r->start = end;
        }
    }
    return 0;
}

/*
 * Splits the region holding x in two at x, unless x is its start or in no region: the
 * tail [x, end) takes a new entry with the same prot and kind. False only if a split was
 * needed and no entry was free (nothing changed).
 */
bool
region_split(struct pm_region rs[PM_MAX_REGIONS], uint64_t x)
{
    struct pm_region *r = region_lookup(rs, x);
    if (r == NULL || r->start == x) {
        return true;
    }
    if (region_add(rs, x, r->end, r->prot, r->kind) == NULL) {
        return false;
    }
    r->end = x;
    return true;
}

/*
 * Where an anonymous mapping of len bytes (len > 0) with no address asked for goes: the
 * lowest address at or above REGION_MMAP_BASE whose [addr, addr + len) meets no region.
 * The answer may lie past CR_USER_MAX (no gap below it); region_range_ok tells.
 */
uint64_t
region_place(const struct pm_region rs[PM_MAX_REGIONS], uint64_t len)
{
    uint64_t addr = REGION_MMAP_BASE;
    /* Bounded: each step moves addr past the end of one more region, for good. */
    for (unsigned n = 0; n <= PM_MAX_REGIONS; n++) {
        int hit = -1;
        for (int i = 0; i < PM_MAX_REGIONS && hit < 0; i++) {
            if (meets(&rs[i], addr, len)) {
                hit = i;
            }
        }
        if (hit < 0) {
            break;
        }
        addr = rs[hit].end;
    }
    return addr;
}

/*
 * True if every address of [start, end) lies in some region. The walk goes from region
 * to region, not page by page, so a huge range costs no more than a small one.
 */
bool
region_is_covered(const struct pm_region rs[PM_MAX_REGIONS], uint64_t start, uint64_t end)
{
    uint64_t cur = start;
    /* Bounded: regions do not overlap, so each step moves to the end of another one. */
    for (unsigned n = 0; cur < end && n <= PM_MAX_REGIONS; n++) {
        int i = find(rs, cur);
        if (i < 0) {
            return false;
        }
        cur = rs[i].end;
    }
    return cur >= end;
}

/*
 * MEM_MAP_ANON's region: [addr, addr + len) with prot and kind, len already rounded up to
 * pages; addr 0 takes the place region_place finds. *out is the address. EINVAL: kind
 * PM_R_FREE, or the range fails region_range_ok (also when no gap was found below
 * CR_USER_MAX); EEXIST: it overlaps a region; ENOSPC: no free entry.
 */
int
region_map(struct pm_region rs[PM_MAX_REGIONS], uint64_t addr, uint64_t len, uint32_t prot,
           uint32_t kind, uint64_t *out)
{
    if (kind == PM_R_FREE) {
        return -CR_EINVAL;
    }
    if (addr == 0 && len > 0) {
        addr = region_place(rs, len);
    }
    if (!region_range_ok(addr, len)) {
        return -CR_EINVAL;
    }
    if (region_overlaps(rs, addr, addr + len)) {
        return -CR_EEXIST;
    }
    if (region_add(rs, addr, addr + len, prot, kind) == NULL) {
        return -CR_ENOSPC;
    }
    *out = addr;
    return 0;
}

/*
 * MEM_PROTECT's regions: the regions of [start, end) (start < end, a checked range) are
 * split at its ends and take prot, each keeping its kind. All or nothing: ENOENT, some
 * address of the range lies in no region; ENOSPC, fewer than two free entries (the most
 * the two splits can need; asked for even when the ends need no split).
 */
int
region_protect(struct pm_region rs[PM_MAX_REGIONS], uint64_t start, uint64_t end, uint32_t prot)
{
    if (!region_is_covered(rs, start, end)) {
        return -CR_ENOENT;
    }
    if (region_count_free(rs) < 2) {
        return -CR_ENOSPC;
    }
    region_split(rs, start);
    region_split(rs, end);
    for (unsigned i = 0; i < PM_MAX_REGIONS; i++) {
        struct pm_region *r = &rs[i];
        if (in_use(r) && r->start >= start && r->end <= end) {
            r->prot = prot;
        }
    }
    return 0;
}

/*
 * MEM_BRK's growth from old_top to new_top (both page aligned): the heap region ending at
 * old_top grows if it is a PM_R_BRK region with prot (a heap tail protected otherwise
 * stays as it is), or a new PM_R_BRK region with prot covers the growth. EINVAL: not a
 * growth, or [old_top, new_top) fails region_range_ok (a break never set, at 0); EEXIST:
 * the growth meets another region; ENOSPC: no free entry. Nothing changes on error.
 */
int
region_grow_brk(struct pm_region rs[PM_MAX_REGIONS], uint64_t old_top, uint64_t new_top,
                uint32_t prot)
{
    if (new_top <= old_top || !region_range_ok(old_top, new_top - old_top)) {
        return -CR_EINVAL;
    }
    if (region_overlaps(rs, old_top, new_top)) {
        return -CR_EEXIST;
    }
    struct pm_region *r = region_lookup(rs, old_top - 1);
    if (r != NULL && r->kind == PM_R_BRK && r->end == old_top && r->prot == prot) {
        r->end = new_top;
        return 0;
    }
    if (region_add(rs, old_top, new_top, prot, PM_R_BRK) == NULL) {
        return -CR_ENOSPC;
    }
    return 0;
}
