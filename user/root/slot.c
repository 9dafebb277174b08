/* SPDX-License-Identifier: MIT */
/*
 * Bump allocator for slots of the root CNode. Slots from bootinfo->first_free_slot up to
 * 1 << root_cnode_radix are empty at boot and belong to the root server; this hands them
 * out in order and never takes one back. Slot 0 is the null capability and is never
 * handed out, so 0 doubles as "no slot". Single-threaded, like the rest of the root
 * server's start-up code.
 */
#include "slot.h"

#include <courier/abi/caps.h>

static struct slot_state {
    cr_cptr_t next;  /* next slot to hand out */
    cr_cptr_t limit; /* one past the last slot of the root CNode */
} slots;

/*
 * Sets up the allocator from the boot description. A bootinfo whose free slot lies outside
 * the CNode (or whose radix is out of range) leaves the allocator empty rather than
 * trusted.
 */
void
root_slot_init(const struct cr_bootinfo *bi)
{
    slots.next = 0;
    slots.limit = 0;
    if (bi->root_cnode_radix < CR_CNODE_MIN_RADIX || bi->root_cnode_radix > CR_CNODE_MAX_RADIX) {
        return;
    }
    cr_cptr_t limit = (cr_cptr_t)1 << bi->root_cnode_radix;
    if (bi->first_free_slot < CR_CAP_FIRST_FREE_FIXED || bi->first_free_slot >= limit) {
        return;
    }
    slots.next = bi->first_free_slot;
    slots.limit = limit;
}

/* Returns an empty slot of the root CNode, or 0 when none is left. */
cr_cptr_t
root_slot_alloc(void)
{
    if (slots.next == 0 || slots.next >= slots.limit) {
        return 0;
    }
    return slots.next++;
}
