/* SPDX-License-Identifier: MIT */
/*
 * A process's objects (pm.h): slots of its resources CNodes, handed out from a bitmap,
 * each holding one object retyped from the process's chunks. The resources are split in
 * extents of 2^PM_RES_RADIX slots, made as they are needed (a small process has one, so
 * starting and ending it costs little; a big one up to PM_RES_EXTENTS). Each extent sits
 * in a first-level slot of the managers' CSpace (so its objects can be named) and has a
 * root-CNode handle (so objects can be made into it). Slot s of the process is slot
 * s % 2^PM_RES_RADIX of extent s / 2^PM_RES_RADIX; slot 0 stays empty.
 */
#include "pm.h"

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/sys.h>

enum {
    EXTENT = 1u << PM_RES_RADIX,
    L1_GUARD = 12 - PM_RES_RADIX, /* an extent takes the last 12 bits of a cptr */
};

cr_cptr_t pm_l1_cnode(void);

cr_cptr_t
pm_res_cptr(const struct pm_proc *p, uint16_t slot)
{
    return PM_CPTR(p->res_l1[slot / EXTENT], slot % EXTENT);
}

cr_cptr_t
pm_res_handle(const struct pm_proc *p, uint16_t slot)
{
    return p->res_h[slot / EXTENT];
}

uint64_t
pm_res_index(uint16_t slot)
{
    return slot % EXTENT;
}

/* Makes p's next extent. ENOSPC: PM_RES_EXTENTS reached; ENOMEM: no handle, slot or
 * memory. */
int
pm_res_extent(struct pm_proc *p)
{
    if (p->nres >= PM_RES_EXTENTS) {
        return -CR_ENOSPC;
    }
    unsigned l1;
    cr_cptr_t h = pm_handle_alloc();
    if (h == 0 || !pm_l1_alloc(&l1)) {
        pm_handle_free(h);
        return -CR_ENOMEM;
    }
    int rc = pm_alloc(p, CR_OBJ_CNODE, PM_RES_RADIX, CR_CAP_ROOT_CNODE, h);
    if (rc == 0) {
        rc = (int)cr_cap_mint(pm_l1_cnode(), l1, CR_CAP_ROOT_CNODE, h, CR_RIGHTS_ALL,
                              L1_GUARD);
        if (rc != 0) {
            cr_cap_delete(CR_CAP_ROOT_CNODE, h);
        }
    }
    if (rc != 0) {
        pm_handle_free(h);
        pm_l1_free(l1);
        return rc;
    }
    p->res_h[p->nres] = h;
    p->res_l1[p->nres] = (uint16_t)l1;
    p->nres++;
    if (p->nres == 1) {
        p->res_used[0] |= 1; /* slot 0 is never used */
    }
    return 0;
}

/*
 * A new object of `type` in a free res slot of p (the lowest, found from a hint kept
 * below every free slot: O(1) while objects only come, as they mostly do). ENOSPC: every
 * extent is full.
 */
int
pm_res_new(struct pm_proc *p, unsigned type, unsigned bits, uint16_t *slot)
{
    int rc = pm_res_take(p, slot);
    if (rc != 0) {
        return rc;
    }
    rc = pm_alloc(p, type, bits, p->res_h[*slot / EXTENT], *slot % EXTENT);
    if (rc != 0) {
        pm_res_untake(p, *slot);
    }
    return rc;
}

/* Deletes the object in res slot `slot` (its memory returns with the chunk). */
void
pm_res_drop(struct pm_proc *p, uint16_t slot)
{
    if (slot == 0 || !(p->res_used[slot / 8] & (1u << (slot % 8)))) {
        return;
    }
    cr_cap_delete(p->res_h[slot / EXTENT], slot % EXTENT);
    p->res_used[slot / 8] &= (uint8_t)~(1u << (slot % 8));
    if (slot < p->res_hint) {
        p->res_hint = slot;
    }
}

/*
 * A free res slot of p, marked used but left empty, for a capability copied in
 * (copy-on-write). ENOSPC / ENOMEM as pm_res_new.
 */
int
pm_res_take(struct pm_proc *p, uint16_t *slot)
{
    for (unsigned i = p->res_hint > 0 ? p->res_hint : 1; i < PM_RES_EXTENTS * EXTENT; i++) {
        if (p->res_used[i / 8] & (1u << (i % 8))) {
            continue;
        }
        p->res_hint = (uint16_t)(i + 1);
        if (i / EXTENT >= p->nres) {
            int rc = pm_res_extent(p);
            if (rc != 0) {
                return rc;
            }
        }
        p->res_used[i / 8] |= (uint8_t)(1u << (i % 8));
        *slot = (uint16_t)i;
        return 0;
    }
    return -CR_ENOSPC;
}

/* Gives back a slot pm_res_take gave that stayed empty. */
void
pm_res_untake(struct pm_proc *p, uint16_t slot)
{
    p->res_used[slot / 8] &= (uint8_t)~(1u << (slot % 8));
    if (slot < p->res_hint) {
        p->res_hint = slot;
    }
}
