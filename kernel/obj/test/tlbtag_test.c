/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the TLB-tag rule (kernel/obj/tlbtag.c): a first load flushes, a reload
 * keeps, a reused index (new generation) flushes with or without the retire call, a
 * removal while not loaded flushes once, the kernel's tag 0 never flushes, tags at the
 * bitmap's word edges stay apart; then random operations against a model TLB that
 * records, per tag, which ASID's translations it may hold and whether any of them are
 * out of date: a load that could expose an out-of-date or foreign translation must flush.
 */
/* test-sources: kernel/obj/tlbtag.c */
#include "test.h"

#include <stdlib.h>

#include <kernel/tlbtag.h>

enum {
    GEN = 1u << TLBTAG_BITS, /* one generation step in a packed ASID */
    MODEL_ROUNDS = 200000,
    MODEL_INDICES = 70, /* across the first bitmap word's edge */
};

static struct tlbtag_cpu s;

static bool
load_flushes(uint32_t asid)
{
    bool flush = false;
    unsigned t = tlbtag_load(&s, asid, &flush);
    if (t != (asid & (TLBTAG_COUNT - 1))) {
        printf("tag %u for asid %x\n", t, asid);
        abort();
    }
    return flush;
}

TEST(tlbtag_first_load_flushes_then_keeps)
{
    memset(&s, 0, sizeof(s));
    ASSERT_TRUE(load_flushes(5));
    ASSERT_TRUE(!load_flushes(5));
    ASSERT_TRUE(load_flushes(6));
    ASSERT_TRUE(!load_flushes(5));
    ASSERT_TRUE(!load_flushes(6));
}

TEST(tlbtag_kernel_tag_never_flushes)
{
    memset(&s, 0, sizeof(s));
    ASSERT_TRUE(!load_flushes(0));
    tlbtag_stale(&s, 0);
    tlbtag_retire(&s, 0);
    ASSERT_TRUE(!load_flushes(0));
}

TEST(tlbtag_reused_index_flushes)
{
    memset(&s, 0, sizeof(s));
    uint32_t a = 7 | 3 * GEN;
    uint32_t b = 7 | 4 * GEN;
    ASSERT_TRUE(load_flushes(a));
    tlbtag_retire(&s, a);
    ASSERT_TRUE(load_flushes(b));
    ASSERT_TRUE(!load_flushes(b));
    /* Without the retire call, the new generation alone makes it flush. */
    ASSERT_TRUE(load_flushes(a));
    /* A wrapped generation equal to the old one is caught by the retire call. */
    tlbtag_retire(&s, a);
    ASSERT_TRUE(load_flushes(a));
}

TEST(tlbtag_stale_flushes_once)
{
    memset(&s, 0, sizeof(s));
    ASSERT_TRUE(load_flushes(9));
    ASSERT_TRUE(load_flushes(10));
    tlbtag_stale(&s, 9);
    ASSERT_TRUE(!load_flushes(10));
    ASSERT_TRUE(load_flushes(9));
    ASSERT_TRUE(!load_flushes(9));
}

TEST(tlbtag_word_edges_independent)
{
    static const uint32_t idx[] = { 1, 63, 64, 65, 127, 128, 4094, 4095 };
    memset(&s, 0, sizeof(s));
    for (size_t i = 0; i < ARRAY_SIZE(idx); i++) {
        ASSERT_TRUE(load_flushes(idx[i] | GEN));
    }
    for (size_t i = 0; i < ARRAY_SIZE(idx); i++) {
        tlbtag_stale(&s, idx[i] | GEN);
        for (size_t j = 0; j < ARRAY_SIZE(idx); j++) {
            ASSERT_EQ(load_flushes(idx[j] | GEN), i == j);
        }
    }
}

/* The model: what tag i's TLB entries may contain. */
static struct {
    uint32_t holds[MODEL_INDICES]; /* ASID whose translations the tag may hold, 0 none */
    bool outdated[MODEL_INDICES];  /* some of them were removed since */
    uint32_t live[MODEL_INDICES];  /* the VSpace now using the index (0 none) */
    uint32_t gen[MODEL_INDICES];
} m;

TEST(tlbtag_random_against_model)
{
    memset(&s, 0, sizeof(s));
    memset(&m, 0, sizeof(m));
    srand(7);
    uint32_t loaded = 0;
    for (int r = 0; r < MODEL_ROUNDS; r++) {
        unsigned i = 1 + (unsigned)rand() % (MODEL_INDICES - 1);
        switch (rand() % 4) {
        case 0: /* a new VSpace takes a free index */
            if (m.live[i] == 0) {
                m.gen[i] = (m.gen[i] + 1) % 8; /* small: generations wrap often */
                m.live[i] = i | m.gen[i] * GEN;
            }
            break;
        case 1: /* the VSpace ends (switched away from first if loaded) */
            if (m.live[i] != 0) {
                if (loaded == m.live[i]) {
                    loaded = 0;
                }
                tlbtag_retire(&s, m.live[i]);
                m.live[i] = 0;
                m.outdated[i] = true;
            }
            break;
        case 2: /* an unmap: invlpg if loaded, else the tag is marked stale */
            if (m.live[i] != 0 && loaded != m.live[i]) {
                tlbtag_stale(&s, m.live[i]);
                if (m.holds[i] == m.live[i]) {
                    m.outdated[i] = true;
                }
            }
            break;
        default: /* a switch to it */
            if (m.live[i] != 0) {
                bool must = m.holds[i] != m.live[i] || m.outdated[i];
                bool flush = load_flushes(m.live[i]);
                if (must && !flush) {
                    ASSERT_TRUE(!"a load kept translations it had to drop");
                }
                if (flush) {
                    m.outdated[i] = false;
                }
                m.holds[i] = m.live[i];
                loaded = m.live[i];
            }
            break;
        }
    }
}
