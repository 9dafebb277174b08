/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the capability derivation tree (kernel/obj/cdt.c): parenthood derived
 * from capability contents, finality, list surgery, and revoke over large and deep trees.
 * Trees are built by hand from arrays of struct slot the way the kernel builds them: a
 * new object, copy or mint is linked directly after the capability it came from. Objects
 * have fake physical addresses; nothing is dereferenced but the slots.
 */
/* test-sources: kernel/obj/cdt.c */
#include "test.h"

#include <stdlib.h>

#include <kernel/cdt.h>

enum {
    UT_BASE = 0x100000, /* the untyped most tests carve from: 1 MiB at 1 MiB */
    UT_BITS = 20,
};

static struct cap
untyped(uint64_t base, unsigned bits)
{
    return (struct cap){ .type = CR_OBJ_UNTYPED, .size_bits = (uint8_t)bits, .obj = base };
}

static struct cap
object(unsigned type, uint64_t base, unsigned size_bits)
{
    return (struct cap){ .type = (uint8_t)type, .size_bits = (uint8_t)size_bits, .obj = base };
}

static struct cap
badged(unsigned type, uint64_t base, uint64_t badge)
{
    return (struct cap){ .type = (uint8_t)type, .obj = base, .w1 = badge };
}

static struct cap
ioport(uint64_t first, uint64_t last)
{
    return (struct cap){ .type = CR_OBJ_IOPORT, .obj = first, .w1 = last };
}

/* Fills s with c and mdb and links it directly after `after` (NULL: a root). */
static void
put(struct slot *after, struct slot *s, struct cap c, uint32_t mdb)
{
    s->cap = c;
    s->mdb = mdb;
    if (after != NULL) {
        cdt_insert_after(after, s);
    } else {
        cdt_insert_root(s);
    }
}

/* A copy of src, linked after it, as cap_copy does: same capability, not revocable. */
static void
copy(struct slot *src, struct slot *dst)
{
    put(src, dst, src->cap, 0);
}

/* A badged mint of the unbadged src, linked after it, as cap_mint does. */
static void
mint(struct slot *src, struct slot *dst, uint64_t badge)
{
    struct cap c = src->cap;
    c.w1 = badge;
    put(src, dst, c, MDB_REVOCABLE | MDB_FIRST_BADGED);
}

static void
clear(struct slot *s)
{
    cdt_remove(s);
    s->cap = (struct cap){ 0 };
    s->mdb = 0;
}

/*
 * Revoke as kernel/obj/cnode.c slot_revoke does it, without the object cleanup: delete
 * s->next while s is its parent. Returns the number of capabilities deleted.
 */
static size_t
revoke(struct slot *s)
{
    size_t n = 0;
    while (s->next != NULL && cdt_is_parent(s, s->next)) {
        clear(s->next);
        n++;
    }
    return n;
}

/*
 * Walks the whole list containing s forwards from its head and backwards from its tail,
 * checking every prev/next pair. Returns the number of slots, or -1 if the links are
 * inconsistent or the two walks disagree.
 */
static long
list_check(struct slot *s)
{
    struct slot *head = s;
    /* Bounded by the list length, with a generous cap in case the links form a loop. */
    for (long guard = 0; head->prev != NULL; guard++) {
        if (guard > 10000000 || head->prev->next != head) {
            return -1;
        }
        head = head->prev;
    }
    long forward = 0;
    struct slot *tail = head;
    for (struct slot *x = head; x != NULL; x = x->next) {
        if (x->next != NULL && x->next->prev != x) {
            return -1;
        }
        if (++forward > 10000000) {
            return -1;
        }
        tail = x;
    }
    long backward = 0;
    for (struct slot *x = tail; x != NULL; x = x->prev) {
        backward++;
        if (x->prev == NULL && x != head) {
            return -1;
        }
    }
    return forward == backward ? forward : -1;
}

/* True if the list starting at head holds exactly want[0..n-1], in order. */
static bool
list_is(struct slot *head, struct slot *const *want, size_t n)
{
    if (head->prev != NULL) {
        return false;
    }
    struct slot *x = head;
    for (size_t i = 0; i < n; i++, x = x->next) {
        if (x != want[i]) {
            return false;
        }
    }
    return x == NULL;
}

