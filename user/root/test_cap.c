/* SPDX-License-Identifier: MIT */
/*
 * System tests of the capability operations: copy, mint, move, mutate, delete, revoke
 * and identify, with the rights, badges and guards they carry and every error code of
 * their slot addressing (EBADCAP, ENOCAP, EWRONGTYPE, ERANGE, EEXIST, EINVAL).
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/caps.h>
#include <courier/sys.h>

#include "testlib.h"

#define ROOT CR_CAP_ROOT_CNODE

static struct cr_cap_info
info_of(cr_cptr_t s)
{
    struct cr_cap_info info;
    if (tl_identify(s, &info) != 0) {
        info.type = CR_OBJ_NULL;
    }
    return info;
}

static bool
is_empty(cr_cptr_t s)
{
    struct cr_cap_info info;
    return tl_identify(s, &info) == -CR_ENOCAP;
}

TEST(cap_copy_reduces_rights)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t a = tl_slot(&t);
    cr_cptr_t b = tl_slot(&t);
    cr_cptr_t c = tl_slot(&t);
    EXPECT_OK(cr_cap_copy(ROOT, a, ROOT, n, CR_RIGHT_READ | CR_RIGHT_GRANT));
    struct cr_cap_info i = info_of(a);
    EXPECT_EQ(i.type, CR_OBJ_NOTIFICATION);
    EXPECT_EQ(i.rights, CR_RIGHT_READ | CR_RIGHT_GRANT);
    EXPECT_EQ(i.flags & CR_CAPINFO_ORIGINAL, 0);
    /* Rights only shrink: asking for all of them back gives what the source had. */
    EXPECT_OK(cr_cap_copy(ROOT, b, ROOT, a, CR_RIGHTS_ALL));
    EXPECT_EQ(info_of(b).rights, CR_RIGHT_READ | CR_RIGHT_GRANT);
    EXPECT_OK(cr_cap_copy(ROOT, c, ROOT, b, ~0ull));
    EXPECT_EQ(info_of(c).rights, CR_RIGHT_READ | CR_RIGHT_GRANT);
    EXPECT_OK(cr_cap_delete(ROOT, c));
    EXPECT_OK(cr_cap_copy(ROOT, c, ROOT, b, 0));
    EXPECT_EQ(info_of(c).rights, 0);
    EXPECT_EQ(info_of(n).rights, CR_RIGHTS_ALL);
    EXPECT_TRUE((info_of(n).flags & CR_CAPINFO_ORIGINAL) != 0);
    tl_end(&t);
}

TEST(cap_copy_frame_has_no_mapping)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t f;
    if (tl_map(&t, CR_RIGHT_READ, &f) == NULL) {
        goto out;
    }
    cr_cptr_t c = tl_copy(&t, f, CR_RIGHT_READ);
    struct cr_cap_info fi = info_of(f);
    struct cr_cap_info ci = info_of(c);
    EXPECT_TRUE((fi.flags & CR_CAPINFO_MAPPED) != 0);
    EXPECT_EQ(ci.flags & CR_CAPINFO_MAPPED, 0);
    EXPECT_EQ(ci.paddr, fi.paddr);
    EXPECT_EQ(ci.size_bits, 12);
out:
    tl_end(&t);
}

TEST(cap_identify_gives_channels_an_identity)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t a = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t b = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t am = a != 0 ? tl_mint(&t, a, CR_RIGHT_WRITE, 9) : 0;
    if (a == 0 || b == 0 || am == 0) {
        goto out;
    }
    /* The same object through any capability, badged or not; another object differs. */
    struct cr_cap_info ia = info_of(a);
    struct cr_cap_info im = info_of(am);
    struct cr_cap_info ib = info_of(b);
    EXPECT_EQ(ia.paddr, im.paddr);
    EXPECT_EQ(9, im.badge);
    EXPECT_TRUE(ia.paddr != ib.paddr);
out:
    tl_end(&t);
}

