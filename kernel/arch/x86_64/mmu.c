/* SPDX-License-Identifier: MIT */
/*
 * x86_64 page tables. At boot, arch_mmu_init() builds the kernel's own tables: a direct
 * map of physical memory at PHYS_MAP_BASE (2 MiB pages, NX; write-back where there is
 * RAM, uncached where there is none, so MMIO such as the LAPIC is safe to touch) and the
 * kernel image at KERNEL_VBASE with 4 KiB pages, W^X per section. Every user PML4 shares
 * the kernel half (entries 256..511) by copying them at creation; those entries point at
 * tables made here and never change afterwards.
 *
 * The user-table hooks edit entries only; the objects that own table pages and the
 * rules about who may map what live in obj/vspace.c. No TLB shootdown yet (one CPU): an
 * edit to the loaded address space is followed by invlpg (or a flush of the space for a
 * removed table). Without PCIDs every CR3 write that switches spaces flushes, so other
 * spaces need nothing. With PCIDs (arch_mmu_tags_init; the CPU must have them) a space
 * keeps its translations, tagged with its ASID index, across switches: a removal in a
 * space that is not loaded marks its tag stale, a VSpace's end retires its tag, and the
 * switch into a tag that is stale or not its ASID's yet flushes that tag
 * (kernel/obj/tlbtag.c). Untested under QEMU's TCG, which has no PCIDs.
 */
#include <arch/mmu.h>
#include <arch/cpu.h>
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/klog.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <courier/abi/errors.h>

enum {
    PTE_P = 1u << 0,
    PTE_W = 1u << 1,
    PTE_U = 1u << 2,
    PTE_PWT = 1u << 3,
    PTE_PCD = 1u << 4,
    PTE_PS = 1u << 7,
    PTE_G = 1u << 8,
    PTE_PAT_LARGE = 1u << 12,
};
#define PTE_NX (1ull << 63)
#define CR3_KEEP (1ull << 63) /* with PCIDs: load CR3 without flushing the tag */
#define PTE_ADDR 0x000ffffffffff000ull
#define ENTRIES 512

extern char _text_start[], _text_end[], _rodata_start[], _rodata_end[];
extern char _data_start[], _data_end[], _kernel_end[];

static uint64_t *kernel_pml4;
uint64_t arch_mmu_gen = 1;

static struct {
    bool tags;     /* PCIDs on: set once at boot, before the first user space */
    paddr_t loaded; /* CR3's PML4 as last written by arch_mmu_switch (the only writer but
                     * TLB flushes, which write the same value back) */
} cr3;

bool x86_pcid_enable(void);

static inline unsigned
index_of(vaddr_t va, unsigned level)
{
    return (va >> (12 + 9 * level)) & (ENTRIES - 1);
}

static inline uint64_t *
table_at(uint64_t entry)
{
    return phys_to_virt(entry & PTE_ADDR);
}

static bool
range_has_ram(const struct boot_params *bp, paddr_t base, uint64_t len)
{
    for (unsigned i = 0; i < bp->nregions; i++) {
        const struct boot_region *r = &bp->regions[i];
        if (r->kind == BOOT_REGION_RAM && r->base < base + len && base < r->base + r->len) {
            return true;
        }
    }
    return false;
}

static uint64_t *
new_table(paddr_t (*alloc_page)(void), uint64_t *parent_entry, uint64_t flags)
{
    paddr_t pa = alloc_page();
    uint64_t *t = phys_to_virt(pa);
    memset(t, 0, 4096);
    *parent_entry = pa | flags;
    return t;
}

static void
map_image_range(uint64_t *pd, paddr_t (*alloc_page)(void), vaddr_t start, vaddr_t end,
                uint64_t flags)
{
    for (vaddr_t va = ALIGN_DOWN(start, 4096); va < end; va += 4096) {
        uint64_t *pde = &pd[index_of(va, 1)];
        uint64_t *pt = (*pde & PTE_P) ? table_at(*pde) : new_table(alloc_page, pde, PTE_P | PTE_W);
        pt[index_of(va, 0)] = (va - KERNEL_VBASE) | flags;
    }
}