static bool
unlinked(const struct slot *s)
{
    return s->prev == NULL && s->next == NULL;
}

TEST(cdt_obj_size_bits_accepts_only_valid_sizes)
{
    ASSERT_EQ(obj_size_bits(CR_OBJ_UNTYPED, 3), -1);
    ASSERT_EQ(obj_size_bits(CR_OBJ_UNTYPED, 4), 4);
    ASSERT_EQ(obj_size_bits(CR_OBJ_UNTYPED, 20), 20);
    ASSERT_EQ(obj_size_bits(CR_OBJ_UNTYPED, 47), 47);
    ASSERT_EQ(obj_size_bits(CR_OBJ_UNTYPED, 48), -1);
    ASSERT_EQ(obj_size_bits(CR_OBJ_UNTYPED, 255), -1);

    ASSERT_EQ(obj_size_bits(CR_OBJ_CNODE, 0), -1);
    ASSERT_EQ(obj_size_bits(CR_OBJ_CNODE, 1), 7);
    ASSERT_EQ(obj_size_bits(CR_OBJ_CNODE, 12), 18);
    ASSERT_EQ(obj_size_bits(CR_OBJ_CNODE, 20), 26);
    ASSERT_EQ(obj_size_bits(CR_OBJ_CNODE, 21), -1);

    ASSERT_EQ(obj_size_bits(CR_OBJ_FRAME, 12), 12);
    ASSERT_EQ(obj_size_bits(CR_OBJ_FRAME, 21), 21);
    ASSERT_EQ(obj_size_bits(CR_OBJ_FRAME, 0), -1);
    ASSERT_EQ(obj_size_bits(CR_OBJ_FRAME, 11), -1);
    ASSERT_EQ(obj_size_bits(CR_OBJ_FRAME, 13), -1);
    ASSERT_EQ(obj_size_bits(CR_OBJ_FRAME, 20), -1);
    ASSERT_EQ(obj_size_bits(CR_OBJ_FRAME, 22), -1);
    ASSERT_EQ(obj_size_bits(CR_OBJ_FRAME, 30), -1);

    /* Fixed-size objects ignore size_bits. */
    ASSERT_EQ(obj_size_bits(CR_OBJ_TCB, 0), 12);
    ASSERT_EQ(obj_size_bits(CR_OBJ_TCB, 99), 12);
    ASSERT_EQ(obj_size_bits(CR_OBJ_CHANNEL, 0), 7);
    ASSERT_EQ(obj_size_bits(CR_OBJ_NOTIFICATION, 0), 6);
    ASSERT_EQ(obj_size_bits(CR_OBJ_PT, 0), 12);
    ASSERT_EQ(obj_size_bits(CR_OBJ_PD, 0), 12);
    ASSERT_EQ(obj_size_bits(CR_OBJ_PDPT, 0), 12);
    ASSERT_EQ(obj_size_bits(CR_OBJ_VSPACE, 0), 12);

    /* Reply tables: 2^1 .. 2^12 slots of 64 bytes. */
    ASSERT_EQ(obj_size_bits(CR_OBJ_REPLY_TABLE, 0), -1);
    ASSERT_EQ(obj_size_bits(CR_OBJ_REPLY_TABLE, 1), 7);
    ASSERT_EQ(obj_size_bits(CR_OBJ_REPLY_TABLE, 12), 18);
    ASSERT_EQ(obj_size_bits(CR_OBJ_REPLY_TABLE, 13), -1);

    /* Types that are not memory objects, or not types at all. */
    ASSERT_EQ(obj_size_bits(CR_OBJ_NULL, 0), -1);
    ASSERT_EQ(obj_size_bits(CR_OBJ_IRQ_CONTROL, 0), -1);
    ASSERT_EQ(obj_size_bits(CR_OBJ_IRQ_HANDLER, 0), -1);
    ASSERT_EQ(obj_size_bits(CR_OBJ_IOPORT, 0), -1);
    ASSERT_EQ(obj_size_bits(CR_OBJ_TYPE_COUNT, 0), -1);
    ASSERT_EQ(obj_size_bits(CAP_ZOMBIE, 4), -1);
    ASSERT_EQ(obj_size_bits(~0u, 12), -1);
}

