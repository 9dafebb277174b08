/* SPDX-License-Identifier: MIT */
/*
 * Host tests of capability-pointer resolution (kernel/obj/cnode.c: cnode_resolve,
 * cnode_lookup_cap, cnode_lookup_dest). The host arch shim makes phys_to_virt the
 * identity, so a CNode capability's obj is the host address of a slot array here.
 *
 * Reading the cptrs below: resolution takes bits from the most significant end. Each
 * CNode takes its guard bits (aux), which must equal its guard value (w1), then radix
 * bits (size_bits) as the slot index. With 64 bits to resolve, a CNode with g guard bits
 * and radix r at the root takes bits 63..64-g as guard and 63-g..64-g-r as index.
 */
/* test-sources: kernel/obj/cnode.c kernel/obj/cdt.c kernel/obj/test/cnode_stubs.c */
#include "test.h"

#include <kernel/cnode.h>
#include <kernel/errors.h>
#include <kernel/tcb.h>

#include "cnode_stubs.h"

static struct cap
cnode_cap(struct slot *slots, unsigned radix, unsigned guard_bits, uint64_t guard)
{
    return (struct cap){ .type = CR_OBJ_CNODE,
                         .size_bits = (uint8_t)radix,
                         .aux = guard_bits,
                         .w1 = guard,
                         .obj = (uint64_t)(uintptr_t)slots };
}

/* A slot pointer no resolution returns: checks that failures leave *out alone. */
static struct slot sentinel;

static int
resolve(const struct cap *root, uint64_t cptr, unsigned depth, struct slot **out)
{
    *out = &sentinel;
    return cnode_resolve(root, cptr, depth, out);
}

static struct slot big[1u << 12];

/* One level, radix 12 and 52 guard bits: the root server's layout. */
TEST(cnode_resolve_single_level_index_is_cptr)
{
    struct cap root = cnode_cap(big, 12, 52, 0);
    struct slot *s;

    /* Guard 0 in bits 63..12, so the cptr is the index. */
    ASSERT_ERR(0, resolve(&root, 0, 64, &s));
    ASSERT_TRUE(s == &big[0]);
    ASSERT_ERR(0, resolve(&root, 5, 64, &s));
    ASSERT_TRUE(s == &big[5]);
    ASSERT_ERR(0, resolve(&root, 4095, 64, &s));
    ASSERT_TRUE(s == &big[4095]);

    /* A slot holding a CNode is returned, not entered, once all bits are used. */
    big[9].cap = cnode_cap(big, 12, 52, 0);
    ASSERT_ERR(0, resolve(&root, 9, 64, &s));
    ASSERT_TRUE(s == &big[9]);
    big[9].cap = (struct cap){ 0 };
}

TEST(cnode_resolve_guard_mismatch_is_ebadcap)
{
    struct cap root = cnode_cap(big, 12, 52, 0);
    struct slot *s;

    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 4096, 64, &s)); /* guard 1 */
    ASSERT_TRUE(s == &sentinel);
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 1ull << 63, 64, &s));
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, ~0ull, 64, &s));
    ASSERT_TRUE(s == &sentinel);

    /* Guard 0x123: the cptr is 0x123 << 12 | index. */
    root = cnode_cap(big, 12, 52, 0x123);
    ASSERT_ERR(0, resolve(&root, 0x123ull << 12 | 7, 64, &s));
    ASSERT_TRUE(s == &big[7]);
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 7, 64, &s));
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 0x124ull << 12 | 7, 64, &s));
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 1ull << 63 | 0x123ull << 12 | 7, 64, &s));

    /* A guard as wide as it may be: 52 ones. */
    root = cnode_cap(big, 12, 52, (1ull << 52) - 1);
    ASSERT_ERR(0, resolve(&root, ~0ull, 64, &s));
    ASSERT_TRUE(s == &big[4095]);
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, ~0ull >> 1, 64, &s));
}

