/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the copier's runs (kernel/ipc/copyrun.c, kernel/include/kernel/copyrun.h):
 * a cache is kept only under the key it was filled under (address space, generation);
 * a span continuing the last run in addresses and frames grows it, anything else starts
 * a new run, and a full cache starts again; a lookup answers from the run
 * used last, the one after it or the first, and from no other; and, randomized, that
 * every answer is true: the bytes it reports lie inside a span recorded under the key,
 * at the frames recorded for them.
 */
/* test-sources: kernel/ipc/copyrun.c */
#include "test.h"

#include <kernel/copyrun.h>

static const int space_a = 1; /* two address spaces: only their addresses matter */
static const int space_b = 2;

static struct copyrun_cache
fresh(void)
{
    struct copyrun_cache c;
    memset(&c, 0, sizeof(c)); /* as in a new TCB */
    copyrun_begin(&c, &space_a, 7);
    return c;
}

TEST(copyrun_empty_cache_answers_nothing)
{
    struct copyrun_cache c = fresh();
    paddr_t pa = 0;
    ASSERT_EQ(copyrun_lookup(&c, 0x10000, &pa), 0);
    ASSERT_EQ(c.n, 0);
}

TEST(copyrun_lookup_inside_a_run_gives_the_rest_of_it)
{
    struct copyrun_cache c = fresh();
    copyrun_record(&c, 0x10000, 0x3000, 0x800000);
    paddr_t pa = 0;
    ASSERT_EQ(copyrun_lookup(&c, 0x10000, &pa), 0x3000);
    ASSERT_EQ(pa, 0x800000);
    ASSERT_EQ(copyrun_lookup(&c, 0x12ffe, &pa), 2);
    ASSERT_EQ(pa, 0x802ffe);
    ASSERT_EQ(copyrun_lookup(&c, 0x13000, &pa), 0); /* just past its end */
    ASSERT_EQ(copyrun_lookup(&c, 0xffff, &pa), 0);  /* just below its start */
}

TEST(copyrun_begin_keeps_runs_only_under_the_same_key)
{
    struct copyrun_cache c = fresh();
    copyrun_record(&c, 0x10000, 0x1000, 0x800000);
    paddr_t pa;
    copyrun_begin(&c, &space_a, 7);
    ASSERT_EQ(copyrun_lookup(&c, 0x10000, &pa), 0x1000);
    copyrun_begin(&c, &space_a, 8); /* a mapping was removed or reduced since */
    ASSERT_EQ(copyrun_lookup(&c, 0x10000, &pa), 0);

    c = fresh();
    copyrun_record(&c, 0x10000, 0x1000, 0x800000);
    copyrun_begin(&c, &space_b, 7); /* another address space */
    ASSERT_EQ(copyrun_lookup(&c, 0x10000, &pa), 0);
}

TEST(copyrun_record_grows_a_run_it_continues_in_addresses_and_frames)
{
    struct copyrun_cache c = fresh();
    copyrun_record(&c, 0x10000, 0x1000, 0x800000);
    copyrun_record(&c, 0x11000, 0x2000, 0x801000);
    ASSERT_EQ(c.n, 1);
    paddr_t pa;
    ASSERT_EQ(copyrun_lookup(&c, 0x10800, &pa), 0x2800);
    ASSERT_EQ(pa, 0x800800);
}

TEST(copyrun_record_starts_a_new_run_where_frames_or_addresses_jump)
{
    struct copyrun_cache c = fresh();
    copyrun_record(&c, 0x10000, 0x1000, 0x800000);
    copyrun_record(&c, 0x11000, 0x1000, 0x900000); /* next page, other frame */
    copyrun_record(&c, 0x40000, 0x1000, 0x901000); /* next frame, other address */
    ASSERT_EQ(c.n, 3);
    paddr_t pa;
    ASSERT_EQ(copyrun_lookup(&c, 0x10000, &pa), 0x1000);
    ASSERT_EQ(pa, 0x800000);
    ASSERT_EQ(copyrun_lookup(&c, 0x11000, &pa), 0x1000);
    ASSERT_EQ(pa, 0x900000);
    ASSERT_EQ(copyrun_lookup(&c, 0x40000, &pa), 0x1000);
    ASSERT_EQ(pa, 0x901000);
}

