/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the resources slot bitmap (user/root/pm/slotmap.c), as obj.c uses it:
 * slots come lowest first and never slot 0; finding does not take, so a slot whose object
 * could not be made is found again (a failed pm_res_new used to move the hint past it and
 * lose it); giving a slot back brings the hint down to it; a full map is ENOSPC at exactly
 * nslots; and a randomized run checks every find against a plain scan for the lowest
 * free slot, and the hint's invariant (every slot below it is used) after every step.
 */
/* test-sources: user/root/pm/slotmap.c */
#include "test.h"

#include "user/root/pm/slotmap.h"

enum {
    NSLOTS = 8192, /* PM_RES_EXTENTS << PM_RES_RADIX: obj.c's bitmap */
    EXTENT = 512,  /* 1 << PM_RES_RADIX */
};

static uint8_t used[NSLOTS / 8];
static uint16_t hint;

static void
reset(void)
{
    memset(used, 0, sizeof(used));
    hint = 0;
}

/* What obj.c does for a new object that could be made: find, then take. */
static int
new_slot(uint16_t *slot)
{
    int rc = slotmap_find(used, NSLOTS, &hint, slot);
    if (rc == 0) {
        slotmap_take(used, &hint, *slot);
    }
    return rc;
}

/* True if every slot in [1, hint) is used. */
static bool
hint_holds(void)
{
    for (unsigned i = 1; i < hint; i++) {
        if (!slotmap_is_used(used, (uint16_t)i)) {
            return false;
        }
    }
    return true;
}

TEST(slotmap_hands_out_lowest_first_and_never_slot_0)
{
    uint16_t s = 0;
    reset();
    for (unsigned want = 1; want < 10; want++) {
        ASSERT_ERR(0, new_slot(&s));
        ASSERT_EQ(want, s);
        ASSERT_TRUE(slotmap_is_used(used, s));
    }
    ASSERT_TRUE(!slotmap_is_used(used, 0));
    ASSERT_EQ(10, hint);
}

TEST(slotmap_find_does_not_take_so_a_failed_object_loses_no_slot)
{
    uint16_t s = 0;
    uint16_t again = 0;
    reset();
    ASSERT_ERR(0, new_slot(&s));
    ASSERT_ERR(0, slotmap_find(used, NSLOTS, &hint, &s)); /* then the object fails */
    ASSERT_EQ(2, s);
    ASSERT_TRUE(!slotmap_is_used(used, 2));
    ASSERT_ERR(0, slotmap_find(used, NSLOTS, &hint, &again));
    ASSERT_EQ(2, again);
    ASSERT_TRUE(hint_holds());
}

TEST(slotmap_give_brings_the_hint_down)
{
    uint16_t s = 0;
    reset();
    for (unsigned i = 0; i < 20; i++) {
        ASSERT_ERR(0, new_slot(&s));
    }
    slotmap_give(used, &hint, 7);
    slotmap_give(used, &hint, 15);
    ASSERT_EQ(7, hint);
    ASSERT_ERR(0, new_slot(&s));
    ASSERT_EQ(7, s);
    ASSERT_ERR(0, new_slot(&s));
    ASSERT_EQ(15, s);
    ASSERT_ERR(0, new_slot(&s));
    ASSERT_EQ(21, s);
    slotmap_give(used, &hint, 30); /* above the hint, and free already: no change */
    ASSERT_EQ(22, hint);
}

TEST(slotmap_take_out_of_order_is_skipped_later)
{
    uint16_t s = 0;
    reset();
    slotmap_take(used, &hint, 1); /* proc.c marks its CSpace slot like this */
    slotmap_take(used, &hint, 3);
    ASSERT_ERR(0, new_slot(&s));
    ASSERT_EQ(2, s);
    ASSERT_ERR(0, new_slot(&s));
    ASSERT_EQ(4, s);
    ASSERT_TRUE(hint_holds());
}

TEST(slotmap_crosses_into_the_next_extent_at_its_first_slot)
{
    uint16_t s = 0;
    reset();
    for (unsigned i = 1; i < EXTENT; i++) {
        ASSERT_ERR(0, new_slot(&s));
    }
    ASSERT_EQ(EXTENT - 1, s);
    ASSERT_ERR(0, new_slot(&s));
    ASSERT_EQ(EXTENT, s); /* obj.c makes extent 1 for exactly this slot */
}

TEST(slotmap_full_is_enospc_at_exactly_nslots)
{
    uint16_t s = 0;
    reset();
    for (unsigned i = 1; i < NSLOTS; i++) {
        ASSERT_ERR(0, new_slot(&s));
    }
    ASSERT_EQ(NSLOTS - 1, s);
    uint16_t before = hint;
    ASSERT_ERR(-CR_ENOSPC, slotmap_find(used, NSLOTS, &hint, &s));
    ASSERT_EQ(before, hint);
    slotmap_give(used, &hint, 4000);
    ASSERT_ERR(0, new_slot(&s));
    ASSERT_EQ(4000, s);
    ASSERT_ERR(-CR_ENOSPC, slotmap_find(used, NSLOTS, &hint, &s));
    /* A smaller bound stops the search there. */
    reset();
    slotmap_take(used, &hint, 1);
    ASSERT_ERR(-CR_ENOSPC, slotmap_find(used, 2, &hint, &s));
    ASSERT_ERR(0, slotmap_find(used, 3, &hint, &s));
    ASSERT_EQ(2, s);
}

TEST(slotmap_random_agrees_with_a_plain_scan)
{
    static bool model[NSLOTS];
    uint64_t x = 0x243f6a8885a308d3ull;
    reset();
    memset(model, 0, sizeof(model));
    for (unsigned step = 0; step < 50000; step++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* Slots given back are below 600 most of the time: the first extent fills. */
        uint16_t s = (uint16_t)(1 + (x >> 8) % (x % 16 == 0 ? NSLOTS - 1 : 600));
        unsigned op = (unsigned)(x >> 40) % 4;
        if (op < 2 && model[s]) {
            slotmap_give(used, &hint, s);
            model[s] = false;
        } else {
            unsigned lowest = 1;
            while (lowest < NSLOTS && model[lowest]) {
                lowest++;
            }
            uint16_t got = 0;
            int rc = slotmap_find(used, NSLOTS, &hint, &got);
            ASSERT_ERR(0, rc); /* about 300 slots are used at a time */
            ASSERT_EQ(lowest, got);
            if (op == 3) { /* else the object could not be made, and the slot stays free */
                slotmap_take(used, &hint, got);
                model[got] = true;
            }
        }
        ASSERT_TRUE(hint_holds());
        ASSERT_EQ(model[s], slotmap_is_used(used, s));
    }
}