TEST(cnode_resolve_root_must_be_cnode)
{
    struct slot *s;
    struct cap root = { 0 };
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 0, 64, &s));
    root = (struct cap){ .type = CR_OBJ_CHANNEL, .obj = (uint64_t)(uintptr_t)big };
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 0, 64, &s));
    root = (struct cap){
        .type = CAP_ZOMBIE, .aux = CR_OBJ_CNODE, .size_bits = 12, .obj = (uint64_t)(uintptr_t)big
    };
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 0, 64, &s));
    ASSERT_TRUE(s == &sentinel);
}

/* Shorter depths resolve only the low `depth` bits; higher bits are ignored. */
TEST(cnode_resolve_uses_only_depth_bits)
{
    struct cap root = cnode_cap(big, 12, 4, 0x5); /* 16 bits: guard 0x5, then index */
    struct slot *s;
    ASSERT_ERR(0, resolve(&root, 0x5123, 16, &s));
    ASSERT_TRUE(s == &big[0x123]);
    ASSERT_ERR(0, resolve(&root, 0xffffffffffff5123ull, 16, &s));
    ASSERT_TRUE(s == &big[0x123]);
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 0x4123, 16, &s));
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 0x5123, 15, &s)); /* one bit short */
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 0, 0, &s));
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 0x5123, 64, &s)); /* guard is then bits 63..60 */
    ASSERT_ERR(0, resolve(&root, 0x5123ull << 48, 64, &s));
    ASSERT_TRUE(s == &big[0x123]);
}

static struct slot top16[16];
static struct slot mid256[256];

/*
 * Two levels. The root has radix 4 and no guard: it takes bits 63..60. Its slot 3 holds
 * a CNode capability with radix 8 and 52 guard bits: after the root's 4 bits, 60 are
 * left, so the guard is bits 59..8 and the index bits 7..0. Total 4 + 52 + 8 = 64, so
 *     cptr = 3 << 60 | guard << 8 | index.
 */
TEST(cnode_resolve_two_levels)
{
    memset(top16, 0, sizeof(top16));
    struct cap root = cnode_cap(top16, 4, 0, 0);
    top16[3].cap = cnode_cap(mid256, 8, 52, 0);
    struct slot *s;

    ASSERT_ERR(0, resolve(&root, 0x30000000000000abull, 64, &s));
    ASSERT_TRUE(s == &mid256[0xab]);
    ASSERT_ERR(0, resolve(&root, 3ull << 60, 64, &s));
    ASSERT_TRUE(s == &mid256[0]);
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 3ull << 60 | 1ull << 8 | 0xab, 64, &s));
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 3ull << 60 | 1ull << 59, 64, &s));
    ASSERT_TRUE(s == &sentinel);

    /* With guard value 0xabc in the second level. */
    top16[3].cap = cnode_cap(mid256, 8, 52, 0xabc);
    ASSERT_ERR(0, resolve(&root, 3ull << 60 | 0xabcull << 8 | 0x12, 64, &s));
    ASSERT_TRUE(s == &mid256[0x12]);
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 3ull << 60 | 0x12, 64, &s));

    /* Depth 4 stops at the root's slot 3 and returns the CNode capability itself. */
    ASSERT_ERR(0, resolve(&root, 3, 4, &s));
    ASSERT_TRUE(s == &top16[3]);

    /* Depth 12 leaves 8 bits for a level that needs 60. */
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 0x3ab, 12, &s));
}

/* The second level wants 56 + 8 = 64 bits but only 60 are left after the root. */
TEST(cnode_resolve_too_few_bits_left_is_ebadcap)
{
    memset(top16, 0, sizeof(top16));
    struct cap root = cnode_cap(top16, 4, 0, 0);
    struct slot *s;
    top16[5].cap = cnode_cap(mid256, 8, 56, 0);
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 5ull << 60, 64, &s));
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 5ull << 60 | 0xff, 64, &s));
    /* 52 + 8 = 60 exactly fits. */
    top16[5].cap = cnode_cap(mid256, 8, 52, 0);
    ASSERT_ERR(0, resolve(&root, 5ull << 60 | 0xff, 64, &s));
    ASSERT_TRUE(s == &mid256[0xff]);
}

