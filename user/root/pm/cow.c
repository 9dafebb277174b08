/* SPDX-License-Identifier: MIT */
/*
 * Copy-on-write (docs/memory.md): PROC_AS_COPY gives a blank process an address space
 * that maps the very frames of another one, read-only where they are writable; the first
 * write on either side copies the page for the writer. This is what makes fork cheap.
 *
 * A frame belongs to the process whose chunks it was made from: its home, which holds
 * the original capability; every other space maps it through a copy of that capability
 * in its own resources. A share records the home, its slot, how many spaces map the
 * frame and whether the home still does. The frame must not outlive its home's chunks,
 * so when a home ends, every space still mapping one of its frames gets its own copy
 * first (pm_cow_exit); and a home that no longer maps a frame keeps the capability
 * (unmapped) until the last sharer lets go.
 *
 * Bounds: PM_MAX_SHARES shares; a fault is O(pages of the space) to find its page; a
 * home's end is O(pages of every space + shares) when it is home of any.
 */
#include "pm.h"

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/lib/string.h>
#include <courier/proto/mem.h>
#include <courier/sys.h>

enum {
    PM_MAX_SHARES = PM_SHARE_IMAGE - 1, /* share index + 1 in 13 bits; the top value is
                                          * the boot-image mark (page.c) */
    /* Shares one process may be home of: a quarter of the table, so that one process
     * cannot take every share. Past it (or with the table full) a copy copies. */
    PM_SHARES_PER_HOME = PM_MAX_SHARES / 4,
    PAGE = 4096,
};

struct pm_share {
    struct pm_proc *home; /* NULL: free */
    uint16_t home_slot;
    uint16_t refs;        /* spaces mapping the frame, the home's included */
    bool home_maps;
};

static struct pm_share shares[PM_MAX_SHARES];

struct pm_proc *pm_proc_at(unsigned i);

/* The free shares, as a stack of indices: O(1) to take and to give back. */
static uint16_t free_shares[PM_MAX_SHARES];
static unsigned nfree_shares;
static bool shares_ready;

/* A new share of home's frame at slot (refs 1: the home maps it); its index + 1, or 0
 * if the table is full or home has PM_SHARES_PER_HOME already. */
static unsigned
share_new(struct pm_proc *home, uint16_t slot)
{
    if (!shares_ready) {
        for (unsigned i = 0; i < PM_MAX_SHARES; i++) {
            free_shares[i] = (uint16_t)(PM_MAX_SHARES - 1 - i);
        }
        nfree_shares = PM_MAX_SHARES;
        shares_ready = true;
    }
    if (nfree_shares == 0 || home->shares_homed >= PM_SHARES_PER_HOME) {
        return 0;
    }
    unsigned i = free_shares[--nfree_shares];
    shares[i] = (struct pm_share){ home, slot, 1, true };
    home->shares_homed++;
    return i + 1;
}

static void
share_free(struct pm_share *s)
{
    s->home->shares_homed--;
    s->home = NULL;
    free_shares[nfree_shares++] = (uint16_t)(s - shares);
}

/* The share ends when nobody maps the frame: the home lets its capability go. */
static void
share_put(struct pm_share *s)
{
    s->refs--;
    if (s->refs == 0) {
        if (!s->home_maps) {
            pm_res_drop(s->home, s->home_slot);
            s->home->pages--;
        }
        share_free(s);
    }
}

/* The share a page's frame is in, or NULL: an ordinary frame, a boot-image page (read-
 * only, the root's) or shared memory (shm.c). */
static struct pm_share *
share_of(const struct pm_page *pg)
{
    unsigned s1 = PM_PAGE_SHARE(*pg);
    if (s1 == 0 || s1 == PM_SHARE_IMAGE || (pg->key & PM_PAGE_SHM) || PM_PAGE_IS_TABLE(*pg)) {
        return NULL;
    }
    return &shares[s1 - 1];
}

static bool
is_home(const struct pm_share *s, const struct pm_as *as, const struct pm_page *pg)
{
    return s->home == as->owner && s->home_slot == PM_PAGE_SLOT(*pg);
}

/*
 * The page pg of `as` stops mapping its frame (unmap, exec, end): the frame is freed, or,
 * if shared, the reference dropped — the home keeps the capability unmapped while others
 * map it. Charges are undone for frames that go.
 */
