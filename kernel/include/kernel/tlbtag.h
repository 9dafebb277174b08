/* SPDX-License-Identifier: MIT */
/*
 * TLB tags (PCIDs on x86_64): when a switch of address space may keep the TLB entries of
 * the space it leaves, and when the entries of the space it enters must be flushed first.
 * Pure logic (obj/tlbtag.c), one struct per CPU; the arch code applies the answer
 * (arch_mmu_switch). The tag of a VSpace is its ASID's index (1..4095; 0 is the kernel's
 * own tables), so the ASID allocator (obj/vspace.c: a stack of free indices, and a
 * generation per index) is the tag allocator, with no eviction: there are as many tags as
 * ASIDs.
 */
#pragma once

#include <kernel/types.h>

enum {
    TLBTAG_BITS = 12,
    TLBTAG_COUNT = 1u << TLBTAG_BITS, /* x86 PCIDs: CR3 bits 11:0 */
};

/* One CPU's view of its tags. Owner: that CPU, with interrupts off. */
struct tlbtag_cpu {
    /* The ASID (index and generation) whose translations tag i may hold in this CPU's
     * TLB; 0 if none may (never used, or flushed since). */
    uint32_t owner[TLBTAG_COUNT];
    /* Bit i: tag i holds translations that were removed or reduced, flush before use. */
    uint64_t stale[TLBTAG_COUNT / 64];
};

unsigned tlbtag_load(struct tlbtag_cpu *s, uint32_t asid, bool *flush);
void tlbtag_stale(struct tlbtag_cpu *s, uint32_t asid);
void tlbtag_retire(struct tlbtag_cpu *s, uint32_t asid);