/* A slot that is empty or holds another type ends resolution with bits left over. */
TEST(cnode_resolve_stops_at_non_cnode_with_bits_left)
{
    memset(top16, 0, sizeof(top16));
    struct cap root = cnode_cap(top16, 4, 0, 0);
    top16[6].cap = (struct cap){ .type = CR_OBJ_CHANNEL, .obj = 0x1000 };
    top16[8].cap = (struct cap){
        .type = CAP_ZOMBIE, .aux = CR_OBJ_CNODE, .size_bits = 8, .obj = (uint64_t)(uintptr_t)mid256
    };
    struct slot *s;
    ASSERT_ERR(0, resolve(&root, 6ull << 60 | 0xdeadbeef, 64, &s));
    ASSERT_TRUE(s == &top16[6]);
    ASSERT_ERR(0, resolve(&root, 4ull << 60 | 0x1234, 64, &s)); /* empty */
    ASSERT_TRUE(s == &top16[4]);
    ASSERT_ERR(0, resolve(&root, 8ull << 60 | 0x1234, 64, &s)); /* a zombie is no CNode */
    ASSERT_TRUE(s == &top16[8]);
}

/*
 * Guard bits plus radix beyond the bits left are rejected before any shift by them.
 * UBSan aborts the program on an out-of-range shift, so getting here is the test.
 */
TEST(cnode_resolve_oversized_cnode_never_overshifts)
{
    struct slot *s;
    struct {
        unsigned guard_bits;
        unsigned radix;
    } bad[] = {
        { 63, 20 }, { 64, 1 }, { 0, 65 }, { 40, 40 }, { 255, 255 }, { 1000, 1 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct cap root = cnode_cap(big, bad[i].radix, bad[i].guard_bits, 0);
        ASSERT_ERR(-CR_EBADCAP, resolve(&root, 0, 64, &s));
        ASSERT_ERR(-CR_EBADCAP, resolve(&root, ~0ull, 64, &s));
        ASSERT_TRUE(s == &sentinel);
    }

    /* The same at the second level, with 60 bits left. */
    memset(top16, 0, sizeof(top16));
    struct cap root = cnode_cap(top16, 4, 4, 0); /* 8 bits, then 56 left */
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        top16[1].cap = cnode_cap(big, bad[i].radix, bad[i].guard_bits, 0);
        ASSERT_ERR(-CR_EBADCAP, resolve(&root, 1ull << 56, 64, &s));
    }

    /* Exactly 64 bits in one level: 63 guard bits and radix 1. */
    struct cap full = cnode_cap(top16, 1, 63, 0x2a);
    ASSERT_ERR(0, resolve(&full, 0x2aull << 1 | 1, 64, &s));
    ASSERT_TRUE(s == &top16[1]);
}

static struct slot loop2[2];

/*
 * A CNode whose slot 0 holds a capability to itself (radix 1, no guard): every level
 * takes one bit, so a cptr of zeros goes round 64 times and ends at slot 0; the first
 * 1 bit leaves the loop through slot 1, which is empty.
 */
TEST(cnode_resolve_cycle_terminates)
{
    struct cap self = cnode_cap(loop2, 1, 0, 0);
    loop2[0].cap = self;
    loop2[1].cap = (struct cap){ 0 };
    struct slot *s;
    ASSERT_ERR(0, resolve(&self, 0, 64, &s));
    ASSERT_TRUE(s == &loop2[0]);
    ASSERT_ERR(0, resolve(&self, 1, 64, &s)); /* 63 turns, then index 1 */
    ASSERT_TRUE(s == &loop2[1]);
    ASSERT_ERR(0, resolve(&self, 1ull << 63, 64, &s));
    ASSERT_TRUE(s == &loop2[1]);
    ASSERT_ERR(0, resolve(&self, 0, 17, &s));
    ASSERT_TRUE(s == &loop2[0]);

    /* With one guard bit (value 0) each turn takes two bits: 32 turns. */
    self = cnode_cap(loop2, 1, 1, 0);
    loop2[0].cap = self;
    ASSERT_ERR(0, resolve(&self, 0, 64, &s));
    ASSERT_TRUE(s == &loop2[0]);
    ASSERT_ERR(0, resolve(&self, 1, 64, &s));
    ASSERT_TRUE(s == &loop2[1]);
    ASSERT_ERR(-CR_EBADCAP, resolve(&self, 2, 64, &s)); /* last turn's guard bit is 1 */
    ASSERT_ERR(-CR_EBADCAP, resolve(&self, 0, 63, &s)); /* one bit left over */
    loop2[0].cap = (struct cap){ 0 };
}