/*
 * Builds and loads the kernel's final page tables. alloc_page hands out zeroed boot
 * memory that is never returned. Called once, on the boot tables.
 */
void
arch_mmu_init(const struct boot_params *bp, paddr_t (*alloc_page)(void))
{
    paddr_t top = 4ull << 30;
    for (unsigned i = 0; i < bp->nregions; i++) {
        const struct boot_region *r = &bp->regions[i];
        if (r->kind == BOOT_REGION_RAM && r->base + r->len > top) {
            top = r->base + r->len;
        }
    }
    if (top > PHYS_MAP_MAX) {
        kprintf("mmu: ignoring physical memory above %lu GiB\n", (uint64_t)(PHYS_MAP_MAX >> 30));
        top = PHYS_MAP_MAX;
    }

    uint64_t tmp;
    kernel_pml4 = new_table(alloc_page, &tmp, 0);
    uint64_t *pdpt = new_table(alloc_page, &kernel_pml4[index_of(PHYS_MAP_BASE, 3)],
                               PTE_P | PTE_W);
    for (paddr_t gib = 0; gib < top; gib += 1ull << 30) {
        uint64_t *pd = new_table(alloc_page, &pdpt[gib >> 30], PTE_P | PTE_W);
        for (unsigned i = 0; i < ENTRIES; i++) {
            paddr_t pa = gib + ((paddr_t)i << 21);
            uint64_t cache = range_has_ram(bp, pa, 1ull << 21) ? 0 : (PTE_PCD | PTE_PWT);
            pd[i] = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX | cache;
        }
    }

    /* Remaining kernel-half PML4 entries get empty PDPTs so user PML4s can share them. */
    for (unsigned i = 256; i < ENTRIES; i++) {
        if (!(kernel_pml4[i] & PTE_P)) {
            new_table(alloc_page, &kernel_pml4[i], PTE_P | PTE_W);
        }
    }
    uint64_t *hpdpt = table_at(kernel_pml4[index_of(KERNEL_VBASE, 3)]);
    uint64_t *hpd = new_table(alloc_page, &hpdpt[index_of(KERNEL_VBASE, 2)], PTE_P | PTE_W);
    map_image_range(hpd, alloc_page, (vaddr_t)_text_start, (vaddr_t)_text_end, PTE_P | PTE_G);
    map_image_range(hpd, alloc_page, (vaddr_t)_rodata_start, (vaddr_t)_rodata_end,
                    PTE_P | PTE_G | PTE_NX);
    map_image_range(hpd, alloc_page, (vaddr_t)_data_start, (vaddr_t)_data_end,
                    PTE_P | PTE_W | PTE_G | PTE_NX);
    arch_mmu_switch(kernel_pml4, 0);
}

/* Returns the kernel's PML4 (kernel virtual address). */
void *
arch_mmu_kernel_pml4(void)
{
    return kernel_pml4;
}

/* Prepares a zeroed page as a user PML4: copies the shared kernel half. */
void
arch_mmu_init_vspace(void *pml4)
{
    uint64_t *t = pml4;
    for (unsigned i = 256; i < ENTRIES; i++) {
        t[i] = kernel_pml4[i];
    }
}

/*
 * Finds the entry at level `want` that translates va. Errors: -ENOTABLE if a higher
 * level is missing; -EEXIST if a large page sits where a table is needed.
 */
int
arch_mmu_lookup_table(void *pml4, vaddr_t va, enum mmu_level want, uint64_t **entry_out)
{
    uint64_t *t = pml4;
    for (unsigned level = MMU_LEVEL_PML4; level > want; level--) {
        uint64_t e = t[index_of(va, level)];
        if (!(e & PTE_P)) {
            return -CR_ENOTABLE;
        }
        if (e & PTE_PS) {
            return -CR_EEXIST;
        }
        t = table_at(e);
    }
    *entry_out = &t[index_of(va, want)];
    return 0;
}

