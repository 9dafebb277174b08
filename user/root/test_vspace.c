/* SPDX-License-Identifier: MIT */
/*
 * System tests of address spaces: page-table objects must be mapped top down before a
 * frame (ENOTABLE otherwise); map checks alignment, user range, rights against the
 * capability and double mappings; unmap, remap and deleting a frame or table capability
 * take effect at once for running threads (they fault). A second VSpace built from
 * scratch is test_vspace_as.c.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/bootinfo.h>
#include <courier/abi/caps.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

#define ROOT CR_CAP_ROOT_CNODE
#define RW (CR_RIGHT_READ | CR_RIGHT_WRITE)
/* A fresh 512 GiB slot of the root's address space (PML4 entry 4), empty between tests. */
#define VS_REGION 0x20000000000ull

static bool
mapped(cr_cptr_t s)
{
    struct cr_cap_info info;
    return tl_identify(s, &info) == 0 && (info.flags & CR_CAPINFO_MAPPED) != 0;
}

#define map_tables tl_map_tables

TEST(vspace_map_needs_tables)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t f = tl_new(&t, CR_OBJ_FRAME, 12);
    cr_cptr_t pdpt = tl_new(&t, CR_OBJ_PDPT, 0);
    cr_cptr_t pdpt2 = tl_new(&t, CR_OBJ_PDPT, 0);
    cr_cptr_t pd = tl_new(&t, CR_OBJ_PD, 0);
    cr_cptr_t pt = tl_new(&t, CR_OBJ_PT, 0);
    uint64_t va = VS_REGION + 0x40201000ull;
    if (pt == 0) {
        goto out;
    }
    EXPECT_ERR(-CR_ENOTABLE, cr_vspace_map(f, CR_CAP_ROOT_VSPACE, va, RW, 0));
    EXPECT_ERR(-CR_ENOTABLE, cr_vspace_map_table(pt, CR_CAP_ROOT_VSPACE, va));
    EXPECT_ERR(-CR_ENOTABLE, cr_vspace_map_table(pd, CR_CAP_ROOT_VSPACE, va));
    EXPECT_OK(cr_vspace_map_table(pdpt, CR_CAP_ROOT_VSPACE, va));
    EXPECT_ERR(-CR_EEXIST, cr_vspace_map_table(pdpt2, CR_CAP_ROOT_VSPACE, va));
    EXPECT_ERR(-CR_ENOTABLE, cr_vspace_map(f, CR_CAP_ROOT_VSPACE, va, RW, 0));
    EXPECT_ERR(-CR_ENOTABLE, cr_vspace_map_table(pt, CR_CAP_ROOT_VSPACE, va));
    EXPECT_OK(cr_vspace_map_table(pd, CR_CAP_ROOT_VSPACE, va));
    EXPECT_ERR(-CR_ENOTABLE, cr_vspace_map(f, CR_CAP_ROOT_VSPACE, va, RW, 0));
    EXPECT_OK(cr_vspace_map_table(pt, CR_CAP_ROOT_VSPACE, va));
    EXPECT_TRUE(!mapped(f));
    EXPECT_OK(cr_vspace_map(f, CR_CAP_ROOT_VSPACE, va, RW, 0));
    EXPECT_TRUE(mapped(f));
    EXPECT_TRUE(mapped(pt));
    EXPECT_TRUE(mapped(pd));
    EXPECT_TRUE(mapped(pdpt));
    EXPECT_TRUE(!mapped(pdpt2));
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)va;
    p[0] = 0x1234;
    p[511] = 0x5678;
    EXPECT_EQ(p[0] + p[511], 0x1234 + 0x5678);
    /* Mapping a table capability a second time, or where one is, fails. */
    EXPECT_ERR(-CR_EMAPPED, cr_vspace_map_table(pt, CR_CAP_ROOT_VSPACE, va + (2ull << 20)));
    cr_cptr_t pt2 = tl_new(&t, CR_OBJ_PT, 0);
    EXPECT_ERR(-CR_EEXIST, cr_vspace_map_table(pt2, CR_CAP_ROOT_VSPACE, va));
    /* A second PT next to the first (same PD) is fine. */
    EXPECT_OK(cr_vspace_map_table(pt2, CR_CAP_ROOT_VSPACE, va + (2ull << 20)));