/*
 * The thread's CSpace root for the lookup tests: radix 4 with 60 guard bits of 0, so a
 * cptr is a slot index. Slot 0 empty, 1 a channel, 2 a zombie, 3 a CNode (radix 4).
 */
static struct tcb thread;
static struct slot space[16];
static struct slot inner[16];

static void
lookup_setup(void)
{
    memset(&thread, 0, sizeof(thread));
    memset(space, 0, sizeof(space));
    memset(inner, 0, sizeof(inner));
    thread.slots[TCB_SLOT_CSPACE].cap = cnode_cap(space, 4, 60, 0);
    space[1].cap = (struct cap){ .type = CR_OBJ_CHANNEL, .obj = 0x1000 };
    space[2].cap = (struct cap){
        .type = CAP_ZOMBIE, .aux = CR_OBJ_CNODE, .size_bits = 4, .obj = (uint64_t)(uintptr_t)inner
    };
    space[3].cap = cnode_cap(inner, 4, 0, 0);
}

TEST(cnode_lookup_cap_reports_exact_errors)
{
    lookup_setup();
    struct slot *s = &sentinel;
    ASSERT_ERR(0, cnode_lookup_cap(&thread, 1, CR_OBJ_CHANNEL, &s));
    ASSERT_TRUE(s == &space[1]);
    s = &sentinel;
    ASSERT_ERR(0, cnode_lookup_cap(&thread, 1, CR_OBJ_NULL, &s)); /* any type */
    ASSERT_TRUE(s == &space[1]);
    ASSERT_ERR(0, cnode_lookup_cap(&thread, 3, CR_OBJ_CNODE, &s));
    ASSERT_TRUE(s == &space[3]);

    s = &sentinel;
    ASSERT_ERR(-CR_ENOCAP, cnode_lookup_cap(&thread, 0, CR_OBJ_NULL, &s));
    ASSERT_ERR(-CR_EBUSY, cnode_lookup_cap(&thread, 2, CR_OBJ_NULL, &s));
    ASSERT_ERR(-CR_EBUSY, cnode_lookup_cap(&thread, 2, CR_OBJ_CNODE, &s));
    ASSERT_ERR(-CR_EWRONGTYPE, cnode_lookup_cap(&thread, 1, CR_OBJ_CNODE, &s));
    ASSERT_ERR(-CR_EWRONGTYPE, cnode_lookup_cap(&thread, 3, CR_OBJ_CHANNEL, &s));
    ASSERT_ERR(-CR_EBADCAP, cnode_lookup_cap(&thread, 16, CR_OBJ_NULL, &s));
    ASSERT_ERR(-CR_EBADCAP, cnode_lookup_cap(&thread, ~0ull, CR_OBJ_NULL, &s));
    ASSERT_TRUE(s == &sentinel);

    struct slot *t = &sentinel;
    ASSERT_ERR(0, cnode_lookup(&thread, 15, &t)); /* plain lookup accepts empty slots */
    ASSERT_TRUE(t == &space[15]);
}

/*
 * The lookup memo (cnode.h): a repeat of the last lookup in the same CSpace epoch gives
 * the memo's slot; a new epoch (what every path change makes) walks again. A zeroed
 * memo never answers, not even for cptr 0, and a failed lookup leaves none.
 */