TEST(cdt_cap_obj_size_is_bytes_or_zero)
{
    struct cap c = object(CR_OBJ_FRAME, 0x200000, 21);
    ASSERT_EQ(cap_obj_size(&c), 0x200000);
    c = object(CR_OBJ_CNODE, 0x1000, 4);
    ASSERT_EQ(cap_obj_size(&c), 16 * 64);
    c = untyped(0, 47);
    ASSERT_EQ(cap_obj_size(&c), 1ull << 47);
    c = object(CR_OBJ_CNODE, 0x1000, 0); /* invalid radix */
    ASSERT_EQ(cap_obj_size(&c), 0);
    c = object(CR_OBJ_IRQ_HANDLER, 5, 0);
    ASSERT_EQ(cap_obj_size(&c), 0);
    c = ioport(0, 0xffff);
    ASSERT_EQ(cap_obj_size(&c), 0);
    c = (struct cap){ .type = CAP_ZOMBIE, .aux = CR_OBJ_CNODE, .size_bits = 4, .obj = 0x1000 };
    ASSERT_EQ(cap_obj_size(&c), 0);
}

TEST(cdt_untyped_is_parent_of_objects_in_its_range)
{
    struct slot u = { 0 };
    struct slot o = { 0 };
    put(NULL, &u, untyped(UT_BASE, UT_BITS), MDB_REVOCABLE);

    struct cap inside[] = {
        object(CR_OBJ_CHANNEL, UT_BASE, 0),                /* first byte */
        object(CR_OBJ_NOTIFICATION, UT_BASE + 0xfffc0, 0), /* last 64 bytes */
        object(CR_OBJ_FRAME, UT_BASE + 0xff000, 12),       /* last page */
        object(CR_OBJ_CNODE, UT_BASE + 0x80000, 4),
        object(CR_OBJ_TCB, UT_BASE + 0x1000, 0),
        object(CR_OBJ_VSPACE, UT_BASE + 0x2000, 0),
        untyped(UT_BASE + 0x80000, 19), /* the upper half */
        untyped(UT_BASE, UT_BITS),      /* the same region */
    };
    for (size_t i = 0; i < ARRAY_SIZE(inside); i++) {
        put(&u, &o, inside[i], MDB_REVOCABLE);
        ASSERT_TRUE(cdt_is_parent(&u, &o));
        ASSERT_TRUE(cdt_has_children(&u));
        clear(&o);
    }
    ASSERT_TRUE(!cdt_has_children(&u));

    struct cap outside[] = {
        object(CR_OBJ_CHANNEL, UT_BASE + 0x100000, 0), /* just past the end */
        object(CR_OBJ_CHANNEL, UT_BASE - 64, 0),       /* just before the start */
        object(CR_OBJ_FRAME, UT_BASE - 0x1000, 12),
        object(CR_OBJ_FRAME, UT_BASE, 21),          /* starts inside, ends outside */
        object(CR_OBJ_CNODE, UT_BASE + 0xfffc0, 1), /* 128 bytes over the end */
        object(CR_OBJ_CNODE, UT_BASE, 0),           /* invalid radix: no region */
        untyped(UT_BASE, UT_BITS + 1),
        untyped(0, 47),
        object(CR_OBJ_IRQ_HANDLER, UT_BASE, 0), /* not memory */
        ioport(UT_BASE, UT_BASE + 1),
        object(CR_OBJ_IRQ_CONTROL, UT_BASE, 0),
    };
    for (size_t i = 0; i < ARRAY_SIZE(outside); i++) {
        put(&u, &o, outside[i], MDB_REVOCABLE);
        ASSERT_TRUE(!cdt_is_parent(&u, &o));
        ASSERT_TRUE(!cdt_has_children(&u));
        clear(&o);
    }
}

