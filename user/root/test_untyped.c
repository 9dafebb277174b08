/* SPDX-License-Identifier: MIT */
/*
 * System tests of untyped memory and retype: every object type can be made; objects are
 * placed at the watermark rounded up to their own alignment; running out, bad counts,
 * bad types and sizes, kernel objects from device memory and bad destinations fail with
 * their exact codes and leave no trace; revoking an untyped deletes everything made from
 * it, after which it hands out the same (zeroed) memory again from its start.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/caps.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

/* Retypes one object of type/bits from ut into root slot dst. */
static int64_t
retype1(cr_cptr_t ut, unsigned type, unsigned bits, cr_cptr_t dst)
{
    return cr_untyped_retype(ut, type, bits, CR_CAP_ROOT_CNODE, dst, 1);
}

/* The physical address identify reports for slot s (untyped or frame), or ~0. */
static uint64_t
paddr_of(cr_cptr_t s)
{
    struct cr_cap_info info;
    if (tl_identify(s, &info) != 0) {
        return ~0ull;
    }
    return info.paddr;
}

TEST(untyped_retype_each_type)
{
    static const struct {
        unsigned type;
        unsigned bits;
        unsigned want_bits; /* size_bits identify reports */
    } objs[] = {
        { CR_OBJ_UNTYPED, 16, 16 }, { CR_OBJ_CNODE, 4, 4 },        { CR_OBJ_TCB, 0, 0 },
        { CR_OBJ_CHANNEL, 0, 0 },   { CR_OBJ_NOTIFICATION, 0, 0 }, { CR_OBJ_FRAME, 12, 12 },
        { CR_OBJ_PT, 0, 0 },        { CR_OBJ_PD, 0, 0 },           { CR_OBJ_PDPT, 0, 0 },
        { CR_OBJ_VSPACE, 0, 0 },
    };
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    struct cr_cap_info ut;
    if (!EXPECT_OK(tl_identify(t.ut, &ut))) {
        goto out;
    }
    for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
        cr_cptr_t s = tl_slot(&t);
        if (!EXPECT_OK(retype1(t.ut, objs[i].type, objs[i].bits, s))) {
            continue;
        }
        struct cr_cap_info info;
        if (!EXPECT_OK(tl_identify(s, &info))) {
            continue;
        }
        EXPECT_EQ(info.type, objs[i].type);
        EXPECT_EQ(info.rights, CR_RIGHTS_ALL);
        EXPECT_EQ(info.size_bits, objs[i].want_bits);
        EXPECT_EQ(info.badge, 0);
        EXPECT_TRUE((info.flags & CR_CAPINFO_ORIGINAL) != 0);
        EXPECT_EQ(info.flags & (CR_CAPINFO_DEVICE | CR_CAPINFO_MAPPED), 0);
        if (objs[i].type == CR_OBJ_UNTYPED || objs[i].type == CR_OBJ_FRAME) {
            EXPECT_TRUE(info.paddr >= ut.paddr);
            EXPECT_TRUE(info.paddr + (1ull << info.size_bits) <= ut.paddr + (1ull << ut.size_bits));
            EXPECT_EQ(info.paddr & ((1ull << info.size_bits) - 1), 0);
        } else if (objs[i].type != CR_OBJ_CHANNEL && objs[i].type != CR_OBJ_NOTIFICATION) {
            EXPECT_EQ(info.paddr, 0); /* channels and notifications: an identity */
        }
    }
out:
    tl_end(&t);
}

TEST(untyped_retype_many_at_once)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    uint64_t base = paddr_of(t.ut);
    cr_cptr_t s = tl_slots(&t, 8);
    if (!EXPECT_OK(cr_untyped_retype(t.ut, CR_OBJ_FRAME, 12, CR_CAP_ROOT_CNODE, s, 8))) {
        goto out;
    }
    for (unsigned i = 0; i < 8; i++) {
        EXPECT_EQ(paddr_of(s + i), base + i * CR_PAGE_SIZE);
    }
out:
    tl_end(&t);
}