TEST(cnode_lookup_memo_answers_only_within_its_epoch)
{
    lookup_setup();
    struct slot *s = &sentinel;
    ASSERT_ERR(-CR_ENOCAP, cnode_lookup_cap(&thread, 0, CR_OBJ_NULL, &s)); /* walks: empty */
    ASSERT_ERR(-CR_EBADCAP, cnode_lookup(&thread, 16, &s));
    ASSERT_TRUE(thread.memo.cptr != 16);
    ASSERT_ERR(0, cnode_lookup(&thread, 1, &s));
    ASSERT_TRUE(s == &space[1]);
    ASSERT_EQ(thread.memo.cptr, 1);
    ASSERT_EQ(thread.memo.epoch, cnode_epoch);

    /* Another CSpace root without a new epoch: the memo still answers (the contract is
     * that whatever changes a resolution advances the epoch)... */
    static struct slot other[16];
    memset(other, 0, sizeof(other));
    thread.slots[TCB_SLOT_CSPACE].cap = cnode_cap(other, 4, 60, 0);
    ASSERT_ERR(0, cnode_lookup(&thread, 1, &s));
    ASSERT_TRUE(s == &space[1]);
    /* ...and with one, the walk finds the new CSpace's slot. */
    cnode_paths_changed();
    ASSERT_ERR(0, cnode_lookup(&thread, 1, &s));
    ASSERT_TRUE(s == &other[1]);
    ASSERT_ERR(-CR_ENOCAP, cnode_lookup_cap(&thread, 1, CR_OBJ_NULL, &s)); /* content afresh */
}

TEST(cnode_lookup_dest_checks_index_range)
{
    lookup_setup();
    struct slot *s = &sentinel;
    ASSERT_ERR(0, cnode_lookup_dest(&thread, 3, 0, &s));
    ASSERT_TRUE(s == &inner[0]);
    ASSERT_ERR(0, cnode_lookup_dest(&thread, 3, 15, &s));
    ASSERT_TRUE(s == &inner[15]);

    s = &sentinel;
    ASSERT_ERR(-CR_ERANGE, cnode_lookup_dest(&thread, 3, 16, &s));
    ASSERT_ERR(-CR_ERANGE, cnode_lookup_dest(&thread, 3, 1ull << 32, &s));
    ASSERT_ERR(-CR_ERANGE, cnode_lookup_dest(&thread, 3, ~0ull, &s));
    ASSERT_ERR(-CR_EWRONGTYPE, cnode_lookup_dest(&thread, 1, 0, &s));
    ASSERT_ERR(-CR_ENOCAP, cnode_lookup_dest(&thread, 0, 0, &s));
    ASSERT_ERR(-CR_EBUSY, cnode_lookup_dest(&thread, 2, 0, &s));
    ASSERT_ERR(-CR_EBADCAP, cnode_lookup_dest(&thread, 1ull << 40 | 3, 0, &s));
    ASSERT_TRUE(s == &sentinel);
}

/*
 * Guard bits + radix that wrap around in 32-bit arithmetic to a small number. cap_mint
 * never makes such a capability (it keeps guard bits <= 63), so this is defence in depth
 * against a corrupt capability: the check must not be fooled into shifting by ~2^32.
 * Last in the file, because UBSan ends the program at the first bad shift.
 */
TEST(cnode_resolve_wrapping_guard_bits_never_overshift)
{
    struct slot *s;
    struct cap root = cnode_cap(big, 1, 0xffffffffu, 0); /* 0xffffffff + 1 == 0 */
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 0, 64, &s));
    root = cnode_cap(big, 255, 0xffffff01u, 0); /* 0xffffff01 + 255 == 0 */
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, ~0ull, 64, &s));
    ASSERT_TRUE(s == &sentinel);

    memset(top16, 0, sizeof(top16));
    root = cnode_cap(top16, 4, 4, 0);
    top16[1].cap = cnode_cap(big, 1, 0xffffffffu, 0);
    ASSERT_ERR(-CR_EBADCAP, resolve(&root, 1ull << 56, 64, &s));
}