out:
    tl_end(&t);
}

TEST(vspace_map_table_errors)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t f = tl_new(&t, CR_OBJ_FRAME, 12);
    cr_cptr_t pdpt = tl_new(&t, CR_OBJ_PDPT, 0);
    cr_cptr_t vs = tl_new(&t, CR_OBJ_VSPACE, 0);
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    EXPECT_ERR(-CR_EWRONGTYPE, cr_vspace_map_table(f, CR_CAP_ROOT_VSPACE, VS_REGION));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_vspace_map_table(vs, CR_CAP_ROOT_VSPACE, VS_REGION));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_vspace_map_table(n, CR_CAP_ROOT_VSPACE, VS_REGION));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_vspace_map_table(pdpt, n, VS_REGION));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_vspace_map_table(pdpt, ROOT, VS_REGION));
    EXPECT_ERR(-CR_EINVAL, cr_vspace_map_table(pdpt, CR_CAP_ROOT_VSPACE, CR_USER_MAX + 0x1000));
    EXPECT_ERR(-CR_EINVAL, cr_vspace_map_table(pdpt, CR_CAP_ROOT_VSPACE, 0xffff800000000000ull));
    EXPECT_ERR(-CR_EINVAL, cr_vspace_map_table(pdpt, CR_CAP_ROOT_VSPACE, 0x0000800000000000ull));
    EXPECT_ERR(-CR_ENOCAP, cr_vspace_map_table(tl_slot(&t), CR_CAP_ROOT_VSPACE, VS_REGION));
    /* The same PDPT in another VSpace is fine once; a second map is EMAPPED. */
    EXPECT_OK(cr_vspace_map_table(pdpt, vs, VS_REGION));
    EXPECT_ERR(-CR_EMAPPED, cr_vspace_map_table(pdpt, CR_CAP_ROOT_VSPACE, VS_REGION));
    /* Unmap of a non-frame, non-table is a type error; of an unmapped frame a no-op. */
    EXPECT_ERR(-CR_EWRONGTYPE, cr_vspace_unmap(n));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_vspace_unmap(vs));
    EXPECT_OK(cr_vspace_unmap(f));
    EXPECT_OK(cr_vspace_unmap(pdpt));
    EXPECT_TRUE(!mapped(pdpt));
    tl_end(&t);
}

TEST(vspace_map_rights)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t f = tl_new(&t, CR_OBJ_FRAME, 12);
    cr_cptr_t ro = f != 0 ? tl_copy(&t, f, CR_RIGHT_READ) : 0;
    cr_cptr_t rx = f != 0 ? tl_copy(&t, f, CR_RIGHT_READ | CR_RIGHT_EXEC) : 0;
    uint64_t va = tl_va(&t, 4);
    if (ro == 0 || rx == 0 || va == 0) {
        goto out;
    }
    EXPECT_ERR(-CR_EPERM, tl_map_at(ro, va, RW));
    EXPECT_ERR(-CR_EPERM, tl_map_at(ro, va, CR_RIGHT_READ | CR_RIGHT_EXEC));
    EXPECT_ERR(-CR_EPERM, tl_map_at(rx, va, RW));
    /* No READ, unknown rights bits or attributes. */
    EXPECT_ERR(-CR_EINVAL, tl_map_at(f, va, CR_RIGHT_WRITE));
    EXPECT_ERR(-CR_EINVAL, tl_map_at(f, va, 0));
    EXPECT_ERR(-CR_EINVAL, tl_map_at(f, va, CR_RIGHT_READ | CR_RIGHT_GRANT));
    EXPECT_ERR(-CR_EINVAL, tl_map_at(f, va, CR_RIGHT_READ | 0x100));
    EXPECT_ERR(-CR_EINVAL, cr_vspace_map(f, CR_CAP_ROOT_VSPACE, va, RW, 4));
    EXPECT_TRUE(!mapped(f));
    /* Within the capability's rights all is well. */
    EXPECT_OK(tl_map_at(ro, va, CR_RIGHT_READ));
    EXPECT_OK(tl_map_at(rx, va + CR_PAGE_SIZE, CR_RIGHT_READ | CR_RIGHT_EXEC));
    EXPECT_OK(
        cr_vspace_map(f, CR_CAP_ROOT_VSPACE, va + 2 * CR_PAGE_SIZE, RW, CR_MAP_WRITE_COMBINE));
    volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)(va + 2 * CR_PAGE_SIZE);
    volatile uint64_t *r = (volatile uint64_t *)(uintptr_t)va;
    w[7] = 0xabcdef;
    EXPECT_EQ(r[7], 0xabcdef); /* one frame, three mappings */
    /* Remap beyond the capability's rights. */
    EXPECT_ERR(-CR_EPERM, cr_vspace_remap(ro, RW));
    EXPECT_ERR(-CR_EINVAL, cr_vspace_remap(ro, CR_RIGHT_WRITE));
