/* SPDX-License-Identifier: MIT */
/*
 * The kernel answers a thread's repeated capability lookup from a memo (kernel/obj/
 * cnode.c, cnode_lookup; the IPC fast path's chan_of). Whatever changes a resolution must
 * void it: here a thread with a two-level CSpace looks a capability up (leaving a memo),
 * then the second-level CNode is moved, mutated to another guard, or deleted under it,
 * and the same cptr must resolve as a walk would, every time.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/sys.h>

#include "testlib.h"

/* cptrs in a CSpace whose root is the root CNode with 44 guard bits (56 bits in all). */
#define L2(slot, idx) (((uint64_t)(slot) << 8) | (idx))

enum {
    STEPS = 3,
};

/*
 * arg[0]: the slot of the second-level CNode as the thread names it; arg[1]: the step the
 * root has finished (volatile, 0 .. STEPS). After each step the thread identifies
 * L2(arg[0], 5) twice (the second from the memo the first left) and reports both in
 * out[2 * step], out[2 * step + 1] (the type, or the error), then out[7] = step + 1.
 */
static void
memo_probe(struct tl_thread *th)
{
    volatile uint64_t *step = &th->arg[1];
    for (uint64_t k = 0; k < STEPS; k++) {
        while (*step < k) {
            cr_yield();
        }
        for (unsigned i = 0; i < 2; i++) {
            struct cr_cap_info info = { 0 };
            int64_t rc = cr_cap_identify(L2(th->arg[0], 5), CR_UPTR(&info));
            th->out[2 * k + i] = rc == 0 ? info.type : (uint64_t)rc;
        }
        th->out[7] = k + 1;
    }
}

TEST(cspace_memo_follows_cnode_changes)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t c2 = tl_new(&t, CR_OBJ_CNODE, 8);
    cr_cptr_t g = tl_mint(&t, CR_CAP_ROOT_CNODE, CR_RIGHTS_ALL, 44);
    cr_cptr_t elsewhere = tl_slot(&t);
    if (c2 == 0 || g == 0 || elsewhere == 0 ||
        !tl_thread_new(&t, &th, memo_probe, TL_PRIO)) {
        goto out;
    }
    EXPECT_OK(cr_untyped_retype(t.ut, CR_OBJ_NOTIFICATION, 0, c2, 5, 1));
    EXPECT_OK(cr_tcb_configure(th.tcb, g, CR_CAP_ROOT_VSPACE, 0, 0));
    th.self = (uint64_t)th.tcb << 8;
    th.done = 0;
    th.arg[0] = c2;
    th.arg[1] = 0;
    if (!tl_thread_start(&th)) {
        goto out;
    }
    /* Step 0: found through c2, twice. */
    EXPECT_TRUE(tl_wait_word(&th.out[7], 1, 0, 2000));
    EXPECT_EQ(th.out[0], CR_OBJ_NOTIFICATION);
    EXPECT_EQ(th.out[1], CR_OBJ_NOTIFICATION);
    /* Step 1: the CNode moves away; c2's slot is empty, so the walk stops there. */
    EXPECT_OK(cr_cap_move(CR_CAP_ROOT_CNODE, elsewhere, CR_CAP_ROOT_CNODE, c2));
    th.arg[1] = 1;
    EXPECT_TRUE(tl_wait_word(&th.out[7], 2, 0, 2000));
    EXPECT_ERR(-CR_ENOCAP, (int64_t)th.out[2]);
    EXPECT_ERR(-CR_ENOCAP, (int64_t)th.out[3]);
    /* Step 2: back into c2 by a mutate, then the notification deleted in it. */
    EXPECT_OK(cr_cap_mutate(CR_CAP_ROOT_CNODE, c2, CR_CAP_ROOT_CNODE, elsewhere, CR_RIGHTS_ALL));
    EXPECT_OK(cr_cap_delete(c2, 5));
    th.arg[1] = 2;
    EXPECT_TRUE(tl_wait_word(&th.out[7], 3, 0, 2000));
    EXPECT_ERR(-CR_ENOCAP, (int64_t)th.out[4]);
    EXPECT_ERR(-CR_ENOCAP, (int64_t)th.out[5]);
out:
    tl_end(&t);
}
