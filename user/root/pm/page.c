/* SPDX-License-Identifier: MIT */
/*
 * Pages of an address space (docs/memory.md): frames and page tables made from the
 * owner's chunks and mapped, the root's two scratch windows through which the manager
 * fills or copies a page, and the tearing down of a space. Page tables are made when a
 * mapping first needs them: the kernel says a level is missing (ENOTABLE) and levels are
 * tried from the bottom (a new 2 MiB span is the common case), at most three per page. A
 * new frame comes zeroed from retype, so zero-fill costs no copy. vm.c has the regions.
 */
#include "pm.h"

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/lib/string.h>
#include <courier/proto/mem.h>
#include <courier/sys.h>

#include "../slot.h"

enum {
    PAGE = 4096,
    SCRATCH_VA = 0x30000000000ull, /* the root's windows onto pages being filled */
};

static cr_cptr_t scratch_slot; /* root slot for the scratch copy of a frame capability */
static cr_cptr_t scratch2_slot; /* the second window (SCRATCH_VA + PAGE), for copies */

static uint64_t
rights_of(uint32_t prot)
{
    return CR_RIGHT_READ | ((prot & MEM_WRITE) ? CR_RIGHT_WRITE : 0) |
           ((prot & MEM_EXEC) ? CR_RIGHT_EXEC : 0);
}

static cr_cptr_t
res_cptr(struct pm_proc *p, uint16_t slot)
{
    return pm_res_cptr(p, slot);
}

/*
 * Installs one missing table level for va: a PT, else a PD, else a PDPT. Each comes from
 * the space's spare of its level, made when there is none: a level that cannot go in yet
 * (ENOTABLE: the level above is missing too) keeps its spare for the next try, so no
 * table is made and thrown away (untyped memory is not reclaimed before the owner's
 * end). At most three spares per space, dropped with it.
 */
static int
add_table(struct pm_as *as, uint64_t va)
{
    static const unsigned types[PM_TABLE_LEVELS] = { CR_OBJ_PT, CR_OBJ_PD, CR_OBJ_PDPT };
    struct pm_proc *o = as->owner;
    for (unsigned lvl = 0; lvl < PM_TABLE_LEVELS; lvl++) {
        /* One entry stays free for the page the table is for: every caller checked
         * there was room for it before mapping, and puts it in after. */
        if (as->npages + 1 >= PM_MAX_PAGES) {
            return -CR_ENOMEM;
        }
        if (as->spare[lvl] == 0) {
            int rc = pm_res_new(o, types[lvl], 0, &as->spare[lvl]);
            if (rc != 0) {
                return rc;
            }
        }
        uint16_t slot = as->spare[lvl];
        int rc = (int)cr_vspace_map_table(res_cptr(o, slot), res_cptr(o, as->vspace), va);
        if (rc == 0) {
            as->spare[lvl] = 0;
            as->pages[as->npages++] = PM_PAGE(va, slot, true);
            o->pages++;
            return 0;
        }
        if (rc != -CR_ENOTABLE) {
            return rc;
        }
    }
    return -CR_ENOTABLE;
}

/* Maps frame (a res slot of the owner) at va, adding page tables as needed. */
static int
map_frame(struct pm_as *as, uint16_t frame, uint64_t va, uint32_t prot)
{
    struct pm_proc *o = as->owner;
    /* Bounded: each ENOTABLE adds one of the three table levels. */
    for (int tries = 0; tries < 4; tries++) {
        int rc = (int)cr_vspace_map(res_cptr(o, frame), res_cptr(o, as->vspace), va,
                                    rights_of(prot), 0);
        if (rc != -CR_ENOTABLE) {
            return rc;
        }
        rc = add_table(as, va);
        if (rc != 0) {
            return rc;
        }
    }
    return -CR_ENOTABLE;
}

/*
 * Maps a zeroed page at va with prot and charges it to the address space's owner. With
 * `scratch`, the page is also mapped writable in the root at *scratch (until
 * pm_vm_page_done) so the caller can fill it. ENOMEM: quota or pool used up, or the
 * space's 8192 pages; ENOSPC: the owner's resources are full.
 */