TEST(cdt_untyped_without_revocable_bit_has_no_children)
{
    struct slot u = { 0 };
    struct slot o = { 0 };
    put(NULL, &u, untyped(UT_BASE, UT_BITS), 0);
    put(&u, &o, object(CR_OBJ_CHANNEL, UT_BASE, 0), MDB_REVOCABLE);
    ASSERT_TRUE(!cdt_is_parent(&u, &o));
    ASSERT_TRUE(!cdt_has_children(&u));
}

/* A CNode being destroyed (a zombie) still occupies its untyped's memory (cnode.c). */
TEST(cdt_untyped_is_parent_of_zombie_in_its_range)
{
    struct slot u = { 0 };
    struct slot z = { 0 };
    put(NULL, &u, untyped(UT_BASE, UT_BITS), MDB_REVOCABLE);
    struct cap zc = {
        .type = CAP_ZOMBIE, .aux = CR_OBJ_CNODE, .size_bits = 4, .obj = UT_BASE + 0x400, .w1 = 16
    };
    put(&u, &z, zc, MDB_REVOCABLE);
    ASSERT_TRUE(cdt_is_parent(&u, &z));

    /* A TCB zombie keeps the TCB's size (size_bits of a TCB capability is 0). */
    z.cap = (struct cap){ .type = CAP_ZOMBIE, .aux = CR_OBJ_TCB, .obj = UT_BASE + 0xff000 };
    ASSERT_TRUE(cdt_is_parent(&u, &z));
    z.cap.obj = UT_BASE + 0xff800; /* 4 KiB from here crosses the end */
    ASSERT_TRUE(!cdt_is_parent(&u, &z));

    z.cap = zc;
    z.cap.obj = UT_BASE + 0x100000;
    ASSERT_TRUE(!cdt_is_parent(&u, &z));

    /* A zombie is never a parent, and never "the same object" as anything. */
    struct slot c = { 0 };
    z.cap = zc;
    put(&z, &c, object(CR_OBJ_CNODE, zc.obj, 4), 0);
    ASSERT_TRUE(!cdt_is_parent(&z, &c));
    ASSERT_TRUE(!cdt_same_object(&z.cap, &c.cap));
    ASSERT_TRUE(!cdt_same_object(&c.cap, &z.cap));
}

TEST(cdt_copies_are_siblings_not_children)
{
    struct slot u = { 0 };
    struct slot o = { 0 };
    struct slot c1 = { 0 };
    struct slot c2 = { 0 };
    struct slot other = { 0 };
    put(NULL, &u, untyped(UT_BASE, UT_BITS), MDB_REVOCABLE);
    put(&u, &o, object(CR_OBJ_CHANNEL, UT_BASE + 0x40, 0), MDB_REVOCABLE);
    copy(&o, &c1);
    copy(&c1, &c2); /* a copy of a copy */
    put(&u, &other, object(CR_OBJ_CHANNEL, UT_BASE + 0x80, 0), MDB_REVOCABLE);

    struct slot *order[] = { &u, &other, &o, &c1, &c2 };
    ASSERT_TRUE(list_is(&u, order, ARRAY_SIZE(order)));
    ASSERT_EQ(list_check(&u), 5);

    ASSERT_TRUE(cdt_is_parent(&o, &c1));
    ASSERT_TRUE(cdt_is_parent(&o, &c2));
    ASSERT_TRUE(!cdt_is_parent(&c1, &c2));
    ASSERT_TRUE(!cdt_is_parent(&c2, &c1));
    ASSERT_TRUE(!cdt_is_parent(&c1, &o));
    ASSERT_TRUE(!cdt_is_parent(&o, &other));
    ASSERT_TRUE(!cdt_has_children(&c1));
    ASSERT_TRUE(cdt_has_children(&o));
    ASSERT_TRUE(cdt_is_parent(&u, &c2)); /* everything in the region is under u */

    ASSERT_EQ(revoke(&c1), 0);
    ASSERT_EQ(revoke(&o), 2);
    ASSERT_TRUE(cap_is_null(&c1.cap) && unlinked(&c1));
    ASSERT_TRUE(cap_is_null(&c2.cap) && unlinked(&c2));
    struct slot *after[] = { &u, &other, &o };
    ASSERT_TRUE(list_is(&u, after, ARRAY_SIZE(after)));
    ASSERT_EQ(list_check(&u), 3);
}

