/* SPDX-License-Identifier: MIT */
/*
 * The capability derivation tree (seL4's MDB idea, our code). Invariants:
 *  - every non-empty slot is on the list except boot "root" caps, which start lists of
 *    their own (cdt_insert_root);
 *  - the descendants of a slot are exactly the run of slots directly after it for which
 *    cdt_is_parent(slot, x) holds;
 *  - all capabilities to one object are adjacent, so cdt_is_final only looks at the two
 *    neighbours.
 * Parenthood: an untyped is the parent of everything made inside its range; a revocable
 * capability (an original, or the first one minted with a badge) is the parent of later
 * copies of the same object; a badged original is the parent only of copies carrying
 * its badge. Non-revocable copies have no children: copying a copy makes a sibling.
 * Callers (cnode.c) hold no locks: the kernel is single-threaded per entry.
 */
#include <kernel/cdt.h>

static bool
has_region(unsigned type)
{
    switch (type) {
    case CR_OBJ_UNTYPED:
    case CR_OBJ_CNODE:
    case CR_OBJ_TCB:
    case CR_OBJ_CHANNEL:
    case CR_OBJ_NOTIFICATION:
    case CR_OBJ_FRAME:
    case CR_OBJ_PT:
    case CR_OBJ_PD:
    case CR_OBJ_PDPT:
    case CR_OBJ_VSPACE:
    case CR_OBJ_REPLY_TABLE:
    case CR_OBJ_PULSE_QUEUE:
        return true;
    default:
        return false;
    }
}

/* Size in bits of an object, or -1 if the type/size combination is not valid. */
int
obj_size_bits(unsigned type, unsigned size_bits)
{
    switch (type) {
    case CR_OBJ_UNTYPED:
        if (size_bits < CR_UNTYPED_MIN_BITS || size_bits > CR_UNTYPED_MAX_BITS) {
            return -1;
        }
        return (int)size_bits;
    case CR_OBJ_CNODE:
        if (size_bits < CR_CNODE_MIN_RADIX || size_bits > CR_CNODE_MAX_RADIX) {
            return -1;
        }
        return (int)size_bits + CR_CNODE_SLOT_BITS;
    case CR_OBJ_TCB:
        return CR_TCB_BITS;
    case CR_OBJ_CHANNEL:
        return CR_CHANNEL_BITS;
    case CR_OBJ_NOTIFICATION:
        return CR_NOTIFICATION_BITS;
    case CR_OBJ_FRAME:
        if (size_bits != CR_PAGE_BITS && size_bits != CR_LARGE_PAGE_BITS) {
            return -1;
        }
        return (int)size_bits;
    case CR_OBJ_PT:
    case CR_OBJ_PD:
    case CR_OBJ_PDPT:
    case CR_OBJ_VSPACE:
        return CR_TABLE_BITS;
    case CR_OBJ_REPLY_TABLE:
        if (size_bits < CR_REPLY_MIN_BITS || size_bits > CR_REPLY_MAX_BITS) {
            return -1;
        }
        return (int)size_bits + CR_REPLY_SLOT_BITS;
    case CR_OBJ_PULSE_QUEUE:
        if (size_bits < CR_PULSE_MIN_BITS || size_bits > CR_PULSE_MAX_BITS) {
            return -1;
        }
        return (int)size_bits + CR_PULSE_ENTRY_BITS;
    default:
        return -1;
    }
}

/* Size in bytes of the object a capability names (0 for non-memory objects). */
uint64_t
cap_obj_size(const struct cap *c)
{
    if (c->type == CAP_ZOMBIE || !has_region(c->type)) {
        return 0;
    }
    int bits = obj_size_bits(c->type, c->size_bits);
    return bits < 0 ? 0 : 1ull << bits;
}

/*
 * Size in bytes of the memory c's object occupies. A zombie (cnode.c) still occupies
 * its CNode or TCB until it is reaped, so it stays in its untyped's region: otherwise a
 * revoke restarted after preemption would stop at the zombie, and the untyped would
 * look childless (and be reset and retyped) while the zombie's object still lives.
 */
static uint64_t
region_size(const struct cap *c)
{
    unsigned type = c->type == CAP_ZOMBIE ? c->aux : c->type;
    if (!has_region(type)) {
        return 0;
    }
    int bits = obj_size_bits(type, c->size_bits);
    return bits < 0 ? 0 : 1ull << bits;
}