int
pm_vm_page(struct pm_proc *p, uint64_t va, uint32_t prot, void **scratch)
{
    struct pm_as *as = p->as;
    struct pm_proc *o = as->owner;
    if (as->npages >= PM_MAX_PAGES) {
        return -CR_ENOMEM;
    }
    uint16_t frame;
    int rc = pm_res_new(o, CR_OBJ_FRAME, 12, &frame);
    if (rc != 0) {
        return rc;
    }
    if (scratch != NULL) {
        rc = (int)cr_cap_copy(CR_CAP_ROOT_CNODE, scratch_slot, pm_res_handle(o, frame),
                              pm_res_index(frame), CR_RIGHTS_ALL);
        if (rc == 0) {
            rc = (int)cr_vspace_map(scratch_slot, CR_CAP_ROOT_VSPACE, SCRATCH_VA,
                                    CR_RIGHT_READ | CR_RIGHT_WRITE, 0);
            if (rc != 0) {
                cr_cap_delete(CR_CAP_ROOT_CNODE, scratch_slot);
            }
        }
        if (rc != 0) {
            pm_res_drop(o, frame);
            return rc;
        }
        *scratch = (void *)(uintptr_t)SCRATCH_VA;
    }
    rc = map_frame(as, frame, va, prot);
    if (rc != 0) {
        if (scratch != NULL) {
            pm_vm_page_done();
        }
        pm_res_drop(o, frame);
        return rc;
    }
    as->pages[as->npages++] = PM_PAGE(va, frame, false);
    o->pages++;
    return 0;
}

/*
 * Maps the owner's frame (a res slot) in the root's window `which` (0 or 1), writable
 * for window 0, read-only for 1, through a copy of its capability; false if it cannot.
 */
bool
pm_vm_scratch(struct pm_proc *o, uint16_t frame, unsigned which, void **va)
{
    cr_cptr_t slot = which == 0 ? scratch_slot : scratch2_slot;
    uint64_t at = SCRATCH_VA + which * PAGE;
    if (cr_cap_copy(CR_CAP_ROOT_CNODE, slot, pm_res_handle(o, frame), pm_res_index(frame),
                    CR_RIGHTS_ALL) != 0) {
        return false;
    }
    if (cr_vspace_map(slot, CR_CAP_ROOT_VSPACE, at,
                      CR_RIGHT_READ | (which == 0 ? CR_RIGHT_WRITE : 0), 0) != 0) {
        cr_cap_delete(CR_CAP_ROOT_CNODE, slot);
        return false;
    }
    *va = (void *)(uintptr_t)at;
    return true;
}

void
pm_vm_scratch_done(unsigned which)
{
    cr_cap_delete(CR_CAP_ROOT_CNODE, which == 0 ? scratch_slot : scratch2_slot);
}

/* Maps res frame `frame` of the address space's owner at va (tables as needed). */
int
pm_vm_map_frame(struct pm_as *as, uint16_t frame, uint64_t va, uint32_t prot)
{
    return map_frame(as, frame, va, prot);
}

uint64_t
pm_vm_rights(uint32_t prot)
{
    return rights_of(prot);
}

/* The record of the page mapped at va, or NULL. O(pages). */
struct pm_page *
pm_vm_page_at(struct pm_as *as, uint64_t va)
{
    for (uint32_t i = 0; i < as->npages; i++) {
        if (!PM_PAGE_IS_TABLE(as->pages[i]) && PM_PAGE_VA(as->pages[i]) == va) {
            return &as->pages[i];
        }
    }
    return NULL;
}

/* Ends the root's view of the page pm_vm_page gave through `scratch`. */
void
pm_vm_page_done(void)
{
    cr_cap_delete(CR_CAP_ROOT_CNODE, scratch_slot); /* unmaps it from the root */
}

/* Sets up the root's scratch window (its page tables come from the root's own chunks). */
bool pm_vm_init(struct pm_proc *root);