void
pm_cow_release(struct pm_as *as, struct pm_page *pg)
{
    uint16_t slot = PM_PAGE_SLOT(*pg);
    struct pm_proc *o = as->owner;
    if (pg->key & PM_PAGE_SHM) {
        pm_shm_release(as, pg);
        return;
    }
    struct pm_share *s = share_of(pg);
    if (s == NULL) {
        pm_res_drop(o, slot); /* deleting the capability unmaps it */
        o->pages--;
        return;
    }
    if (is_home(s, as, pg)) {
        if (s->refs == 1) {
            share_free(s); /* nobody else: an ordinary frame again, freed */
            pm_res_drop(o, slot);
            o->pages--;
            return;
        }
        cr_vspace_unmap(pm_res_cptr(o, slot)); /* others map it: keep it, unmapped */
        s->home_maps = false;
        s->refs--;
        return;
    }
    pm_res_drop(o, slot); /* our copy of the capability */
    share_put(s);
}

/* A new frame of dst's (*out, a res slot) holding a copy of src's frame at src_slot. */
static int
frame_copy(struct pm_proc *dst, struct pm_proc *src, uint16_t src_slot, uint16_t *out)
{
    uint16_t frame;
    int rc = pm_res_new(dst, CR_OBJ_FRAME, 12, &frame);
    if (rc != 0) {
        return rc;
    }
    void *d;
    void *s;
    if (!pm_vm_scratch(dst, frame, 0, &d)) {
        pm_res_drop(dst, frame);
        return -CR_ENOMEM;
    }
    if (!pm_vm_scratch(src, src_slot, 1, &s)) {
        pm_vm_scratch_done(0);
        pm_res_drop(dst, frame);
        return -CR_ENOMEM;
    }
    memcpy(d, s, PAGE);
    pm_vm_scratch_done(1);
    pm_vm_scratch_done(0);
    *out = frame;
    return 0;
}

/*
 * PROC_AS_COPY of a page that cannot be shared (no share left for its home): the child
 * gets its own copy now, as a fork without copy-on-write would.
 */
static int
copy_now(struct pm_proc *child, struct pm_proc *from, const struct pm_page *pg,
         uint32_t prot)
{
    struct pm_as *ca = child->as;
    uint64_t va = PM_PAGE_VA(*pg);
    uint16_t frame;
    if (ca->npages >= PM_MAX_PAGES) {
        return -CR_ENOMEM;
    }
    int rc = frame_copy(child, from, PM_PAGE_SLOT(*pg), &frame);
    if (rc != 0) {
        return rc;
    }
    rc = pm_vm_map_frame(ca, frame, va, prot);
    if (rc != 0) {
        pm_res_drop(child, frame);
        return rc;
    }
    ca->pages[ca->npages++] = PM_PAGE(va, frame, false);
    child->pages++;
    return 0;
}

/*
 * Gives page pg of process p (owner of its space) a private copy of its frame: a shared
 * one, or a boot-image page made writable.
 */
static int
copy_private(struct pm_proc *p, struct pm_page *pg, uint32_t prot)
{
    struct pm_as *as = p->as;
    struct pm_share *s = share_of(pg);
    uint64_t va = PM_PAGE_VA(*pg);
    uint16_t old = PM_PAGE_SLOT(*pg);
    uint16_t frame;
    int rc = frame_copy(p, p, old, &frame);
    if (rc != 0) {
        return rc;
    }
    if (s == NULL) {
        pm_res_drop(p, old); /* our copy of the image page's capability */
        p->pages--;
    } else if (is_home(s, as, pg)) {
        cr_vspace_unmap(pm_res_cptr(p, old));
        s->home_maps = false;
        s->refs--;
        if (s->refs == 0) {
            pm_res_drop(p, old);
            p->pages--;
            share_free(s);
        }
    } else {
        pm_res_drop(p, old);
        share_put(s);
    }
    rc = pm_vm_map_frame(as, frame, va, prot);
    if (rc != 0) {
        pm_res_drop(p, frame);
        *pg = PM_PAGE(va, 0, false); /* nothing mapped: the next touch faults again */
        return rc;
    }
    *pg = PM_PAGE(va, frame, false);
    p->pages++;
    return 0;
}

