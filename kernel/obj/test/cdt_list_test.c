/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the capability derivation tree (kernel/obj/cdt.c), part two: list surgery
 * (insert, remove, move) that keeps every prev/next pair consistent and parenthood where
 * it was, and revoke over a large tree (1,000 objects with 100 derived capabilities each)
 * and a deep one (40 nested untypeds), removing exactly the descendants. Parenthood itself
 * is tested in cdt_test.c. Trees are built by hand with the helpers of cdt_tree.h, linked
 * as the kernel links them; objects have fake physical addresses.
 */
/* test-sources: kernel/obj/cdt.c */
#include "test.h"

#include <stdlib.h>

#include <kernel/cdt.h>

#include "cdt_tree.h"

enum {
    CHAIN = 10,
};

/* Builds s[0] .. s[CHAIN-1] as one list of distinct channels, in that order. */
static void
chain(struct slot *s)
{
    memset(s, 0, CHAIN * sizeof(*s));
    put(NULL, &s[0], untyped(UT_BASE, UT_BITS), MDB_REVOCABLE);
    for (int i = 1; i < CHAIN; i++) {
        put(&s[i - 1], &s[i], object(CR_OBJ_CHANNEL, UT_BASE + 64 * (uint64_t)i, 0), MDB_REVOCABLE);
    }
}

TEST(cdt_insert_after_links_in_place)
{
    struct slot s[CHAIN];
    chain(s);
    ASSERT_EQ(list_check(&s[0]), CHAIN);
    ASSERT_TRUE(s[0].prev == NULL && s[CHAIN - 1].next == NULL);

    struct slot mid = { 0 };
    put(&s[4], &mid, s[4].cap, 0);
    ASSERT_TRUE(s[4].next == &mid && mid.prev == &s[4]);
    ASSERT_TRUE(mid.next == &s[5] && s[5].prev == &mid);
    ASSERT_EQ(list_check(&s[0]), CHAIN + 1);

    struct slot end = { 0 };
    put(&s[CHAIN - 1], &end, s[CHAIN - 1].cap, 0);
    ASSERT_TRUE(end.next == NULL && end.prev == &s[CHAIN - 1]);
    ASSERT_EQ(list_check(&s[0]), CHAIN + 2);

    struct slot root = { .prev = &s[1], .next = &s[2] }; /* stale links are overwritten */
    cdt_insert_root(&root);
    ASSERT_TRUE(unlinked(&root));
    ASSERT_EQ(list_check(&s[0]), CHAIN + 2);
}

TEST(cdt_remove_keeps_list_integrity)
{
    struct slot s[CHAIN];
    chain(s);

    cdt_remove(&s[5]); /* middle */
    ASSERT_TRUE(unlinked(&s[5]));
    ASSERT_EQ(list_check(&s[0]), CHAIN - 1);
    ASSERT_TRUE(s[4].next == &s[6] && s[6].prev == &s[4]);

    cdt_remove(&s[CHAIN - 1]); /* tail */
    ASSERT_TRUE(unlinked(&s[CHAIN - 1]));
    ASSERT_EQ(list_check(&s[0]), CHAIN - 2);
    ASSERT_TRUE(s[CHAIN - 2].next == NULL);

    cdt_remove(&s[0]); /* head */
    ASSERT_TRUE(unlinked(&s[0]));
    ASSERT_EQ(list_check(&s[1]), CHAIN - 3);
    ASSERT_TRUE(s[1].prev == NULL);

    struct slot *left[] = { &s[1], &s[2], &s[3], &s[4], &s[6], &s[7], &s[8] };
    ASSERT_TRUE(list_is(&s[1], left, ARRAY_SIZE(left)));
    for (size_t i = 0; i < ARRAY_SIZE(left); i++) {
        cdt_remove(left[i]);
        ASSERT_TRUE(unlinked(left[i]));
        if (i + 1 < ARRAY_SIZE(left)) {
            ASSERT_EQ(list_check(left[i + 1]), (long)(ARRAY_SIZE(left) - i - 1));
        }
    }

    struct slot alone = { 0 };
    cdt_insert_root(&alone);
    cdt_remove(&alone);
    ASSERT_TRUE(unlinked(&alone));
}

