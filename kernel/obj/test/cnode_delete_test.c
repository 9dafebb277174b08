/* SPDX-License-Identifier: MIT */
/*
 * Host tests of capability deletion and revocation (kernel/obj/cnode.c: slot_delete,
 * slot_revoke) and the zombies that destroy CNodes and TCBs without recursion: nested
 * CNodes, a TCB's internal slots, CNodes that hold the only capability to themselves or
 * to each other, and a thread that holds the only capability to its own CSpace. Each is
 * run straight through; preemption and restart are tested in cnode_preempt_test.c.
 *
 * Objects are carved from a host buffer that a test untyped capability covers
 * (cnode_arena.h). The functions cnode.c calls elsewhere are recording stubs
 * (cnode_stubs.c): a test checks that every object was finalised exactly once.
 */
/* test-sources: kernel/obj/cnode.c kernel/obj/cdt.c kernel/obj/test/cnode_stubs.c */
#include "test.h"

#include <kernel/cdt.h>
#include <kernel/cnode.h>
#include <kernel/tcb.h>

#include "cnode_arena.h"
#include "cnode_stubs.h"

TEST(cnode_delete_empty_slot_does_nothing)
{
    fixture();
    ASSERT_ERR(0, slot_delete(&root[9]));
    ASSERT_TRUE(slot_empty(&root[9]));
    ASSERT_EQ(stubs.ncleanups, 0);
    ASSERT_EQ(stubs.preempt_checks, 0);
}

TEST(cnode_delete_plain_cap_cleans_up_once)
{
    fixture();
    uint64_t ch = make_obj(CR_OBJ_CHANNEL, &root[0]);
    copy(&root[0], &root[1]);
    ASSERT_ERR(0, slot_delete(&root[0]));
    ASSERT_TRUE(slot_empty(&root[0]));
    ASSERT_EQ(stubs_cleanups_of(ch, false), 1);
    ASSERT_EQ(stubs_cleanups_of(ch, true), 0);
    ASSERT_TRUE(cdt_is_final(&root[1]));
    ASSERT_ERR(0, slot_delete(&root[1]));
    ASSERT_EQ(stubs_cleanups_of(ch, true), 1);
    ASSERT_EQ(stubs.ncleanups, 2);
    ASSERT_EQ(list_len(&ut), 1);
}

/*
 * root[1] holds the only capability to CNode A, which holds: a channel and a copy
 * (A[0], A[1]), a notification and a badged mint of it (A[3], A[2]), and the only
 * capability to CNode B (A[5]). B holds the only capability to CNode C (B[3]), which
 * holds a channel and a notification; the only capability to TCB T (B[7]), whose CSpace
 * slot holds the only capability to CNode D (D[1]: a channel) and whose fault slot a
 * third capability to A's channel; and a copy (B[8]) of channel ch2, whose original
 * stays in root[2]. Deleting root[1] must empty all of it and leave root[2].
 */
TEST(cnode_delete_final_cnode_empties_nested_objects)
{
    fixture();
    struct slot *a = make_cnode(4, &root[1]);
    uint64_t ch1 = make_obj(CR_OBJ_CHANNEL, &a[0]);
    copy(&a[0], &a[1]);
    uint64_t n1 = make_obj(CR_OBJ_NOTIFICATION, &a[3]);
    mint(&a[3], &a[2], 0x55);
    struct slot *b = make_cnode(4, &a[5]);
    struct slot *c = make_cnode(2, &b[3]);
    uint64_t ch3 = make_obj(CR_OBJ_CHANNEL, &c[0]);
    uint64_t n2 = make_obj(CR_OBJ_NOTIFICATION, &c[3]);
    struct tcb *t = make(CR_OBJ_TCB, 0, &b[7]);
    ASSERT_TRUE(t != NULL);
    struct slot *d = make_cnode(1, &t->slots[TCB_SLOT_CSPACE]);
    uint64_t ch4 = make_obj(CR_OBJ_CHANNEL, &d[1]);
    copy(&a[0], &t->slots[TCB_SLOT_FAULT]);
    uint64_t ch2 = make_obj(CR_OBJ_CHANNEL, &root[2]);
    copy(&root[2], &b[8]);
    ASSERT_EQ(list_len(&ut), 16);
    ASSERT_EQ(live_slots(), 13);

    ASSERT_ERR(0, slot_delete(&root[1]));

    ASSERT_TRUE(slot_empty(&root[1]));
    ASSERT_EQ(live_slots(), 0);
    ASSERT_EQ(live_root_slots(), 1);
    ASSERT_EQ(root[2].cap.type, CR_OBJ_CHANNEL);
    ASSERT_TRUE(cdt_is_final(&root[2]));
    ASSERT_TRUE(ut.next == &root[2] && root[2].next == NULL);
    ASSERT_EQ(list_len(&ut), 2);

    ASSERT_EQ(stubs_cleanups_of(ch1, true), 1);
    ASSERT_EQ(stubs_cleanups_of(ch1, false), 2);
    ASSERT_EQ(stubs_cleanups_of(n1, true), 1);
    ASSERT_EQ(stubs_cleanups_of(n1, false), 1);
    ASSERT_EQ(stubs_cleanups_of(ch3, true), 1);
    ASSERT_EQ(stubs_cleanups_of(n2, true), 1);
    ASSERT_EQ(stubs_cleanups_of(ch4, true), 1);
    ASSERT_EQ(stubs_cleanups_of(ch2, true), 0);
    ASSERT_EQ(stubs_cleanups_of(ch2, false), 1);
    ASSERT_EQ(stubs.ncleanups, 9); /* CNodes and the TCB go as zombies, not cleanups */
    ASSERT_EQ(stubs.ntcb_finalised, 1);
    ASSERT_TRUE(stubs.tcb_finalised[0] == t);
    ASSERT_EQ(stubs.bad_calls, 0);
}