/* Translations of the space (pml4, asid) were removed or reduced: drop them from the TLB
 * now (loaded: va only, or everything if va is ~0) or at its next load (tags on). */
static void
flush_space(void *pml4, uint32_t asid, vaddr_t va)
{
    if (virt_to_phys(pml4) == arch_cpu_read_cr3()) {
        if (va == ~(vaddr_t)0) {
            arch_cpu_flush_tlb();
        } else {
            arch_cpu_invlpg(va);
        }
    } else if (cr3.tags) {
        tlbtag_stale(&this_cpu()->tlbtags, asid);
    }
}

/*
 * Installs table page `table` of level `level` (PT, PD or PDPT) for va; the caller empties
 * it (obj/vspace.c table_scrub). Errors: -ENOTABLE (parent level missing), -EEXIST (a
 * table or page is already there).
 */
int
arch_mmu_map_table(void *pml4, vaddr_t va, enum mmu_level level, paddr_t table)
{
    uint64_t *e;
    int rc = arch_mmu_lookup_table(pml4, va, level + 1, &e);
    if (rc != 0) {
        return rc;
    }
    if (*e & PTE_P) {
        return -CR_EEXIST;
    }
    *e = table | PTE_P | PTE_W | PTE_U;
    return 0;
}

/* Removes table `table` from va's entry at level+1 if it is still installed there. */
void
arch_mmu_unmap_table(void *pml4, uint32_t asid, vaddr_t va, enum mmu_level level,
                     paddr_t table)
{
    uint64_t *e;
    if (arch_mmu_lookup_table(pml4, va, level + 1, &e) != 0) {
        return;
    }
    if ((*e & PTE_P) && !(*e & PTE_PS) && (*e & PTE_ADDR) == table) {
        *e = 0;
        arch_mmu_changed();
        flush_space(pml4, asid, ~(vaddr_t)0);
    }
}

static uint64_t
leaf_bits(unsigned size_bits, unsigned perm)
{
    uint64_t b = PTE_P | PTE_U;
    if (perm & MMU_PERM_WRITE) {
        b |= PTE_W;
    }
    if (!(perm & MMU_PERM_EXEC)) {
        b |= PTE_NX;
    }
    if (perm & MMU_PERM_UNCACHED) {
        b |= PTE_PCD | PTE_PWT;
    } else if (perm & MMU_PERM_WC) {
        b |= PTE_PWT; /* PAT entry 1, programmed to WC by arch_cpu_init */
    }
    if (size_bits == 21) {
        b |= PTE_PS;
    }
    return b;
}

static int
leaf_entry(void *pml4, vaddr_t va, unsigned size_bits, uint64_t **e)
{
    return arch_mmu_lookup_table(pml4, va, size_bits == 21 ? MMU_LEVEL_PD : MMU_LEVEL_PT, e);
}

/*
 * Maps frame pa (4 KiB or 2 MiB) at va. Errors: -ENOTABLE (a table is missing),
 * -EEXIST (something is mapped there).
 */
int
arch_mmu_map_frame(void *pml4, vaddr_t va, paddr_t pa, unsigned size_bits, unsigned perm)
{
    uint64_t *e;
    int rc = leaf_entry(pml4, va, size_bits, &e);
    if (rc != 0) {
        return rc;
    }
    if (*e & PTE_P) {
        return -CR_EEXIST;
    }
    *e = pa | leaf_bits(size_bits, perm);
    return 0;
}

/* Changes the permissions of frame pa at va. Errors: -ENOTMAPPED if it is not there. */
int
arch_mmu_remap_frame(void *pml4, uint32_t asid, vaddr_t va, paddr_t pa, unsigned size_bits,
                     unsigned perm)
{
    uint64_t *e;
    if (leaf_entry(pml4, va, size_bits, &e) != 0 || !(*e & PTE_P) || (*e & PTE_ADDR) != pa) {
        return -CR_ENOTMAPPED;
    }
    *e = pa | leaf_bits(size_bits, perm);
    arch_mmu_changed();
    flush_space(pml4, asid, va);
    return 0;
}

