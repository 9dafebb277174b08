/* SPDX-License-Identifier: MIT */
/*
 * The slot bitmap with its hint (slotmap.h). Invariant: every slot in [1, *hint) is
 * used. Finding a slot does not take it: the caller first makes what goes in it, which
 * may fail, and takes the slot only then, so a failure leaves the slot free and findable.
 */
#include "slotmap.h"

#include <courier/abi/errors.h>

/* True if slot is marked used. */
bool
slotmap_is_used(const uint8_t *used, uint16_t slot)
{
    return (used[slot / 8] & (1u << (slot % 8))) != 0;
}

/*
 * The lowest free slot of [1, nslots) in *slot, found from the hint, which moves up to it
 * (every slot it passed is used). ENOSPC: every slot is used. Bounded by nslots.
 */
int
slotmap_find(const uint8_t *used, unsigned nslots, uint16_t *hint, uint16_t *slot)
{
    for (unsigned i = *hint > 0 ? *hint : 1; i < nslots; i++) {
        if (!slotmap_is_used(used, (uint16_t)i)) {
            *hint = (uint16_t)i;
            *slot = (uint16_t)i;
            return 0;
        }
    }
    return -CR_ENOSPC;
}

/* Marks slot used; the hint passes it if it was the hint. */
void
slotmap_take(uint8_t *used, uint16_t *hint, uint16_t slot)
{
    used[slot / 8] |= (uint8_t)(1u << (slot % 8));
    if (*hint == slot) {
        *hint = (uint16_t)(slot + 1);
    }
}

/* Marks slot free; the hint comes down to it if it was above. */
void
slotmap_give(uint8_t *used, uint16_t *hint, uint16_t slot)
{
    used[slot / 8] &= (uint8_t)~(1u << (slot % 8));
    if (slot < *hint) {
        *hint = slot;
    }
}
