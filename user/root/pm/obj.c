/* SPDX-License-Identifier: MIT */
/*
 * A process's objects (pm.h): slots of its resources CNodes, handed out from a bitmap,
 * each holding one object retyped from the process's chunks. The resources are split in
 * extents of 2^PM_RES_RADIX slots, made as they are needed (a small process has one, so
 * starting and ending it costs little; a big one up to PM_RES_EXTENTS). Each extent sits
 * in a first-level slot of the managers' CSpace (so its objects can be named) and has a
 * root-CNode handle (so objects can be made into it). Slot s of the process is slot
 * s % 2^PM_RES_RADIX of extent s / 2^PM_RES_RADIX; slot 0 stays empty. The bitmap of used
 * slots and its hint are slotmap.c's.
 */
#include "pm.h"

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/sys.h>

#include "slotmap.h"

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
 * below every free slot: O(1) while objects only come, as they mostly do). The slot is
 * taken only once the object is made, so a failure leaves it free. ENOSPC: every extent
 * is full; ENOMEM: no memory for the object or a new extent.
 */
int
pm_res_new(struct pm_proc *p, unsigned type, unsigned bits, uint16_t *slot)
{
    uint16_t i;
    int rc = slotmap_find(p->res_used, PM_RES_EXTENTS * EXTENT, &p->res_hint, &i);
    if (rc == 0 && i / EXTENT >= p->nres) {
        rc = pm_res_extent(p); /* the lowest free slot is at most the next extent's first */
    }
    if (rc == 0) {
        rc = pm_alloc(p, type, bits, p->res_h[i / EXTENT], i % EXTENT);
    }
    if (rc != 0) {
        return rc;
    }
    slotmap_take(p->res_used, &p->res_hint, i);
    p->res_chunk[i] = (uint8_t)(p->last_chunk + 1);
    *slot = i;
    return 0;
}

/* Deletes the object in res slot `slot` (its memory returns with the chunk). */
void
pm_res_drop(struct pm_proc *p, uint16_t slot)
{
    if (slot == 0 || !slotmap_is_used(p->res_used, slot)) {
        return;
    }
    cr_cap_delete(p->res_h[slot / EXTENT], slot % EXTENT);
    slotmap_give(p->res_used, &p->res_hint, slot);
    if (p->res_chunk[slot] != 0) {
        unsigned k = p->res_chunk[slot] - 1u;
        p->res_chunk[slot] = 0;
        pm_chunk_drop(p, k); /* the object is gone with its only capability */
    }
}

/*
 * A free res slot of p, marked used but left empty, for a capability copied in
 * (copy-on-write). ENOSPC / ENOMEM as pm_res_new.
 */
int
pm_res_take(struct pm_proc *p, uint16_t *slot)
{
    uint16_t i;
    int rc = slotmap_find(p->res_used, PM_RES_EXTENTS * EXTENT, &p->res_hint, &i);
    if (rc == 0 && i / EXTENT >= p->nres) {
        rc = pm_res_extent(p);
    }
    if (rc != 0) {
        return rc;
    }
    slotmap_take(p->res_used, &p->res_hint, i);
    *slot = i;
    return 0;
}

/* Gives back a slot pm_res_take gave that stayed empty. */
void
pm_res_untake(struct pm_proc *p, uint16_t slot)
{
    slotmap_give(p->res_used, &p->res_hint, slot);
}