bool
pm_vm_init(struct pm_proc *root)
{
    scratch_slot = root_slot_alloc();
    scratch2_slot = root_slot_alloc();
    if (scratch_slot == 0 || scratch2_slot == 0) {
        return false;
    }
    /* A throwaway frame mapped once makes the root's tables for the window. */
    static const unsigned types[3] = { CR_OBJ_PT, CR_OBJ_PD, CR_OBJ_PDPT };
    for (int tries = 0; tries < 4; tries++) {
        uint16_t f;
        if (pm_res_new(root, CR_OBJ_FRAME, 12, &f) != 0 ||
            cr_cap_copy(CR_CAP_ROOT_CNODE, scratch_slot, pm_res_handle(root, f),
                        pm_res_index(f), CR_RIGHTS_ALL) != 0) {
            return false;
        }
        int64_t rc = cr_vspace_map(scratch_slot, CR_CAP_ROOT_VSPACE, SCRATCH_VA,
                                   CR_RIGHT_READ | CR_RIGHT_WRITE, 0);
        cr_cap_delete(CR_CAP_ROOT_CNODE, scratch_slot);
        pm_res_drop(root, f);
        if (rc == 0) {
            return true;
        }
        if (rc != -CR_ENOTABLE) {
            return false;
        }
        bool added = false;
        for (unsigned lvl = 0; lvl < 3 && !added; lvl++) {
            uint16_t t;
            if (pm_res_new(root, types[lvl], 0, &t) != 0) {
                return false;
            }
            rc = cr_vspace_map_table(pm_res_cptr(root, t), CR_CAP_ROOT_VSPACE, SCRATCH_VA);
            if (rc == 0) {
                added = true;
            } else {
                pm_res_drop(root, t);
                if (rc != -CR_ENOTABLE) {
                    return false;
                }
            }
        }
    }
    return false;
}

/* Empties p's own address space: every page and table goes, regions and heap too (a
 * PROC_LOAD that failed half-way, into a space that must have been empty, leaves it as
 * it found it). */
void
pm_vm_clear(struct pm_proc *p)
{
    struct pm_as *as = p->as;
    if (as == NULL || as->owner != p) {
        return;
    }
    /* Pages before tables: bounded by the pages mapped. */
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < as->npages;) {
            struct pm_page *pg = &as->pages[i];
            if (PM_PAGE_IS_TABLE(*pg) == (pass == 1)) {
                if (pass == 0) {
                    pm_cow_release(as, pg);
                } else {
                    pm_res_drop(p, PM_PAGE_SLOT(*pg));
                    p->pages--;
                }
                *pg = as->pages[--as->npages];
                continue;
            }
            i++;
        }
    }
    memset(as->regions, 0, sizeof(as->regions));
    as->brk_start = as->brk = as->upcall = 0;
}

/*
 * Destroys an address space's contents and its VSpace (its owner's objects): frames
 * through pm_cow_release (a frame another space still shares stays, unmapped), then the
 * tables, then the VSpace. The struct is the caller's to put.
 */
void
pm_vm_destroy(struct pm_as *as)
{
    struct pm_proc *o = as->owner;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < as->npages; i++) {
            struct pm_page *pg = &as->pages[i];
            if (PM_PAGE_IS_TABLE(*pg) != (pass == 1)) {
                continue;
            }
            if (pass == 0) {
                pm_cow_release(as, pg);
            } else {
                pm_res_drop(o, PM_PAGE_SLOT(*pg));
                o->pages--;
            }
        }
    }
    as->npages = 0;
    for (unsigned lvl = 0; lvl < PM_TABLE_LEVELS; lvl++) {
        if (as->spare[lvl] != 0) {
            pm_res_drop(o, as->spare[lvl]);
            as->spare[lvl] = 0;
        }
    }
    pm_res_drop(o, as->vspace);
    as->vspace = 0;
}

/*
 * Maps a frame the root holds (a boot-image page, at root cptr `frame`) at va in p's
 * space, through a copy of the capability in p's resources: shared, never written (prot
 * must not have MEM_WRITE). Counted as a page of p; freed like any (only the copy goes).
 */
int
pm_vm_map_root_frame(struct pm_proc *p, uint64_t va, uint32_t prot, cr_cptr_t frame)
{
    struct pm_as *as = p->as;
    struct pm_proc *o = as->owner;
    if (as->npages >= PM_MAX_PAGES || (prot & MEM_WRITE)) {
        return (prot & MEM_WRITE) ? -CR_EINVAL : -CR_ENOMEM;
    }
    uint16_t slot;
    int rc = pm_res_take(o, &slot);
    if (rc != 0) {
        return rc;
    }
    rc = (int)cr_cap_copy(pm_res_handle(o, slot), pm_res_index(slot), CR_CAP_ROOT_CNODE, frame,
                          CR_RIGHT_READ | CR_RIGHT_EXEC);
    if (rc != 0) {
        pm_res_untake(o, slot);
        return rc;
    }
    rc = map_frame(as, slot, va, prot);
    if (rc != 0) {
        pm_res_drop(o, slot);
        return rc;
    }
    as->pages[as->npages++] = PM_PAGE_WITH_SHARE(PM_PAGE(va, slot, false), PM_SHARE_IMAGE);
    o->pages++;
    return 0;
}
