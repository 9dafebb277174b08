/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the capability derivation tree (kernel/obj/cdt.c), part one: parenthood
 * derived from capability contents (untyped regions, copies, badged mints, I/O port
 * ranges, IRQ handlers, zombies), object sizes, and finality. List surgery and revoke over
 * large and deep trees are in cdt_list_test.c. Trees are built by hand from struct slot
 * variables with the helpers of cdt_tree.h, the way the kernel builds them: a new object,
 * copy or mint is linked directly after the capability it came from. Objects have fake
 * physical addresses; nothing is dereferenced but the slots.
 */
/* test-sources: kernel/obj/cdt.c */
#include "test.h"

#include <kernel/cdt.h>

#include "cdt_tree.h"

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
