/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the region table (user/root/pm/region.c), one function at a time: ranges
 * checked at both user bounds and against overflow; lookups at region starts and ends and
 * between adjacent regions; cuts that trim, free, split and span several regions; splits
 * at starts, inside and with a full table; placement that skips regions in any table
 * order and lands in the first gap that fits; coverage walks over chains and holes;
 * re-protection that keeps kinds; heap growth. Every error a function documents is
 * asserted exactly, and every failing call is checked to leave the table as it was.
 * region_model_test.c checks the same functions against a page-by-page model.
 */
/* test-sources: user/root/pm/region.c */
#include "test.h"

#include "user/root/pm/region.h"

#include <courier/abi/types.h>

enum {
    PG = REGION_PAGE,
    A = 0x400000, /* an image-like address, below REGION_MMAP_BASE */
    RW = 3,       /* prot values are opaque to region.c; small numbers stand for them */
    RO = 1,
};

static struct pm_region rs[PM_MAX_REGIONS];
static struct pm_region saved[PM_MAX_REGIONS];

static void
reset(void)
{
    memset(rs, 0, sizeof(rs));
}

static unsigned
used(void)
{
    return PM_MAX_REGIONS - region_count_free(rs);
}

static void
save(void)
{
    memcpy(saved, rs, sizeof(rs));
}

static bool
unchanged(void)
{
    return memcmp(saved, rs, sizeof(rs)) == 0;
}

/* Adds [start, end) and returns it; NULL (a failed test) if the table is full. */
static struct pm_region *
add(uint64_t start, uint64_t end, uint32_t prot, uint32_t kind)
{
    return region_add(rs, start, end, prot, kind);
}

/* Fills every free entry with one-page regions from `from` up, a page apart. */
static void
fill(uint64_t from)
{
    for (uint64_t a = from; region_count_free(rs) > 0; a += 2 * PG) {
        add(a, a + PG, RW, PM_R_ANON);
    }
}

/* True if a region is exactly [start, end) with prot and kind. */
static bool
is(const struct pm_region *r, uint64_t start, uint64_t end, uint32_t prot, uint32_t kind)
{
    return r != NULL && r->start == start && r->end == end && r->prot == prot && r->kind == kind;
}

TEST(region_range_ok_checks_both_user_bounds)
{
    ASSERT_TRUE(region_range_ok(CR_USER_MIN, PG));
    ASSERT_TRUE(!region_range_ok(0, PG));                /* the null page */
    ASSERT_TRUE(!region_range_ok(CR_USER_MIN - PG, PG)); /* the same, spelt otherwise */
    ASSERT_TRUE(!region_range_ok(CR_USER_MIN, 0));
    ASSERT_TRUE(!region_range_ok(CR_USER_MIN + 1, PG)); /* unaligned */
    ASSERT_TRUE(region_range_ok(CR_USER_MAX - PG, PG)); /* ends exactly at the top */
    ASSERT_TRUE(!region_range_ok(CR_USER_MAX, PG));
    ASSERT_TRUE(!region_range_ok(CR_USER_MAX - PG, 2 * PG));
    ASSERT_TRUE(region_range_ok(CR_USER_MIN, CR_USER_MAX - CR_USER_MIN)); /* all of it */
    ASSERT_TRUE(!region_range_ok(CR_USER_MIN, CR_USER_MAX - CR_USER_MIN + PG));
    ASSERT_TRUE(!region_range_ok(CR_USER_MIN, CR_USER_MAX));
}

TEST(region_range_ok_cannot_be_fooled_by_overflow)
{
    /* Each of these would pass a check written as addr + len <= CR_USER_MAX. */
    ASSERT_TRUE(!region_range_ok(CR_USER_MIN, UINT64_MAX - CR_USER_MIN + 1));
    ASSERT_TRUE(!region_range_ok(UINT64_MAX & ~(uint64_t)(PG - 1), 2 * PG));
    ASSERT_TRUE(!region_range_ok(0x8000000000000000ull, 0x8000000000000000ull));
    ASSERT_TRUE(!region_range_ok(CR_USER_MIN, UINT64_MAX));
    ASSERT_TRUE(!region_range_ok(UINT64_MAX - PG + 1, PG));
}