/* Unmaps frame pa from va if it is still mapped there; otherwise does nothing. */
void
arch_mmu_unmap_frame(void *pml4, uint32_t asid, vaddr_t va, paddr_t pa, unsigned size_bits)
{
    uint64_t *e;
    if (leaf_entry(pml4, va, size_bits, &e) != 0) {
        return;
    }
    bool large = (*e & PTE_PS) != 0;
    if ((*e & PTE_P) && (*e & PTE_ADDR) == pa && large == (size_bits == 21)) {
        *e = 0;
        arch_mmu_changed();
        flush_space(pml4, asid, va);
    }
}

/*
 * Translates a user address through the page tables (no TLB involvement). Returns
 * false unless va is mapped user-accessible; *writable tells whether it is writable.
 */
bool
arch_mmu_translate(void *pml4, vaddr_t va, paddr_t *pa, bool *writable)
{
    if (va >= USER_TOP) {
        return false;
    }
    uint64_t *t = pml4;
    bool w = true;
    for (int level = MMU_LEVEL_PML4; level >= 0; level--) {
        uint64_t e = t[index_of(va, level)];
        if ((e & (PTE_P | PTE_U)) != (PTE_P | PTE_U)) {
            return false;
        }
        w = w && (e & PTE_W);
        if (level == MMU_LEVEL_PT || (e & PTE_PS)) {
            uint64_t span = 1ull << (12 + 9 * level);
            *pa = (e & PTE_ADDR & ~(span - 1)) + (va & (span - 1));
            *writable = w;
            return true;
        }
        t = table_at(e);
    }
    return false;
}

/* Whether x holds the table that translates user address va of pml4, valid now. */
static inline bool
pt_cached(const struct arch_xlat *x, const void *pml4, vaddr_t va)
{
    return x->pt != NULL && (va >> 21) == x->span && va < USER_TOP && x->gen == arch_mmu_gen &&
           x->pml4 == pml4;
}

/* arch_mmu_translate_cached, also giving the bytes from va to the end of the page (4 KiB,
 * 2 MiB or 1 GiB) that maps it. */
static bool
translate_leaf(struct arch_xlat *x, void *pml4, vaddr_t va, paddr_t *pa, bool *writable,
               uint64_t *rest)
{
    if (pt_cached(x, pml4, va)) {
        uint64_t e = x->pt[index_of(va, MMU_LEVEL_PT)];
        if ((e & (PTE_P | PTE_U)) == (PTE_P | PTE_U)) {
            *pa = (e & PTE_ADDR) + (va & 0xfff);
            *writable = x->upper_w && (e & PTE_W);
            *rest = 4096 - (va & 0xfff);
            return true;
        }
    }
    if (va >= USER_TOP) {
        return false;
    }
    uint64_t *t = pml4;
    bool w = true;
    for (int level = MMU_LEVEL_PML4; level >= 0; level--) {
        uint64_t e = t[index_of(va, level)];
        if ((e & (PTE_P | PTE_U)) != (PTE_P | PTE_U)) {
            return false;
        }
        if (level == MMU_LEVEL_PT || (e & PTE_PS)) {
            uint64_t span = 1ull << (12 + 9 * level);
            *pa = (e & PTE_ADDR & ~(span - 1)) + (va & (span - 1));
            *writable = w && (e & PTE_W);
            *rest = span - (va & (span - 1));
            return true;
        }
        w = w && (e & PTE_W);
        if (level == MMU_LEVEL_PD) {
            x->pt = table_at(e); /* the PT for this 2 MiB span, with its upper rights */
            x->span = va >> 21;
            x->gen = arch_mmu_gen;
            x->pml4 = pml4;
            x->upper_w = w;
        }
        t = table_at(e);
    }
    return false;
}