out:
    tl_end(&t);
}

TEST(vspace_map_bad_vaddr)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t f = tl_new(&t, CR_OBJ_FRAME, 12);
    uint64_t va = tl_va(&t, 1);
    static const uint64_t bad_off[] = { 8, 0x800, 0xfff };
    for (size_t i = 0; i < sizeof(bad_off) / sizeof(bad_off[0]); i++) {
        EXPECT_ERR(-CR_EINVAL, tl_map_at(f, va + bad_off[i], RW));
    }
    static const uint64_t bad[] = {
        0,                     /* null page */
        0xffff800000000000ull, /* kernel */
        0xffffffff80000000ull, /* kernel image */
        0x0000800000000000ull, /* non-canonical */
        CR_USER_MAX,           /* first page past user space */
        ~0xfffull,
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        EXPECT_ERR(-CR_EINVAL, tl_map_at(f, bad[i], RW));
    }
    EXPECT_TRUE(!mapped(f));
    EXPECT_OK(tl_map_at(f, va, RW));
    tl_end(&t);
}

TEST(vspace_map_twice)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t f = tl_new(&t, CR_OBJ_FRAME, 12);
    cr_cptr_t g = tl_new(&t, CR_OBJ_FRAME, 12);
    uint64_t va = tl_va(&t, 2);
    if (g == 0 || va == 0 || !EXPECT_OK(tl_map_at(f, va, RW))) {
        goto out;
    }
    /* The same capability maps only once... */
    EXPECT_ERR(-CR_EMAPPED, tl_map_at(f, va + CR_PAGE_SIZE, RW));
    EXPECT_ERR(-CR_EMAPPED, tl_map_at(f, va, RW));
    /* ...and one address holds one frame. */
    EXPECT_ERR(-CR_EEXIST, tl_map_at(g, va, RW));
    EXPECT_TRUE(!mapped(g));
    EXPECT_OK(tl_map_at(g, va + CR_PAGE_SIZE, RW));
    /* Mapped over the root server's own code: EEXIST, nothing changes. */
    cr_cptr_t h = tl_new(&t, CR_OBJ_FRAME, 12);
    EXPECT_ERR(-CR_EEXIST, tl_map_at(h, 0x400000, RW));
    EXPECT_ERR(-CR_EEXIST, tl_map_at(h, CR_BOOTINFO_VADDR, CR_RIGHT_READ));
out:
    tl_end(&t);
}

TEST(vspace_unmap_remap)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t f;
    volatile uint64_t *p = tl_map(&t, RW, &f);
    uint64_t other = tl_va(&t, 1);
    if (p == NULL || other == 0) {
        goto out;
    }
    p[1] = 99;
    EXPECT_OK(cr_vspace_unmap(f));
    EXPECT_TRUE(!mapped(f));
    EXPECT_OK(cr_vspace_unmap(f));
    EXPECT_ERR(-CR_ENOTMAPPED, cr_vspace_remap(f, CR_RIGHT_READ));
    /* Back at another address, the contents are the same frame's. */
    if (EXPECT_OK(tl_map_at(f, other, CR_RIGHT_READ))) {
        EXPECT_EQ(((volatile uint64_t *)(uintptr_t)other)[1], 99);
        EXPECT_OK(cr_vspace_unmap(f));
    }
    EXPECT_OK(tl_map_at(f, (uint64_t)(uintptr_t)p, RW));
    p[1] = 100;
    EXPECT_EQ(p[1], 100);
    /* remap: READ only, then back to RW. */
    EXPECT_OK(cr_vspace_remap(f, CR_RIGHT_READ));
    EXPECT_EQ(p[1], 100);
    EXPECT_OK(cr_vspace_remap(f, RW));
    p[1] = 101;
    EXPECT_EQ(p[1], 101);
    EXPECT_ERR(-CR_EWRONGTYPE, cr_vspace_remap(ROOT, CR_RIGHT_READ));
