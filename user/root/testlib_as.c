/* SPDX-License-Identifier: MIT */
/*
 * The system tests' second address space (see testlib.h, struct tl_as): page tables for
 * a VSpace, and a thread in a VSpace and CSpace of its own that runs the code blob of
 * testlib_asm.S, so tests can check what one address space can and cannot see of another.
 * Everything is made from the test's arena and goes away with it.
 */
#include "testlib.h"

#include <stddef.h>

#include <courier/lib/string.h>
#include <courier/sys.h>

#include "tests.h"

cr_cptr_t
tl_map_tables(struct tl *t, cr_cptr_t vs, uint64_t va)
{
    cr_cptr_t pdpt = tl_new(t, CR_OBJ_PDPT, 0);
    cr_cptr_t pd = tl_new(t, CR_OBJ_PD, 0);
    cr_cptr_t pt = tl_new(t, CR_OBJ_PT, 0);
    if (pt == 0 || !EXPECT_OK(cr_vspace_map_table(pdpt, vs, va)) ||
        !EXPECT_OK(cr_vspace_map_table(pd, vs, va)) ||
        !EXPECT_OK(cr_vspace_map_table(pt, vs, va))) {
        return 0;
    }
    return pt;
}

bool
tl_as_build(struct tl *t, struct tl_as *a, cr_cptr_t vs_ut)
{
    const uint64_t rw = CR_RIGHT_READ | CR_RIGHT_WRITE;
    const uint64_t rx = CR_RIGHT_READ | CR_RIGHT_EXEC;
    memset(a, 0, sizeof(*a));
    a->vs = tl_new_from(t, vs_ut, CR_OBJ_VSPACE, 0);
    if (a->vs == 0 || tl_map_tables(t, a->vs, TL_AS_CODE) == 0) {
        return false;
    }
    cr_cptr_t code;
    void *c = tl_map(t, rw, &code);
    if (c == NULL) {
        return false;
    }
    memcpy(c, as_blob_start, (size_t)(as_blob_end - as_blob_start));
    cr_cptr_t code2 = tl_copy(t, code, rx);
    a->data = tl_map(t, rw, &a->data_frame);
    cr_cptr_t data2 = a->data != NULL ? tl_copy(t, a->data_frame, rw) : 0;
    if (code2 == 0 || data2 == 0 || !EXPECT_OK(cr_vspace_map(code2, a->vs, TL_AS_CODE, rx, 0)) ||
        !EXPECT_OK(cr_vspace_map(data2, a->vs, TL_AS_DATA, rw, 0))) {
        return false;
    }
    a->cnode = tl_new(t, CR_OBJ_CNODE, 2);
    a->guarded = a->cnode != 0 ? tl_mint(t, a->cnode, CR_RIGHTS_ALL, 62) : 0;
    a->ntfn = tl_new(t, CR_OBJ_NOTIFICATION, 0);
    a->tcb = tl_new(t, CR_OBJ_TCB, 0);
    a->chan = tl_new(t, CR_OBJ_CHANNEL, 0);
    if (a->guarded == 0 || a->chan == 0) {
        return false;
    }
    return EXPECT_OK(
               cr_cap_copy(a->cnode, TL_AS_NTFN, CR_CAP_ROOT_CNODE, a->ntfn, CR_RIGHT_WRITE)) &&
           EXPECT_OK(cr_cap_copy(a->cnode, TL_AS_SELF, CR_CAP_ROOT_CNODE, a->tcb, CR_RIGHTS_ALL)) &&
           EXPECT_OK(cr_tcb_configure(a->tcb, a->guarded, a->vs, a->chan, 0)) &&
           EXPECT_OK(cr_tcb_set_priority(a->tcb, TL_PRIO, CR_SCHED_RR));
}

bool
tl_as_run(struct tl_as *a, uint64_t rip, uint64_t counter, uint64_t count, uint64_t self)
{
    struct cr_regs r = { 0 };
    r.rip = rip;
    r.rflags = 0x202;
    r.rdi = counter;
    r.rsi = TL_AS_NTFN;
    r.rdx = count;
    r.r10 = self;
    return EXPECT_OK(cr_tcb_write_regs(a->tcb, CR_UPTR(&r), CR_REGS_RESUME));
}
