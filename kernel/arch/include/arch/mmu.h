/* SPDX-License-Identifier: MIT */
/*
 * Arch contract: kernel mappings and user address spaces. The generic VSpace code
 * (obj/vspace.c) decides what may be mapped; these hooks only edit page tables.
 * Page-table pages are kernel objects made by retype; the arch code never allocates.
 */
#pragma once

#include <kernel/types.h>
#include <arch/machine.h>

static inline void *
phys_to_virt(paddr_t pa)
{
    return (void *)(uintptr_t)(PHYS_MAP_BASE + pa);
}

static inline paddr_t
virt_to_phys(const void *va)
{
    uintptr_t v = (uintptr_t)va;
    if (v >= KERNEL_VBASE) {
        return v - KERNEL_VBASE;
    }
    return v - PHYS_MAP_BASE;
}

struct boot_params;

/* Page-table levels, leaf first. Level n table entries each map 1 << (12 + 9n) bytes. */
enum mmu_level {
    MMU_LEVEL_PT = 0,
    MMU_LEVEL_PD = 1,
    MMU_LEVEL_PDPT = 2,
    MMU_LEVEL_PML4 = 3,
};

/* Mapping permissions passed to arch_mmu_map_frame. */
enum mmu_perm {
    MMU_PERM_READ = 1u << 0,
    MMU_PERM_WRITE = 1u << 1,
    MMU_PERM_EXEC = 1u << 2,
    MMU_PERM_UNCACHED = 1u << 3,
    MMU_PERM_WC = 1u << 4,
};

extern uint64_t arch_mmu_gen;

/*
 * A number that changes whenever any user mapping is removed or loses rights, so a
 * cached translation taken under an older number may be stale (usercopy.c).
 */
static inline uint64_t
arch_mmu_generation(void)
{
    return arch_mmu_gen;
}

/* Notes that user mappings were removed or reduced (see arch_mmu_generation). */
static inline void
arch_mmu_changed(void)
{
    arch_mmu_gen++;
}

void arch_mmu_init(const struct boot_params *bp, paddr_t (*alloc_page)(void));
void arch_mmu_init_vspace(void *pml4);
int arch_mmu_lookup_table(void *pml4, vaddr_t va, enum mmu_level want, uint64_t **entry_out);
int arch_mmu_map_table(void *pml4, vaddr_t va, enum mmu_level level, paddr_t table);
/*
 * The hooks that remove or reduce a mapping take the VSpace's ASID (index and generation)
 * as well as its PML4: with TLB tags a space that is not loaded keeps translations in the
 * TLB, and its tag is marked for a flush at its next load (kernel/obj/tlbtag.c).
 */
void arch_mmu_unmap_table(void *pml4, uint32_t asid, vaddr_t va, enum mmu_level level,
                          paddr_t table);
int arch_mmu_map_frame(void *pml4, vaddr_t va, paddr_t pa, unsigned size_bits, unsigned perm);
void arch_mmu_unmap_frame(void *pml4, uint32_t asid, vaddr_t va, paddr_t pa,
                          unsigned size_bits);
int arch_mmu_remap_frame(void *pml4, uint32_t asid, vaddr_t va, paddr_t pa,
                         unsigned size_bits, unsigned perm);
bool arch_mmu_translate(void *pml4, vaddr_t va, paddr_t *pa, bool *writable);

bool arch_mmu_translate_cached(struct arch_xlat *x, void *pml4, vaddr_t va, paddr_t *pa,
                               bool *writable);
uint64_t arch_mmu_span(struct arch_xlat *x, void *pml4, vaddr_t va, uint64_t max, bool write,
                       paddr_t *pa);
void arch_mmu_switch(void *pml4, uint32_t asid);
void arch_mmu_retire(uint32_t asid);
bool arch_mmu_tags_init(void);
int arch_mmu_map_boot(void *pml4, vaddr_t va, paddr_t pa, unsigned perm,
                      paddr_t (*alloc_page)(void));
void *arch_mmu_kernel_pml4(void);
