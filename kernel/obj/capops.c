/* SPDX-License-Identifier: MIT */
/*
 * The capability operations user code calls: copy, mint, move, mutate, delete, revoke
 * and identify. Slots are named by (CNode cptr, index) pairs. Each call validates
 * everything before it changes anything (STYLE §6); delete and revoke may stop at a
 * preemption point and are then restarted by the dispatcher.
 */
#include <arch/cpu.h>
#include <kernel/cdt.h>
#include <kernel/cnode.h>
#include <kernel/cpu.h>
#include <kernel/errors.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/usercopy.h>

static int
lookup_src(uint64_t cnode, uint64_t index, struct slot **out)
{
    struct slot *s;
    int rc = cnode_lookup_dest(sched_current(), cnode, index, &s);
    if (rc != 0) {
        return rc;
    }
    if (cap_is_null(&s->cap)) {
        return -CR_ENOCAP;
    }
    if (s->cap.type == CAP_ZOMBIE) {
        return -CR_EBUSY;
    }
    *out = s;
    return 0;
}

static int
lookup_empty(uint64_t cnode, uint64_t index, struct slot **out)
{
    struct slot *s;
    int rc = cnode_lookup_dest(sched_current(), cnode, index, &s);
    if (rc != 0) {
        return rc;
    }
    if (!cap_is_null(&s->cap)) {
        return -CR_EEXIST;
    }
    *out = s;
    return 0;
}

/*
 * The capability a copy of src starts as (same object and badge, rights reduced to
 * `rights`, no mapping of its own), in *out. Errors: -EINVAL for untyped (one capability
 * per region: the watermark lives in it) and page tables (one capability per table: it
 * records the table's one mapping, and a second could install the table in another
 * VSpace, where entries made through the first would outlive the frames they map).
 */
int
cap_derive(const struct slot *src, uint64_t rights, struct cap *out)
{
    const struct cap *c = &src->cap;
    switch (c->type) {
    case CR_OBJ_UNTYPED:
    case CR_OBJ_PT:
    case CR_OBJ_PD:
    case CR_OBJ_PDPT:
        return -CR_EINVAL;
    default:
        break;
    }
    *out = *c;
    out->rights = c->rights & (uint8_t)rights;
    if (c->type == CR_OBJ_FRAME) {
        out->flags &= ~(CAP_F_MAPPED | CAP_F_MAP_ATTRS);
        out->w1 = 0;
        out->aux = 0;
    }
    return 0;
}

/*
 * cap_copy(dst_cnode, dst_index, src_cnode, src_index, rights): copies a capability,
 * keeping only the rights in `rights`. Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE (CNode
 * pointers), ERANGE (index), ENOCAP (empty source), EEXIST (occupied destination),
 * EBUSY (source being destroyed), EINVAL (untyped and page-table capabilities cannot be
 * copied).
 */
int64_t
sys_cap_copy(uint64_t dst_cnode, uint64_t dst_index, uint64_t src_cnode, uint64_t src_index,
             uint64_t rights)
{
    struct slot *src;
    struct slot *dst;
    int rc = lookup_src(src_cnode, src_index, &src);
    if (rc == 0) {
        rc = lookup_empty(dst_cnode, dst_index, &dst);
    }
    struct cap d;
    if (rc == 0) {
        rc = cap_derive(src, rights, &d);
    }
    if (rc != 0) {
        return rc;
    }
    cnode_install(src, dst, &d, 0);
    return 0;
}

/*
 * cap_mint(dst_cnode, dst_index, src_cnode, src_index, rights, badge): copy with a
 * badge (channels and notifications; the new capability is the revocable parent of its
 * own copies) or a guard (CNodes: badge = guard << 6 | guard_bits). Errors: those of
 * cap_copy, plus EINVAL (badging a badged capability, a badge on another type, or a
 * guard that does not fit).
 */
int64_t
sys_cap_mint(uint64_t dst_cnode, uint64_t dst_index, uint64_t src_cnode, uint64_t src_index,
             uint64_t rights, uint64_t badge)
{
    struct slot *src;
    struct slot *dst;
    int rc = lookup_src(src_cnode, src_index, &src);
    if (rc == 0) {
        rc = lookup_empty(dst_cnode, dst_index, &dst);
    }
    struct cap d;
    if (rc == 0) {
        rc = cap_derive(src, rights, &d);
    }
    if (rc != 0) {
        return rc;
    }
    uint32_t mdb = 0;
    switch (d.type) {
    case CR_OBJ_CHANNEL:
    case CR_OBJ_NOTIFICATION:
        if (badge != 0) {
            if (d.w1 != 0) {
                return -CR_EINVAL;
            }
            d.w1 = badge;
            mdb = MDB_REVOCABLE | MDB_FIRST_BADGED;
        }
        break;
    case CR_OBJ_CNODE: {
        unsigned gbits = badge & 63;
        uint64_t guard = badge >> 6;
        if (gbits + d.size_bits > 64 || (gbits < 58 && (guard >> gbits) != 0)) {
            return -CR_EINVAL;
        }
        d.aux = gbits;
        d.w1 = guard;
        break;
    }
    default:
        if (badge != 0) {
            return -CR_EINVAL;
        }
        break;
    }
    cnode_install(src, dst, &d, mdb);
    return 0;
}

