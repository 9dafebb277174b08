/* SPDX-License-Identifier: MIT */
/*
 * System tests of a second address space (tl_as_* in testlib_as.c): a VSpace built from
 * scratch runs a code blob copied into it, isolated from the root server's memory, and
 * page tables or ASIDs left stale by a deleted VSpace do not touch the mappings of the
 * living ones. The rest of the address-space tests are test_vspace.c.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/caps.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

#define ROOT CR_CAP_ROOT_CNODE
#define RW (CR_RIGHT_READ | CR_RIGHT_WRITE)

#define AS2_CODE TL_AS_CODE
#define AS2_DATA TL_AS_DATA
#define AS2_FAR 0x8000000000ull /* PML4 entry 1 */

TEST(vspace_second_address_space_runs_blob)
{
    struct tl t;
    struct tl_as a;
    if (!tl_begin(&t)) {
        return;
    }
    if (!tl_as_build(&t, &a, t.ut) || !tl_as_run(&a, AS2_CODE, AS2_DATA, 1000, TL_AS_SELF)) {
        goto out;
    }
    uint64_t bits = 0;
    EXPECT_OK(tl_wait(a.ntfn, &bits, 0, 0));
    EXPECT_EQ(bits, 1);
    EXPECT_EQ(a.data[0], 1000);
    EXPECT_EQ(a.data[1], 0); /* the blob's notify_signal returned 0 */
    struct cr_fault_msg m;
    EXPECT_ERR(-CR_EAGAIN, cr_fault_recv(a.chan, CR_UPTR(&m), 1));
    /* Run it again from the start: it counts on. */
    if (tl_as_run(&a, AS2_CODE, AS2_DATA, 24, TL_AS_SELF)) {
        EXPECT_OK(tl_wait(a.ntfn, &bits, 0, 0));
        EXPECT_EQ(a.data[0], 1024);
    }
out:
    tl_end(&t);
}

TEST(vspace_second_address_space_isolated)
{
    struct tl t;
    struct tl_as a;
    if (!tl_begin(&t)) {
        return;
    }
    volatile uint64_t *mine = tl_map(&t, RW, NULL);
    if (mine == NULL || !tl_as_build(&t, &a, t.ut)) {
        goto out;
    }
    mine[0] = 42;
    /* The root's page is not mapped over there. */
    struct cr_fault_msg m;
    if (tl_as_run(&a, AS2_CODE, (uint64_t)(uintptr_t)mine, 5, TL_AS_SELF) &&
        EXPECT_OK(tl_fault_wait(a.chan, &m, 0, 0))) {
        EXPECT_EQ(m.kind, CR_FAULT_PAGE);
        EXPECT_EQ(m.addr, (uint64_t)(uintptr_t)mine);
        EXPECT_EQ(m.rip, AS2_CODE);
    }
    EXPECT_EQ(mine[0], 42);
    /* The data page is not executable. */
    if (tl_as_run(&a, AS2_DATA, AS2_DATA, 1, TL_AS_SELF) &&
        EXPECT_OK(tl_fault_wait(a.chan, &m, 0, 0))) {
        EXPECT_EQ(m.kind, CR_FAULT_PAGE);
        EXPECT_EQ(m.addr, AS2_DATA);
        EXPECT_EQ(m.rip, AS2_DATA);
        EXPECT_TRUE((m.code & 0x10) != 0); /* instruction fetch */
    }
    /* The code page is not writable. */
    if (tl_as_run(&a, AS2_CODE, AS2_CODE, 1, TL_AS_SELF) &&
        EXPECT_OK(tl_fault_wait(a.chan, &m, 0, 0))) {
        EXPECT_EQ(m.kind, CR_FAULT_PAGE);
        EXPECT_EQ(m.addr, AS2_CODE);
        EXPECT_EQ(m.code & 3, 3);
    }
    /* Its CSpace has only slots 0..3 behind a 62-bit guard. */
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}