TEST(region_lookup_honours_half_open_ends)
{
    reset();
    struct pm_region *a = add(A, A + 2 * PG, RW, PM_R_IMAGE);
    struct pm_region *b = add(A + 2 * PG, A + 3 * PG, RO, PM_R_BRK); /* adjacent */
    ASSERT_TRUE(a != NULL && b != NULL);
    ASSERT_TRUE(region_lookup(rs, A) == a);
    ASSERT_TRUE(region_lookup(rs, A + 2 * PG - 1) == a);
    ASSERT_TRUE(region_lookup(rs, A + 2 * PG) == b); /* the boundary belongs to the next */
    ASSERT_TRUE(region_lookup(rs, A + 3 * PG - 1) == b);
    ASSERT_TRUE(region_lookup(rs, A + 3 * PG) == NULL);
    ASSERT_TRUE(region_lookup(rs, A - 1) == NULL);
    ASSERT_TRUE(region_lookup(rs, 0) == NULL);
    ASSERT_TRUE(region_lookup(rs, UINT64_MAX) == NULL);
}

TEST(region_lookup_ignores_free_entries_with_stale_bounds)
{
    reset();
    struct pm_region *a = add(A, A + PG, RW, PM_R_ANON);
    ASSERT_ERR(0, region_cut(rs, A, A + PG));
    ASSERT_EQ(PM_R_FREE, a->kind);
    ASSERT_EQ(A, a->start); /* the bounds stay behind in the free entry */
    ASSERT_TRUE(region_lookup(rs, A) == NULL);
    ASSERT_TRUE(!region_overlaps(rs, A, A + PG));
    ASSERT_TRUE(!region_is_covered(rs, A, A + PG));
}

TEST(region_overlaps_is_half_open)
{
    reset();
    add(A + PG, A + 3 * PG, RW, PM_R_ANON);
    ASSERT_TRUE(!region_overlaps(rs, A, A + PG));              /* ends where it starts */
    ASSERT_TRUE(!region_overlaps(rs, A + 3 * PG, A + 4 * PG)); /* starts where it ends */
    ASSERT_TRUE(region_overlaps(rs, A, A + PG + 1));
    ASSERT_TRUE(region_overlaps(rs, A + 3 * PG - 1, A + 4 * PG));
    ASSERT_TRUE(region_overlaps(rs, A + 2 * PG, A + 2 * PG + 1)); /* inside */
    ASSERT_TRUE(region_overlaps(rs, 0, CR_USER_MAX));             /* around */
}

TEST(region_add_takes_the_first_free_entry_and_null_when_full)
{
    reset();
    ASSERT_EQ(PM_MAX_REGIONS, region_count_free(rs));
    fill(A);
    ASSERT_EQ(0, region_count_free(rs));
    save();
    ASSERT_TRUE(add(CR_USER_MAX - PG, CR_USER_MAX, RW, PM_R_ANON) == NULL);
    ASSERT_TRUE(unchanged());
    ASSERT_ERR(0, region_cut(rs, rs[100].start, rs[100].end));
    ASSERT_EQ(1, region_count_free(rs));
    ASSERT_TRUE(add(CR_USER_MAX - PG, CR_USER_MAX, RO, PM_R_STACK) == &rs[100]);
    ASSERT_TRUE(is(&rs[100], CR_USER_MAX - PG, CR_USER_MAX, RO, PM_R_STACK));
}

TEST(region_cut_trims_frees_and_splits)
{
    reset();
    struct pm_region *r = add(A, A + 8 * PG, RW, PM_R_ANON);
    ASSERT_ERR(0, region_cut(rs, A, A + PG)); /* the head */
    ASSERT_TRUE(is(r, A + PG, A + 8 * PG, RW, PM_R_ANON));
    ASSERT_ERR(0, region_cut(rs, A + 7 * PG, A + 9 * PG)); /* the tail and beyond */
    ASSERT_TRUE(is(r, A + PG, A + 7 * PG, RW, PM_R_ANON));
    ASSERT_ERR(0, region_cut(rs, A + 3 * PG, A + 4 * PG)); /* the middle: a split */
    ASSERT_TRUE(is(r, A + PG, A + 3 * PG, RW, PM_R_ANON));
    ASSERT_TRUE(is(region_lookup(rs, A + 4 * PG), A + 4 * PG, A + 7 * PG, RW, PM_R_ANON));
    ASSERT_EQ(2, used());
    ASSERT_ERR(0, region_cut(rs, A + 3 * PG, A + 4 * PG)); /* a hole: nothing to do */
    ASSERT_EQ(2, used());
    ASSERT_ERR(0, region_cut(rs, A, A + 16 * PG)); /* around both */
    ASSERT_EQ(0, used());
}