TEST(cnode_delete_non_final_cnode_keeps_contents)
{
    fixture();
    struct slot *a = make_cnode(4, &root[1]);
    uint64_t ch = make_obj(CR_OBJ_CHANNEL, &a[0]);
    copy(&root[1], &root[3]);

    ASSERT_ERR(0, slot_delete(&root[1]));
    ASSERT_TRUE(slot_empty(&root[1]));
    ASSERT_EQ(stubs.ncleanups, 1);
    ASSERT_EQ(stubs_cleanups_of((uint64_t)(uintptr_t)a, false), 1);
    ASSERT_EQ(a[0].cap.type, CR_OBJ_CHANNEL);
    ASSERT_TRUE(cdt_is_final(&root[3]));

    ASSERT_ERR(0, slot_delete(&root[3]));
    ASSERT_EQ(live_slots(), 0);
    ASSERT_EQ(stubs_cleanups_of(ch, true), 1);
    ASSERT_EQ(list_len(&ut), 1);
}

TEST(cnode_delete_tcb_finalises_it_once)
{
    fixture();
    struct slot *cs = make_cnode(4, &root[2]);
    make_obj(CR_OBJ_VSPACE, &root[3]);
    struct tcb *t = make(CR_OBJ_TCB, 0, &root[1]);
    ASSERT_TRUE(t != NULL);
    copy(&root[2], &t->slots[TCB_SLOT_CSPACE]);
    copy(&root[3], &t->slots[TCB_SLOT_VSPACE]);
    copy(&root[1], &root[4]);

    ASSERT_ERR(0, slot_delete(&root[4])); /* not the last capability */
    ASSERT_EQ(stubs.ntcb_finalised, 0);
    ASSERT_EQ(t->slots[TCB_SLOT_CSPACE].cap.type, CR_OBJ_CNODE);

    ASSERT_ERR(0, slot_delete(&root[1]));
    ASSERT_EQ(stubs.ntcb_finalised, 1);
    ASSERT_EQ(stubs_tcb_finalised_count(t), 1);
    for (int i = 0; i < TCB_NSLOTS; i++) {
        ASSERT_TRUE(slot_empty(&t->slots[i]));
    }
    /* The CSpace and VSpace themselves live on in root[2] and root[3]. */
    ASSERT_EQ(stubs_cleanups_of((uint64_t)(uintptr_t)cs, false), 1);
    ASSERT_EQ(root[2].cap.type, CR_OBJ_CNODE);
    ASSERT_EQ(root[3].cap.type, CR_OBJ_VSPACE);
    ASSERT_EQ(list_len(&ut), 3);
    ASSERT_EQ(stubs.bad_calls, 0);
}

/* A VSpace capability leaving a slot (a thread's, or any other) forbids the lean
 * system-call return, which keeps CR3; other capabilities leave it allowed. */
TEST(cnode_delete_vspace_cap_forbids_lean_return)
{
    fixture();
    make_obj(CR_OBJ_CHANNEL, &root[0]);
    make_obj(CR_OBJ_VSPACE, &root[1]);
    copy(&root[1], &root[2]);
    ASSERT_ERR(0, slot_delete(&root[0]));
    ASSERT_EQ(stubs.no_lean, 0);
    ASSERT_ERR(0, slot_delete(&root[2])); /* a copy: the VSpace lives on */
    ASSERT_EQ(stubs.no_lean, 1);
    ASSERT_ERR(0, slot_revoke(&ut)); /* the last one goes with the untyped's children */
    ASSERT_EQ(stubs.no_lean, 2);
    ASSERT_TRUE(slot_empty(&root[1]));
}

