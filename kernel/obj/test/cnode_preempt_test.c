/* SPDX-License-Identifier: MIT */
/*
 * Host tests of preemption in capability deletion and revocation (kernel/obj/cnode.c:
 * slot_delete, slot_revoke): preempted at every preemption point and restarted as the
 * dispatcher would until it finishes, a deletion or revoke must reach the same end state
 * (the same cleanups, in the same order) as one run straight through, make the documented
 * progress per call, and a deletion that finds another deletion's unfinished zombie must
 * finish it as part of its own work.
 *
 * Objects are carved from a host buffer that a test untyped capability covers
 * (cnode_arena.h). The functions cnode.c calls elsewhere are recording stubs
 * (cnode_stubs.c), which also let a test force every preemption check to say "preempt".
 */
/* test-sources: kernel/obj/cnode.c kernel/obj/cdt.c kernel/obj/test/cnode_stubs.c */
#include "test.h"

#include <kernel/cdt.h>
#include <kernel/cnode.h>
#include <kernel/errors.h>
#include <kernel/tcb.h>

#include "cnode_arena.h"
#include "cnode_stubs.h"

enum {
    WIDE_A_RADIX = 8, /* 256 slots */
    WIDE_B_AT = 200,  /* A[200] holds the only capability to B */
    WIDE_B_RADIX = 8,
};

/*
 * root[1]: the only capability to A (256 slots): a channel in every slot but 200, which
 * holds the only capability to B (256 slots, a notification in each). Deleting root[1]
 * takes 512 units of work: one per slot of A and of B.
 */
static bool
build_wide(void)
{
    struct slot *a = make_cnode(WIDE_A_RADIX, &root[1]);
    if (a == NULL) {
        return false;
    }
    for (int i = 0; i < 1 << WIDE_A_RADIX; i++) {
        if (i != WIDE_B_AT && make_obj(CR_OBJ_CHANNEL, &a[i]) == 0) {
            return false;
        }
    }
    struct slot *b = make_cnode(WIDE_B_RADIX, &a[WIDE_B_AT]);
    if (b == NULL) {
        return false;
    }
    for (int i = 0; i < 1 << WIDE_B_RADIX; i++) {
        if (make_obj(CR_OBJ_NOTIFICATION, &b[i]) == 0) {
            return false;
        }
    }
    return true;
}

static struct stub_cleanup unpreempted_log[STUB_LOG_MAX];

TEST(cnode_delete_preempted_restarts_to_same_end_state)
{
    /* Once straight through, keeping the order of the cleanups. */
    fixture();
    ASSERT_TRUE(build_wide());
    ASSERT_ERR(0, slot_delete(&root[1]));
    ASSERT_EQ(live_slots(), 0);
    ASSERT_EQ(bad_finals(), 0);
    long n = stubs.ncleanups;
    ASSERT_EQ(n, 255 + 256);
    memcpy(unpreempted_log, stubs.cleanups, sizeof(unpreempted_log[0]) * (size_t)n);

    /* Then preempted at every check, restarting as the dispatcher would. */
    fixture();
    ASSERT_TRUE(build_wide());
    stubs.preempt = true;
    int calls = 0;
    int rc;
    /* Bounded: each call makes CNODE_REVOKE_BATCH units of progress. */
    while ((rc = slot_delete(&root[1])) != 0 && calls < 1000) {
        calls++;
        ASSERT_ERR(-ERESTART, rc);
        ASSERT_EQ(root[1].cap.type, CAP_ZOMBIE);
        ASSERT_TRUE(root[1].cap.flags & CAP_F_ZOMBIE_TOP);
    }
    calls++;
    ASSERT_ERR(0, rc);
    /* 512 units, a preemption point after every batch, and one call to finish. */
    ASSERT_EQ(calls, 512 / CNODE_REVOKE_BATCH + 1);
    ASSERT_EQ(stubs.preempt_checks, calls - 1);

    ASSERT_TRUE(slot_empty(&root[1]));
    ASSERT_EQ(live_slots(), 0);
    ASSERT_EQ(bad_finals(), 0);
    ASSERT_EQ(list_len(&ut), 1);
    ASSERT_EQ(stubs.ncleanups, n);
    for (long i = 0; i < n; i++) {
        ASSERT_EQ(stubs.cleanups[i].obj, unpreempted_log[i].obj);
        ASSERT_EQ(stubs.cleanups[i].final, unpreempted_log[i].final);
    }
}

/*
 * Revoke of the untyped, preempted at every check: the wide tree (whose deletion
 * stops in the middle, leaving a zombie right after the untyped), the cycles, and 200
 * channels in root (enough for revoke's own preemption point). Restarted until done,
 * the revoke must leave nothing but the untyped.
 */