/* Tables of a destroyed VSpace must not carry old mappings into a new one. */
TEST(vspace_stale_tables_after_vspace_delete)
{
    struct tl t;
    struct tl_as a;
    if (!tl_begin(&t)) {
        return;
    }
    if (!tl_as_build(&t, &a, t.ut)) {
        goto out;
    }
    cr_cptr_t vs1 = tl_new(&t, CR_OBJ_VSPACE, 0);
    cr_cptr_t pdpt = tl_new(&t, CR_OBJ_PDPT, 0);
    cr_cptr_t pd = tl_new(&t, CR_OBJ_PD, 0);
    cr_cptr_t pt = tl_new(&t, CR_OBJ_PT, 0);
    cr_cptr_t f = tl_new(&t, CR_OBJ_FRAME, 12);
    if (f == 0 || !EXPECT_OK(cr_vspace_map_table(pdpt, vs1, AS2_FAR)) ||
        !EXPECT_OK(cr_vspace_map_table(pd, vs1, AS2_FAR)) ||
        !EXPECT_OK(cr_vspace_map_table(pt, vs1, AS2_FAR)) ||
        !EXPECT_OK(cr_vspace_map(f, vs1, AS2_FAR, RW, 0))) {
        goto out;
    }
    /* VSpace 1 goes; then the frame; the PDPT moves to the second VSpace. */
    EXPECT_OK(cr_cap_delete(ROOT, vs1));
    EXPECT_OK(cr_cap_delete(ROOT, f));
    EXPECT_OK(cr_vspace_unmap(pdpt));
    if (!EXPECT_OK(cr_vspace_map_table(pdpt, a.vs, AS2_FAR))) {
        goto out;
    }
    struct cr_fault_msg m;
    if (tl_as_run(&a, AS2_CODE, AS2_FAR, 3, TL_AS_SELF)) {
        int64_t rc = tl_fault_wait(a.chan, &m, 0, 200);
        if (rc != 0) {
            TEST_FAIL("no fault (%s): freed frame still reachable through a reused PDPT "
                      "(counter there: %llu)",
                      cr_errname((int)rc), (unsigned long long)a.data[0]);
        } else {
            EXPECT_EQ(m.kind, CR_FAULT_PAGE);
            EXPECT_EQ(m.addr, AS2_FAR);
        }
    }
out:
    tl_end(&t);
}

/* A frame capability whose VSpace died must not edit the VSpace that reuses the ASID:
 * the same frame is mapped at the same address in both, one after the other. */
TEST(vspace_stale_asid_does_not_unmap)
{
    struct tl t;
    struct tl_as a;
    if (!tl_begin(&t)) {
        return;
    }
    const uint64_t va = TL_AS_DATA + CR_PAGE_SIZE;
    cr_cptr_t vs1 = tl_new(&t, CR_OBJ_VSPACE, 0);
    cr_cptr_t f = tl_new(&t, CR_OBJ_FRAME, 12);
    cr_cptr_t f1 = f != 0 ? tl_copy(&t, f, RW) : 0;
    cr_cptr_t f2 = f != 0 ? tl_copy(&t, f, RW) : 0;
    if (f2 == 0 || tl_map_tables(&t, vs1, va) == 0 ||
        !EXPECT_OK(cr_vspace_map(f1, vs1, va, RW, 0))) {
        goto out;
    }
    /* VSpace 1 goes; the next VSpace made gets its ASID slot back (new generation). */
    EXPECT_OK(cr_cap_delete(ROOT, vs1));
    if (!tl_as_build(&t, &a, t.ut) || !EXPECT_OK(cr_vspace_map(f2, a.vs, va, RW, 0))) {
        goto out;
    }
    /* The stale mapping record of f1 names the same frame at the same address. */
    EXPECT_OK(cr_cap_delete(ROOT, f1));
    uint64_t bits = 0;
    if (tl_as_run(&a, TL_AS_CODE, va, 7, TL_AS_SELF)) {
        EXPECT_OK(tl_wait(a.ntfn, &bits, 0, 0));
        struct cr_fault_msg m;
        EXPECT_ERR(-CR_EAGAIN, cr_fault_recv(a.chan, CR_UPTR(&m), 1));
    }
    /* The count landed in the frame (seen through a third mapping, in the root). */
    uint64_t rva = tl_va(&t, 1);
    if (rva != 0 && EXPECT_OK(tl_map_at(f, rva, CR_RIGHT_READ))) {
        EXPECT_EQ(((volatile uint64_t *)(uintptr_t)rva)[0], 7);
    }
out:
    tl_end(&t);
}
