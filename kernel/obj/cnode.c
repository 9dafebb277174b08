/* SPDX-License-Identifier: MIT */
/*
 * CNodes: capability addressing and the capability operations.
 *
 * Addressing: a cptr is resolved through the thread's CSpace root, most significant
 * bits first. Each CNode consumes its guard bits (which must match) and then radix bits
 * as the index. Resolution stops when all bits are consumed or the slot reached holds
 * something other than a CNode. At most 64 levels, since every level consumes a bit.
 *
 * Destruction: deleting the last capability to a CNode or TCB must empty the slots
 * inside it first, and those may hold the last capabilities to further CNodes. The
 * capability becomes a zombie that remembers how many slots are left; a zombie found
 * while emptying another becomes its child (w2 links child to parent; the top zombie's
 * w2 names the innermost one), so the work is a loop, never recursion. Progress lives
 * in the zombies, so the loop stops at a preemption point and the restarted call goes
 * on where it stopped.
 */
#include <kernel/cnode.h>
#include <kernel/cdt.h>
#include <kernel/errors.h>
#include <kernel/klog.h>
#include <kernel/object.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/tcb.h>
#include <arch/mmu.h>

static inline uint64_t
low_mask(unsigned bits)
{
    return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

/* Returns the slot array of a CNode capability. */
struct slot *
cnode_slots(const struct cap *cnode)
{
    return phys_to_virt(cnode->obj);
}

/*
 * Resolves `depth` bits of cptr starting at CNode capability root.
 * Errors: -EBADCAP (root not a CNode, guard mismatch, or too few bits left).
 */
int
cnode_resolve(const struct cap *root, uint64_t cptr, unsigned depth, struct slot **out)
{
    const struct cap *c = root;
    unsigned left = depth;
    /* Bounded: each level consumes at least one bit (radix >= 1). */
    for (;;) {
        if (c->type != CR_OBJ_CNODE) {
            return -CR_EBADCAP;
        }
        unsigned gbits = c->aux;
        unsigned radix = c->size_bits;
        if (gbits > left || radix > left - gbits) { /* no sum: it could wrap */
            return -CR_EBADCAP;
        }
        if (gbits != 0 && ((cptr >> (left - gbits)) & low_mask(gbits)) != c->w1) {
            return -CR_EBADCAP;
        }
        left -= gbits;
        uint64_t index = (cptr >> (left - radix)) & low_mask(radix);
        left -= radix;
        struct slot *s = &cnode_slots(c)[index];
        if (left == 0 || s->cap.type != CR_OBJ_CNODE) {
            *out = s;
            return 0;
        }
        c = &s->cap;
    }
}

uint64_t cnode_epoch = 1; /* a zeroed memo (epoch 0) never matches */

/* A resolution may have changed: every thread's memo is void. */
void
cnode_paths_changed(void)
{
    cnode_epoch++;
}

/*
 * Resolves cptr (all 64 bits) in t's CSpace. Errors: -EBADCAP. A repeat of t's last
 * lookup in the same CSpace epoch is answered from its memo (cnode.h) without a walk.
 */
int
cnode_lookup(struct tcb *t, uint64_t cptr, struct slot **out)
{
    struct slot *s = tcb_memo_slot(t, cptr);
    if (s != NULL) {
        *out = s;
        return 0;
    }
    const struct cap *root = tcb_cspace_root(t);
    /* The common one-level CSpace (guard and radix take all the bits, as the root
     * server's): the same result as cnode_resolve, in a few instructions. */
    if (root->type == CR_OBJ_CNODE && root->aux + root->size_bits == CPTR_BITS &&
        root->aux != 0) {
        if ((cptr >> root->size_bits) != root->w1) {
            return -CR_EBADCAP;
        }
        s = &cnode_slots(root)[cptr & low_mask(root->size_bits)];
    } else {
        int rc = cnode_resolve(root, cptr, CPTR_BITS, &s);
        if (rc != 0) {
            return rc;
        }
    }
    t->memo = (struct cnode_memo){ cptr, cnode_epoch, s };
    *out = s;
    return 0;
}

/*
 * Resolves cptr to a non-empty slot, of `type` unless type is CR_OBJ_NULL (any).
 * Errors: -EBADCAP, -ENOCAP (empty slot), -EBUSY (object being destroyed),
 * -EWRONGTYPE.
 */
int
cnode_lookup_cap(struct tcb *t, uint64_t cptr, unsigned type, struct slot **out)
{
    struct slot *s;
    int rc = cnode_lookup(t, cptr, &s);
    if (rc != 0) {
        return rc;
    }
    if (cap_is_null(&s->cap)) {
        return -CR_ENOCAP;
    }
    if (s->cap.type == CAP_ZOMBIE) {
        return -CR_EBUSY;
    }
    if (type != CR_OBJ_NULL && s->cap.type != type) {
        return -CR_EWRONGTYPE;
    }
    *out = s;
    return 0;
}

/*
 * Finds slot `index` of the CNode named by cptr `cnode` (a destination or source slot
 * of a capability operation). Errors: those of cnode_lookup_cap, -ERANGE (index too
 * large for the CNode).
 */
int
cnode_lookup_dest(struct tcb *t, uint64_t cnode, uint64_t index, struct slot **out)
{
    struct slot *s;
    int rc = cnode_lookup_cap(t, cnode, CR_OBJ_CNODE, &s);
    if (rc != 0) {
        return rc;
    }
    if (index >= (1ull << s->cap.size_bits)) {
        return -CR_ERANGE;
    }
    *out = &cnode_slots(&s->cap)[index];
    return 0;
}

/* Writes c into the empty slot dst and links it after `parent` in the CDT. */
void
cnode_install(struct slot *parent, struct slot *dst, const struct cap *c, uint32_t mdb)
{
    KASSERT(cap_is_null(&dst->cap));
    dst->cap = *c;
    dst->mdb = mdb;
    if (parent != NULL) {
        cdt_insert_after(parent, dst);
    } else {
        cdt_insert_root(dst);
    }
}

/*
 * Empties s. A VSpace capability leaving a slot may be the running thread's (a TCB's
 * VSpace slot) or the last one of the VSpace loaded: the lean system-call return, which
 * keeps CR3, must not be taken (cpu.h, exit_slow). A CNode capability leaving one voids
 * the lookup memos (cnode.h).
 */
static void
clear_slot(struct slot *s)
{
    if (s->cap.type == CR_OBJ_VSPACE) {
        sched_no_lean_return();
    } else if (s->cap.type == CR_OBJ_CNODE) {
        cnode_paths_changed();
    }
    cdt_remove(s);
    s->cap = (struct cap){ 0 };
    s->mdb = 0;
}

static bool
has_slots(unsigned type)
{
    return type == CR_OBJ_CNODE || type == CR_OBJ_TCB;
}

static struct slot *
zombie_slots(const struct cap *z, uint64_t *count)
{
    if (z->aux == CR_OBJ_CNODE) {
        *count = 1ull << z->size_bits;
        return phys_to_virt(z->obj);
    }
    struct tcb *t = phys_to_virt(z->obj);
    *count = TCB_NSLOTS;
    return t->slots;
}

/* Turns the final capability in s into a zombie; the object stops working now. */
static void
make_zombie(struct slot *s, struct slot *parent)
{
    struct cap *c = &s->cap;
    if (c->type == CR_OBJ_TCB) {
        tcb_finalise(phys_to_virt(c->obj));
    }
    uint64_t count;
    unsigned type = c->type;
    if (type == CR_OBJ_CNODE) {
        cnode_paths_changed(); /* no resolution goes through it any more */
    }
    c->aux = type;
    c->type = CAP_ZOMBIE;
    zombie_slots(c, &count);
    c->w1 = count;
    c->w2 = (uint64_t)(uintptr_t)parent;
    c->flags = parent == NULL ? CAP_F_ZOMBIE_TOP : 0;
    if (parent == NULL) {
        c->w2 = (uint64_t)(uintptr_t)s; /* the top names the innermost: itself */
    }
}

/*
 * Empties the objects of zombie `top` and its nested zombies, innermost first.
 * Returns 0 when top's own object is empty, or -ERESTART at a preemption point.
 */
static int
zombie_reap(struct slot *top)
{
    unsigned work = 0;
    /* Preemptible: progress is kept in the zombies' slot counts. */
    for (;;) {
        struct slot *z = (struct slot *)(uintptr_t)top->cap.w2;
        uint64_t count;
        struct slot *slots = zombie_slots(&z->cap, &count);
        if (z->cap.w1 == 0) {
            if (z == top) {
                return 0;
            }
            struct slot *parent = (struct slot *)(uintptr_t)z->cap.w2;
            top->cap.w2 = (uint64_t)(uintptr_t)parent;
            clear_slot(z);
            parent->cap.w1--;
            continue;
        }
        struct slot *s = &slots[z->cap.w1 - 1];
        if (cap_is_null(&s->cap) || s == top ||
            (s->cap.type == CAP_ZOMBIE && !(s->cap.flags & CAP_F_ZOMBIE_TOP))) {
            /* Empty, or a zombie of our own chain: z itself or an ancestor living inside
             * z's object (a cycle). Each object has one zombie at most, so a nested
             * zombie here can only be ours, and deeper ones were handled first. */
            z->cap.w1--;
        } else if (s->cap.type == CAP_ZOMBIE) {
            /* Another deletion's zombie, preempted: adopt its chain as ours. */
            struct slot *inner = (struct slot *)(uintptr_t)s->cap.w2;
            s->cap.flags &= ~CAP_F_ZOMBIE_TOP;
            s->cap.w2 = (uint64_t)(uintptr_t)z;
            top->cap.w2 = (uint64_t)(uintptr_t)inner;
        } else if (has_slots(s->cap.type) && cdt_is_final(s)) {
            make_zombie(s, z);
            top->cap.w2 = (uint64_t)(uintptr_t)s;
        } else {
            obj_cleanup(&s->cap, cdt_is_final(s));
            clear_slot(s);
            z->cap.w1--;
        }
        if (++work % CNODE_REVOKE_BATCH == 0 && sched_preempt_pending()) {
            return -ERESTART;
        }
    }
}

static struct slot *
zombie_top(struct slot *z)
{
    /* Bounded by the nesting depth. */
    while (!(z->cap.flags & CAP_F_ZOMBIE_TOP)) {
        z = (struct slot *)(uintptr_t)z->cap.w2;
    }
    return z;
}

/*
 * Deletes the capability in s. If it was the last one to its object, the object is
 * destroyed (CNodes and TCBs through zombies). Returns 0, or -ERESTART when preempted
 * (the slot then holds a zombie and the call must be repeated).
 */
int
slot_delete(struct slot *s)
{
    if (cap_is_null(&s->cap)) {
        return 0;
    }
    if (s->cap.type == CAP_ZOMBIE) {
        struct slot *top = zombie_top(s);
        int rc = zombie_reap(top);
        if (rc != 0) {
            return rc;
        }
        clear_slot(top);
        return 0;
    }
    bool final = cdt_is_final(s);
    if (final && has_slots(s->cap.type)) {
        make_zombie(s, NULL);
        int rc = zombie_reap(s);
        if (rc != 0) {
            return rc;
        }
    } else {
        obj_cleanup(&s->cap, final);
    }
    clear_slot(s);
    return 0;
}

/*
 * Deletes every descendant of s in the derivation tree. Preemptible: returns
 * -ERESTART after a batch of deletions when a higher-priority thread is ready; the
 * deleted capabilities are the progress.
 */
int
slot_revoke(struct slot *s)
{
    unsigned n = 0;
    while (s->next != NULL && cdt_is_parent(s, s->next)) {
        int rc = slot_delete(s->next);
        if (rc != 0) {
            return rc;
        }
        if (++n % CNODE_REVOKE_BATCH == 0 && sched_preempt_pending()) {
            return -ERESTART;
        }
    }
    return 0;
}
