/* SPDX-License-Identifier: MIT */
/*
 * Address spaces (docs/memory.md): a VSpace and the regions mapped in it, all objects of
 * the process that owns the address space, and the memory-manager requests on them.
 * Regions are ranges with one protection; anonymous ones (stack, heap, mmap) get a zeroed
 * frame at the first touch, through the pager (pager.c), and image ones are filled at
 * load. The region table's bookkeeping is region.c's (no system calls, host-tested); the
 * pages and page tables behind the regions are page.c's; shared frames cow.c's. Here the
 * requests are checked, the table changed, and then the pages follow it.
 */
#include "pm.h"

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/lib/string.h>
#include <courier/proto/mem.h>
#include <courier/sys.h>

#include "../slot.h"

enum {
    PAGE = REGION_PAGE,
};

static struct pm_as as_pool[PM_MAX_PROCS];

static uint64_t
rights_of(uint32_t prot)
{
    return pm_vm_rights(prot);
}

static cr_cptr_t
res_cptr(struct pm_proc *p, uint16_t slot)
{
    return pm_res_cptr(p, slot);
}

/* A new address space owned by `owner`, with an empty VSpace. */
struct pm_as *
pm_as_new(struct pm_proc *owner, int *err)
{
    struct pm_as *as = NULL;
    for (unsigned i = 0; i < PM_MAX_PROCS && as == NULL; i++) {
        if (as_pool[i].refs == 0) {
            as = &as_pool[i];
        }
    }
    if (as == NULL) {
        *err = -CR_ENOMEM;
        return NULL;
    }
    memset(as, 0, sizeof(*as));
    *err = pm_res_new(owner, CR_OBJ_VSPACE, 0, &as->vspace);
    if (*err != 0) {
        return NULL;
    }
    as->refs = 1;
    as->owner = owner;
    return as;
}

/* Drops one reference; the objects go with their owner's chunks, not here. */
void
pm_as_put(struct pm_as *as)
{
    if (as != NULL && as->refs > 0) {
        as->refs--;
    }
}

/* The region of as holding addr, or NULL. */
struct pm_region *
pm_vm_region(struct pm_as *as, uint64_t addr)
{
    return region_lookup(as->regions, addr);
}

static int
prot_ok(uint32_t prot)
{
    if ((prot & ~(uint32_t)(MEM_READ | MEM_WRITE | MEM_EXEC)) != 0 ||
        ((prot & MEM_WRITE) && (prot & MEM_EXEC))) {
        return -CR_EINVAL; /* W^X: never both */
    }
    return 0;
}

/* x86 page tables cannot say write-only or execute-only: as on x86 Linux, W or X implies
 * R, so such memory is usable (it used to fault on its first touch). */
static uint32_t
implied(uint32_t prot)
{
    return (prot & (MEM_WRITE | MEM_EXEC)) ? prot | MEM_READ : prot;
}

/*
 * Adds a region [addr, addr + len) (len rounded up to pages) with prot and kind; addr 0
 * picks the first gap at or above REGION_MMAP_BASE. Nothing is mapped until touched.
 * ENOCTX: p has no address space; EINVAL: a protection bit other than R, W, X, or W and X
 * together, len 0 or above CR_USER_MAX, or a range region_range_ok refuses (no gap below
 * CR_USER_MAX included); EEXIST: the range overlaps a region; ENOSPC: no free entry.
 */