TEST(untyped_watermark_alignment)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    uint64_t base = paddr_of(t.ut);
    cr_cptr_t f1 = tl_slot(&t);
    cr_cptr_t u14 = tl_slot(&t);
    cr_cptr_t f2 = tl_slot(&t);
    cr_cptr_t u4a = tl_slot(&t);
    cr_cptr_t u4b = tl_slot(&t);
    cr_cptr_t cn = tl_slot(&t);
    cr_cptr_t f3 = tl_slot(&t);
    EXPECT_TRUE((base & ((1ull << TL_UT_BITS) - 1)) == 0);
    /* 4 KiB frame at the start, then a 16 KiB object skips to the next 16 KiB boundary. */
    EXPECT_OK(retype1(t.ut, CR_OBJ_FRAME, 12, f1));
    EXPECT_EQ(paddr_of(f1), base);
    EXPECT_OK(retype1(t.ut, CR_OBJ_UNTYPED, 14, u14));
    EXPECT_EQ(paddr_of(u14), base + 0x4000);
    EXPECT_OK(retype1(t.ut, CR_OBJ_FRAME, 12, f2));
    EXPECT_EQ(paddr_of(f2), base + 0x8000);
    /* Small objects pack right after it. */
    EXPECT_OK(retype1(t.ut, CR_OBJ_UNTYPED, 4, u4a));
    EXPECT_EQ(paddr_of(u4a), base + 0x9000);
    EXPECT_OK(retype1(t.ut, CR_OBJ_UNTYPED, 4, u4b));
    EXPECT_EQ(paddr_of(u4b), base + 0x9010);
    /* A radix-8 CNode is 16 KiB: it goes to base + 0xc000, so the next frame is at 0x10000. */
    EXPECT_OK(retype1(t.ut, CR_OBJ_CNODE, 8, cn));
    EXPECT_OK(retype1(t.ut, CR_OBJ_FRAME, 12, f3));
    EXPECT_EQ(paddr_of(f3), base + 0x10000);
    tl_end(&t);
}

TEST(untyped_out_of_memory)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t s = tl_slots(&t, 257);
    /* Bigger than the whole untyped. */
    EXPECT_ERR(-CR_ENOMEM, retype1(t.ut, CR_OBJ_FRAME, 21, s));
    EXPECT_ERR(-CR_ENOMEM, retype1(t.ut, CR_OBJ_UNTYPED, TL_UT_BITS + 1, s));
    EXPECT_ERR(-CR_ENOMEM, cr_untyped_retype(t.ut, CR_OBJ_FRAME, 12, CR_CAP_ROOT_CNODE, s, 257));
    EXPECT_ERR(-CR_ENOCAP, tl_identify(s, &(struct cr_cap_info){ 0 }));
    /* Exactly full: 256 pages fit, the 257th does not. */
    EXPECT_OK(cr_untyped_retype(t.ut, CR_OBJ_FRAME, 12, CR_CAP_ROOT_CNODE, s, 256));
    EXPECT_ERR(-CR_ENOMEM, retype1(t.ut, CR_OBJ_FRAME, 12, s + 256));
    EXPECT_ERR(-CR_ENOMEM, retype1(t.ut, CR_OBJ_NOTIFICATION, 0, s + 256));
    EXPECT_ERR(-CR_ENOMEM, retype1(t.ut, CR_OBJ_UNTYPED, 4, s + 256));
    EXPECT_ERR(-CR_ENOCAP, tl_identify(s + 256, &(struct cr_cap_info){ 0 }));
    /* Deleting children does not give memory back while any child is left... */
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, s + 255));
    EXPECT_ERR(-CR_ENOMEM, retype1(t.ut, CR_OBJ_FRAME, 12, s + 256));
    /* ...but once the last one goes, the untyped starts over. */
    EXPECT_OK(cr_cap_revoke(CR_CAP_ROOT_CNODE, t.ut));
    EXPECT_OK(retype1(t.ut, CR_OBJ_UNTYPED, TL_UT_BITS, s + 256));
    tl_end(&t);
}