TEST(region_cut_at_region_boundaries_needs_no_split)
{
    reset();
    add(A, A + 2 * PG, RW, PM_R_IMAGE);
    add(A + 2 * PG, A + 4 * PG, RO, PM_R_ANON);
    add(A + 4 * PG, A + 6 * PG, RW, PM_R_BRK);
    ASSERT_ERR(0, region_cut(rs, A + 2 * PG, A + 4 * PG)); /* exactly the middle one */
    ASSERT_EQ(2, used());
    ASSERT_TRUE(is(region_lookup(rs, A), A, A + 2 * PG, RW, PM_R_IMAGE));
    ASSERT_TRUE(is(region_lookup(rs, A + 4 * PG), A + 4 * PG, A + 6 * PG, RW, PM_R_BRK));
    ASSERT_TRUE(region_lookup(rs, A + 2 * PG) == NULL);
}

TEST(region_cut_spanning_several_regions_trims_the_ends_and_frees_the_rest)
{
    reset();
    add(A, A + 4 * PG, RW, PM_R_IMAGE);
    add(A + 5 * PG, A + 6 * PG, RO, PM_R_ANON); /* after a hole */
    add(A + 6 * PG, A + 7 * PG, RO, PM_R_ANON);
    add(A + 9 * PG, A + 12 * PG, RW, PM_R_BRK);
    ASSERT_ERR(0, region_cut(rs, A + 2 * PG, A + 10 * PG));
    ASSERT_EQ(2, used());
    ASSERT_TRUE(is(region_lookup(rs, A), A, A + 2 * PG, RW, PM_R_IMAGE));
    ASSERT_TRUE(is(region_lookup(rs, A + 11 * PG), A + 10 * PG, A + 12 * PG, RW, PM_R_BRK));
    ASSERT_TRUE(!region_overlaps(rs, A + 2 * PG, A + 10 * PG));
}

TEST(region_cut_split_with_a_full_table_is_enospc_and_changes_nothing)
{
    reset();
    add(A, A + 4 * PG, RW, PM_R_ANON);
    fill(A + 16 * PG);
    save();
    ASSERT_ERR(-CR_ENOSPC, region_cut(rs, A + PG, A + 2 * PG));
    ASSERT_TRUE(unchanged());
    /* Trimming or freeing needs no entry, so a full table allows it. */
    ASSERT_ERR(0, region_cut(rs, A + 3 * PG, A + 4 * PG));
    ASSERT_ERR(0, region_cut(rs, A, A + PG));
    ASSERT_TRUE(is(region_lookup(rs, A + PG), A + PG, A + 3 * PG, RW, PM_R_ANON));
    ASSERT_EQ(0, region_count_free(rs));
    ASSERT_ERR(0, region_cut(rs, A, A + 16 * PG + 1));
    ASSERT_EQ(1, region_count_free(rs));
}

TEST(region_split_inside_at_the_start_and_outside)
{
    reset();
    struct pm_region *r = add(A, A + 4 * PG, RO, PM_R_STACK);
    ASSERT_TRUE(region_split(rs, A));          /* the start: already a boundary */
    ASSERT_TRUE(region_split(rs, A + 4 * PG)); /* the end: in no region */
    ASSERT_TRUE(region_split(rs, A + 8 * PG));
    ASSERT_EQ(1, used());
    ASSERT_TRUE(region_split(rs, A + PG));
    ASSERT_EQ(2, used());
    ASSERT_TRUE(is(r, A, A + PG, RO, PM_R_STACK));
    ASSERT_TRUE(is(region_lookup(rs, A + PG), A + PG, A + 4 * PG, RO, PM_R_STACK));
    ASSERT_TRUE(region_split(rs, A + PG)); /* now a start */
    ASSERT_EQ(2, used());
}

