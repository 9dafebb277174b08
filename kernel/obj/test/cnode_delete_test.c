/* SPDX-License-Identifier: MIT */
/*
 * Host tests of capability deletion and revocation (kernel/obj/cnode.c: slot_delete,
 * slot_revoke) and the zombies that destroy CNodes and TCBs without recursion: nested
 * CNodes, a TCB's internal slots, CNodes that hold the only capability to themselves or
 * to each other, preemption at every preemption point with the call restarted until it
 * finishes, and a deletion that finds another deletion's unfinished zombie.
 *
 * Objects are carved from a host buffer that a test untyped capability covers (the host
 * arch shim makes phys_to_virt the identity), and linked into the derivation tree as
 * untyped_retype links them. The functions cnode.c calls elsewhere are recording stubs
 * (cnode_stubs.c): a test checks that every object was finalised exactly once.
 */
/* test-sources: kernel/obj/cnode.c kernel/obj/cdt.c kernel/obj/test/cnode_stubs.c */
#include "test.h"

#include <kernel/cdt.h>
#include <kernel/cnode.h>
#include <kernel/errors.h>
#include <kernel/tcb.h>

#include "cnode_stubs.h"

enum {
    ARENA_BITS = 20,
    MAX_OBJS = 2048,
    ROOT_SLOTS = 256,
};

/* The untyped memory, its capability, and a CNode outside it that holds the tests' caps. */
static _Alignas(4096) unsigned char arena[1u << ARENA_BITS];
static size_t arena_used;
static struct slot ut;
static struct slot root[ROOT_SLOTS];

/* Every object made from the arena, so a test can check them all afterwards. */
static struct obj {
    unsigned type;
    unsigned radix;
    void *mem;
} objs[MAX_OBJS];
static int nobjs;

static void
fixture(void)
{
    memset(arena, 0, sizeof(arena));
    arena_used = 0;
    memset(root, 0, sizeof(root));
    memset(objs, 0, sizeof(objs));
    nobjs = 0;
    memset(&ut, 0, sizeof(ut));
    struct cap u = { .type = CR_OBJ_UNTYPED,
                     .size_bits = ARENA_BITS,
                     .obj = (uint64_t)(uintptr_t)arena };
    cnode_install(NULL, &ut, &u, MDB_REVOCABLE);
    stubs_reset();
}

/*
 * Makes an object of `type` (radix for CNodes) from the arena and installs its original
 * capability in dst, linked after the untyped as untyped_retype does. Returns the
 * object's memory, or NULL if the arena or the registry is full.
 */
static void *
make(unsigned type, unsigned radix, struct slot *dst)
{
    int bits = obj_size_bits(type, radix);
    if (bits < 0 || nobjs == MAX_OBJS) {
        return NULL;
    }
    uint64_t size = 1ull << bits;
    size_t at = ALIGN_UP(arena_used, size);
    if (at + size > sizeof(arena)) {
        return NULL;
    }
    arena_used = at + size;
    void *mem = &arena[at];
    objs[nobjs++] = (struct obj){ .type = type, .radix = radix, .mem = mem };
    struct cap c = { .type = (uint8_t)type,
                     .rights = CR_RIGHTS_ALL,
                     .size_bits = (uint8_t)(type == CR_OBJ_CNODE ? radix : 0),
                     .obj = (uint64_t)(uintptr_t)mem };
    cnode_install(&ut, dst, &c, MDB_REVOCABLE);
    return mem;
}

static struct slot *
make_cnode(unsigned radix, struct slot *dst)
{
    return make(CR_OBJ_CNODE, radix, dst);
}

static uint64_t
make_obj(unsigned type, struct slot *dst)
{
    return (uint64_t)(uintptr_t)make(type, 0, dst);
}

/* cap_copy: the same capability, not revocable, linked after its source. */
static void
copy(struct slot *src, struct slot *dst)
{
    cnode_install(src, dst, &src->cap, 0);
}

/* cap_mint with a badge: revocable and first of its badge. */
static void
mint(struct slot *src, struct slot *dst, uint64_t badge)
{
    struct cap c = src->cap;
    c.w1 = badge;
    cnode_install(src, dst, &c, MDB_REVOCABLE | MDB_FIRST_BADGED);
}

static bool
slot_empty(const struct slot *s)
{
    return cap_is_null(&s->cap) && s->prev == NULL && s->next == NULL && s->mdb == 0;
}

/* Number of non-empty slots in every CNode and TCB made from the arena. */
static long
live_slots(void)
{
    long n = 0;
    for (int i = 0; i < nobjs; i++) {
        struct slot *s = objs[i].mem;
        long count = 0;
        if (objs[i].type == CR_OBJ_CNODE) {
            count = 1l << objs[i].radix;
        } else if (objs[i].type == CR_OBJ_TCB) {
            s = ((struct tcb *)objs[i].mem)->slots;
            count = TCB_NSLOTS;
        }
        for (long k = 0; k < count; k++) {
            n += !slot_empty(&s[k]);
        }
    }
    return n;
}

/* Number of non-empty slots in root. */
static long
live_root_slots(void)
{
    long n = 0;
    for (int k = 0; k < ROOT_SLOTS; k++) {
        n += !slot_empty(&root[k]);
    }
    return n;
}

/*
 * Number of arena objects not finalised exactly once: channels and notifications need
 * one obj_cleanup(final), TCBs one tcb_finalise. Also counts any bad stub call.
 */
static long
bad_finals(void)
{
    long bad = stubs.bad_calls;
    for (int i = 0; i < nobjs; i++) {
        uint64_t obj = (uint64_t)(uintptr_t)objs[i].mem;
        switch (objs[i].type) {
        case CR_OBJ_CHANNEL:
        case CR_OBJ_NOTIFICATION:
            bad += stubs_cleanups_of(obj, true) != 1;
            break;
        case CR_OBJ_TCB:
            bad += stubs_tcb_finalised_count(objs[i].mem) != 1;
            break;
        default:
            break;
        }
    }
    return bad;
}

/* Length of the derivation list from s, or -1 if a prev/next pair disagrees. */
static long
list_len(const struct slot *s)
{
    long n = 0;
    for (; s != NULL; s = s->next) {
        if (s->next != NULL && s->next->prev != s) {
            return -1;
        }
        n++;
    }
    return n;
}

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

/*
 * CNode C holds the only capability to itself (C[0]) and a channel; CNodes A and B
 * each hold the only capability to the other. Nothing outside refers to them, so only
 * a revoke of their untyped can reach them, and it must empty everything.
 */
static void
build_cycles(void)
{
    struct slot *c = make_cnode(2, &root[4]);
    cdt_move(&c[0], &root[4]);
    make_obj(CR_OBJ_CHANNEL, &c[2]);
    struct slot *a = make_cnode(1, &root[5]);
    struct slot *b = make_cnode(1, &root[6]);
    cdt_move(&b[0], &root[5]);
    cdt_move(&a[0], &root[6]);
    make_obj(CR_OBJ_NOTIFICATION, &a[1]);
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
