/* SPDX-License-Identifier: MIT */
/*
 * Boot memory. The bump allocator takes pages from the first RAM region above the
 * kernel image and boot modules; every page it hands out is zeroed and never returned.
 * Untyped carving: RAM minus reserved ranges (the first MiB, the kernel image, the
 * modules, the platform's kernel MMIO pages, the bump allocator's pages) becomes
 * non-device untypeds; holes below 4 GiB that are not RAM become device untypeds (MMIO).
 * Each range is cut into the largest naturally aligned power-of-two blocks.
 */
#include <kernel/bootmem.h>
#include <kernel/boot.h>
#include <kernel/klog.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <arch/mmu.h>
#include <courier/abi/caps.h>

enum {
    MAX_RESERVED = BOOT_MAX_MODULES + BOOT_MAX_MMIO + 4,
    LOW_RESERVED = 0x100000,
    MIN_UNTYPED_BITS = 12,
};

extern char _kernel_end[];

struct range {
    paddr_t base;
    paddr_t end;
};

static struct {
    paddr_t next;
    paddr_t limit;
    paddr_t start;
    struct range reserved[MAX_RESERVED];
    unsigned nreserved;
} bm;

static void
reserve(paddr_t base, paddr_t end)
{
    KASSERT(bm.nreserved < MAX_RESERVED);
    bm.reserved[bm.nreserved++] = (struct range){ ALIGN_DOWN(base, 4096), ALIGN_UP(end, 4096) };
}

static bool
overlaps_reserved(paddr_t base, paddr_t end)
{
    for (unsigned i = 0; i < bm.nreserved; i++) {
        if (base < bm.reserved[i].end && bm.reserved[i].base < end) {
            return true;
        }
    }
    return false;
}

/* Chooses where boot allocations come from. */
void
bootmem_init(const struct boot_params *bp)
{
    paddr_t kend = virt_to_phys(_kernel_end);
    reserve(0, LOW_RESERVED);
    reserve(LOW_RESERVED, kend);
    /* The interrupt controllers' pages belong to the kernel: never hand them out. */
    for (unsigned i = 0; i < bp->nmmio; i++) {
        reserve(bp->mmio[i].base, bp->mmio[i].end);
    }
    paddr_t high = kend;
    for (unsigned i = 0; i < bp->nmodules; i++) {
        reserve(bp->modules[i].base, bp->modules[i].base + bp->modules[i].len);
        high = MAX(high, bp->modules[i].base + bp->modules[i].len);
    }
    /* Take the first RAM region with 8 MiB free above everything reserved so far. */
    for (unsigned i = 0; i < bp->nregions; i++) {
        const struct boot_region *r = &bp->regions[i];
        if (r->kind != BOOT_REGION_RAM) {
            continue;
        }
        paddr_t base = ALIGN_UP(MAX(r->base, high), 4096);
        paddr_t end = ALIGN_DOWN(r->base + r->len, 4096);
        if (end > base && end - base >= (8u << 20) && !overlaps_reserved(base, base + 4096)) {
            bm.start = bm.next = base;
            bm.limit = end;
            return;
        }
    }
    panic("bootmem: no RAM region with 8 MiB free above the kernel and modules");
}

/* Returns n contiguous zeroed pages; panics if boot memory runs out. */
paddr_t
bootmem_alloc_pages(unsigned n)
{
    uint64_t len = (uint64_t)n * 4096;
    if (bm.next + len > bm.limit || bm.next + len < bm.next) {
        panic("bootmem: out of boot memory");
    }
    paddr_t pa = bm.next;
    bm.next += len;
    memset(phys_to_virt(pa), 0, len);
    return pa;
}

/* Returns one zeroed page. */
paddr_t
bootmem_alloc_page(void)
{
    return bootmem_alloc_pages(1);
}

static unsigned
emit(paddr_t base, paddr_t end, bool device, struct untyped_region *out, unsigned n,
     unsigned max)
{
    while (base < end && n < max) {
        unsigned bits = base == 0 ? 63 : (unsigned)__builtin_ctzll(base);
        while (bits > CR_UNTYPED_MAX_BITS || (bits < 64 && base + (1ull << bits) > end) ||
               base + (1ull << bits) < base) {
            bits--;
        }
        if (bits < MIN_UNTYPED_BITS) {
            break;
        }
        out[n++] = (struct untyped_region){ base, (uint8_t)bits, device };
        base += 1ull << bits;
    }
    return n;
}

static unsigned
emit_free(paddr_t base, paddr_t end, bool device, struct untyped_region *out, unsigned n,
          unsigned max)
{
    /* Split [base, end) around reserved ranges. Bounded: MAX_RESERVED splits. */
    while (base < end) {
        paddr_t cut = end;
        paddr_t resume = end;
        for (unsigned i = 0; i < bm.nreserved; i++) {
            const struct range *r = &bm.reserved[i];
            if (r->base < end && base < r->end && MAX(r->base, base) < cut) {
                cut = MAX(r->base, base);
                resume = r->end;
            }
        }
        n = emit(base, cut, device, out, n, max);
        if (cut == end) {
            break;
        }
        /* Skip every reserved range that starts at the cut. */
        base = resume;
        for (bool moved = true; moved;) {
            moved = false;
            for (unsigned i = 0; i < bm.nreserved; i++) {
                if (bm.reserved[i].base <= base && base < bm.reserved[i].end) {
                    base = bm.reserved[i].end;
                    moved = true;
                }
            }
        }
    }
    return n;
}

/*
 * Fills out[] with the untyped regions for the root server: free RAM, then device
 * holes below 4 GiB. Call after the last boot allocation. Returns how many.
 */
unsigned
bootmem_untyped(const struct boot_params *bp, struct untyped_region *out, unsigned max)
{
    reserve(bm.start, bm.next);
    unsigned n = 0;
    for (unsigned i = 0; i < bp->nregions; i++) {
        const struct boot_region *r = &bp->regions[i];
        if (r->kind == BOOT_REGION_RAM && r->base < PHYS_MAP_MAX) {
            /* Only what the direct map covers: the kernel must reach every object. */
            paddr_t end = MIN(r->base + r->len, PHYS_MAP_MAX);
            n = emit_free(ALIGN_UP(r->base, 4096), ALIGN_DOWN(end, 4096), false, out, n, max);
        }
    }
    /* Device space: the parts of [1 MiB, 4 GiB) covered by no region at all. */
    paddr_t cursor = LOW_RESERVED;
    paddr_t limit = 4ull << 30;
    while (cursor < limit && n < max) {
        paddr_t next = limit;
        paddr_t skip_to = limit;
        for (unsigned i = 0; i < bp->nregions; i++) {
            const struct boot_region *r = &bp->regions[i];
            if (r->base + r->len > cursor && r->base < next) {
                next = MAX(r->base, cursor);
                skip_to = r->base + r->len;
            }
        }
        n = emit_free(ALIGN_UP(cursor, 4096), ALIGN_DOWN(next, 4096), true, out, n, max);
        if (next >= limit) {
            break;
        }
        cursor = MAX(skip_to, cursor + 1);
    }
    if (n == max) {
        kprintf("bootmem: untyped list full (%u); some memory left unused\n", max);
    }
    return n;
}