/*
 * The original O of a channel has badged mints M5 and M7 (each revocable and first of
 * its badge) and copies of those. The kernel links each new capability after its source,
 * so the list is O M7 M7c M5 M5c.
 */
TEST(cdt_badged_mint_is_child_of_original_and_parent_of_own_copies)
{
    struct slot o = { 0 };
    struct slot m5 = { 0 };
    struct slot m5c = { 0 };
    struct slot m7 = { 0 };
    struct slot m7c = { 0 };
    put(NULL, &o, object(CR_OBJ_CHANNEL, UT_BASE, 0), MDB_REVOCABLE);
    mint(&o, &m5, 5);
    copy(&m5, &m5c);
    mint(&o, &m7, 7);
    copy(&m7, &m7c);
    struct slot *order[] = { &o, &m7, &m7c, &m5, &m5c };
    ASSERT_TRUE(list_is(&o, order, ARRAY_SIZE(order)));
    ASSERT_EQ(m5c.cap.w1, 5);

    ASSERT_TRUE(cdt_is_parent(&o, &m5));
    ASSERT_TRUE(cdt_is_parent(&o, &m5c));
    ASSERT_TRUE(cdt_is_parent(&o, &m7));
    ASSERT_TRUE(cdt_is_parent(&m5, &m5c));
    ASSERT_TRUE(cdt_is_parent(&m7, &m7c));
    ASSERT_TRUE(!cdt_is_parent(&m7, &m5));  /* another badge */
    ASSERT_TRUE(!cdt_is_parent(&m7, &m5c)); /* a copy with another badge */
    ASSERT_TRUE(!cdt_is_parent(&m5, &m7c));
    ASSERT_TRUE(!cdt_is_parent(&m7c, &m5)); /* copies are not revocable */
    ASSERT_TRUE(!cdt_is_parent(&m5c, &m5c));
    ASSERT_TRUE(!cdt_is_parent(&m5, &o));

    /* Revoking M7 takes exactly its copy and stops at M5. */
    ASSERT_EQ(revoke(&m7), 1);
    struct slot *after7[] = { &o, &m7, &m5, &m5c };
    ASSERT_TRUE(list_is(&o, after7, ARRAY_SIZE(after7)));
    ASSERT_EQ(list_check(&o), 4);
    ASSERT_EQ(revoke(&o), 3);
    ASSERT_EQ(list_check(&o), 1);
    ASSERT_TRUE(unlinked(&o));
}

TEST(cdt_second_mint_of_same_badge_is_not_child_of_first)
{
    struct slot o = { 0 };
    struct slot a = { 0 };
    struct slot ac = { 0 };
    struct slot b = { 0 };
    put(NULL, &o, object(CR_OBJ_NOTIFICATION, UT_BASE, 0), MDB_REVOCABLE);
    mint(&o, &a, 9);
    copy(&a, &ac);
    mint(&o, &b, 9); /* list: o b a ac */
    ASSERT_TRUE(!cdt_is_parent(&b, &a));
    ASSERT_TRUE(cdt_is_parent(&a, &ac));
    ASSERT_EQ(revoke(&b), 0);
    ASSERT_EQ(revoke(&a), 1);
    ASSERT_EQ(revoke(&o), 2);
    ASSERT_EQ(list_check(&o), 1);
}

/* A badge only narrows parenthood for channels and notifications; w1 means other things
 * elsewhere (a CNode's guard, an untyped's watermark). */
TEST(cdt_w1_of_unbadged_types_does_not_limit_children)
{
    struct slot cn = { 0 };
    struct slot guarded = { 0 };
    struct cap c = object(CR_OBJ_CNODE, UT_BASE, 4);
    c.w1 = 3; /* guard value */
    c.aux = 2;
    put(NULL, &cn, c, MDB_REVOCABLE);
    c.w1 = 0;
    c.aux = 0;
    put(&cn, &guarded, c, 0);
    ASSERT_TRUE(cdt_is_parent(&cn, &guarded));
    ASSERT_TRUE(!cdt_is_final(&cn));
    ASSERT_TRUE(!cdt_is_final(&guarded));
}