/* Every way a CNode capability leaves a slot advances the lookup epoch (cnode.h); other
 * capabilities leaving do not. */
TEST(cnode_delete_cnode_cap_advances_lookup_epoch)
{
    fixture();
    make_obj(CR_OBJ_CHANNEL, &root[0]);
    make_cnode(4, &root[1]);
    copy(&root[1], &root[2]);
    uint64_t e = cnode_epoch;
    ASSERT_ERR(0, slot_delete(&root[0]));
    ASSERT_EQ(cnode_epoch, e);
    ASSERT_ERR(0, slot_delete(&root[2])); /* a copy */
    ASSERT_TRUE(cnode_epoch > e);
    e = cnode_epoch;
    ASSERT_ERR(0, slot_delete(&root[1])); /* the last: a zombie, then empty */
    ASSERT_TRUE(cnode_epoch > e);
    ASSERT_TRUE(slot_empty(&root[1]));
}

TEST(cnode_revoke_untyped_destroys_self_referencing_cnodes)
{
    fixture();
    build_cycles();
    ASSERT_EQ(live_root_slots(), 0);
    ASSERT_EQ(live_slots(), 5);
    ASSERT_EQ(list_len(&ut), 6);

    ASSERT_ERR(0, slot_revoke(&ut));
    ASSERT_TRUE(ut.next == NULL);
    ASSERT_EQ(ut.cap.type, CR_OBJ_UNTYPED);
    ASSERT_EQ(live_slots(), 0);
    ASSERT_EQ(bad_finals(), 0);
    ASSERT_EQ(stubs.ncleanups, 2);
}

/*
 * The usual shape of a process: CNode A holds the only capability to TCB T, whose CSpace
 * slot holds a copy of the capability to A. Deleting root[1] (A's original) leaves A
 * alive through T; revoking the untyped destroys both, whichever is reached first.
 */
TEST(cnode_revoke_untyped_destroys_thread_and_its_own_cspace)
{
    fixture();
    struct slot *a = make_cnode(4, &root[1]);
    struct tcb *t = make(CR_OBJ_TCB, 0, &a[2]);
    ASSERT_TRUE(t != NULL);
    copy(&root[1], &t->slots[TCB_SLOT_CSPACE]);
    make_obj(CR_OBJ_CHANNEL, &a[7]);
    copy(&a[7], &t->slots[TCB_SLOT_FAULT]);

    ASSERT_ERR(0, slot_delete(&root[1]));
    ASSERT_EQ(stubs.ntcb_finalised, 0);
    ASSERT_EQ(live_slots(), 4);

    ASSERT_ERR(0, slot_revoke(&ut));
    ASSERT_TRUE(ut.next == NULL);
    ASSERT_EQ(live_slots(), 0);
    ASSERT_EQ(bad_finals(), 0);
    ASSERT_EQ(stubs_tcb_finalised_count(t), 1);
}

/* Deleting the slot inside C that holds C's own capability also ends C. */
TEST(cnode_delete_own_capability_inside_itself)
{
    fixture();
    struct slot *c = make_cnode(2, &root[4]);
    cdt_move(&c[1], &root[4]);
    make_obj(CR_OBJ_CHANNEL, &c[3]);
    ASSERT_ERR(0, slot_delete(&c[1]));
    ASSERT_EQ(live_slots(), 0);
    ASSERT_EQ(bad_finals(), 0);
    ASSERT_EQ(list_len(&ut), 1);
}

TEST(cnode_revoke_original_removes_only_copies)
{
    fixture();
    struct slot *a = make_cnode(4, &root[1]);
    uint64_t ch = make_obj(CR_OBJ_CHANNEL, &a[0]);
    copy(&root[1], &root[2]);
    copy(&root[2], &root[3]);
    ASSERT_ERR(0, slot_revoke(&root[1]));
    ASSERT_TRUE(slot_empty(&root[2]) && slot_empty(&root[3]));
    ASSERT_EQ(stubs.ncleanups, 2);
    ASSERT_EQ(stubs_cleanups_of((uint64_t)(uintptr_t)a, false), 2);
    ASSERT_EQ(a[0].cap.type, CR_OBJ_CHANNEL);
    ASSERT_EQ(stubs_cleanups_of(ch, true), 0);
    ASSERT_ERR(0, slot_revoke(&root[1])); /* nothing left to revoke */
    ASSERT_EQ(stubs.ncleanups, 2);
}