TEST(untyped_bad_count)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t s = tl_slot(&t);
    EXPECT_ERR(-CR_EINVAL,
               cr_untyped_retype(t.ut, CR_OBJ_NOTIFICATION, 0, CR_CAP_ROOT_CNODE, s, 0));
    EXPECT_ERR(-CR_EINVAL, cr_untyped_retype(t.ut, CR_OBJ_NOTIFICATION, 0, CR_CAP_ROOT_CNODE, s,
                                             CR_RETYPE_MAX_COUNT + 1));
    EXPECT_ERR(-CR_EINVAL,
               cr_untyped_retype(t.ut, CR_OBJ_NOTIFICATION, 0, CR_CAP_ROOT_CNODE, s, ~0ull));
    EXPECT_ERR(-CR_EINVAL,
               cr_untyped_retype(t.ut, CR_OBJ_NOTIFICATION, 0, CR_CAP_ROOT_CNODE, s, 1ull << 32));
    EXPECT_ERR(-CR_ENOCAP, tl_identify(s, &(struct cr_cap_info){ 0 }));
    /* The maximum itself is accepted by the count check (it fails on the slots instead). */
    EXPECT_ERR(-CR_ERANGE, cr_untyped_retype(t.ut, CR_OBJ_NOTIFICATION, 0, CR_CAP_ROOT_CNODE, s,
                                             CR_RETYPE_MAX_COUNT));
    tl_end(&t);
}

TEST(untyped_bad_type_or_size)
{
    static const struct {
        uint64_t type;
        uint64_t bits;
    } bad[] = {
        { CR_OBJ_NULL, 0 },
        { CR_OBJ_IRQ_CONTROL, 0 },
        { CR_OBJ_IRQ_HANDLER, 0 },
        { CR_OBJ_IOPORT, 0 },
        { CR_OBJ_TYPE_COUNT, 0 },
        { 255, 12 },
        { 1ull << 32 | CR_OBJ_FRAME, 12 },
        { ~0ull, 12 },
        { CR_OBJ_UNTYPED, CR_UNTYPED_MIN_BITS - 1 },
        { CR_OBJ_UNTYPED, CR_UNTYPED_MAX_BITS + 1 },
        { CR_OBJ_UNTYPED, 64 },
        { CR_OBJ_UNTYPED, 65 },
        { CR_OBJ_CNODE, 0 },
        { CR_OBJ_CNODE, CR_CNODE_MAX_RADIX + 1 },
        { CR_OBJ_FRAME, 0 },
        { CR_OBJ_FRAME, 11 },
        { CR_OBJ_FRAME, 13 },
        { CR_OBJ_FRAME, 20 },
        { CR_OBJ_FRAME, 22 },
        { CR_OBJ_FRAME, 30 },
        { CR_OBJ_FRAME, (1ull << 32) | 12 },
        { CR_OBJ_NOTIFICATION, 1ull << 40 },
        { CR_OBJ_TCB, 65 },
    };
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t s = tl_slot(&t);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t rc = cr_untyped_retype(t.ut, bad[i].type, bad[i].bits, CR_CAP_ROOT_CNODE, s, 1);
        if (!EXPECT_ERR(-CR_EINVAL, rc)) {
            TEST_FAIL("type %#llx bits %llu", (unsigned long long)bad[i].type,
                      (unsigned long long)bad[i].bits);
        }
    }
    EXPECT_ERR(-CR_ENOCAP, tl_identify(s, &(struct cr_cap_info){ 0 }));
    /* Nothing was consumed: the first real object lands at the base. */
    EXPECT_OK(retype1(t.ut, CR_OBJ_FRAME, 12, s));
    EXPECT_EQ(paddr_of(s), paddr_of(t.ut));
    tl_end(&t);
}

