/* SPDX-License-Identifier: MIT */
/*
 * The root server's capability-slot allocator for its own CNode (slot.c). Trivial for now:
 * a bump pointer from bootinfo's first free slot to the end of the CNode, never freeing.
 * The memory manager will replace it with a real allocator.
 */
#pragma once

#include <courier/abi/bootinfo.h>
#include <courier/abi/types.h>

void root_slot_init(const struct cr_bootinfo *bi);
cr_cptr_t root_slot_alloc(void);
