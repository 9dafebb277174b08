/* SPDX-License-Identifier: MIT */
/*
 * VSpaces, page-table objects and frame mappings (the vspace_* calls). The rules: a
 * frame or table capability maps at most once, and records where (ASID with
 * generation, and vaddr) so that deleting the capability undoes exactly its mapping;
 * only user addresses may be mapped; a frame is mapped with at most the rights its
 * capability carries. The ASID table has a fixed size (VSPACE_MAX_ASIDS), free indices
 * on a stack, and each entry a generation that changes when the VSpace is destroyed, so
 * stale capabilities stay harmless. A frame capability also records the cache mode it
 * was mapped with, so vspace_remap keeps it.
 */
#include <kernel/cpu.h>
#include <kernel/vspace.h>
#include <kernel/cnode.h>
#include <kernel/errors.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/tcb.h>
#include <kernel/tlbtag.h>
#include <arch/cpu.h>
#include <arch/mmu.h>

/* A VSpace's TLB tag (PCID) is its ASID index: as many tags as ASIDs, none shared. */
_Static_assert((unsigned)VSPACE_MAX_ASIDS == (unsigned)TLBTAG_COUNT, "one TLB tag per ASID");
_Static_assert((unsigned)ASID_BITS == (unsigned)TLBTAG_BITS, "one TLB tag per ASID");

struct asid_entry {
    void *pml4;   /* NULL when free */
    uint32_t gen; /* bumped on free */
};

static struct {
    struct asid_entry table[VSPACE_MAX_ASIDS];
    uint16_t free[VSPACE_MAX_ASIDS]; /* stack of free indices, so alloc and free are O(1) */
    uint32_t nfree;
    bool ready;
} asids;

static void
asid_init(void)
{
    /* Index 0 is never used, so a zeroed capability names no VSpace. */
    for (uint32_t i = VSPACE_MAX_ASIDS - 1; i >= 1; i--) {
        asids.free[asids.nfree++] = (uint16_t)i;
    }
    asids.ready = true;
}

static inline uint32_t
asid_pack(uint32_t idx, uint32_t gen)
{
    return idx | (gen << ASID_BITS);
}

/* Number of free ASIDs. */
uint64_t
vspace_asid_free_count(void)
{
    if (!asids.ready) {
        asid_init();
    }
    return asids.nfree;
}

/* Gives pml4 an ASID, packed with its generation. Errors: -ENOSPC when none is free. O(1). */
int
vspace_asid_alloc(void *pml4, uint32_t *asid_out)
{
    if (!asids.ready) {
        asid_init();
    }
    if (asids.nfree == 0) {
        return -CR_ENOSPC;
    }
    uint32_t i = asids.free[--asids.nfree];
    asids.table[i].pml4 = pml4;
    *asid_out = asid_pack(i, asids.table[i].gen);
    return 0;
}

/* Returns the PML4 for a packed ASID+generation, or NULL if it is stale. */
void *
vspace_from_asid(uint32_t asid_gen)
{
    uint32_t idx = asid_gen & (VSPACE_MAX_ASIDS - 1);
    uint32_t gen = asid_gen >> ASID_BITS;
    if (idx == 0 || asids.table[idx].gen != gen) {
        return NULL;
    }
    return asids.table[idx].pml4;
}

/* The last capability to a VSpace is gone: retire its ASID. */
void
vspace_finalise(struct cap *c)
{
    uint32_t idx = c->aux & (VSPACE_MAX_ASIDS - 1);
    if (vspace_from_asid(c->aux) == NULL) {
        return;
    }
    void *pml4 = asids.table[idx].pml4;
    if (virt_to_phys(pml4) == arch_cpu_read_cr3()) {
        arch_mmu_switch(arch_mmu_kernel_pml4(), 0);
    }
    arch_mmu_retire(c->aux); /* its TLB tag is flushed before the index is used again */
    arch_mmu_changed();
    asids.table[idx].pml4 = NULL;
    asids.table[idx].gen = (asids.table[idx].gen + 1) & ((1u << (32 - ASID_BITS)) - 1);
    asids.free[asids.nfree++] = (uint16_t)idx;
}

static enum mmu_level
table_level(unsigned type)
{
    switch (type) {
    case CR_OBJ_PT:
        return MMU_LEVEL_PT;
    case CR_OBJ_PD:
        return MMU_LEVEL_PD;
    default:
        return MMU_LEVEL_PDPT;
    }
}