static int
move_common(uint64_t dst_cnode, uint64_t dst_index, uint64_t src_cnode, uint64_t src_index,
            uint64_t rights)
{
    struct slot *src;
    struct slot *dst;
    int rc = lookup_src(src_cnode, src_index, &src);
    if (rc == 0) {
        rc = lookup_empty(dst_cnode, dst_index, &dst);
    }
    if (rc != 0) {
        return rc;
    }
    if (src->cap.type == CR_OBJ_CNODE) {
        cnode_paths_changed(); /* resolutions through src end there now (cnode.h) */
    }
    cdt_move(dst, src);
    dst->cap.rights &= (uint8_t)rights;
    return 0;
}

/*
 * cap_move(dst_cnode, dst_index, src_cnode, src_index): moves a capability (and its
 * place in the derivation tree) to an empty slot. Errors: as cap_copy, without EINVAL.
 */
int64_t
sys_cap_move(uint64_t dst_cnode, uint64_t dst_index, uint64_t src_cnode, uint64_t src_index)
{
    return move_common(dst_cnode, dst_index, src_cnode, src_index, CR_RIGHTS_ALL);
}

/*
 * cap_mutate(dst_cnode, dst_index, src_cnode, src_index, rights): moves a capability
 * and drops the rights not in `rights`. Errors: as cap_move.
 */
int64_t
sys_cap_mutate(uint64_t dst_cnode, uint64_t dst_index, uint64_t src_cnode, uint64_t src_index,
               uint64_t rights)
{
    return move_common(dst_cnode, dst_index, src_cnode, src_index, rights);
}

/*
 * cap_delete(cnode, index): empties a slot; destroys the object if it was the last
 * capability. Deleting an empty slot succeeds, and deleting a zombie finishes the
 * destruction it stands for. Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE (cnode), ERANGE.
 * Preemptible (CNode and TCB destruction).
 */
int64_t
sys_cap_delete(uint64_t cnode, uint64_t index)
{
    struct slot *s;
    int rc = cnode_lookup_dest(sched_current(), cnode, index, &s);
    if (rc != 0) {
        return rc;
    }
    return slot_delete(s);
}

/*
 * cap_revoke(cnode, index): deletes every capability derived from the one in the slot,
 * which stays. Errors: as cap_delete, plus ENOCAP (empty slot) and EBUSY (the slot
 * holds a zombie). Preemptible.
 */
int64_t
sys_cap_revoke(uint64_t cnode, uint64_t index)
{
    struct slot *s;
    int rc = lookup_src(cnode, index, &s);
    if (rc != 0) {
        return rc;
    }
    return slot_revoke(s);
}

/*
 * An opaque identity for a channel or notification: equal for two capabilities exactly
 * when they name the same object (a server checks that a capability handed to it is one
 * of its own connections), and not the object's address: a bijection of it, keyed at
 * the first use by the clock.
 */
static uint64_t
object_identity(paddr_t obj)
{
    static uint64_t key;
    if (key == 0) {
        key = (arch_cpu_cycles() * 0x9e3779b97f4a7c15ull) | 1;
    }
    return (obj * 0xd6e8feb86659fd93ull) ^ key;
}

/*
 * cap_identify(cptr, info): describes the capability cptr names (struct cr_cap_info).
 * Errors: EBADCAP, ENOCAP, EBUSY, EFAULT (info not writable).
 */
int64_t
sys_cap_identify(uint64_t cptr, uint64_t info_uaddr)
{
    struct tcb *self = sched_current();
    struct slot *s;
    int rc = cnode_lookup_cap(self, cptr, CR_OBJ_NULL, &s);
    if (rc != 0) {
        return rc;
    }
    const struct cap *c = &s->cap;
    struct cr_cap_info info = {
        .type = c->type,
        .rights = c->rights,
        .size_bits = c->size_bits,
    };
    switch (c->type) {
    case CR_OBJ_CHANNEL:
    case CR_OBJ_NOTIFICATION:
        info.badge = c->w1;
        info.paddr = object_identity(c->obj);
        break;
    case CR_OBJ_UNTYPED:
    case CR_OBJ_FRAME:
        info.paddr = c->obj;
        break;
    case CR_OBJ_IRQ_HANDLER:
        info.badge = c->obj;
        break;
    case CR_OBJ_IOPORT:
        info.paddr = c->obj;
        info.badge = c->w1;
        break;
    default:
        break;
    }
    if (c->flags & CAP_F_DEVICE) {
        info.flags |= CR_CAPINFO_DEVICE;
    }
    if (c->flags & CAP_F_MAPPED) {
        info.flags |= CR_CAPINFO_MAPPED;
    }
    if (s->mdb & MDB_REVOCABLE) {
        info.flags |= CR_CAPINFO_ORIGINAL;
    }
    return copy_to_user(self, uaddr(info_uaddr), &info, sizeof(info));
}