TEST(cdt_is_final_looks_only_at_neighbours)
{
    struct slot u = { 0 };
    struct slot a = { 0 };
    struct slot ac = { 0 };
    struct slot b = { 0 };
    put(NULL, &u, untyped(UT_BASE, UT_BITS), MDB_REVOCABLE);
    put(&u, &a, object(CR_OBJ_CHANNEL, UT_BASE, 0), MDB_REVOCABLE);
    copy(&a, &ac);
    put(&ac, &b, object(CR_OBJ_CHANNEL, UT_BASE + 64, 0), MDB_REVOCABLE); /* u a ac b */

    ASSERT_TRUE(!cdt_is_final(&a));
    ASSERT_TRUE(!cdt_is_final(&ac));
    ASSERT_TRUE(cdt_is_final(&b));
    ASSERT_TRUE(cdt_is_final(&u)); /* an untyped is never "the same object" */

    clear(&ac);
    ASSERT_TRUE(cdt_is_final(&a));

    /* Only the neighbours count: a copy two places away (which the invariant that all
     * capabilities to one object are adjacent forbids) is not seen. */
    struct slot far = { 0 };
    put(&b, &far, a.cap, 0); /* u a b far */
    ASSERT_TRUE(cdt_is_final(&a));
    ASSERT_TRUE(cdt_is_final(&far));
    ASSERT_EQ(list_check(&u), 4);
}

TEST(cdt_is_final_distinguishes_objects_by_type_address_and_size)
{
    struct slot a = { 0 };
    struct slot b = { 0 };
    struct {
        struct cap x;
        struct cap y;
        bool same;
    } cases[] = {
        { object(CR_OBJ_FRAME, 0x200000, 12), object(CR_OBJ_FRAME, 0x200000, 12), true },
        { object(CR_OBJ_FRAME, 0x200000, 12), object(CR_OBJ_FRAME, 0x200000, 21), false },
        { object(CR_OBJ_FRAME, 0x200000, 12), object(CR_OBJ_FRAME, 0x201000, 12), false },
        { object(CR_OBJ_PT, 0x200000, 0), object(CR_OBJ_PD, 0x200000, 0), false },
        { badged(CR_OBJ_CHANNEL, 0x40, 1), badged(CR_OBJ_CHANNEL, 0x40, 2), true },
        { untyped(UT_BASE, UT_BITS), untyped(UT_BASE, UT_BITS), false },
        { object(CR_OBJ_IRQ_CONTROL, 0, 0), object(CR_OBJ_IRQ_CONTROL, 0, 0), true },
        { object(CR_OBJ_IRQ_HANDLER, 4, 0), object(CR_OBJ_IRQ_HANDLER, 4, 0), true },
        { object(CR_OBJ_IRQ_HANDLER, 4, 0), object(CR_OBJ_IRQ_HANDLER, 5, 0), false },
        { object(CR_OBJ_IRQ_CONTROL, 0, 0), object(CR_OBJ_IRQ_HANDLER, 0, 0), false },
        { ioport(0x60, 0x64), ioport(0x60, 0x64), true },
        { ioport(0x60, 0x64), ioport(0x60, 0x6f), false },
        { ioport(0, 0xffff), ioport(0x60, 0x64), false },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        put(NULL, &a, cases[i].x, MDB_REVOCABLE);
        put(&a, &b, cases[i].y, 0);
        ASSERT_EQ(cdt_is_final(&a), !cases[i].same);
        ASSERT_EQ(cdt_is_final(&b), !cases[i].same);
        ASSERT_EQ(cdt_same_object(&a.cap, &b.cap), cases[i].same);
        ASSERT_EQ(cdt_same_object(&b.cap, &a.cap), cases[i].same);
        clear(&b);
        ASSERT_TRUE(cdt_is_final(&a));
    }
}