/* Removing a revocable capability leaves its descendants under its predecessor. */
TEST(cdt_remove_hands_descendants_to_predecessor)
{
    struct slot u = { 0 };
    struct slot o = { 0 };
    struct slot m = { 0 };
    struct slot mc = { 0 };
    put(NULL, &u, untyped(UT_BASE, UT_BITS), MDB_REVOCABLE);
    put(&u, &o, object(CR_OBJ_CHANNEL, UT_BASE, 0), MDB_REVOCABLE);
    mint(&o, &m, 3);
    copy(&m, &mc);
    clear(&o);
    struct slot *order[] = { &u, &m, &mc };
    ASSERT_TRUE(list_is(&u, order, ARRAY_SIZE(order)));
    ASSERT_TRUE(cdt_is_parent(&m, &mc));
    ASSERT_EQ(revoke(&u), 2);
    ASSERT_TRUE(unlinked(&u));
}

TEST(cdt_move_keeps_position_and_clears_source)
{
    struct slot s[CHAIN];
    struct slot d[4];
    chain(s);
    memset(d, 0, sizeof(d));
    struct cap c5 = s[5].cap;

    cdt_move(&d[0], &s[5]); /* middle */
    ASSERT_TRUE(cap_is_null(&s[5].cap) && unlinked(&s[5]) && s[5].mdb == 0);
    ASSERT_EQ(d[0].cap.obj, c5.obj);
    ASSERT_EQ(d[0].cap.type, CR_OBJ_CHANNEL);
    ASSERT_EQ(d[0].mdb, MDB_REVOCABLE);
    ASSERT_TRUE(d[0].prev == &s[4] && d[0].next == &s[6]);
    ASSERT_EQ(list_check(&s[0]), CHAIN);

    cdt_move(&d[1], &s[0]); /* head */
    ASSERT_TRUE(d[1].prev == NULL && s[1].prev == &d[1]);
    ASSERT_EQ(d[1].cap.type, CR_OBJ_UNTYPED);
    ASSERT_EQ(list_check(&d[1]), CHAIN);

    cdt_move(&d[2], &s[CHAIN - 1]); /* tail */
    ASSERT_TRUE(d[2].next == NULL && s[CHAIN - 2].next == &d[2]);
    ASSERT_EQ(list_check(&d[1]), CHAIN);

    cdt_move(&s[5], &d[0]); /* and back */
    ASSERT_TRUE(unlinked(&d[0]) && cap_is_null(&d[0].cap));
    struct slot *order[] = { &d[1], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6], &s[7], &s[8], &d[2] };
    ASSERT_TRUE(list_is(&d[1], order, ARRAY_SIZE(order)));
    ASSERT_EQ(list_check(&s[5]), CHAIN);

    /* Parenthood moves with the capability. */
    ASSERT_TRUE(cdt_is_parent(&d[1], &s[1]));
    ASSERT_EQ(revoke(&d[1]), CHAIN - 1);
    ASSERT_TRUE(unlinked(&d[1]));

    struct slot root = { 0 };
    put(NULL, &root, untyped(0, 30), MDB_REVOCABLE);
    cdt_move(&d[3], &root); /* a list of one */
    ASSERT_TRUE(unlinked(&d[3]) && unlinked(&root));
    ASSERT_EQ(d[3].cap.size_bits, 30);
    ASSERT_TRUE(cap_is_null(&root.cap));
}

enum {
    BIG_OBJECTS = 1000,
    BIG_DERIVED = 100, /* copies and mints per object */
};

/*
 * One untyped with BIG_OBJECTS channels, each with BIG_DERIVED capabilities derived from
 * it. For derived index k: k % 10 == 0 is a badged mint of the original (badge k/10 + 1),
 * 1..4 are copies of that mint, 5 is a copy of copy 4 (so the mint has 5 descendants),
 * 6 and 8 are copies of the original and 7 and 9 copies of those copies. Every capability
 * is linked after the one it came from, as the kernel does. Returns the slots: [0] is the
 * untyped, then per object its original and its derived capabilities in order of k.
 */