TEST(cap_mint_badges_notification)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t b = tl_slot(&t);
    cr_cptr_t bb = tl_slot(&t);
    cr_cptr_t bc = tl_slot(&t);
    EXPECT_OK(cr_cap_mint(ROOT, b, ROOT, n, CR_RIGHT_WRITE, 0x5a00));
    struct cr_cap_info i = info_of(b);
    EXPECT_EQ(i.type, CR_OBJ_NOTIFICATION);
    EXPECT_EQ(i.badge, 0x5a00);
    EXPECT_EQ(i.rights, CR_RIGHT_WRITE);
    EXPECT_TRUE((i.flags & CR_CAPINFO_ORIGINAL) != 0); /* the first badged mint is an original */
    /* A badged capability cannot be re-badged... */
    EXPECT_ERR(-CR_EINVAL, cr_cap_mint(ROOT, bb, ROOT, b, CR_RIGHTS_ALL, 0x77));
    EXPECT_TRUE(is_empty(bb));
    /* ...but minting it with badge 0 is a copy that keeps the badge. */
    EXPECT_OK(cr_cap_mint(ROOT, bb, ROOT, b, CR_RIGHTS_ALL, 0));
    EXPECT_EQ(info_of(bb).badge, 0x5a00);
    EXPECT_EQ(info_of(bb).flags & CR_CAPINFO_ORIGINAL, 0);
    EXPECT_OK(cr_cap_copy(ROOT, bc, ROOT, bb, CR_RIGHTS_ALL));
    EXPECT_EQ(info_of(bc).badge, 0x5a00);
    EXPECT_EQ(info_of(n).badge, 0);
    tl_end(&t);
}

TEST(cap_mint_badge_on_other_types)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t f = tl_new(&t, CR_OBJ_FRAME, 12);
    cr_cptr_t tcb = tl_new(&t, CR_OBJ_TCB, 0);
    cr_cptr_t ch = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t d = tl_slot(&t);
    EXPECT_ERR(-CR_EINVAL, cr_cap_mint(ROOT, d, ROOT, f, CR_RIGHTS_ALL, 1));
    EXPECT_ERR(-CR_EINVAL, cr_cap_mint(ROOT, d, ROOT, tcb, CR_RIGHTS_ALL, 1));
    EXPECT_ERR(-CR_EINVAL, cr_cap_mint(ROOT, d, ROOT, CR_CAP_ROOT_VSPACE, CR_RIGHTS_ALL, 1));
    EXPECT_ERR(-CR_EINVAL, cr_cap_mint(ROOT, d, ROOT, t.ut, CR_RIGHTS_ALL, 0));
    EXPECT_TRUE(is_empty(d));
    /* Badge 0 on a frame is a plain copy. */
    EXPECT_OK(cr_cap_mint(ROOT, d, ROOT, f, CR_RIGHT_READ, 0));
    EXPECT_EQ(info_of(d).type, CR_OBJ_FRAME);
    EXPECT_EQ(info_of(d).rights, CR_RIGHT_READ);
    EXPECT_OK(cr_cap_delete(ROOT, d));
    /* Channels take badges like notifications. */
    EXPECT_OK(cr_cap_mint(ROOT, d, ROOT, ch, CR_RIGHTS_ALL, 42));
    EXPECT_EQ(info_of(d).badge, 42);
    tl_end(&t);
}

TEST(cap_mint_cnode_guard)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t cn = tl_new(&t, CR_OBJ_CNODE, 4);
    cr_cptr_t g = tl_slot(&t);
    /* A guard that does not fit its bit count, or guard bits + radix over 64. */
    EXPECT_ERR(-CR_EINVAL, cr_cap_mint(ROOT, g, ROOT, cn, CR_RIGHTS_ALL, (0x10ull << 6) | 4));
    EXPECT_ERR(-CR_EINVAL, cr_cap_mint(ROOT, g, ROOT, cn, CR_RIGHTS_ALL, 61));
    EXPECT_ERR(-CR_EINVAL, cr_cap_mint(ROOT, g, ROOT, ROOT, CR_RIGHTS_ALL, 53));
    EXPECT_TRUE(is_empty(g));
    /* 60 guard bits of 0 + radix 4 = 64: every cptr below 16 names a slot. */
    EXPECT_OK(cr_cap_mint(ROOT, g, ROOT, cn, CR_RIGHTS_ALL, 60));
    struct cr_cap_info i = info_of(g);
    EXPECT_EQ(i.type, CR_OBJ_CNODE);
    EXPECT_EQ(i.size_bits, 4);
    /* The minted CNode works as a destination like the original. */
    EXPECT_OK(cr_untyped_retype(t.ut, CR_OBJ_NOTIFICATION, 0, g, 15, 1));
    EXPECT_ERR(-CR_EEXIST, cr_untyped_retype(t.ut, CR_OBJ_NOTIFICATION, 0, cn, 15, 1));
    EXPECT_ERR(-CR_ERANGE, cr_untyped_retype(t.ut, CR_OBJ_NOTIFICATION, 0, g, 16, 1));
    tl_end(&t);
}

