/* SPDX-License-Identifier: MIT */
/*
 * Untyped memory and retype. An untyped capability covers a power-of-two region and
 * keeps a watermark: bytes below it may be in use or dirty, bytes above it are zero
 * (so retype never clears memory). When an untyped has no children left, the next
 * retype first resets it: it zeroes the used part from the top down in chunks,
 * lowering the watermark as it goes, with a preemption point after each chunk. Boot
 * untypeds start "used" (watermark = size) so their first retype zeroes them the same
 * way instead of the kernel zeroing all RAM at boot. Device untypeds are never zeroed
 * and may only become frames or device untypeds of equal or smaller size. A retype
 * costs O(count), count <= CR_RETYPE_MAX_COUNT, with a bounded initialisation per
 * object; only the reset is preemptible.
 * Untyped capabilities cannot be copied: each region has exactly one capability, which
 * is why the watermark can live in the capability.
 */
#include <kernel/cdt.h>
#include <kernel/cnode.h>
#include <kernel/cpu.h>
#include <kernel/errors.h>
#include <kernel/klog.h>
#include <kernel/object.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/untyped.h>
#include <kernel/vspace.h>
#include <arch/mmu.h>

enum {
    RESET_CHUNK = 64 * 1024, /* bytes zeroed between preemption checks */
};

static int
untyped_reset(struct slot *ut)
{
    struct cap *c = &ut->cap;
    if (c->flags & CAP_F_DEVICE) {
        c->w1 = 0;
        return 0;
    }
    /* Preemptible: progress is the watermark itself. */
    while (c->w1 > 0) {
        uint64_t chunk = MIN(c->w1, (uint64_t)RESET_CHUNK);
        memset(phys_to_virt(c->obj + c->w1 - chunk), 0, chunk);
        c->w1 -= chunk;
        if (c->w1 > 0 && sched_preempt_pending()) {
            return -ERESTART;
        }
    }
    return 0;
}

/*
 * untyped_retype(ut, type, size_bits, dst_cnode, dst_index, count): makes `count`
 * objects of `type` from untyped `ut` and puts their capabilities in slots
 * dst_index..dst_index+count-1 of CNode dst_cnode.
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE (ut or dst_cnode), EINVAL (type, size, count,
 * or a kernel object from device memory), ERANGE (slots past the CNode's end), EEXIST (a
 * destination slot is occupied), ENOMEM (not enough space left), ENOSPC (no free ASID
 * for a VSpace). Cost: O(count), count <= CR_RETYPE_MAX_COUNT (a TCB copies the 512-byte
 * FPU template, a VSpace 256 kernel-half entries and takes an ASID in O(1)), plus a
 * preemptible reset.
 */
int64_t
sys_untyped_retype(uint64_t ut_cptr, uint64_t type, uint64_t size_bits, uint64_t dst_cnode,
                   uint64_t dst_index, uint64_t count)
{
    struct tcb *self = sched_current();
    struct slot *ut;
    int rc = cnode_lookup_cap(self, ut_cptr, CR_OBJ_UNTYPED, &ut);
    if (rc != 0) {
        return rc;
    }
    if (type >= CR_OBJ_TYPE_COUNT || size_bits > 64) {
        return -CR_EINVAL;
    }
    /* -1 also for the types retype cannot make (IRQ and I/O-port capabilities). */
    int obits = obj_size_bits((unsigned)type, (unsigned)size_bits);
    if (obits < 0 || count == 0 || count > CR_RETYPE_MAX_COUNT) {
        return -CR_EINVAL;
    }
    struct cap *uc = &ut->cap;
    bool device = (uc->flags & CAP_F_DEVICE) != 0;
    if (device && type != CR_OBJ_FRAME && type != CR_OBJ_UNTYPED) {
        return -CR_EINVAL;
    }
    if ((unsigned)obits > uc->size_bits) {
        return -CR_ENOMEM;
    }
    struct slot *dst;
    rc = cnode_lookup_dest(self, dst_cnode, dst_index, &dst);
    if (rc != 0) {
        return rc;
    }
    struct slot *cn;
    cnode_lookup_cap(self, dst_cnode, CR_OBJ_CNODE, &cn);
    if (dst_index + count > (1ull << cn->cap.size_bits)) {
        return -CR_ERANGE;
    }
    for (uint64_t i = 0; i < count; i++) {
        if (!cap_is_null(&dst[i].cap)) {
            return -CR_EEXIST;
        }
    }
    uint64_t osize = 1ull << obits;
    uint64_t wm = cdt_has_children(ut) ? uc->w1 : 0;
    uint64_t start;
    rc = untyped_place(uc->obj, uc->size_bits, wm, (unsigned)obits, count, &start);
    if (rc != 0) {
        return rc;
    }
    if (type == CR_OBJ_VSPACE && vspace_asid_free_count() < count) {
        return -CR_ENOSPC;
    }

    /* Commit. Only the reset can stop us, and it leaves no half-made objects. */
    if (!cdt_has_children(ut)) {
        rc = untyped_reset(ut);
        if (rc != 0) {
            return rc;
        }
    }
    for (uint64_t i = 0; i < count; i++) {
        paddr_t pa = uc->obj + start + i * osize;
        struct cap c = {
            .type = (uint8_t)type,
            .rights = CR_RIGHTS_ALL,
            .size_bits = (uint8_t)(type == CR_OBJ_UNTYPED || type == CR_OBJ_CNODE ||
                                           type == CR_OBJ_FRAME || type == CR_OBJ_REPLY_TABLE ||
                                           type == CR_OBJ_PULSE_QUEUE
                                       ? size_bits
                                       : 0),
            .flags = device ? CAP_F_DEVICE : 0,
            .obj = pa,
        };
        if (type == CR_OBJ_UNTYPED && !device) {
            c.w1 = 0; /* carved from zeroed memory: clean */
        }
        obj_init((unsigned)type, pa, (unsigned)size_bits);
        if (type == CR_OBJ_VSPACE) {
            vspace_asid_alloc(phys_to_virt(pa), &c.aux);
        }
        cnode_install(ut, &dst[i], &c, MDB_REVOCABLE);
    }
    uc->w1 = start + count * osize;
    return 0;
}