out:
    tl_end(&t);
}

/* Faulting threads: a fault channel, a done notification. */
struct vthread {
    struct tl_thread th;
    cr_cptr_t chan;
    cr_cptr_t done;
};

static bool
vthread_new(struct tl *t, struct vthread *v, tl_thread_fn fn)
{
    v->chan = tl_new(t, CR_OBJ_CHANNEL, 0);
    v->done = tl_new(t, CR_OBJ_NOTIFICATION, 0);
    if (v->done == 0 || !tl_thread_new(t, &v->th, fn, TL_PRIO)) {
        return false;
    }
    v->th.done = v->done;
    return EXPECT_OK(cr_tcb_configure(v->th.tcb, ROOT, CR_CAP_ROOT_VSPACE, v->chan, 0));
}

/* load arg0 into out0 (then finish) */
static void
load_arg0(struct tl_thread *th)
{
    th->out[0] = tf_load((const volatile uint64_t *)(uintptr_t)th->arg[0]);
}

/* load arg0 into out0, signal done, stop; when resumed, store arg1 at arg0, load again. */
static void
touch_twice(struct tl_thread *th)
{
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)th->arg[0];
    th->out[0] = tf_load(p);
    cr_notify_signal(th->done);
    cr_tcb_suspend(th->self);
    tf_store(p, th->arg[1]);
    th->out[1] = tf_load(p);
}

TEST(vspace_remap_readonly_faults_writer)
{
    struct tl t;
    struct vthread v;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t f;
    volatile uint64_t *p = tl_map(&t, RW, &f);
    if (p == NULL || !vthread_new(&t, &v, touch_twice)) {
        goto out;
    }
    p[0] = 77;
    v.th.arg[0] = (uint64_t)(uintptr_t)p;
    v.th.arg[1] = 88;
    if (!tl_thread_start(&v.th) || !EXPECT_OK(tl_wait(v.done, NULL, 0, 0))) {
        goto out;
    }
    EXPECT_EQ(v.th.out[0], 77);
    EXPECT_OK(cr_vspace_remap(f, CR_RIGHT_READ));
    EXPECT_OK(cr_tcb_resume(v.th.tcb));
    struct cr_fault_msg m;
    if (EXPECT_OK(tl_fault_wait(v.chan, &m, 0, 0))) {
        EXPECT_EQ(m.kind, CR_FAULT_PAGE);
        EXPECT_EQ(m.addr, (uint64_t)(uintptr_t)p);
        EXPECT_EQ(m.rip, TL_ADDR(tf_store_insn));
        EXPECT_EQ(m.code & 7, 7);
    }
    EXPECT_EQ(p[0], 77);
    /* Writable again: the retried store goes through. */
    EXPECT_OK(cr_vspace_remap(f, RW));
    EXPECT_OK(cr_tcb_resume(v.th.tcb));
    EXPECT_OK(tl_wait(v.done, NULL, 0, 0));
    EXPECT_EQ(v.th.out[1], 88);
    EXPECT_EQ(p[0], 88);
out:
    tl_end(&t);
}

TEST(vspace_delete_frame_unmaps)
{
    struct tl t;
    struct vthread v;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t f;
    volatile uint64_t *p = tl_map(&t, RW, &f);
    if (p == NULL || !vthread_new(&t, &v, touch_twice)) {
        goto out;
    }
    p[0] = 5;
    v.th.arg[0] = (uint64_t)(uintptr_t)p;
    if (!tl_thread_start(&v.th) || !EXPECT_OK(tl_wait(v.done, NULL, 0, 0))) {
        goto out;
    }
    EXPECT_EQ(v.th.out[0], 5);
    EXPECT_OK(cr_cap_delete(ROOT, f));
    EXPECT_OK(cr_tcb_resume(v.th.tcb));
    struct cr_fault_msg m;
    if (EXPECT_OK(tl_fault_wait(v.chan, &m, 0, 0))) {
        EXPECT_EQ(m.kind, CR_FAULT_PAGE);
        EXPECT_EQ(m.addr, (uint64_t)(uintptr_t)p);
        EXPECT_EQ(m.code & 1, 0);
    }
out:
    tl_end(&t);
}