TEST(untyped_device_no_kernel_objects)
{
    cr_cptr_t dev = 0;
    const struct cr_untyped_desc *d = tl_device_untyped(&dev);
    if (d == NULL) {
        TEST_FAIL("no device untyped in bootinfo");
        return;
    }
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    static const unsigned kobj[] = { CR_OBJ_CNODE, CR_OBJ_TCB, CR_OBJ_CHANNEL, CR_OBJ_NOTIFICATION,
                                     CR_OBJ_PT,    CR_OBJ_PD,  CR_OBJ_PDPT,    CR_OBJ_VSPACE };
    cr_cptr_t s = tl_slot(&t);
    cr_cptr_t f = tl_slot(&t);
    cr_cptr_t u = tl_slot(&t);
    for (size_t i = 0; i < sizeof(kobj) / sizeof(kobj[0]); i++) {
        EXPECT_ERR(-CR_EINVAL, retype1(dev, kobj[i], kobj[i] == CR_OBJ_CNODE ? 4 : 0, s));
    }
    EXPECT_ERR(-CR_ENOCAP, tl_identify(s, &(struct cr_cap_info){ 0 }));
    /* Frames and smaller untypeds are fine, and carry the device flag. */
    struct cr_cap_info info;
    if (EXPECT_OK(retype1(dev, CR_OBJ_FRAME, 12, f)) && EXPECT_OK(tl_identify(f, &info))) {
        EXPECT_EQ(info.type, CR_OBJ_FRAME);
        EXPECT_EQ(info.paddr, d->paddr);
        EXPECT_TRUE((info.flags & CR_CAPINFO_DEVICE) != 0);
    }
    if (EXPECT_OK(retype1(dev, CR_OBJ_UNTYPED, 12, u)) && EXPECT_OK(tl_identify(u, &info))) {
        EXPECT_EQ(info.paddr, d->paddr + CR_PAGE_SIZE);
        EXPECT_TRUE((info.flags & CR_CAPINFO_DEVICE) != 0);
        /* The device flag is inherited: still no kernel objects. */
        EXPECT_ERR(-CR_EINVAL, retype1(u, CR_OBJ_NOTIFICATION, 0, s));
    }
    EXPECT_OK(cr_cap_revoke(CR_CAP_ROOT_CNODE, dev));
    EXPECT_ERR(-CR_ENOCAP, tl_identify(f, &info));
    EXPECT_ERR(-CR_ENOCAP, tl_identify(u, &info));
    tl_end(&t);
}

TEST(untyped_bad_destination)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t s = tl_slots(&t, 2);
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t empty = tl_slot(&t);
    uint64_t radix_end = 1ull << CR_ROOT_CNODE_RADIX;
    /* Occupied: a single slot, or the last of a range (the first stays empty). */
    EXPECT_ERR(-CR_EEXIST, retype1(t.ut, CR_OBJ_FRAME, 12, CR_CAP_ROOT_CNODE));
    EXPECT_ERR(-CR_EEXIST, cr_untyped_retype(t.ut, CR_OBJ_FRAME, 12, CR_CAP_ROOT_CNODE, n - 1, 2));
    /* Past the end of the CNode. */
    EXPECT_ERR(-CR_ERANGE, retype1(t.ut, CR_OBJ_FRAME, 12, radix_end));
    EXPECT_ERR(-CR_ERANGE, retype1(t.ut, CR_OBJ_FRAME, 12, ~0ull));
    EXPECT_ERR(-CR_ERANGE,
               cr_untyped_retype(t.ut, CR_OBJ_FRAME, 12, CR_CAP_ROOT_CNODE, radix_end - 1, 2));
    /* The destination CNode pointer is not a CNode, empty, or does not resolve. */
    EXPECT_ERR(-CR_EWRONGTYPE, cr_untyped_retype(t.ut, CR_OBJ_FRAME, 12, n, 0, 1));
    EXPECT_ERR(-CR_ENOCAP, cr_untyped_retype(t.ut, CR_OBJ_FRAME, 12, empty, 0, 1));
    EXPECT_ERR(-CR_EBADCAP, cr_untyped_retype(t.ut, CR_OBJ_FRAME, 12, 1ull << 63, 0, 1));
    /* The untyped pointer itself. */
    EXPECT_ERR(-CR_EWRONGTYPE, retype1(n, CR_OBJ_FRAME, 12, s));
    EXPECT_ERR(-CR_EWRONGTYPE, retype1(CR_CAP_ROOT_CNODE, CR_OBJ_FRAME, 12, s));
    EXPECT_ERR(-CR_ENOCAP, retype1(empty, CR_OBJ_FRAME, 12, s));
    EXPECT_ERR(-CR_EBADCAP, retype1(1ull << 40, CR_OBJ_FRAME, 12, s));
    /* No trace: the slots are empty and the next frame is the untyped's first page (the
     * notification took only 64 bytes before it). */
    struct cr_cap_info info;
    EXPECT_ERR(-CR_ENOCAP, tl_identify(s, &info));
    EXPECT_ERR(-CR_ENOCAP, tl_identify(n - 1, &info));
    EXPECT_OK(retype1(t.ut, CR_OBJ_FRAME, 12, s));
    EXPECT_EQ(paddr_of(s), paddr_of(t.ut) + CR_PAGE_SIZE);
    tl_end(&t);
}

