/* SPDX-License-Identifier: MIT */
/*
 * TLB tags: the recycling rule for PCIDs. A CPU with tags keeps each address space's
 * translations in its TLB across switches, labelled with the space's tag, so whatever
 * makes a tag's translations wrong must lead to a flush of that tag before it is used
 * again. Two things do:
 *
 * - Reuse: the tag's ASID index was freed and given to a new VSpace (a new generation).
 *   Caught twice: the VSpace's end marks the tag stale (tlbtag_retire), and a load by an
 *   ASID other than the tag's recorded owner flushes, which also covers a generation
 *   that wrapped around to an old value.
 * - Removal: a mapping of a space that is not loaded was removed or lost rights, so
 *   invlpg (which acts on the loaded tag only) could not drop it; the caller marks the
 *   tag stale (tlbtag_stale). A space that is loaded invalidates at once instead.
 *
 * tlbtag_load, at each switch, answers whether to flush: the tag is not the ASID's yet,
 * or it is stale. The flush is a CR3 load without the keep bit, which drops only that
 * tag's entries and leaves global kernel ones. Tag 0 is the kernel's own tables, which
 * have no user mappings and never change: never flushed. Pure logic: no arch header.
 * With SMP, each CPU has its own struct and removals mark every CPU's (a space running
 * elsewhere still needs a shootdown). All O(1).
 */
#include <kernel/tlbtag.h>

static inline unsigned
tag_of(uint32_t asid)
{
    return asid & (TLBTAG_COUNT - 1);
}

/*
 * The tag to load for ASID asid (index and generation, 0 for the kernel's tables), and in
 * *flush whether its old translations must be dropped as it is loaded. Afterwards the tag
 * is asid's and not stale.
 */
unsigned
tlbtag_load(struct tlbtag_cpu *s, uint32_t asid, bool *flush)
{
    unsigned t = tag_of(asid);
    if (t == 0) {
        *flush = false;
        return 0;
    }
    uint64_t bit = 1ull << (t % 64);
    *flush = s->owner[t] != asid || (s->stale[t / 64] & bit) != 0;
    s->owner[t] = asid;
    s->stale[t / 64] &= ~bit;
    return t;
}

/* Translations of asid were removed or reduced while it was not loaded: flush its tag
 * at its next load. */
void
tlbtag_stale(struct tlbtag_cpu *s, uint32_t asid)
{
    unsigned t = tag_of(asid);
    if (t != 0) {
        s->stale[t / 64] |= 1ull << (t % 64);
    }
}

/* asid's VSpace is gone (and not loaded): its tag goes to the next owner of the index,
 * flushed first. */
void
tlbtag_retire(struct tlbtag_cpu *s, uint32_t asid)
{
    unsigned t = tag_of(asid);
    if (t != 0) {
        s->owner[t] = 0;
        s->stale[t / 64] |= 1ull << (t % 64);
    }
}