/* A frame whose page table is unmapped and mapped again elsewhere must not stay
 * reachable through the table once the frame capability is gone. */
TEST(vspace_table_remap_drops_old_entries)
{
    struct tl t;
    struct vthread v;
    if (!tl_begin(&t)) {
        return;
    }
    uint64_t r1 = VS_REGION;
    uint64_t r2 = VS_REGION + (2ull << 20);
    cr_cptr_t pt = map_tables(&t, CR_CAP_ROOT_VSPACE, r1);
    cr_cptr_t f = tl_new(&t, CR_OBJ_FRAME, 12);
    if (pt == 0 || f == 0 || !EXPECT_OK(tl_map_at(f, r1, RW)) || !vthread_new(&t, &v, load_arg0)) {
        goto out;
    }
    ((volatile uint64_t *)(uintptr_t)r1)[0] = 0x600d;
    /* Take the PT out and put it back at r2; then delete the frame. */
    EXPECT_OK(cr_vspace_unmap(pt));
    EXPECT_OK(cr_vspace_map_table(pt, CR_CAP_ROOT_VSPACE, r2));
    EXPECT_OK(cr_cap_delete(ROOT, f));
    /* A thread reading r2 must fault: nothing may be mapped there. */
    v.th.arg[0] = r2;
    if (!tl_thread_start(&v.th)) {
        goto out;
    }
    struct cr_fault_msg m;
    int64_t rc = tl_fault_wait(v.chan, &m, 0, 200);
    if (rc != 0) {
        TEST_FAIL("no fault (%s): freed frame still reachable through the moved page table "
                  "(read %#llx)",
                  cr_errname((int)rc), (unsigned long long)v.th.out[0]);
    } else {
        EXPECT_EQ(m.kind, CR_FAULT_PAGE);
        EXPECT_EQ(m.addr, r2);
    }
out:
    tl_end(&t);
}

/* The same when the PT leaves with its parent: the PD is unmapped (the PT stays installed
 * in the detached PD), then the PT is unmapped (its recorded place is gone, so nothing is
 * edited) and mapped again under another PD; the frame goes. */
TEST(vspace_table_with_parent_drops_old_entries)
{
    struct tl t;
    struct vthread v;
    if (!tl_begin(&t)) {
        return;
    }
    uint64_t r1 = VS_REGION;
    uint64_t r2 = VS_REGION + (1ull << 30);
    cr_cptr_t pt = map_tables(&t, CR_CAP_ROOT_VSPACE, r1);
    cr_cptr_t pd = pt - 1; /* map_tables makes PDPT, PD, PT in consecutive slots */
    cr_cptr_t pd2 = tl_new(&t, CR_OBJ_PD, 0);
    cr_cptr_t f = tl_new(&t, CR_OBJ_FRAME, 12);
    if (pt == 0 || f == 0 || !EXPECT_OK(tl_map_at(f, r1, RW)) || !vthread_new(&t, &v, load_arg0)) {
        goto out;
    }
    EXPECT_EQ(tl_type(pd), CR_OBJ_PD);
    ((volatile uint64_t *)(uintptr_t)r1)[0] = 0x600d;
    EXPECT_OK(cr_vspace_unmap(pd));
    EXPECT_TRUE(mapped(pt));
    EXPECT_ERR(-CR_EMAPPED, cr_vspace_map_table(pt, CR_CAP_ROOT_VSPACE, r2));
    EXPECT_OK(cr_vspace_unmap(pt));
    if (!EXPECT_OK(cr_vspace_map_table(pd2, CR_CAP_ROOT_VSPACE, r2)) ||
        !EXPECT_OK(cr_vspace_map_table(pt, CR_CAP_ROOT_VSPACE, r2))) {
        goto out;
    }
    EXPECT_OK(cr_cap_delete(ROOT, f));
    v.th.arg[0] = r2;
    if (!tl_thread_start(&v.th)) {
        goto out;
    }
    struct cr_fault_msg m;
    int64_t rc = tl_fault_wait(v.chan, &m, 0, 200);
    if (rc != 0) {
        TEST_FAIL("no fault (%s): freed frame reachable through a page table moved with "
                  "its parent (read %#llx)",
                  cr_errname((int)rc), (unsigned long long)v.th.out[0]);
    } else {
        EXPECT_EQ(m.kind, CR_FAULT_PAGE);
        EXPECT_EQ(m.addr, r2);
    }
out:
    tl_end(&t);
}

