/* SPDX-License-Identifier: MIT */
/*
 * System tests of the TLB across address-space switches: a mapping changed in a space
 * that is not running must not survive in the TLB until that space runs again. Without
 * PCIDs every switch flushes and these pass by construction; with PCIDs (a real CPU,
 * KVM) a space keeps its tagged translations across switches, and these check the stale
 * rule of kernel/obj/tlbtag.c (docs/objects.md, section 7).
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/caps.h>
#include <courier/sys.h>

#include "testlib.h"

#define RW (CR_RIGHT_READ | CR_RIGHT_WRITE)

/*
 * A frame swapped under a space while another one runs is what that space sees when it
 * runs again. With PCIDs the space's translation of va survives the switches in between,
 * so the unmap must mark its tag for a flush. Only a CPU that keeps tagged TLB entries
 * can fail it (not QEMU's TCG, not Bochs).
 */
TEST(tlb_frame_swapped_while_not_running)
{
    struct tl t;
    struct tl_as a;
    if (!tl_begin(&t)) {
        return;
    }
    const uint64_t va = TL_AS_DATA + CR_PAGE_SIZE; /* in the PT that maps its data page */
    cr_cptr_t f1;
    cr_cptr_t f2;
    volatile uint64_t *p1 = tl_map(&t, RW, &f1);
    volatile uint64_t *p2 = tl_map(&t, RW, &f2);
    cr_cptr_t m1 = p1 != NULL ? tl_copy(&t, f1, RW) : 0;
    cr_cptr_t m2 = p2 != NULL ? tl_copy(&t, f2, RW) : 0;
    if (m1 == 0 || m2 == 0 || !tl_as_build(&t, &a, t.ut) ||
        !EXPECT_OK(cr_vspace_map(m1, a.vs, va, RW, 0))) {
        goto out;
    }
    p1[0] = 100;
    p2[0] = 500;
    uint64_t bits = 0;
    if (!tl_as_run(&a, TL_AS_CODE, va, 1, TL_AS_SELF) || !EXPECT_OK(tl_wait(a.ntfn, &bits, 0, 0))) {
        goto out;
    }
    EXPECT_EQ(p1[0], 101);
    /* The blob's space is not loaded now (this thread runs): swap the frame under it. */
    EXPECT_OK(cr_vspace_unmap(m1));
    if (!EXPECT_OK(cr_vspace_map(m2, a.vs, va, RW, 0)) ||
        !tl_as_run(&a, TL_AS_CODE, va, 1, TL_AS_SELF) || !EXPECT_OK(tl_wait(a.ntfn, &bits, 0, 0))) {
        goto out;
    }
    EXPECT_EQ(p2[0], 501);
    EXPECT_EQ(p1[0], 101); /* not written through a stale translation */
out:
    tl_end(&t);
}