TEST(region_split_with_a_full_table_fails_and_changes_nothing)
{
    reset();
    add(A, A + 4 * PG, RW, PM_R_ANON);
    fill(A + 16 * PG);
    save();
    ASSERT_TRUE(!region_split(rs, A + PG));
    ASSERT_TRUE(unchanged());
    ASSERT_TRUE(region_split(rs, A)); /* no split needed: fine when full */
}

TEST(region_place_starts_at_mmap_base_and_ignores_regions_below)
{
    reset();
    ASSERT_EQ(REGION_MMAP_BASE, region_place(rs, PG));
    add(A, A + PG, RW, PM_R_IMAGE);
    add(REGION_MMAP_BASE - 2 * PG, REGION_MMAP_BASE, RW, PM_R_ANON); /* ends at the base */
    ASSERT_EQ(REGION_MMAP_BASE, region_place(rs, 64 * PG));
    ASSERT_EQ(REGION_MMAP_BASE, region_place(rs, CR_USER_MAX - REGION_MMAP_BASE));
}

TEST(region_place_skips_regions_and_lands_in_the_first_gap_that_fits)
{
    reset();
    uint64_t b = REGION_MMAP_BASE;
    /* Listed out of address order on purpose: the search must not rely on it. */
    add(b + 10 * PG, b + 11 * PG, RW, PM_R_ANON);
    add(b + 3 * PG, b + 8 * PG, RW, PM_R_ANON); /* gap [8, 10): two pages */
    add(b, b + 2 * PG, RW, PM_R_ANON);          /* gap [2, 3): one page */
    ASSERT_EQ(b + 2 * PG, region_place(rs, PG));
    ASSERT_EQ(b + 8 * PG, region_place(rs, 2 * PG)); /* an exact fit */
    ASSERT_EQ(b + 11 * PG, region_place(rs, 3 * PG));
    ASSERT_EQ(b + 8 * PG, region_place(rs, PG + 1)); /* a partial page needs the page */
}

TEST(region_place_passes_a_straddling_region)
{
    reset();
    add(REGION_MMAP_BASE - PG, REGION_MMAP_BASE + PG, RW, PM_R_ANON);
    ASSERT_EQ(REGION_MMAP_BASE + PG, region_place(rs, PG));
}

TEST(region_place_walks_a_full_chain_in_reverse_table_order)
{
    reset();
    /* The worst case: every region is passed, and the one that blocks is always last. */
    for (unsigned i = 0; i < PM_MAX_REGIONS; i++) {
        uint64_t s = REGION_MMAP_BASE + (uint64_t)(PM_MAX_REGIONS - 1 - i) * PG;
        add(s, s + PG, RW, PM_R_ANON);
    }
    ASSERT_EQ(REGION_MMAP_BASE + PM_MAX_REGIONS * (uint64_t)PG, region_place(rs, PG));
}

TEST(region_place_with_a_huge_length_does_not_wrap)
{
    reset();
    add(REGION_MMAP_BASE + PG, REGION_MMAP_BASE + 2 * PG, RW, PM_R_ANON);
    /* addr + len wraps past 2^64 here; the region must still be seen in the way. */
    ASSERT_EQ(REGION_MMAP_BASE + 2 * PG, region_place(rs, UINT64_MAX - 4 * PG));
    ASSERT_EQ(REGION_MMAP_BASE + 2 * PG, region_place(rs, CR_USER_MAX));
}

TEST(region_place_near_the_top_of_user_space)
{
    reset();
    uint64_t out = 0;
    add(REGION_MMAP_BASE, CR_USER_MAX - 2 * PG, RW, PM_R_ANON);
    add(CR_USER_MAX - PG, CR_USER_MAX, RW, PM_R_STACK);
    ASSERT_EQ(CR_USER_MAX - 2 * PG, region_place(rs, PG)); /* the last free page */
    ASSERT_EQ(CR_USER_MAX, region_place(rs, 2 * PG));      /* no gap: past the top */
    save();
    ASSERT_ERR(-CR_EINVAL, region_map(rs, 0, 2 * PG, RW, PM_R_ANON, &out));
    ASSERT_TRUE(unchanged());
    ASSERT_ERR(0, region_map(rs, 0, PG, RW, PM_R_ANON, &out));
    ASSERT_EQ(CR_USER_MAX - 2 * PG, out);
    ASSERT_ERR(-CR_EINVAL, region_map(rs, 0, PG, RW, PM_R_ANON, &out)); /* now nothing */
}