/* Table capabilities are one per table: no copies, no mints. */
TEST(vspace_table_caps_not_copyable)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    static const unsigned types[] = { CR_OBJ_PT, CR_OBJ_PD, CR_OBJ_PDPT };
    cr_cptr_t d = tl_slot(&t);
    for (unsigned i = 0; i < 3; i++) {
        cr_cptr_t x = tl_new(&t, types[i], 0);
        EXPECT_ERR(-CR_EINVAL, cr_cap_copy(ROOT, d, ROOT, x, CR_RIGHTS_ALL));
        EXPECT_ERR(-CR_EINVAL, cr_cap_mint(ROOT, d, ROOT, x, CR_RIGHTS_ALL, 0));
        EXPECT_ERR(-CR_ENOCAP, tl_identify(d, &(struct cr_cap_info){ 0 }));
        /* Moving keeps it one capability: fine. */
        EXPECT_OK(cr_cap_move(ROOT, d, ROOT, x));
        EXPECT_OK(cr_cap_move(ROOT, x, ROOT, d));
    }
    /* A VSpace (the top level) may be copied: threads hold copies of it. */
    cr_cptr_t vs = tl_new(&t, CR_OBJ_VSPACE, 0);
    EXPECT_OK(cr_cap_copy(ROOT, d, ROOT, vs, CR_RIGHTS_ALL));
    tl_end(&t);
}

TEST(vspace_large_frame)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t big = tl_ut_big(&t);
    cr_cptr_t pdpt = tl_new(&t, CR_OBJ_PDPT, 0);
    cr_cptr_t pd = tl_new(&t, CR_OBJ_PD, 0);
    cr_cptr_t pt = tl_new(&t, CR_OBJ_PT, 0);
    cr_cptr_t small = tl_new(&t, CR_OBJ_FRAME, 12);
    cr_cptr_t f = big != 0 ? tl_new_from(&t, big, CR_OBJ_FRAME, 21) : 0;
    uint64_t va = VS_REGION + (6ull << 21);
    if (f == 0 || small == 0 || !EXPECT_OK(cr_vspace_map_table(pdpt, CR_CAP_ROOT_VSPACE, va))) {
        goto out;
    }
    struct cr_cap_info info;
    if (EXPECT_OK(tl_identify(f, &info))) {
        EXPECT_EQ(info.size_bits, 21);
        EXPECT_EQ(info.paddr & ((1ull << 21) - 1), 0);
    }
    /* A 2 MiB frame needs the PD level only, and 2 MiB alignment. */
    EXPECT_ERR(-CR_ENOTABLE, tl_map_at(f, va, RW));
    EXPECT_OK(cr_vspace_map_table(pd, CR_CAP_ROOT_VSPACE, va));
    EXPECT_ERR(-CR_EINVAL, tl_map_at(f, va + CR_PAGE_SIZE, RW));
    EXPECT_ERR(-CR_EINVAL, tl_map_at(f, va + (1ull << 20), RW));
    if (!EXPECT_OK(tl_map_at(f, va, RW))) {
        goto out;
    }
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)va;
    p[0] = 1;
    p[(1u << 21) / 8 - 1] = 2;
    EXPECT_EQ(p[0] + p[(1u << 21) / 8 - 1], 3);
    /* The large page occupies the PD entry: no PT, no 4 KiB frame inside it. */
    EXPECT_ERR(-CR_EEXIST, cr_vspace_map_table(pt, CR_CAP_ROOT_VSPACE, va));
    EXPECT_ERR(-CR_EEXIST, tl_map_at(small, va + CR_PAGE_SIZE, RW));
    /* Unmapped, the PT fits there. */
    EXPECT_OK(cr_vspace_unmap(f));
    EXPECT_OK(cr_vspace_map_table(pt, CR_CAP_ROOT_VSPACE, va));
    EXPECT_ERR(-CR_EEXIST, tl_map_at(f, va, RW));
    EXPECT_OK(tl_map_at(small, va + CR_PAGE_SIZE, RW));
out:
    tl_end(&t);
}