TEST(untyped_revoke_deletes_children)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    uint64_t base = paddr_of(t.ut);
    cr_cptr_t f = tl_new(&t, CR_OBJ_FRAME, 12);
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t tcb = tl_new(&t, CR_OBJ_TCB, 0);
    cr_cptr_t cn = tl_new(&t, CR_OBJ_CNODE, 4);
    cr_cptr_t vs = tl_new(&t, CR_OBJ_VSPACE, 0);
    cr_cptr_t child = tl_new(&t, CR_OBJ_UNTYPED, 16);
    cr_cptr_t grand = child != 0 ? tl_new_from(&t, child, CR_OBJ_FRAME, 12) : 0;
    cr_cptr_t ncopy = tl_copy(&t, n, CR_RIGHT_READ);
    cr_cptr_t nbadge = tl_mint(&t, n, CR_RIGHTS_ALL, 7);
    cr_cptr_t fcopy = tl_copy(&t, f, CR_RIGHT_READ);
    cr_cptr_t inner = tl_slot(&t);
    if (f == 0 || grand == 0 || ncopy == 0 || nbadge == 0 || fcopy == 0) {
        goto out;
    }
    /* Something inside the new CNode too. */
    EXPECT_OK(cr_untyped_retype(t.ut, CR_OBJ_NOTIFICATION, 0, cn, 3, 1));
    EXPECT_OK(cr_cap_copy(CR_CAP_ROOT_CNODE, inner, cn, 3, CR_RIGHTS_ALL));
    EXPECT_OK(cr_tcb_configure(tcb, cn, vs, 0, 0));
    uint64_t first = paddr_of(f);
    EXPECT_EQ(first, base);

    EXPECT_OK(cr_cap_revoke(CR_CAP_ROOT_CNODE, t.ut));
    const cr_cptr_t gone[] = { f, n, tcb, cn, vs, child, grand, ncopy, nbadge, fcopy, inner };
    for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
        struct cr_cap_info info;
        if (!EXPECT_ERR(-CR_ENOCAP, tl_identify(gone[i], &info))) {
            TEST_FAIL("slot %llu survived the revoke", (unsigned long long)gone[i]);
        }
    }
    /* The untyped itself stays, and starts again from its base. */
    struct cr_cap_info ui;
    EXPECT_OK(tl_identify(t.ut, &ui));
    EXPECT_EQ(ui.type, CR_OBJ_UNTYPED);
    EXPECT_OK(retype1(t.ut, CR_OBJ_FRAME, 12, f));
    EXPECT_EQ(paddr_of(f), first);
    EXPECT_OK(retype1(t.ut, CR_OBJ_UNTYPED, 16, child));
    EXPECT_EQ(paddr_of(child), base + 0x10000);
out:
    tl_end(&t);
}