TEST(cdt_ioport_subrange_is_child)
{
    struct slot all = { 0 };
    struct slot com = { 0 };
    struct slot comc = { 0 };
    struct slot kbd = { 0 };
    put(NULL, &all, ioport(0, 0xffff), MDB_REVOCABLE);
    put(&all, &com, ioport(0x3f8, 0x3ff), MDB_REVOCABLE); /* as ioport_issue does */
    copy(&com, &comc);
    put(&all, &kbd, ioport(0x60, 0x64), MDB_REVOCABLE); /* all kbd com comc */

    ASSERT_TRUE(cdt_is_parent(&all, &kbd));
    ASSERT_TRUE(cdt_is_parent(&all, &com));
    ASSERT_TRUE(cdt_is_parent(&all, &comc));
    ASSERT_TRUE(cdt_is_parent(&com, &comc));
    ASSERT_TRUE(!cdt_is_parent(&kbd, &com)); /* disjoint */
    ASSERT_TRUE(!cdt_is_parent(&com, &all)); /* wider */
    ASSERT_TRUE(!cdt_is_parent(&comc, &comc));
    ASSERT_TRUE(cdt_is_final(&kbd));
    ASSERT_TRUE(!cdt_is_final(&com));

    /* Ranges that stick out at either end are not children. */
    struct slot x = { 0 };
    put(&com, &x, ioport(0x3f0, 0x3f8), MDB_REVOCABLE);
    ASSERT_TRUE(!cdt_is_parent(&com, &x));
    clear(&x);
    put(&com, &x, ioport(0x3ff, 0x400), MDB_REVOCABLE);
    ASSERT_TRUE(!cdt_is_parent(&com, &x));
    clear(&x);
    put(&com, &x, ioport(0x3ff, 0x3ff), MDB_REVOCABLE);
    ASSERT_TRUE(cdt_is_parent(&com, &x));
    clear(&x);

    ASSERT_EQ(revoke(&com), 1);
    ASSERT_EQ(revoke(&all), 2);
    ASSERT_EQ(list_check(&all), 1);
}

TEST(cdt_irq_control_is_parent_of_handlers)
{
    struct slot ctl = { 0 };
    struct slot h4 = { 0 };
    struct slot h4c = { 0 };
    struct slot h5 = { 0 };
    struct slot ctlc = { 0 };
    put(NULL, &ctl, object(CR_OBJ_IRQ_CONTROL, 0, 0), MDB_REVOCABLE);
    put(&ctl, &h4, object(CR_OBJ_IRQ_HANDLER, 4, 0), MDB_REVOCABLE);
    copy(&h4, &h4c);
    put(&ctl, &h5, object(CR_OBJ_IRQ_HANDLER, 5, 0), MDB_REVOCABLE);
    copy(&ctl, &ctlc); /* ctl ctlc h5 h4 h4c */

    ASSERT_TRUE(cdt_is_parent(&ctl, &ctlc));
    ASSERT_TRUE(cdt_is_parent(&ctl, &h5));
    ASSERT_TRUE(cdt_is_parent(&ctl, &h4c));
    ASSERT_TRUE(cdt_is_parent(&h4, &h4c));
    ASSERT_TRUE(!cdt_is_parent(&h5, &h4));
    ASSERT_TRUE(!cdt_is_parent(&h4, &ctl));
    ASSERT_TRUE(!cdt_is_parent(&ctlc, &h5)); /* a copy of the control has no children */
    ASSERT_TRUE(cdt_is_final(&h5));
    ASSERT_TRUE(!cdt_is_final(&h4));
    ASSERT_TRUE(!cdt_is_final(&ctl));

    ASSERT_EQ(revoke(&h5), 0);
    ASSERT_EQ(revoke(&ctl), 4);
    ASSERT_EQ(list_check(&ctl), 1);
}

TEST(cdt_null_caps_have_no_region)
{
    struct slot a = { 0 };
    struct slot b = { 0 };
    put(NULL, &a, (struct cap){ 0 }, MDB_REVOCABLE);
    put(&a, &b, (struct cap){ 0 }, 0);
    ASSERT_TRUE(!cdt_is_parent(&a, &b));
    ASSERT_TRUE(!cdt_same_object(&a.cap, &b.cap));
}

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