int
pm_vm_map_anon(struct pm_proc *p, uint64_t addr, uint64_t len, uint32_t prot, uint32_t kind,
               uint64_t *out)
{
    if (p->as == NULL) {
        return -CR_ENOCTX;
    }
    if (prot_ok(prot) != 0 || len == 0 || len > CR_USER_MAX) {
        return -CR_EINVAL;
    }
    len = (len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    return region_map(p->as->regions, addr, len, implied(prot), kind, out);
}

/* Unmaps and frees the pages of [start, end) (they must be in the regions' bounds). */
static void
drop_pages(struct pm_as *as, uint64_t start, uint64_t end)
{
    /* Bounded by the pages mapped. */
    for (uint32_t i = 0; i < as->npages;) {
        struct pm_page *pg = &as->pages[i];
        uint64_t va = PM_PAGE_VA(*pg);
        if (!PM_PAGE_IS_TABLE(*pg) && va >= start && va < end) {
            pm_cow_release(as, pg); /* unmaps it and frees the frame unless shared */
            *pg = as->pages[--as->npages];
            continue;
        }
        i++;
    }
}

/* MEM_UNMAP: frees the pages of the range and forgets its regions; holes are fine. */
int
pm_vm_unmap(struct pm_proc *p, uint64_t addr, uint64_t len)
{
    if (p->as == NULL) {
        return -CR_ENOCTX;
    }
    len = (len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    if (!region_range_ok(addr, len)) {
        return -CR_EINVAL;
    }
    int rc = region_cut(p->as->regions, addr, addr + len);
    if (rc == 0) {
        drop_pages(p->as, addr, addr + len);
    }
    return rc;
}

/*
 * MEM_PROTECT: the range (len rounded up to pages) must be covered by regions; they are
 * split at its ends and take prot, each keeping its kind, and the pages there are
 * remapped. Checked before anything changes: bounded by the regions, not by the range's
 * length. ENOCTX: no address space; EINVAL: a range region_range_ok refuses, or a bad
 * prot (W^X); ENOENT: some page of the range is in no region; ENOSPC: fewer than two
 * free region entries.
 */
int
pm_vm_protect(struct pm_proc *p, uint64_t addr, uint64_t len, uint32_t prot)
{
    struct pm_as *as = p->as;
    if (as == NULL) {
        return -CR_ENOCTX;
    }
    len = (len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    if (!region_range_ok(addr, len) || prot_ok(prot) != 0) {
        return -CR_EINVAL;
    }
    uint64_t end = addr + len;
    prot = implied(prot);
    int rc = region_protect(as->regions, addr, end, prot);
    if (rc != 0) {
        return rc;
    }
    for (uint32_t i = 0; i < as->npages; i++) {
        struct pm_page *pg = &as->pages[i];
        uint64_t va = PM_PAGE_VA(*pg);
        if (!PM_PAGE_IS_TABLE(*pg) && va >= addr && va < end) {
            /* A copy-on-write page stays read-only until it is written. PROT_NONE takes
             * the mapping away (the kernel maps nothing without READ), keeping the frame
             * and its contents; a later protection maps it back. */
            unsigned s1 = PM_PAGE_SHARE(*pg);
            if ((prot & MEM_WRITE) && s1 != 0 && !(pg->key & PM_PAGE_SHM)) {
                pg->key |= PM_PAGE_COW; /* a shared or image frame: copied when written */
            }
            uint32_t now = PM_PAGE_IS_COW(*pg) ? prot & ~(uint32_t)MEM_WRITE : prot;
            cr_cptr_t f = res_cptr(as->owner, PM_PAGE_SLOT(*pg));
            if (!(now & MEM_READ)) {
                cr_vspace_unmap(f);
            } else if (cr_vspace_remap(f, rights_of(now)) == -CR_ENOTMAPPED) {
                cr_vspace_map(f, res_cptr(as->owner, as->vspace), va, rights_of(now), 0);
            }
        }
    }
    return 0;
}

/* MEM_BRK: moves the heap end to `want` (0: ask); *now is the end afterwards. */
int
pm_vm_brk(struct pm_proc *p, uint64_t want, uint64_t *now)
{
    struct pm_as *as = p->as;
    if (as == NULL) {
        return -CR_ENOCTX;
    }
    *now = as->brk;
    if (want == 0 || want < as->brk_start || want > CR_USER_MAX) {
        return 0;
    }
    uint64_t old_top = (as->brk + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    uint64_t new_top = (want + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    if (new_top > old_top) {
        /* Linux leaves the break where it was when it cannot move. */
        if (region_grow_brk(as->regions, old_top, new_top, MEM_READ | MEM_WRITE) != 0) {
            return 0;
        }
    } else if (new_top < old_top) {
        region_cut(as->regions, new_top, old_top);
        drop_pages(as, new_top, old_top);
    }
    as->brk = want;
    *now = want;
    return 0;
}

/*
 * A page fault at addr: a zeroed page if addr lies in an anonymous region that allows
 * the access and nothing is mapped there yet. EFAULT otherwise (the thread is killed).
 */
int
pm_vm_fault(struct pm_proc *p, uint64_t addr, bool write, bool present)
{
    if (p->as == NULL) {
        return -CR_EFAULT;
    }
    struct pm_region *r = pm_vm_region(p->as, addr);
    uint64_t va = addr & ~(uint64_t)(PAGE - 1);
    if (present && write && r != NULL && (r->prot & MEM_WRITE)) {
        struct pm_page *pg = pm_vm_page_at(p->as, va);
        if (pg != NULL && PM_PAGE_IS_COW(*pg)) {
            return pm_cow_fault(p, pg); /* a shared page written: copied now */
        }
    }
    if (r == NULL || r->kind == PM_R_IMAGE || r->kind == PM_R_SHM || !(r->prot & MEM_READ) ||
        (write && !(r->prot & MEM_WRITE))) {
        return -CR_EFAULT; /* no region, an image page, PROT_NONE, or read-only */
    }
    /* A page already there (a protection fault) makes the kernel refuse the mapping. */
    int rc = pm_vm_page(p, va, r->prot, NULL);
    return rc == -CR_EEXIST ? -CR_EFAULT : rc;
}

/*
 * MEM_F_POPULATE: every page of the new region [addr, addr + len) now. On ENOMEM (or any
 * failure) the region and the pages made for it go: the caller's memory is as before.
 */
int
pm_vm_populate(struct pm_proc *p, uint64_t addr, uint64_t len)
{
    len = (len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    struct pm_region *r = pm_vm_region(p->as, addr);
    /* Bounded by the region's pages; PM_MAX_PAGES stops it early. */
    for (uint64_t va = addr; va < addr + len; va += PAGE) {
        int rc = pm_vm_page(p, va, r->prot, NULL);
        if (rc != 0) {
            pm_vm_unmap(p, addr, len);
            return rc == -CR_ENOSPC ? -CR_ENOMEM : rc;
        }
    }
    return 0;
}