TEST(region_is_covered_walks_adjacent_regions_and_stops_at_holes)
{
    reset();
    add(A + 2 * PG, A + 3 * PG, RW, PM_R_BRK);
    add(A, A + 2 * PG, RW, PM_R_IMAGE);
    add(A + 4 * PG, A + 5 * PG, RW, PM_R_ANON); /* after a hole at A + 3 pages */
    ASSERT_TRUE(region_is_covered(rs, A, A + 3 * PG));
    ASSERT_TRUE(region_is_covered(rs, A + PG, A + 2 * PG + 1));
    ASSERT_TRUE(!region_is_covered(rs, A, A + 3 * PG + 1));
    ASSERT_TRUE(!region_is_covered(rs, A + 3 * PG, A + 5 * PG)); /* starts in the hole */
    ASSERT_TRUE(!region_is_covered(rs, A - PG, A + PG));         /* starts before */
    ASSERT_TRUE(region_is_covered(rs, A + 4 * PG, A + 5 * PG));
    ASSERT_TRUE(!region_is_covered(rs, A + 4 * PG, A + 6 * PG)); /* runs past the end */
}

TEST(region_is_covered_handles_a_full_chain_and_a_huge_region)
{
    reset();
    for (unsigned i = 0; i < PM_MAX_REGIONS; i++) {
        uint64_t s = A + (uint64_t)(PM_MAX_REGIONS - 1 - i) * PG;
        add(s, s + PG, RW, PM_R_ANON);
    }
    ASSERT_TRUE(region_is_covered(rs, A, A + PM_MAX_REGIONS * (uint64_t)PG));
    ASSERT_TRUE(!region_is_covered(rs, A, A + (PM_MAX_REGIONS + 1) * (uint64_t)PG));
    reset();
    /* All of user space in one region: one step, not 2^35 pages. */
    add(CR_USER_MIN, CR_USER_MAX, RW, PM_R_ANON);
    ASSERT_TRUE(region_is_covered(rs, CR_USER_MIN, CR_USER_MAX));
}

TEST(region_map_checks_in_order_einval_eexist_enospc)
{
    uint64_t out = 7;
    reset();
    ASSERT_ERR(0, region_map(rs, A, 2 * PG, RW, PM_R_IMAGE, &out));
    ASSERT_EQ(A, out);
    ASSERT_ERR(0, region_map(rs, A + 2 * PG, PG, RO, PM_R_ANON, &out)); /* adjacent */
    ASSERT_TRUE(is(region_lookup(rs, A + 2 * PG), A + 2 * PG, A + 3 * PG, RO, PM_R_ANON));
    ASSERT_ERR(-CR_EEXIST, region_map(rs, A + PG, 2 * PG, RW, PM_R_ANON, &out));
    ASSERT_ERR(-CR_EEXIST, region_map(rs, A - PG, 2 * PG, RW, PM_R_ANON, &out));
    ASSERT_ERR(-CR_EINVAL, region_map(rs, A + 1, PG, RW, PM_R_ANON, &out));
    ASSERT_ERR(-CR_EINVAL, region_map(rs, 0x0, 0, RW, PM_R_ANON, &out));
    ASSERT_ERR(-CR_EINVAL, region_map(rs, A + 8 * PG, 0, RW, PM_R_ANON, &out));
    ASSERT_ERR(-CR_EINVAL, region_map(rs, A + 8 * PG, PG, RW, PM_R_FREE, &out));
    ASSERT_ERR(-CR_EINVAL, region_map(rs, CR_USER_MAX - PG, 2 * PG, RW, PM_R_ANON, &out));
    ASSERT_ERR(0, region_map(rs, CR_USER_MAX - PG, PG, RW, PM_R_STACK, &out));
    fill(A + 16 * PG);
    save();
    ASSERT_ERR(-CR_ENOSPC, region_map(rs, A + 8 * PG, PG, RW, PM_R_ANON, &out));
    ASSERT_ERR(-CR_ENOSPC, region_map(rs, 0, PG, RW, PM_R_ANON, &out));
    ASSERT_ERR(-CR_EEXIST, region_map(rs, A, PG, RW, PM_R_ANON, &out));     /* before ENOSPC */
    ASSERT_ERR(-CR_EINVAL, region_map(rs, A + 1, PG, RW, PM_R_ANON, &out)); /* first */
    ASSERT_TRUE(unchanged());
    ASSERT_EQ(CR_USER_MAX - PG, out); /* untouched by the failures */
}