/* True if b's object lies in a's region, or both name the same non-memory resource. */
bool
cdt_same_region(const struct cap *a, const struct cap *b)
{
    if (a->type == CR_OBJ_UNTYPED) {
        uint64_t a_end = a->obj + cap_obj_size(a);
        uint64_t b_end = b->obj + region_size(b);
        return b->obj >= a->obj && b_end <= a_end && b_end > b->obj;
    }
    switch (a->type) {
    case CR_OBJ_IRQ_CONTROL:
        return b->type == CR_OBJ_IRQ_CONTROL || b->type == CR_OBJ_IRQ_HANDLER;
    case CR_OBJ_IRQ_HANDLER:
        return b->type == CR_OBJ_IRQ_HANDLER && a->obj == b->obj;
    case CR_OBJ_IOPORT:
        return b->type == CR_OBJ_IOPORT && b->obj >= a->obj && b->w1 <= a->w1;
    case CR_OBJ_NULL:
    case CAP_ZOMBIE:
        return false;
    default:
        return a->type == b->type && a->obj == b->obj && a->size_bits == b->size_bits;
    }
}

/* True if a and b name the same object (untyped regions are never "the same object"). */
bool
cdt_same_object(const struct cap *a, const struct cap *b)
{
    if (a->type == CR_OBJ_UNTYPED || b->type == CR_OBJ_UNTYPED) {
        return false;
    }
    if (a->type == CR_OBJ_IRQ_CONTROL) {
        return b->type == CR_OBJ_IRQ_CONTROL;
    }
    if (a->type == CR_OBJ_IOPORT) {
        return b->type == CR_OBJ_IOPORT && a->obj == b->obj && a->w1 == b->w1 &&
               (a->flags & CAP_F_IOPORT_CONTROL) == (b->flags & CAP_F_IOPORT_CONTROL);
    }
    return cdt_same_region(a, b);
}

static bool
is_badged_type(unsigned type)
{
    return type == CR_OBJ_CHANNEL || type == CR_OBJ_NOTIFICATION;
}

/* True if slot b is a child of slot a in the derivation tree (b must follow a). */
bool
cdt_is_parent(const struct slot *a, const struct slot *b)
{
    if (!(a->mdb & MDB_REVOCABLE) || !cdt_same_region(&a->cap, &b->cap)) {
        return false;
    }
    if (is_badged_type(a->cap.type) && a->cap.w1 != 0) {
        return b->cap.w1 == a->cap.w1 && !(b->mdb & MDB_FIRST_BADGED);
    }
    return true;
}

/* True if no other capability names the same object as s. */
bool
cdt_is_final(const struct slot *s)
{
    if (s->prev != NULL && cdt_same_object(&s->prev->cap, &s->cap)) {
        return false;
    }
    if (s->next != NULL && cdt_same_object(&s->next->cap, &s->cap)) {
        return false;
    }
    return true;
}

/* True if s has at least one child. */
bool
cdt_has_children(const struct slot *s)
{
    return s->next != NULL && cdt_is_parent(s, s->next);
}

/* Links child directly after parent (a new direct child, or a sibling for copies). */
void
cdt_insert_after(struct slot *parent, struct slot *child)
{
    child->prev = parent;
    child->next = parent->next;
    if (parent->next != NULL) {
        parent->next->prev = child;
    }
    parent->next = child;
}

/* Marks s as the start of its own derivation list (boot-time original caps). */
void
cdt_insert_root(struct slot *s)
{
    s->prev = NULL;
    s->next = NULL;
}

/* Unlinks s. Its descendants now follow s's predecessor, as seL4's MDB does. */
void
cdt_remove(struct slot *s)
{
    if (s->prev != NULL) {
        s->prev->next = s->next;
    }
    if (s->next != NULL) {
        s->next->prev = s->prev;
    }
    s->prev = NULL;
    s->next = NULL;
}

/* Moves the capability and its list position from src to the empty slot dst. */
void
cdt_move(struct slot *dst, struct slot *src)
{
    dst->cap = src->cap;
    dst->mdb = src->mdb;
    dst->prev = src->prev;
    dst->next = src->next;
    if (dst->prev != NULL) {
        dst->prev->next = dst;
    }
    if (dst->next != NULL) {
        dst->next->prev = dst;
    }
    src->prev = NULL;
    src->next = NULL;
    src->mdb = 0;
    src->cap = (struct cap){ 0 };
}