/*
 * arch_mmu_translate with a cache of the last 4 KiB page table walked: a page in the same
 * 2 MiB span reads its entry there directly. The cache is the caller's (start it zeroed);
 * it is used only for the same pml4 and while no mapping has been removed or reduced
 * since it was filled (arch_mmu_generation), so a table it names is still in place.
 */
bool
arch_mmu_translate_cached(struct arch_xlat *x, void *pml4, vaddr_t va, paddr_t *pa,
                          bool *writable)
{
    uint64_t rest;
    return translate_leaf(x, pml4, va, pa, writable, &rest);
}

/* How many of the n entries from e on have the bits `mask` equal to want, want + 4 KiB,
 * and so on: each maps the frame after the last, with the same rights. */
static inline uint64_t
run_of(const uint64_t *e, uint64_t n, uint64_t mask, uint64_t want)
{
    uint64_t i = 0;
    /* Bounded by n. */
    while (i < n && (e[i] & mask) == want) {
        i++;
        want += 4096;
    }
    return i;
}

/* Pages needed to cover bytes len..max (0 when len >= max). */
static inline uint64_t
pages_to(uint64_t len, uint64_t max)
{
    return len < max ? (max - len + 4095) / 4096 : 0;
}

/* arch_mmu_span from byte len of the span on (len 0: from va itself), through walks
 * where the cached table does not serve. */
static uint64_t
span_walk(struct arch_xlat *x, void *pml4, vaddr_t va, uint64_t max, bool write, paddr_t *pa,
          uint64_t len)
{
    uint64_t need = PTE_P | PTE_U | (write ? PTE_W : 0);
    /* Bounded: every pass adds at least a page or ends, up to max. */
    while (len < max) {
        vaddr_t next = va + len;
        if (!pt_cached(x, pml4, next) || (write && !x->upper_w)) {
            /* Outside the cached table: one walk, which refills it, or finds a large
             * page, all of whose bytes continue the span. */
            paddr_t npa;
            bool w;
            uint64_t rest;
            if (!translate_leaf(x, pml4, next, &npa, &w, &rest) || (write && !w) ||
                (len != 0 && npa != *pa + len)) {
                break;
            }
            if (len == 0) {
                *pa = npa;
            }
            len += rest;
            continue;
        }
        /* The rest of the cached table, one entry per page: each must map the frame after
         * the last one, with the rights asked for. */
        const uint64_t *e = &x->pt[index_of(next, MMU_LEVEL_PT)];
        const uint64_t *end = x->pt + ENTRIES;
        if (len == 0) {
            if ((*e & need) != need) {
                break;
            }
            *pa = (*e & PTE_ADDR) + (va & 0xfff);
            len = 4096 - (va & 0xfff);
            e++;
        }
        uint64_t left = (uint64_t)(end - e);
        uint64_t n = MIN(pages_to(len, max), left);
        uint64_t i = run_of(e, n, PTE_ADDR | need, (*pa + len) | need); /* a page boundary */
        len += i * 4096;
        if (i < left) {
            break; /* max reached, or an entry that does not continue the span */
        }
    }
    return len;
}

/*
 * How many bytes from user address va on lie in pages mapped user-accessible (and
 * writable, if `write`) on consecutive physical frames, so that one copy through the
 * direct map serves them all; *pa is va's physical address. It looks no further than it
 * must to see max bytes, so the answer is at least max if the span reaches that far, and
 * at most the rest of the page (4 KiB, or a large page) holding byte max - 1 beyond it:
 * every byte counted was checked. Returns 0 when va itself is not mapped so (a later
 * page that is not stops the span, it is no error). Uses and refills the cache x as
 * arch_mmu_translate_cached does, under the same rule. Cost: one entry read per 4 KiB
 * page up to max, plus a walk per 2 MiB crossed (a large page takes one walk for all of
 * its bytes). The common case, a span that starts and ends in the cached table, takes no
 * call.
 */