TEST(region_protect_inside_one_region_makes_three)
{
    reset();
    add(A, A + 4 * PG, RW, PM_R_ANON);
    ASSERT_ERR(0, region_protect(rs, A + PG, A + 2 * PG, RO));
    ASSERT_EQ(3, used());
    ASSERT_TRUE(is(region_lookup(rs, A), A, A + PG, RW, PM_R_ANON));
    ASSERT_TRUE(is(region_lookup(rs, A + PG), A + PG, A + 2 * PG, RO, PM_R_ANON));
    ASSERT_TRUE(is(region_lookup(rs, A + 2 * PG), A + 2 * PG, A + 4 * PG, RW, PM_R_ANON));
    ASSERT_ERR(0, region_protect(rs, A, A + 4 * PG, 0)); /* exact bounds: no more splits */
    ASSERT_EQ(3, used());
    ASSERT_EQ(0, region_lookup(rs, A + 3 * PG)->prot);
}

TEST(region_protect_across_kinds_keeps_each_kind)
{
    reset();
    add(A, A + 2 * PG, 5, PM_R_IMAGE);
    add(A + 2 * PG, A + 4 * PG, RW, PM_R_BRK);
    add(A + 4 * PG, A + 6 * PG, RW, PM_R_ANON);
    ASSERT_ERR(0, region_protect(rs, A + PG, A + 5 * PG, RO));
    ASSERT_EQ(5, used());
    ASSERT_TRUE(is(region_lookup(rs, A), A, A + PG, 5, PM_R_IMAGE));
    ASSERT_TRUE(is(region_lookup(rs, A + PG), A + PG, A + 2 * PG, RO, PM_R_IMAGE));
    ASSERT_TRUE(is(region_lookup(rs, A + 2 * PG), A + 2 * PG, A + 4 * PG, RO, PM_R_BRK));
    ASSERT_TRUE(is(region_lookup(rs, A + 4 * PG), A + 4 * PG, A + 5 * PG, RO, PM_R_ANON));
    ASSERT_TRUE(is(region_lookup(rs, A + 5 * PG), A + 5 * PG, A + 6 * PG, RW, PM_R_ANON));
}

TEST(region_protect_refuses_holes_with_enoent_and_changes_nothing)
{
    reset();
    add(A, A + 2 * PG, RW, PM_R_ANON);
    add(A + 3 * PG, A + 4 * PG, RW, PM_R_ANON);
    save();
    ASSERT_ERR(-CR_ENOENT, region_protect(rs, A, A + 4 * PG, RO));
    ASSERT_ERR(-CR_ENOENT, region_protect(rs, A + 2 * PG, A + 3 * PG, RO));
    ASSERT_ERR(-CR_ENOENT, region_protect(rs, A + PG, A + 3 * PG, RO)); /* runs out */
    ASSERT_ERR(-CR_ENOENT, region_protect(rs, A + 8 * PG, A + 9 * PG, RO));
    ASSERT_TRUE(unchanged());
}

TEST(region_protect_wants_two_free_entries_or_is_enospc)
{
    reset();
    add(A, A + 4 * PG, RW, PM_R_ANON);
    fill(A + 16 * PG);
    ASSERT_ERR(0, region_cut(rs, A + 16 * PG, A + 17 * PG)); /* one entry free */
    save();
    ASSERT_ERR(-CR_ENOSPC, region_protect(rs, A + PG, A + 2 * PG, RO)); /* needs two */
    /* Asked for even when no split is needed: the whole region, exactly. */
    ASSERT_ERR(-CR_ENOSPC, region_protect(rs, A, A + 4 * PG, RO));
    ASSERT_ERR(-CR_ENOENT, region_protect(rs, A + 16 * PG, A + 17 * PG, RO)); /* first */
    ASSERT_TRUE(unchanged());
    ASSERT_ERR(0, region_cut(rs, A + 18 * PG, A + 19 * PG)); /* two free */
    ASSERT_ERR(0, region_protect(rs, A + PG, A + 2 * PG, RO));
    ASSERT_EQ(0, region_count_free(rs));
}