static struct slot *
big_tree(void)
{
    size_t n = 1 + (size_t)BIG_OBJECTS * (1 + BIG_DERIVED);
    struct slot *s = calloc(n, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    put(NULL, &s[0], untyped(UT_BASE, UT_BITS), MDB_REVOCABLE);
    size_t next = 1;
    for (int i = 0; i < BIG_OBJECTS; i++) {
        struct slot *o = &s[next++];
        put(&s[0], o, object(CR_OBJ_CHANNEL, UT_BASE + 64 * (uint64_t)i, 0), MDB_REVOCABLE);
        struct slot *last_mint = NULL;
        struct slot *prev = o;
        for (int k = 0; k < BIG_DERIVED; k++) {
            struct slot *d = &s[next++];
            if (k % 10 == 0) {
                mint(o, d, (uint64_t)k / 10 + 1);
                last_mint = d;
            } else if (k % 10 <= 4) {
                copy(last_mint, d);
            } else if (k % 2 == 0) {
                copy(o, d);
            } else {
                copy(prev, d);
            }
            prev = d;
        }
    }
    return s;
}

/* The slot of the original of object i in big_tree. */
static struct slot *
big_orig(struct slot *s, int i)
{
    return &s[1 + (size_t)i * (1 + BIG_DERIVED)];
}

/* The slot of derived capability k of object i in big_tree. */
static struct slot *
big_slot(struct slot *s, int i, int k)
{
    return big_orig(s, i) + 1 + k;
}

TEST(cdt_revoke_large_tree_leaves_only_top)
{
    struct slot *s = big_tree();
    ASSERT_TRUE(s != NULL);
    long total = 1 + (long)BIG_OBJECTS * (1 + BIG_DERIVED);
    long n = list_check(&s[0]);
    if (n != total) {
        free(s);
        ASSERT_EQ(n, total);
    }
    size_t removed = revoke(&s[0]);
    bool top_alone = unlinked(&s[0]) && s[0].cap.type == CR_OBJ_UNTYPED;
    long empty = 0;
    for (long i = 1; i < total; i++) {
        empty += cap_is_null(&s[i].cap) && unlinked(&s[i]) && s[i].mdb == 0;
    }
    free(s);
    ASSERT_EQ(removed, total - 1);
    ASSERT_TRUE(top_alone);
    ASSERT_EQ(empty, total - 1);
}

TEST(cdt_revoke_in_large_tree_removes_exactly_descendants)
{
    struct slot *s = big_tree();
    ASSERT_TRUE(s != NULL);
    long total = 1 + (long)BIG_OBJECTS * (1 + BIG_DERIVED);

    /* Mint k=20 (badge 3) of object 500 has copies k=21..25 and nothing else. */
    size_t r_mint = revoke(big_slot(s, 500, 20));
    long after_mint = list_check(&s[0]);
    /* A copy has no children. */
    size_t r_copy = revoke(big_slot(s, 500, 30 + 1));
    /* Original 500 has all its 100 derived capabilities, less the 5 revoked above. */
    struct slot *o500 = big_orig(s, 500);
    size_t r_orig = revoke(o500);
    long after_orig = list_check(&s[0]);
    bool o500_kept = o500->cap.type == CR_OBJ_CHANNEL && o500->prev != NULL;
    bool neighbours_kept = big_slot(s, 499, 99)->cap.type == CR_OBJ_CHANNEL &&
                           big_slot(s, 501, 0)->cap.type == CR_OBJ_CHANNEL;
    size_t r_all = revoke(&s[0]);
    bool top_alone = unlinked(&s[0]);
    free(s);

    ASSERT_EQ(r_mint, 5);
    ASSERT_EQ(after_mint, total - 5);
    ASSERT_EQ(r_copy, 0);
    ASSERT_EQ(r_orig, BIG_DERIVED - 5);
    ASSERT_EQ(after_orig, total - BIG_DERIVED);
    ASSERT_TRUE(o500_kept);
    ASSERT_TRUE(neighbours_kept);
    ASSERT_EQ(r_all, total - BIG_DERIVED - 1);
    ASSERT_TRUE(top_alone);
}

enum {
    DEEP_LEVELS = 40,
    DEEP_TOP_BITS = 47, /* level L is an untyped of 47 - L bits; the last has 8 */
    DEEP_PER_LEVEL = 4, /* capabilities besides the nested untyped at each level */
};

/*
 * Level L: untyped u[L] at base B (2^(47-L) bytes). Its lower half is untyped u[L+1];
 * in its upper half live a channel (with a copy) and a notification (with a badged
 * mint). The last level's lower half is empty. All linked as the kernel would.
 */
struct deep {
    struct slot u[DEEP_LEVELS];
    struct slot obj[DEEP_LEVELS][DEEP_PER_LEVEL];
};

static void
deep_tree(struct deep *d)
{
    memset(d, 0, sizeof(*d));
    uint64_t base = 1ull << DEEP_TOP_BITS;
    put(NULL, &d->u[0], untyped(base, DEEP_TOP_BITS), MDB_REVOCABLE);
    for (int l = 0; l < DEEP_LEVELS; l++) {
        unsigned bits = DEEP_TOP_BITS - (unsigned)l;
        uint64_t upper = base + (1ull << (bits - 1));
        struct slot *u = &d->u[l];
        struct slot *o = d->obj[l];
        if (l + 1 < DEEP_LEVELS) {
            put(u, &d->u[l + 1], untyped(base, bits - 1), MDB_REVOCABLE);
        }
        put(u, &o[0], object(CR_OBJ_CHANNEL, upper, 0), MDB_REVOCABLE);
        copy(&o[0], &o[1]);
        put(u, &o[2], object(CR_OBJ_NOTIFICATION, upper + 64, 0), MDB_REVOCABLE);
        mint(&o[2], &o[3], 0x77);
    }
}

TEST(cdt_revoke_deep_tree_top_leaves_only_top)
{
    static struct deep d;
    deep_tree(&d);
    long total = DEEP_LEVELS * (1 + DEEP_PER_LEVEL);
    ASSERT_EQ(list_check(&d.u[0]), total);
    ASSERT_EQ(DEEP_TOP_BITS - (DEEP_LEVELS - 1), 8);
    for (int l = 0; l + 1 < DEEP_LEVELS; l++) {
        ASSERT_TRUE(cdt_is_parent(&d.u[l], &d.u[l + 1]));
        ASSERT_TRUE(!cdt_is_parent(&d.u[l + 1], &d.obj[l][0])); /* upper half */
        ASSERT_TRUE(cdt_is_parent(&d.u[0], &d.obj[l + 1][3]));
    }

    /* Revoke step by step, checking the list after every deletion. */
    long left = total;
    while (d.u[0].next != NULL && cdt_is_parent(&d.u[0], d.u[0].next)) {
        clear(d.u[0].next);
        left--;
        ASSERT_EQ(list_check(&d.u[0]), left);
    }
    ASSERT_EQ(left, 1);
    ASSERT_TRUE(unlinked(&d.u[0]));
    for (int l = 0; l < DEEP_LEVELS; l++) {
        ASSERT_TRUE(l == 0 || cap_is_null(&d.u[l].cap));
        for (int k = 0; k < DEEP_PER_LEVEL; k++) {
            ASSERT_TRUE(cap_is_null(&d.obj[l][k].cap));
        }
    }
}

TEST(cdt_revoke_deep_tree_middle_removes_exactly_descendants)
{
    static struct deep d;
    deep_tree(&d);
    long total = DEEP_LEVELS * (1 + DEEP_PER_LEVEL);
    int mid = 20;
    /* Descendants of u[20]: untypeds 21..39 and the objects of levels 20..39. */
    long want = (DEEP_LEVELS - mid - 1) + (long)(DEEP_LEVELS - mid) * DEEP_PER_LEVEL;

    ASSERT_EQ(revoke(&d.u[mid]), want);
    ASSERT_EQ(list_check(&d.u[0]), total - want);
    ASSERT_TRUE(d.u[mid].next == NULL);
    for (int l = 0; l < DEEP_LEVELS; l++) {
        ASSERT_EQ(cap_is_null(&d.u[l].cap), l > mid);
        for (int k = 0; k < DEEP_PER_LEVEL; k++) {
            ASSERT_EQ(cap_is_null(&d.obj[l][k].cap), l >= mid);
        }
    }
    /* A revoke of a level above now stops at the end of its (shorter) subtree. */
    ASSERT_EQ(revoke(&d.u[mid - 1]), 1 + DEEP_PER_LEVEL);
    ASSERT_EQ(revoke(&d.u[0]), (mid - 2) * (1 + DEEP_PER_LEVEL) + 1 + DEEP_PER_LEVEL);
    ASSERT_TRUE(unlinked(&d.u[0]));
}