TEST(cap_move_and_mutate)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t b = tl_mint(&t, n, CR_RIGHTS_ALL, 0x33);
    cr_cptr_t m = tl_slot(&t);
    cr_cptr_t u = tl_slot(&t);
    cr_cptr_t m2 = tl_slot(&t);
    if (b == 0) {
        goto out;
    }
    EXPECT_OK(cr_cap_move(ROOT, m, ROOT, b));
    EXPECT_TRUE(is_empty(b));
    struct cr_cap_info i = info_of(m);
    EXPECT_EQ(i.type, CR_OBJ_NOTIFICATION);
    EXPECT_EQ(i.badge, 0x33);
    EXPECT_EQ(i.rights, CR_RIGHTS_ALL);
    EXPECT_TRUE((i.flags & CR_CAPINFO_ORIGINAL) != 0);
    /* Mutate = move + drop rights. */
    EXPECT_OK(cr_cap_mutate(ROOT, m2, ROOT, m, CR_RIGHT_WRITE));
    EXPECT_TRUE(is_empty(m));
    EXPECT_EQ(info_of(m2).rights, CR_RIGHT_WRITE);
    EXPECT_EQ(info_of(m2).badge, 0x33);
    /* Untyped capabilities move (they cannot be copied). */
    EXPECT_OK(cr_cap_move(ROOT, u, ROOT, t.ut));
    EXPECT_EQ(info_of(u).type, CR_OBJ_UNTYPED);
    EXPECT_OK(cr_cap_move(ROOT, t.ut, ROOT, u));
    /* Onto an occupied slot, from an empty one. */
    EXPECT_ERR(-CR_EEXIST, cr_cap_move(ROOT, n, ROOT, m2));
    EXPECT_ERR(-CR_EEXIST, cr_cap_mutate(ROOT, n, ROOT, m2, CR_RIGHT_READ));
    EXPECT_ERR(-CR_ENOCAP, cr_cap_move(ROOT, m, ROOT, b));
    EXPECT_ERR(-CR_ENOCAP, cr_cap_mutate(ROOT, m, ROOT, b, CR_RIGHTS_ALL));
    EXPECT_EQ(info_of(m2).rights, CR_RIGHT_WRITE);
    /* Moving keeps the derivation: revoking the original still finds the moved mint. */
    EXPECT_OK(cr_cap_revoke(ROOT, n));
    EXPECT_TRUE(is_empty(m2));
out:
    tl_end(&t);
}

TEST(cap_delete_empty_ok)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t s = tl_slot(&t);
    EXPECT_OK(cr_cap_delete(ROOT, s));
    EXPECT_OK(cr_cap_delete(ROOT, s));
    EXPECT_ERR(-CR_ENOCAP, cr_cap_revoke(ROOT, s));
    EXPECT_ERR(-CR_ERANGE, cr_cap_delete(ROOT, 1ull << CR_ROOT_CNODE_RADIX));
    EXPECT_ERR(-CR_ERANGE, cr_cap_revoke(ROOT, ~0ull));
    tl_end(&t);
}

TEST(cap_delete_last_copy_keeps_object_until_last)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t c = tl_copy(&t, n, CR_RIGHTS_ALL);
    uint64_t w = 0;
    if (c == 0) {
        goto out;
    }
    EXPECT_OK(cr_notify_signal(c));
    EXPECT_OK(cr_cap_delete(ROOT, n));
    /* The copy still names the live object with its pending bit. */
    EXPECT_OK(cr_notify_poll(c, CR_UPTR(&w)));
    EXPECT_EQ(w, 1);
out:
    tl_end(&t);
}

TEST(cap_revoke_copy_does_nothing)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t a = tl_copy(&t, n, CR_RIGHTS_ALL);
    cr_cptr_t b = a != 0 ? tl_copy(&t, a, CR_RIGHTS_ALL) : 0;
    if (b == 0) {
        goto out;
    }
    EXPECT_OK(cr_cap_revoke(ROOT, a));
    EXPECT_OK(cr_cap_revoke(ROOT, b));
    EXPECT_EQ(info_of(a).type, CR_OBJ_NOTIFICATION);
    EXPECT_EQ(info_of(b).type, CR_OBJ_NOTIFICATION);
    EXPECT_EQ(info_of(n).type, CR_OBJ_NOTIFICATION);