TEST(region_protect_at_the_top_of_user_space)
{
    reset();
    add(CR_USER_MAX - 4 * PG, CR_USER_MAX, RW, PM_R_STACK);
    ASSERT_ERR(0, region_protect(rs, CR_USER_MAX - PG, CR_USER_MAX, RO));
    ASSERT_TRUE(
        is(region_lookup(rs, CR_USER_MAX - PG), CR_USER_MAX - PG, CR_USER_MAX, RO, PM_R_STACK));
    ASSERT_TRUE(is(region_lookup(rs, CR_USER_MAX - 4 * PG), CR_USER_MAX - 4 * PG, CR_USER_MAX - PG,
                   RW, PM_R_STACK));
    ASSERT_TRUE(region_lookup(rs, CR_USER_MAX) == NULL);
    ASSERT_EQ(2, used());
}

TEST(region_grow_brk_extends_the_heap_or_adds_one)
{
    reset();
    add(A, A + 2 * PG, 5, PM_R_IMAGE);
    ASSERT_ERR(0, region_grow_brk(rs, A + 2 * PG, A + 4 * PG, RW)); /* a new heap region */
    ASSERT_TRUE(is(region_lookup(rs, A + 2 * PG), A + 2 * PG, A + 4 * PG, RW, PM_R_BRK));
    ASSERT_ERR(0, region_grow_brk(rs, A + 4 * PG, A + 5 * PG, RW)); /* extended in place */
    ASSERT_TRUE(is(region_lookup(rs, A + 2 * PG), A + 2 * PG, A + 5 * PG, RW, PM_R_BRK));
    ASSERT_EQ(2, used());
}

TEST(region_grow_brk_does_not_extend_a_reprotected_heap_tail)
{
    reset();
    add(A, A + 4 * PG, RW, PM_R_BRK);
    ASSERT_ERR(0, region_protect(rs, A + 3 * PG, A + 4 * PG, RO));
    ASSERT_ERR(0, region_grow_brk(rs, A + 4 * PG, A + 6 * PG, RW));
    /* The new heap is read-write; the read-only tail stays one page. */
    ASSERT_TRUE(is(region_lookup(rs, A + 3 * PG), A + 3 * PG, A + 4 * PG, RO, PM_R_BRK));
    ASSERT_TRUE(is(region_lookup(rs, A + 4 * PG), A + 4 * PG, A + 6 * PG, RW, PM_R_BRK));
}

TEST(region_grow_brk_errors_change_nothing)
{
    reset();
    add(A, A + 2 * PG, RW, PM_R_BRK);
    add(A + 4 * PG, A + 5 * PG, RW, PM_R_ANON);
    save();
    ASSERT_ERR(-CR_EEXIST, region_grow_brk(rs, A + 2 * PG, A + 5 * PG, RW));
    ASSERT_ERR(-CR_EINVAL, region_grow_brk(rs, A + 2 * PG, A + 2 * PG, RW));
    ASSERT_ERR(-CR_EINVAL, region_grow_brk(rs, A + 2 * PG, A + PG, RW));
    ASSERT_ERR(-CR_EINVAL, region_grow_brk(rs, 0, 2 * PG, RW)); /* a break never set */
    ASSERT_ERR(-CR_EINVAL, region_grow_brk(rs, CR_USER_MAX - PG, CR_USER_MAX + PG, RW));
    ASSERT_TRUE(unchanged());
    fill(A + 16 * PG);
    save();
    ASSERT_ERR(0, region_grow_brk(rs, A + 2 * PG, A + 3 * PG, RW)); /* extending: no entry */
    ASSERT_ERR(-CR_ENOSPC, region_grow_brk(rs, A + 5 * PG, A + 6 * PG, RW));
    ASSERT_TRUE(region_lookup(rs, A + 5 * PG) == NULL);
}
