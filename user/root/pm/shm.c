/* SPDX-License-Identifier: MIT */
/*
 * Shared memory objects (docs/memory.md): MEM_SHM_NEW makes an object of zeroed pages and
 * gives its maker a handle — a connection to the managers' channel whose badge names the
 * object, a capability the maker can pass to other processes in messages. MEM_SHM_MAP,
 * carrying a handle, maps every page of the object into the caller; all mappings share
 * the same frames. A copy-on-write copy of a space (PROC_AS_COPY) shares its shared-memory
 * pages instead of copying them, as fork does with MAP_SHARED memory.
 *
 * The frames live in a hidden process entry of their own (its home: chunks and
 * resources), so they outlive the maker as long as anything maps them. The object ends
 * when its maker has closed it (MEM_SHM_CLOSE) or ended, and no page of it is mapped
 * anywhere; its chunks then go back to the pool. A handle to an ended object (the badge
 * carries a generation) gets ESRCH. Handles are checked to be connections to the
 * managers' own channel (cap_identify's identity): a forged badge on another channel is
 * refused.
 */
#include "pm.h"

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/lib/string.h>
#include <courier/proto/mem.h>
#include <courier/sys.h>

enum {
    PAGE = 4096,
};

struct pm_shm {
    struct pm_proc *home; /* NULL: free */
    int64_t maker;        /* pid, 0 once it closed the object or ended */
    uint32_t gen;
    uint32_t npages;
    uint64_t mapped;      /* pages of it mapped anywhere */
    uint16_t slot[PM_SHM_MAX_PAGES];
};

static struct pm_shm shms[PM_SHM_MAX];

static void
shm_maybe_free(struct pm_shm *m)
{
    if (m->home != NULL && m->maker == 0 && m->mapped == 0) {
        struct pm_proc *home = m->home;
        m->home = NULL; /* first: the discard below looks at every object again */
        m->gen++;
        pm_proc_discard(home);
    }
}

/* The object a handle's badge names, or NULL (stale, or not a handle's badge). */
static struct pm_shm *
shm_of_badge(uint64_t badge)
{
    if ((badge & PM_SHM_BADGE) == 0) {
        return NULL;
    }
    uint64_t i = badge & 0xffff;
    uint32_t gen = (uint32_t)((badge >> 16) & 0xffffffffu);
    if (i >= PM_SHM_MAX || shms[i].home == NULL || shms[i].gen != gen) {
        return NULL;
    }
    return &shms[i];
}

/*
 * MEM_SHM_NEW: an object of len bytes (rounded up to pages, at most PM_SHM_MAX_PAGES),
 * zeroed; *badge is what its handle carries. EINVAL (len), ENOMEM (no entry or memory).
 */
int
pm_shm_new(struct pm_proc *maker, uint64_t len, uint64_t *badge)
{
    uint64_t n = (len + PAGE - 1) / PAGE;
    if (len == 0 || len > (uint64_t)PM_SHM_MAX_PAGES * PAGE) {
        return -CR_EINVAL;
    }
    struct pm_shm *m = NULL;
    for (unsigned i = 0; i < PM_SHM_MAX && m == NULL; i++) {
        if (shms[i].home == NULL) {
            m = &shms[i];
        }
    }
    int err = -CR_ENOMEM;
    struct pm_proc *home = m != NULL ? pm_proc_new(0, &err) : NULL;
    if (home == NULL) {
        return err;
    }
    home->state = PM_S_OBJECT;
    memcpy(home->name, "shm", 4);
    for (uint64_t i = 0; i < n; i++) {
        err = pm_res_new(home, CR_OBJ_FRAME, 12, &m->slot[i]);
        if (err != 0) {
            pm_proc_discard(home);
            return err;
        }
    }
    m->home = home;
    m->maker = maker->pid;
    m->npages = (uint32_t)n;
    m->mapped = 0;
    *badge = PM_SHM_BADGE | ((uint64_t)m->gen << 16) | (uint64_t)(m - shms);
    return 0;
}

/* Maps page i of object k at va in p, through a copy of the frame capability at (handle,
 * index). */
