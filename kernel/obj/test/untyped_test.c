/* SPDX-License-Identifier: MIT */
/*
 * Host tests of retype's placement rule (kernel/include/kernel/untyped.h): natural
 * alignment from the watermark, exact fits, running out, and no overflow for huge counts
 * or regions at the top of the physical address space.
 */
#include "test.h"

#include <kernel/untyped.h>

enum {
    KIB = 1024,
    MIB = 1024 * 1024,
};

TEST(untyped_place_empty_region_starts_at_zero)
{
    uint64_t start = 99;
    ASSERT_EQ(0, untyped_place(0x100000, 20, 0, 12, 1, &start));
    ASSERT_EQ(0, start);
}

TEST(untyped_place_aligns_up_from_watermark)
{
    uint64_t start = 0;
    /* One 4 KiB page used; a 16 KiB object skips to the next 16 KiB boundary. */
    ASSERT_EQ(0, untyped_place(0x100000, 20, 4 * KIB, 14, 1, &start));
    ASSERT_EQ(16 * KIB, start);
    /* Alignment is of the physical address, not of the offset. */
    ASSERT_EQ(0, untyped_place(0x101000, 12 + 8, 0, 14, 1, &start));
    ASSERT_EQ(0x104000 - 0x101000, start);
}

TEST(untyped_place_exact_fit_and_one_too_many)
{
    uint64_t start = 0;
    ASSERT_EQ(0, untyped_place(0x200000, 20, 0, 12, 256, &start));
    ASSERT_ERR(-CR_ENOMEM, untyped_place(0x200000, 20, 0, 12, 257, &start));
    ASSERT_EQ(0, untyped_place(0x200000, 20, MIB - 4 * KIB, 12, 1, &start));
    ASSERT_EQ(MIB - 4 * KIB, start);
    ASSERT_ERR(-CR_ENOMEM, untyped_place(0x200000, 20, MIB, 12, 1, &start));
}

TEST(untyped_place_alignment_gap_can_exhaust)
{
    uint64_t start = 0;
    /* 1 byte used of 64 KiB: a 64 KiB object no longer fits anywhere. */
    ASSERT_ERR(-CR_ENOMEM, untyped_place(0x10000, 16, 1, 16, 1, &start));
    /* Same-size child from an unused region is fine. */
    ASSERT_EQ(0, untyped_place(0x10000, 16, 0, 16, 1, &start));
}

TEST(untyped_place_huge_count_does_not_overflow)
{
    uint64_t start = 0;
    ASSERT_ERR(-CR_ENOMEM, untyped_place(0x100000, 20, 0, 12, UINT64_MAX, &start));
    ASSERT_ERR(-CR_ENOMEM, untyped_place(0x100000, 20, 0, 12, (1ull << 52) + 1, &start));
}

TEST(untyped_place_top_of_physical_space)
{
    uint64_t start = 0;
    uint64_t base = 1ull << 51; /* a 2^51-byte region ending at 2^52 */
    ASSERT_EQ(0, untyped_place(base, 51, (1ull << 51) - 4096, 12, 1, &start));
    ASSERT_EQ((1ull << 51) - 4096, start);
    ASSERT_ERR(-CR_ENOMEM, untyped_place(base, 51, (1ull << 51) - 4096, 13, 1, &start));
}