/* Undoes the mapping a frame or table capability holds, if it still exists. */
void
vspace_unmap_cap(struct cap *c)
{
    if (!(c->flags & CAP_F_MAPPED)) {
        return;
    }
    void *pml4 = vspace_from_asid(c->aux);
    if (pml4 != NULL) {
        if (c->type == CR_OBJ_FRAME) {
            arch_mmu_unmap_frame(pml4, c->aux, c->w1, c->obj, c->size_bits);
        } else {
            arch_mmu_unmap_table(pml4, c->aux, c->w1, table_level(c->type), c->obj);
        }
    }
    c->flags &= ~(CAP_F_MAPPED | CAP_F_MAP_ATTRS);
    c->w1 = 0;
    c->aux = 0;
}

static int
lookup_vspace(uint64_t cptr, struct slot **vs, void **pml4)
{
    int rc = cnode_lookup_cap(sched_current(), cptr, CR_OBJ_VSPACE, vs);
    if (rc != 0) {
        return rc;
    }
    *pml4 = vspace_from_asid((*vs)->cap.aux);
    return *pml4 == NULL ? -CR_EINVAL : 0;
}

static unsigned
perm_from_rights(uint64_t rights, uint64_t attrs)
{
    unsigned p = MMU_PERM_READ;
    if (rights & CR_RIGHT_WRITE) {
        p |= MMU_PERM_WRITE;
    }
    if (rights & CR_RIGHT_EXEC) {
        p |= MMU_PERM_EXEC;
    }
    if (attrs & CR_MAP_UNCACHED) {
        p |= MMU_PERM_UNCACHED;
    } else if (attrs & CR_MAP_WRITE_COMBINE) {
        p |= MMU_PERM_WC;
    }
    return p;
}

static int
check_rights(const struct cap *frame, uint64_t rights, uint64_t attrs)
{
    if ((rights & ~(uint64_t)(CR_RIGHT_READ | CR_RIGHT_WRITE | CR_RIGHT_EXEC)) != 0 ||
        !(rights & CR_RIGHT_READ) ||
        (attrs & ~(uint64_t)(CR_MAP_UNCACHED | CR_MAP_WRITE_COMBINE)) != 0) {
        return -CR_EINVAL;
    }
    if ((rights & frame->rights) != rights) {
        return -CR_EPERM;
    }
    return 0;
}

/*
 * vspace_map(frame, vspace, vaddr, rights, attrs): maps a 4 KiB or 2 MiB frame at vaddr
 * with rights (READ required, WRITE, EXEC) and cache attributes.
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE, EINVAL (misaligned or non-user vaddr, bad rights
 * or attrs, stale VSpace), EPERM (rights beyond the capability's), EMAPPED (this
 * capability already maps the frame), ENOTABLE (page-table level missing), EEXIST
 * (vaddr already mapped).
 */
int64_t
sys_vspace_map(uint64_t frame_cptr, uint64_t vspace_cptr, uint64_t vaddr, uint64_t rights,
               uint64_t attrs)
{
    struct slot *fs;
    struct slot *vs;
    void *pml4;
    int rc = cnode_lookup_cap(sched_current(), frame_cptr, CR_OBJ_FRAME, &fs);
    if (rc == 0) {
        rc = lookup_vspace(vspace_cptr, &vs, &pml4);
    }
    if (rc != 0) {
        return rc;
    }
    struct cap *f = &fs->cap;
    uint64_t size = 1ull << f->size_bits;
    if (!IS_ALIGNED(vaddr, size) || vaddr < CR_USER_MIN || vaddr > CR_USER_MAX - size) {
        return -CR_EINVAL;
    }
    rc = check_rights(f, rights, attrs);
    if (rc != 0) {
        return rc;
    }
    if (f->flags & CAP_F_MAPPED) {
        return -CR_EMAPPED;
    }
    rc = arch_mmu_map_frame(pml4, vaddr, f->obj, f->size_bits, perm_from_rights(rights, attrs));
    if (rc != 0) {
        return rc;
    }
    f->flags |= CAP_F_MAPPED;
    if (attrs & CR_MAP_UNCACHED) {
        f->flags |= CAP_F_MAP_UNCACHED;
    } else if (attrs & CR_MAP_WRITE_COMBINE) {
        f->flags |= CAP_F_MAP_WC;
    }
    f->w1 = vaddr;
    f->aux = vs->cap.aux;
    return 0;
}

/*
 * vspace_unmap(frame): removes the frame's mapping (a no-op if not mapped).
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE (frame or page-table capabilities accepted).
 */