out:
    tl_end(&t);
}

TEST(cap_revoke_original_removes_derived)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t other = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t b1 = tl_mint(&t, n, CR_RIGHTS_ALL, 1);
    cr_cptr_t b2 = tl_mint(&t, n, CR_RIGHT_WRITE, 2);
    cr_cptr_t b1c = b1 != 0 ? tl_copy(&t, b1, CR_RIGHT_WRITE) : 0;
    cr_cptr_t c = tl_copy(&t, n, CR_RIGHT_READ);
    cr_cptr_t oc = tl_copy(&t, other, CR_RIGHTS_ALL);
    if (b1c == 0 || b2 == 0 || c == 0 || oc == 0) {
        goto out;
    }
    /* Revoking a badged original removes only the copies with its badge. */
    EXPECT_OK(cr_cap_revoke(ROOT, b1));
    EXPECT_TRUE(is_empty(b1c));
    EXPECT_EQ(info_of(b1).badge, 1);
    EXPECT_EQ(info_of(b2).badge, 2);
    EXPECT_EQ(info_of(c).type, CR_OBJ_NOTIFICATION);
    /* Revoking the unbadged original removes every badged mint and copy. */
    EXPECT_OK(cr_cap_revoke(ROOT, n));
    EXPECT_TRUE(is_empty(b1));
    EXPECT_TRUE(is_empty(b2));
    EXPECT_TRUE(is_empty(c));
    EXPECT_EQ(info_of(n).type, CR_OBJ_NOTIFICATION);
    /* Another object is not touched. */
    EXPECT_EQ(info_of(oc).type, CR_OBJ_NOTIFICATION);
    EXPECT_EQ(info_of(other).type, CR_OBJ_NOTIFICATION);
out:
    tl_end(&t);
}

TEST(cap_copy_untyped_einval)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t d = tl_slot(&t);
    EXPECT_ERR(-CR_EINVAL, cr_cap_copy(ROOT, d, ROOT, t.ut, CR_RIGHTS_ALL));
    EXPECT_ERR(-CR_EINVAL, cr_cap_copy(ROOT, d, ROOT, t.ut, CR_RIGHT_READ));
    EXPECT_ERR(-CR_EINVAL, cr_cap_mint(ROOT, d, ROOT, t.ut, CR_RIGHTS_ALL, 0));
    EXPECT_TRUE(is_empty(d));
    tl_end(&t);
}

TEST(cap_ops_wrong_type)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t d = tl_slot(&t);
    /* A notification where a CNode is needed, as destination or source CNode. */
    EXPECT_ERR(-CR_EWRONGTYPE, cr_cap_copy(n, 0, ROOT, n, CR_RIGHTS_ALL));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_cap_copy(ROOT, d, n, 0, CR_RIGHTS_ALL));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_cap_mint(n, 0, ROOT, n, CR_RIGHTS_ALL, 1));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_cap_move(ROOT, d, n, 0));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_cap_mutate(n, 0, ROOT, n, CR_RIGHTS_ALL));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_cap_delete(n, 0));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_cap_revoke(CR_CAP_ROOT_TCB, 0));
    /* Objects used as the wrong kind of object. */
    EXPECT_ERR(-CR_EWRONGTYPE, cr_notify_signal(CR_CAP_ROOT_TCB));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_tcb_resume(n));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_vspace_map(n, CR_CAP_ROOT_VSPACE, TL_WIN_BASE, 1, 0));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_untyped_retype(n, CR_OBJ_FRAME, 12, ROOT, d, 1));
    EXPECT_TRUE(is_empty(d));
    tl_end(&t);
}

