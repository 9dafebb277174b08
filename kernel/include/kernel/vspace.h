/* SPDX-License-Identifier: MIT */
/*
 * Address spaces (VSpaces): the top-level table object plus PDPT/PD/PT objects and
 * frames mapped into it. Each VSpace gets an ASID with a generation when retyped, and
 * frame/table capabilities record (ASID, generation, vaddr) of their one mapping, so a
 * stale capability can never edit a VSpace that was destroyed or reused.
 */
#pragma once

#include <kernel/cap.h>

enum {
    VSPACE_MAX_ASIDS = 4096,
    ASID_BITS = 12,
};

int vspace_asid_alloc(void *pml4, uint32_t *asid_out);
uint64_t vspace_asid_free_count(void);
void *vspace_from_asid(uint32_t asid_gen);
void vspace_unmap_cap(struct cap *c);
void vspace_finalise(struct cap *c);