int64_t
sys_vspace_unmap(uint64_t cptr)
{
    struct slot *s;
    int rc = cnode_lookup_cap(sched_current(), cptr, CR_OBJ_NULL, &s);
    if (rc != 0) {
        return rc;
    }
    unsigned t = s->cap.type;
    if (t != CR_OBJ_FRAME && t != CR_OBJ_PT && t != CR_OBJ_PD && t != CR_OBJ_PDPT) {
        return -CR_EWRONGTYPE;
    }
    vspace_unmap_cap(&s->cap);
    return 0;
}

/*
 * vspace_remap(frame, rights): changes the rights of the frame's existing mapping; its
 * cache mode stays the one vspace_map recorded.
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE, EINVAL (bad rights), EPERM, ENOTMAPPED.
 */
int64_t
sys_vspace_remap(uint64_t frame_cptr, uint64_t rights)
{
    struct slot *fs;
    int rc = cnode_lookup_cap(sched_current(), frame_cptr, CR_OBJ_FRAME, &fs);
    if (rc != 0) {
        return rc;
    }
    struct cap *f = &fs->cap;
    rc = check_rights(f, rights, 0);
    if (rc != 0) {
        return rc;
    }
    void *pml4 = (f->flags & CAP_F_MAPPED) ? vspace_from_asid(f->aux) : NULL;
    if (pml4 == NULL) {
        return -CR_ENOTMAPPED;
    }
    uint64_t attrs = (f->flags & CAP_F_MAP_UNCACHED) ? CR_MAP_UNCACHED
                     : (f->flags & CAP_F_MAP_WC)     ? CR_MAP_WRITE_COMBINE
                                                     : 0;
    return arch_mmu_remap_frame(pml4, f->aux, f->w1, f->obj, f->size_bits,
                                perm_from_rights(rights, attrs));
}

/*
 * Empties a table page that has just been installed. A table that is not installed
 * anywhere can still hold entries from an earlier mapping: it was unmapped, or its
 * VSpace or parent table went away. Those entries are not tracked by any capability any
 * more (a frame capability undoes only the mapping it recorded, and finds it only along
 * the path it was made through), so they would keep frames reachable after their last
 * capability is deleted and their memory is retyped. A table therefore always starts
 * empty where it is mapped, and the TLB is flushed when anything was dropped. O(512).
 */
static void
table_scrub(paddr_t table)
{
    uint64_t *e = phys_to_virt(table);
    bool dropped = false;
    for (unsigned i = 0; i < 512; i++) {
        if (e[i] != 0) {
            e[i] = 0;
            dropped = true;
        }
    }
    if (dropped) {
        arch_mmu_changed();
        arch_cpu_flush_tlb();
    }
}

/*
 * vspace_map_table(table, vspace, vaddr): installs a PT, PD or PDPT so that it
 * translates vaddr (rounded down to the table's span). The table starts empty there:
 * entries left from an earlier mapping are dropped (see table_scrub).
 * Errors: EBADCAP/ENOCAP/EBUSY, EWRONGTYPE (not a table), EINVAL (vaddr not in user space,
 * stale VSpace), EMAPPED (the capability already maps its table), ENOTABLE (the level
 * above is missing), EEXIST (a table or large page is already there).
 */
int64_t
sys_vspace_map_table(uint64_t table_cptr, uint64_t vspace_cptr, uint64_t vaddr)
{
    struct slot *ts;
    struct slot *vs;
    void *pml4;
    int rc = cnode_lookup_cap(sched_current(), table_cptr, CR_OBJ_NULL, &ts);
    if (rc == 0) {
        unsigned t = ts->cap.type;
        if (t != CR_OBJ_PT && t != CR_OBJ_PD && t != CR_OBJ_PDPT) {
            rc = -CR_EWRONGTYPE;
        }
    }
    if (rc == 0) {
        rc = lookup_vspace(vspace_cptr, &vs, &pml4);
    }
    if (rc != 0) {
        return rc;
    }
    struct cap *c = &ts->cap;
    enum mmu_level level = table_level(c->type);
    uint64_t span = 1ull << (12 + 9 * (level + 1));
    vaddr = ALIGN_DOWN(vaddr, span);
    if (vaddr >= CR_USER_MAX) {
        return -CR_EINVAL;
    }
    if (c->flags & CAP_F_MAPPED) {
        return -CR_EMAPPED;
    }
    rc = arch_mmu_map_table(pml4, vaddr, level, c->obj);
    if (rc != 0) {
        return rc;
    }
    if (c->flags & CAP_F_TABLE_USED) {
        table_scrub(c->obj); /* a fresh table is zero (retype): only a used one is scrubbed */
    }
    c->flags |= CAP_F_MAPPED | CAP_F_TABLE_USED;
    c->w1 = vaddr;
    c->aux = vs->cap.aux;
    return 0;
}