TEST(copyrun_full_cache_starts_again_from_the_new_run)
{
    struct copyrun_cache c = fresh();
    for (uint64_t i = 0; i < COPYRUN_MAX; i++) {
        copyrun_record(&c, 0x10000 + i * 0x1000, 0x1000, 0x800000 - i * 0x1000);
    }
    ASSERT_EQ(c.n, COPYRUN_MAX);
    copyrun_record(&c, 0x90000, 0x1000, 0x100000);
    ASSERT_EQ(c.n, 1);
    paddr_t pa;
    ASSERT_EQ(copyrun_lookup(&c, 0x90000, &pa), 0x1000);
    ASSERT_EQ(pa, 0x100000);
    ASSERT_EQ(copyrun_lookup(&c, 0x10000, &pa), 0);
}

/* A copy going on finds the next run, a new copy the first; a run elsewhere is not
 * searched for (the lookup is O(1)), it is just found again in the page tables. */
TEST(copyrun_lookup_looks_at_the_last_run_the_next_and_the_first)
{
    struct copyrun_cache c = fresh();
    for (uint64_t i = 0; i < 4; i++) {
        copyrun_record(&c, 0x10000 + i * 0x1000, 0x1000, 0x800000 - i * 0x1000);
    }
    paddr_t pa;
    ASSERT_EQ(copyrun_lookup(&c, 0x10000, &pa), 0x1000); /* the first */
    ASSERT_EQ(c.cur, 0);
    ASSERT_EQ(copyrun_lookup(&c, 0x11000, &pa), 0x1000); /* the next */
    ASSERT_EQ(c.cur, 1);
    ASSERT_EQ(copyrun_lookup(&c, 0x11800, &pa), 0x800); /* the same again */
    ASSERT_EQ(pa, 0x7ff800);
    ASSERT_EQ(copyrun_lookup(&c, 0x13000, &pa), 0); /* two ahead: not looked at */
    ASSERT_EQ(copyrun_lookup(&c, 0x12000, &pa), 0x1000);
    ASSERT_EQ(copyrun_lookup(&c, 0x13000, &pa), 0x1000);
    ASSERT_EQ(pa, 0x7fd000);
}

/* The randomized test's generator (test_rng), from a fixed seed. */
static uint64_t rng_state = 0xc0b1e5eed0000001ull;

static uint64_t
rng(void)
{
    return test_rng(&rng_state);
}

enum {
    PAGES = 64, /* a small address space: page p at va 0x100000 + p * 4 KiB */
    VA0 = 0x100000,
};

/*
 * Random mappings (page -> frame, some pages scattered, some runs consecutive), random
 * copies through them recording the spans a copier would find, and lookups at random
 * addresses between the records: every answer must lie inside the mapping as recorded,
 * on the frames recorded. Generations change now and then, with a new mapping, and a
 * lookup after copyrun_begin under the new one must never answer from the old.
 */
TEST(copyrun_answers_are_true_randomized)
{
    uint64_t frame[PAGES];
    struct copyrun_cache c;
    memset(&c, 0, sizeof(c));
    uint64_t gen = 1;
    for (int epoch = 0; epoch < 200; epoch++, gen++) {
        uint64_t f = 0x1000000 + rng() % 64 * 0x100000;
        for (unsigned p = 0; p < PAGES; p++) {
            f = rng() % 3 == 0 ? 0x1000000 + rng() % 4096 * 0x1000 : f + 0x1000;
            frame[p] = f;
        }
        copyrun_begin(&c, &space_a, gen);
        for (int step = 0; step < 200; step++) {
            uint64_t va = VA0 + rng() % (PAGES * 0x1000);
            paddr_t pa = 0;
            uint64_t n = copyrun_lookup(&c, va, &pa);
            if (n == 0) {
                /* What a copier would find: the span from va on consecutive frames. */
                unsigned p = (unsigned)((va - VA0) / 0x1000);
                uint64_t len = 0x1000 - (va & 0xfff);
                while (p + 1 < PAGES && frame[p + 1] == frame[p] + 0x1000 && rng() % 8 != 0) {
                    p++;
                    len += 0x1000;
                }
                copyrun_record(&c, va, len, frame[(va - VA0) / 0x1000] + (va & 0xfff));
                continue;
            }
            ASSERT_TRUE(va + n <= VA0 + PAGES * 0x1000);
            for (uint64_t off = 0; off < n; off += 0x1000 - ((va + off) & 0xfff)) {
                uint64_t a = va + off;
                ASSERT_EQ(pa + off, frame[(a - VA0) / 0x1000] + (a & 0xfff));
            }
            uint64_t last = va + n - 1;
            ASSERT_EQ(pa + n - 1, frame[(last - VA0) / 0x1000] + (last & 0xfff));
        }
    }
}