TEST(cnode_revoke_preempted_restarts_until_everything_is_gone)
{
    fixture();
    ASSERT_TRUE(build_wide());
    build_cycles();
    for (int i = 16; i < 216; i++) {
        ASSERT_TRUE(make_obj(CR_OBJ_CHANNEL, &root[i]) != 0);
    }
    for (int i = 0; i < 20; i++) {
        copy(&root[16 + i], &root[216 + i]);
    }
    stubs.preempt = true;
    int calls = 0;
    int rc;
    while ((rc = slot_revoke(&ut)) != 0 && calls < 1000) {
        calls++;
        ASSERT_ERR(-ERESTART, rc);
    }
    calls++;
    ASSERT_ERR(0, rc);
    ASSERT_TRUE(calls > 8);
    ASSERT_TRUE(ut.next == NULL);
    ASSERT_EQ(live_slots(), 0);
    ASSERT_EQ(live_root_slots(), 0);
    ASSERT_EQ(bad_finals(), 0);
}

/* Revoke's own preemption point: 220 plain deletions are 3 full batches and a rest. */
TEST(cnode_revoke_preempts_between_batches)
{
    fixture();
    for (int i = 0; i < 200; i++) {
        ASSERT_TRUE(make_obj(CR_OBJ_CHANNEL, &root[i]) != 0);
    }
    for (int i = 0; i < 20; i++) {
        copy(&root[i], &root[200 + i]);
    }
    stubs.preempt = true;
    int calls = 0;
    int rc;
    while ((rc = slot_revoke(&ut)) != 0 && calls < 1000) {
        calls++;
        ASSERT_ERR(-ERESTART, rc);
        ASSERT_EQ(live_root_slots(), 220 - calls * CNODE_REVOKE_BATCH);
    }
    calls++;
    ASSERT_ERR(0, rc);
    ASSERT_EQ(calls, 220 / CNODE_REVOKE_BATCH + 1);
    ASSERT_EQ(live_root_slots(), 0);
    ASSERT_TRUE(ut.next == NULL);
    ASSERT_EQ(bad_finals(), 0);
    ASSERT_EQ(stubs.ncleanups, 220);
}

/*
 * A deletion of B (the only capability, in A[5]) is preempted and left unfinished.
 * Deleting A then meets B's zombie in A[5] and must finish it as part of its own work.
 */
TEST(cnode_delete_adopts_unfinished_zombie)
{
    fixture();
    struct slot *a = make_cnode(4, &root[1]);
    make_obj(CR_OBJ_CHANNEL, &a[0]);
    make_obj(CR_OBJ_CHANNEL, &a[15]);
    struct slot *b = make_cnode(8, &a[5]);
    for (int i = 0; i < 256; i++) {
        ASSERT_TRUE(i == 250 || make_obj(CR_OBJ_NOTIFICATION, &b[i]) != 0);
    }
    /* C, one level deeper, is where the first deletion stops: B's slots 255..251 and
     * making C a zombie take 6 units, C's slots 255..198 the other 58 of the batch. */
    struct slot *c = make_cnode(8, &b[250]);
    make_obj(CR_OBJ_CHANNEL, &c[1]);
    make_obj(CR_OBJ_CHANNEL, &c[200]);

    stubs.preempt = true;
    ASSERT_ERR(-ERESTART, slot_delete(&a[5]));
    ASSERT_EQ(a[5].cap.type, CAP_ZOMBIE);
    ASSERT_TRUE(a[5].cap.flags & CAP_F_ZOMBIE_TOP);
    ASSERT_EQ(b[250].cap.type, CAP_ZOMBIE); /* the innermost, unfinished */
    ASSERT_EQ(c[1].cap.type, CR_OBJ_CHANNEL);
    ASSERT_TRUE(slot_empty(&c[200]));

    stubs.preempt = false;
    ASSERT_ERR(0, slot_delete(&root[1]));
    ASSERT_TRUE(slot_empty(&root[1]));
    ASSERT_EQ(live_slots(), 0);
    ASSERT_EQ(bad_finals(), 0);
    ASSERT_EQ(list_len(&ut), 1);
}

/* The same, but the second deletion is preempted too, and restarted via the inner slot. */
TEST(cnode_delete_restart_through_inner_zombie)
{
    fixture();
    struct slot *a = make_cnode(4, &root[1]);
    struct slot *b = make_cnode(8, &a[5]);
    for (int i = 0; i < 256; i++) {
        ASSERT_TRUE(make_obj(CR_OBJ_NOTIFICATION, &b[i]) != 0);
    }
    stubs.preempt = true;
    ASSERT_ERR(-ERESTART, slot_delete(&root[1]));
    ASSERT_EQ(a[5].cap.type, CAP_ZOMBIE);
    ASSERT_TRUE(!(a[5].cap.flags & CAP_F_ZOMBIE_TOP)); /* root[1] is the top */
    ASSERT_TRUE(root[1].cap.flags & CAP_F_ZOMBIE_TOP);

    /* Deleting the inner zombie's slot continues the whole deletion from its top. */
    int calls = 1;
    int rc;
    while ((rc = slot_delete(&a[5])) != 0 && calls < 1000) {
        calls++;
        ASSERT_ERR(-ERESTART, rc);
    }
    ASSERT_ERR(0, rc);
    ASSERT_TRUE(slot_empty(&root[1]));
    ASSERT_EQ(live_slots(), 0);
    ASSERT_EQ(bad_finals(), 0);
    ASSERT_EQ(list_len(&ut), 1);
}
