/* SPDX-License-Identifier: MIT */
/*
 * A process's objects (pm.h): slots of its resources CNode, handed out from a bitmap,
 * each holding one object retyped from the process's chunks. Slot 0 stays empty.
 */
#include "pm.h"

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/sys.h>

/*
 * A new object of `type` in a free res slot of p (the lowest, found from a hint kept
 * below every free slot: O(1) while objects only come, as they mostly do). ENOSPC: the
 * CNode is full.
 */
int
pm_res_new(struct pm_proc *p, unsigned type, unsigned bits, uint16_t *slot)
{
    for (unsigned i = p->res_hint > 0 ? p->res_hint : 1; i < (1u << PM_RES_RADIX); i++) {
        if (p->res_used[i / 8] & (1u << (i % 8))) {
            continue;
        }
        p->res_hint = (uint16_t)(i + 1);
        int rc = pm_alloc(p, type, bits, p->res_handle, i);
        if (rc != 0) {
            return rc;
        }
        p->res_used[i / 8] |= (uint8_t)(1u << (i % 8));
        *slot = (uint16_t)i;
        return 0;
    }
    return -CR_ENOSPC;
}

/* Deletes the object in res slot `slot` (its memory returns with the chunk). */
void
pm_res_drop(struct pm_proc *p, uint16_t slot)
{
    if (slot == 0 || !(p->res_used[slot / 8] & (1u << (slot % 8)))) {
        return;
    }
    cr_cap_delete(p->res_handle, slot);
    p->res_used[slot / 8] &= (uint8_t)~(1u << (slot % 8));
    if (slot < p->res_hint) {
        p->res_hint = slot;
    }
}