TEST(untyped_reuse_is_zeroed)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t f;
    volatile uint64_t *p = tl_map(&t, CR_RIGHT_READ | CR_RIGHT_WRITE, &f);
    if (p == NULL) {
        goto out;
    }
    uint64_t pa = paddr_of(f);
    EXPECT_EQ(p[0], 0);
    EXPECT_EQ(p[511], 0);
    p[0] = 0x1122334455667788ull;
    p[511] = 0x99;
    EXPECT_OK(cr_cap_revoke(CR_CAP_ROOT_CNODE, t.ut));
    /* The revoke unmapped the page, so map the new frame at the same address. */
    EXPECT_OK(retype1(t.ut, CR_OBJ_FRAME, 12, f));
    EXPECT_EQ(paddr_of(f), pa);
    if (EXPECT_OK(tl_map_at(f, (uint64_t)(uintptr_t)p, CR_RIGHT_READ | CR_RIGHT_WRITE))) {
        EXPECT_EQ(p[0], 0);
        EXPECT_EQ(p[511], 0);
    }
out:
    tl_end(&t);
}

TEST(untyped_child_revoke_leaves_parent)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t a = tl_new(&t, CR_OBJ_UNTYPED, 16);
    cr_cptr_t b = tl_new(&t, CR_OBJ_UNTYPED, 16);
    cr_cptr_t fa = a != 0 ? tl_new_from(&t, a, CR_OBJ_FRAME, 12) : 0;
    cr_cptr_t fb = b != 0 ? tl_new_from(&t, b, CR_OBJ_FRAME, 12) : 0;
    if (fa == 0 || fb == 0) {
        goto out;
    }
    EXPECT_OK(cr_cap_revoke(CR_CAP_ROOT_CNODE, a));
    struct cr_cap_info info;
    EXPECT_ERR(-CR_ENOCAP, tl_identify(fa, &info));
    EXPECT_OK(tl_identify(fb, &info));
    EXPECT_OK(tl_identify(a, &info));
    EXPECT_OK(tl_identify(b, &info));
    /* Revoking a leaf untyped with no children is a no-op. */
    EXPECT_OK(cr_cap_revoke(CR_CAP_ROOT_CNODE, a));
    /* Deleting a child untyped with children of its own leaves those children alone. */
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, b));
    EXPECT_OK(tl_identify(fb, &info));
    EXPECT_EQ(info.type, CR_OBJ_FRAME);
out:
    tl_end(&t);
}

TEST(untyped_revoke_many_children)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ut2 = tl_ut(&t);
    cr_cptr_t cn = tl_new(&t, CR_OBJ_CNODE, 12); /* 4096 slots, from the arena's untyped */
    cr_cptr_t probe = tl_slot(&t);
    if (ut2 == 0 || cn == 0) {
        goto out;
    }
    /* The most objects one call makes, into another CNode; then copies of some. */
    if (!EXPECT_OK(cr_untyped_retype(ut2, CR_OBJ_NOTIFICATION, 0, cn, 0, CR_RETYPE_MAX_COUNT))) {
        goto out;
    }
    EXPECT_OK(cr_cap_copy(CR_CAP_ROOT_CNODE, probe, cn, 4095, CR_RIGHTS_ALL));
    EXPECT_EQ(tl_type(probe), CR_OBJ_NOTIFICATION);
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, probe));
    EXPECT_ERR(-CR_EEXIST, cr_untyped_retype(ut2, CR_OBJ_NOTIFICATION, 0, cn, 17, 1));
    EXPECT_OK(cr_cap_revoke(CR_CAP_ROOT_CNODE, ut2));
    /* All 4096 slots are empty again: the same call succeeds, from the untyped's base. */
    EXPECT_ERR(-CR_ENOCAP, cr_cap_copy(CR_CAP_ROOT_CNODE, probe, cn, 0, CR_RIGHTS_ALL));
    EXPECT_ERR(-CR_ENOCAP, cr_cap_copy(CR_CAP_ROOT_CNODE, probe, cn, 4095, CR_RIGHTS_ALL));
    EXPECT_OK(cr_untyped_retype(ut2, CR_OBJ_NOTIFICATION, 0, cn, 0, CR_RETYPE_MAX_COUNT));
    /* Deleting the CNode deletes them all again (they are its last capabilities). */
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, cn));
    EXPECT_OK(retype1(ut2, CR_OBJ_UNTYPED, TL_UT_BITS, probe));
out:
    tl_end(&t);
}