uint64_t
arch_mmu_span(struct arch_xlat *x, void *pml4, vaddr_t va, uint64_t max, bool write,
              paddr_t *pa)
{
    uint64_t need = PTE_P | PTE_U | (write ? PTE_W : 0);
    if (!pt_cached(x, pml4, va) || (write && !x->upper_w)) {
        return span_walk(x, pml4, va, max, write, pa, 0);
    }
    const uint64_t *e = &x->pt[index_of(va, MMU_LEVEL_PT)];
    if ((*e & need) != need) {
        return 0;
    }
    *pa = (*e & PTE_ADDR) + (va & 0xfff);
    uint64_t len = 4096 - (va & 0xfff);
    uint64_t left = (uint64_t)(x->pt + ENTRIES - (e + 1));
    uint64_t n = MIN(pages_to(len, max), left);
    uint64_t i = run_of(e + 1, n, PTE_ADDR | need, ((*e & PTE_ADDR) + 4096) | need);
    len += i * 4096;
    if (i == left && len < max) {
        return span_walk(x, pml4, va, max, write, pa, len); /* on into the next table */
    }
    return len;
}

/*
 * Loads the space (pml4, asid) into CR3 unless it is already there; asid is its ASID
 * (index and generation), 0 for the kernel's own tables. Without PCIDs the load flushes
 * the TLB. With them it keeps the space's tagged translations unless tlbtag_load says
 * they must go (the tag is new to this ASID, or stale).
 */
void
arch_mmu_switch(void *pml4, uint32_t asid)
{
    paddr_t pa = virt_to_phys(pml4);
    if (!cr3.tags) {
        if (cr3.loaded != pa) {
            __asm__ volatile("mov %0, %%cr3" : : "r"(pa) : "memory"); /* arch_cpu_write_cr3 */
            cr3.loaded = pa;
        }
        return;
    }
    bool flush;
    unsigned tag = tlbtag_load(&this_cpu()->tlbtags, asid, &flush);
    if (cr3.loaded != pa || flush) {
        arch_cpu_write_cr3(pa | tag | (flush ? 0 : CR3_KEEP));
        cr3.loaded = pa;
    }
}

/*
 * The VSpace with ASID asid is gone, and not loaded (vspace_finalise switches away
 * first): with PCIDs, its tag is flushed before the index's next owner uses it.
 */
void
arch_mmu_retire(uint32_t asid)
{
    if (cr3.tags) {
        tlbtag_retire(&this_cpu()->tlbtags, asid);
    }
}

/*
 * Turns on TLB tags (PCIDs) if the CPU has them; returns whether they are on. Called once
 * at boot, with the kernel's tables loaded (tag 0) and before any user space runs. Not
 * calling it leaves every switch flushing the TLB, as on a CPU without PCIDs.
 */
bool
arch_mmu_tags_init(void)
{
    cr3.tags = virt_to_phys(kernel_pml4) == arch_cpu_read_cr3() && x86_pcid_enable();
    return cr3.tags;
}

/*
 * Boot only: maps 4 KiB page pa at va, making missing tables with alloc_page. Those
 * tables have no capabilities and live as long as the address space.
 * Errors: -EEXIST if va is already mapped.
 */
int
arch_mmu_map_boot(void *pml4, vaddr_t va, paddr_t pa, unsigned perm,
                  paddr_t (*alloc_page)(void))
{
    uint64_t *t = pml4;
    for (unsigned level = MMU_LEVEL_PML4; level > MMU_LEVEL_PT; level--) {
        uint64_t *e = &t[index_of(va, level)];
        if (!(*e & PTE_P)) {
            *e = alloc_page() | PTE_P | PTE_W | PTE_U;
        }
        t = table_at(*e);
    }
    return arch_mmu_map_frame(pml4, va, pa, 12, perm);
}