TEST(cap_ops_empty_slot)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t e = tl_slot(&t);
    cr_cptr_t d = tl_slot(&t);
    EXPECT_ERR(-CR_ENOCAP, cr_cap_copy(ROOT, d, ROOT, e, CR_RIGHTS_ALL));
    EXPECT_ERR(-CR_ENOCAP, cr_cap_mint(ROOT, d, ROOT, e, CR_RIGHTS_ALL, 1));
    EXPECT_ERR(-CR_ENOCAP, cr_cap_move(ROOT, d, ROOT, e));
    EXPECT_ERR(-CR_ENOCAP, cr_cap_mutate(ROOT, d, ROOT, e, 0));
    EXPECT_ERR(-CR_ENOCAP, cr_cap_revoke(ROOT, e));
    /* An empty slot named as the CNode. */
    EXPECT_ERR(-CR_ENOCAP, cr_cap_copy(e, 0, ROOT, CR_CAP_ROOT_TCB, CR_RIGHTS_ALL));
    EXPECT_ERR(-CR_ENOCAP, cr_cap_delete(e, 0));
    EXPECT_ERR(-CR_ENOCAP, cr_notify_signal(e));
    EXPECT_ERR(-CR_ENOCAP, cr_cap_identify(CR_CAP_NULL, CR_UPTR(&(struct cr_cap_info){ 0 })));
    EXPECT_TRUE(is_empty(d));
    tl_end(&t);
}

TEST(cap_ops_bad_cnode_pointer)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t d = tl_slot(&t);
    /* The root CNode has 52 guard bits of 0: any higher bit set fails the guard. */
    static const uint64_t bad[] = { 1ull << 12, 1ull << 40, 1ull << 63, ~0ull, 0x1000 | 1 };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        EXPECT_ERR(-CR_EBADCAP, cr_cap_copy(bad[i], d, ROOT, n, CR_RIGHTS_ALL));
        EXPECT_ERR(-CR_EBADCAP, cr_cap_copy(ROOT, d, bad[i], n, CR_RIGHTS_ALL));
        EXPECT_ERR(-CR_EBADCAP, cr_cap_delete(bad[i], 0));
        EXPECT_ERR(-CR_EBADCAP, cr_cap_identify(bad[i], CR_UPTR(&(struct cr_cap_info){ 0 })));
        EXPECT_ERR(-CR_EBADCAP, cr_notify_signal(bad[i] | n));
    }
    EXPECT_TRUE(is_empty(d));
    tl_end(&t);
}

TEST(cap_ops_index_out_of_range)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t cn = tl_new(&t, CR_OBJ_CNODE, 2);
    cr_cptr_t d = tl_slot(&t);
    uint64_t end = 1ull << CR_ROOT_CNODE_RADIX;
    EXPECT_ERR(-CR_ERANGE, cr_cap_copy(ROOT, end, ROOT, n, CR_RIGHTS_ALL));
    EXPECT_ERR(-CR_ERANGE, cr_cap_copy(ROOT, d, ROOT, end, CR_RIGHTS_ALL));
    EXPECT_ERR(-CR_ERANGE, cr_cap_mint(ROOT, ~0ull, ROOT, n, CR_RIGHTS_ALL, 0));
    EXPECT_ERR(-CR_ERANGE, cr_cap_move(ROOT, d, ROOT, 1ull << 32));
    EXPECT_ERR(-CR_ERANGE, cr_cap_mutate(ROOT, end + 5, ROOT, n, 0));
    /* A radix-2 CNode has slots 0..3. */
    EXPECT_OK(cr_cap_copy(cn, 3, ROOT, n, CR_RIGHTS_ALL));
    EXPECT_ERR(-CR_ERANGE, cr_cap_copy(cn, 4, ROOT, n, CR_RIGHTS_ALL));
    EXPECT_ERR(-CR_ERANGE, cr_cap_copy(ROOT, d, cn, 4, CR_RIGHTS_ALL));
    EXPECT_OK(cr_cap_copy(ROOT, d, cn, 3, CR_RIGHT_READ));
    EXPECT_EQ(info_of(d).type, CR_OBJ_NOTIFICATION);
    tl_end(&t);
}

TEST(cap_identify_root_rights)
{
    /* The root server's capabilities: all rights except the bootinfo frame. */
    EXPECT_EQ(info_of(CR_CAP_ROOT_CNODE).rights, CR_RIGHTS_ALL);
    EXPECT_EQ(info_of(CR_CAP_ROOT_CNODE).size_bits, CR_ROOT_CNODE_RADIX);
    EXPECT_EQ(info_of(CR_CAP_ROOT_TCB).rights, CR_RIGHTS_ALL);
    struct cr_cap_info bi = info_of(CR_CAP_BOOTINFO_FRAME);
    EXPECT_EQ(bi.rights, CR_RIGHT_READ);
    EXPECT_TRUE((bi.flags & CR_CAPINFO_MAPPED) != 0);
}