/*
 * A write to copy-on-write page pg of p's space: the space gets its own copy, unless
 * nobody else maps the frame any more — then the home just takes write access back. A
 * process sharing the space (PROC_AS_SHARE) writes for the space: the copy is made and
 * charged as for the owner's own write (the owner's image, which a sharer cannot outlive,
 * holds the space).
 */
int
pm_cow_fault(struct pm_proc *p, struct pm_page *pg)
{
    p = p->as->owner;
    struct pm_as *as = p->as;
    struct pm_share *s = share_of(pg);
    struct pm_region *r = pm_vm_region(as, PM_PAGE_VA(*pg));
    uint32_t prot = r != NULL ? r->prot : MEM_READ | MEM_WRITE;
    if (s != NULL && s->refs == 1 && is_home(s, as, pg)) {
        share_free(s);
        pg->key &= ~((uint64_t)0x1fff << 16 | PM_PAGE_COW);
        return (int)cr_vspace_remap(pm_res_cptr(p, PM_PAGE_SLOT(*pg)), pm_vm_rights(prot));
    }
    return copy_private(p, pg, prot);
}

/* PROC_AS_COPY of a boot-image page: the child maps the same read-only frame. */
static int
copy_image_page(struct pm_proc *child, struct pm_proc *from, const struct pm_page *pg,
                uint32_t prot)
{
    struct pm_as *ca = child->as;
    uint16_t slot;
    if (ca->npages >= PM_MAX_PAGES) {
        return -CR_ENOMEM;
    }
    int rc = pm_res_take(child, &slot);
    if (rc != 0) {
        return rc;
    }
    uint16_t from_slot = PM_PAGE_SLOT(*pg);
    rc = (int)cr_cap_copy(pm_res_handle(child, slot), pm_res_index(slot),
                          pm_res_handle(from, from_slot), pm_res_index(from_slot),
                          CR_RIGHTS_ALL);
    if (rc != 0) {
        pm_res_untake(child, slot);
        return rc;
    }
    rc = pm_vm_map_frame(ca, slot, PM_PAGE_VA(*pg), prot);
    if (rc != 0) {
        pm_res_drop(child, slot);
        return rc;
    }
    struct pm_page cp = PM_PAGE_WITH_SHARE(PM_PAGE(PM_PAGE_VA(*pg), slot, false),
                                           PM_SHARE_IMAGE);
    cp.key |= pg->key & PM_PAGE_COW;
    ca->pages[ca->npages++] = cp;
    child->pages++;
    return 0;
}

/*
 * PROC_AS_COPY: child (blank, with a new empty space) maps every page of from's space
 * copy-on-write; regions, heap and personality are copied. A page whose home has no
 * share left is copied at once instead. ENOMEM: out of slots or memory (what was done is
 * undone when the caller discards the child).
 */