static int
map_page(struct pm_proc *p, unsigned k, cr_cptr_t handle, uint64_t index, uint64_t va,
         uint32_t prot)
{
    struct pm_as *as = p->as;
    uint16_t slot;
    if (as->npages >= PM_MAX_PAGES) {
        return -CR_ENOMEM;
    }
    int rc = pm_res_take(p, &slot);
    if (rc != 0) {
        return rc;
    }
    rc = (int)cr_cap_copy(pm_res_handle(p, slot), pm_res_index(slot), handle, index,
                          CR_RIGHTS_ALL);
    if (rc != 0) {
        pm_res_untake(p, slot);
        return rc;
    }
    rc = pm_vm_map_frame(as, slot, va, prot);
    if (rc != 0) {
        pm_res_drop(p, slot);
        return rc;
    }
    struct pm_page pg = PM_PAGE_WITH_SHARE(PM_PAGE(va, slot, false), k + 1);
    pg.key |= PM_PAGE_SHM;
    as->pages[as->npages++] = pg;
    shms[k].mapped++;
    return 0;
}

/*
 * MEM_SHM_MAP: the object of the handle with `badge` mapped into p at addr (0: anywhere)
 * with prot; *out is the address. ESRCH (stale handle), ENOCTX (no own space), and the
 * errors of MEM_MAP_ANON. All or nothing.
 */
int
pm_shm_map(struct pm_proc *p, uint64_t badge, uint64_t addr, uint32_t prot, uint64_t *out)
{
    struct pm_shm *m = shm_of_badge(badge);
    if (m == NULL) {
        return -CR_ESRCH;
    }
    if (p->as == NULL || p->as->owner != p) {
        return -CR_ENOCTX;
    }
    uint64_t len = (uint64_t)m->npages * PAGE;
    int rc = pm_vm_map_anon(p, addr, len, prot, PM_R_SHM, out);
    for (uint32_t i = 0; rc == 0 && i < m->npages; i++) {
        rc = map_page(p, (unsigned)(m - shms), pm_res_handle(m->home, m->slot[i]),
                      pm_res_index(m->slot[i]), *out + (uint64_t)i * PAGE, prot);
        if (rc != 0) {
            pm_vm_unmap(p, *out, len);
        }
    }
    return rc;
}

/* PROC_AS_COPY of a shared-memory page pg of `from`: the child maps the same frame. */
int
pm_shm_copy_page(struct pm_proc *child, struct pm_proc *from, const struct pm_page *pg,
                 uint32_t prot)
{
    uint16_t s = PM_PAGE_SLOT(*pg);
    return map_page(child, PM_PAGE_SHARE(*pg) - 1, pm_res_handle(from, s), pm_res_index(s),
                    PM_PAGE_VA(*pg), prot);
}

/* Page pg (shared memory) of `as` goes: its capability copy, and a count. */
void
pm_shm_release(struct pm_as *as, struct pm_page *pg)
{
    struct pm_shm *m = &shms[PM_PAGE_SHARE(*pg) - 1];
    pm_res_drop(as->owner, PM_PAGE_SLOT(*pg));
    m->mapped--;
    shm_maybe_free(m);
}

/* p ends: its mappings stop counting (the copies go with its CNodes), and objects it made
 * and did not close end too once nothing maps them. */
void
pm_shm_exit(struct pm_proc *p)
{
    struct pm_as *as = p->as;
    if (as != NULL && as->owner == p) {
        for (uint32_t i = 0; i < as->npages; i++) {
            struct pm_page *pg = &as->pages[i];
            if (!PM_PAGE_IS_TABLE(*pg) && (pg->key & PM_PAGE_SHM)) {
                shms[PM_PAGE_SHARE(*pg) - 1].mapped--;
                pg->key &= ~(uint64_t)PM_PAGE_SHM;
                *pg = PM_PAGE_WITH_SHARE(*pg, 0);
            }
        }
    }
    for (unsigned i = 0; i < PM_SHM_MAX; i++) {
        if (shms[i].home != NULL && shms[i].maker == p->pid) {
            shms[i].maker = 0;
        }
        shm_maybe_free(&shms[i]);
    }
}

/* MEM_SHM_CLOSE: the object no longer lives for its maker. ESRCH: stale handle. */
int
pm_shm_close(uint64_t badge)
{
    struct pm_shm *m = shm_of_badge(badge);
    if (m == NULL) {
        return -CR_ESRCH;
    }
    m->maker = 0;
    shm_maybe_free(m);
    return 0;
}