int
pm_cow_copy(struct pm_proc *child, struct pm_proc *from)
{
    struct pm_as *fa = from->as;
    struct pm_as *ca = child->as;
    if (fa->owner != from) {
        return -CR_ENOCTX; /* a space shared in, not owned: not copied */
    }
    memcpy(ca->regions, fa->regions, sizeof(ca->regions));
    ca->brk_start = fa->brk_start;
    ca->brk = fa->brk;
    ca->upcall = fa->upcall;
    /* Bounded by from's pages. */
    for (uint32_t i = 0; i < fa->npages; i++) {
        struct pm_page *pg = &fa->pages[i];
        if (PM_PAGE_IS_TABLE(*pg)) {
            continue;
        }
        uint64_t va = PM_PAGE_VA(*pg);
        struct pm_region *r = pm_vm_region(fa, va);
        uint32_t prot = r != NULL ? r->prot : MEM_READ;
        if (pg->key & PM_PAGE_SHM) {
            int rc = pm_shm_copy_page(child, from, pg, prot); /* shared, not copied */
            if (rc != 0) {
                return rc;
            }
            continue;
        }
        bool cow = (prot & MEM_WRITE) != 0;
        unsigned s1 = PM_PAGE_SHARE(*pg);
        if (s1 == PM_SHARE_IMAGE) {
            int rc = copy_image_page(child, from, pg, cow ? prot & ~(uint32_t)MEM_WRITE : prot);
            if (rc != 0) {
                return rc;
            }
            continue;
        }
        if (s1 == 0) {
            s1 = share_new(from, PM_PAGE_SLOT(*pg));
            if (s1 == 0) {
                int rc = copy_now(child, from, pg, prot);
                if (rc != 0) {
                    return rc;
                }
                continue;
            }
            *pg = PM_PAGE_WITH_SHARE(*pg, s1);
        }
        if (cow && !PM_PAGE_IS_COW(*pg)) {
            pg->key |= PM_PAGE_COW;
            cr_vspace_remap(pm_res_cptr(from, PM_PAGE_SLOT(*pg)),
                            pm_vm_rights(prot & ~(uint32_t)MEM_WRITE));
        }
        struct pm_share *s = &shares[s1 - 1];
        uint16_t slot;
        int rc = pm_res_take(child, &slot);
        if (rc == 0) {
            rc = (int)cr_cap_copy(pm_res_handle(child, slot), pm_res_index(slot),
                                  pm_res_handle(s->home, s->home_slot),
                                  pm_res_index(s->home_slot), CR_RIGHTS_ALL);
            if (rc != 0) {
                pm_res_untake(child, slot);
            }
        }
        if (rc == 0 && ca->npages >= PM_MAX_PAGES) {
            rc = -CR_ENOMEM;
            pm_res_drop(child, slot);
        }
        if (rc == 0) {
            rc = pm_vm_map_frame(ca, slot, va, cow ? prot & ~(uint32_t)MEM_WRITE : prot);
            if (rc != 0) {
                pm_res_drop(child, slot);
            }
        }
        if (rc != 0) {
            return rc;
        }
        struct pm_page cp = PM_PAGE_WITH_SHARE(PM_PAGE(va, slot, false), s1);
        if (cow) {
            cp.key |= PM_PAGE_COW;
        }
        ca->pages[ca->npages++] = cp;
        s->refs++;
    }
    return 0;
}

/*
 * p ends: every frame it shares out gets copied for the spaces still mapping it (they
 * must not lose it with p's chunks), and its own references to others' frames drop.
 */
void
pm_cow_exit(struct pm_proc *p)
{
    struct pm_as *as = p->as;
    if (as != NULL && as->owner == p) {
        for (uint32_t i = 0; i < as->npages; i++) {
            struct pm_page *pg = &as->pages[i];
            struct pm_share *s = share_of(pg);
            if (s != NULL && !is_home(s, as, pg)) {
                share_put(s); /* the copy itself goes with p's CNodes */
                *pg = PM_PAGE_WITH_SHARE(*pg, 0);
            }
        }
    }
    if (p->shares_homed == 0) {
        return;
    }
    /* Others map p's frames: each gets its own copy now. One pass over every other
     * space: O(pages of all spaces), however many shares p is home of. */
    for (unsigned i = 0; i < PM_MAX_PROCS && p->shares_homed > 0; i++) {
        struct pm_proc *q = pm_proc_at(i);
        if (q == p || q->pid == 0 || q->as == NULL || q->as->owner != q) {
            continue;
        }
        for (uint32_t j = 0; j < q->as->npages; j++) {
            struct pm_page *pg = &q->as->pages[j];
            struct pm_share *s = share_of(pg);
            if (s == NULL || s->home != p) {
                continue;
            }
            struct pm_region *r = pm_vm_region(q->as, PM_PAGE_VA(*pg));
            if (copy_private(q, pg, r != NULL ? r->prot : MEM_READ) != 0) {
                /* No memory for the copy: the frame goes with p's chunks, and q, which
                 * would find a page of its memory gone, ends once p has
                 * (pm_proc_exit), as by SIGBUS. */
                pm_log("pm: pid %lld lost a shared page at the end of pid %lld\n",
                       (long long)q->pid, (long long)p->pid);
                pg->key &= ~((uint64_t)0x1fff << 16 | PM_PAGE_COW);
                s->refs--;
                q->lost_memory = true;
            }
        }
    }
    /* What is left, p's own mappings, goes with its chunks. O(PM_MAX_SHARES). */
    for (unsigned k = 0; k < PM_MAX_SHARES && p->shares_homed > 0; k++) {
        if (shares[k].home == p) {
            share_free(&shares[k]);
        }
    }
}
