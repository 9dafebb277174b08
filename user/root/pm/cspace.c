/* SPDX-License-Identifier: MIT */
/*
 * The managers' CSpace (pm.h). The root server's own CSpace is one CNode of 4096 slots,
 * in which a process's objects — held in CNodes of their own — cannot be named. The
 * manager threads therefore use a two-level CSpace: a first-level CNode of 2^12 slots
 * with a 40-bit guard, whose slot 0 holds the root CNode (so every root cptr below 4096
 * means the same slot here), and whose other slots hold process CNodes, each given the
 * guard that makes it take exactly 12 bits. PM_CPTR(l1, i) is then slot i of the CNode in
 * first-level slot l1.
 *
 * A CNode capability in a first-level slot cannot itself be named (the lookup goes on
 * into it), so calls that take a CNode (retype's destination) use a handle: a copy of
 * the CNode capability in a root-CNode slot, from a range reserved here.
 */
#include "pm.h"

#include <courier/abi/caps.h>
#include <courier/sys.h>

#include "../slot.h"

enum {
    L1_GUARD = 64 - PM_L1_RADIX - 12, /* 40: first level takes 52 bits, second 12 */
    NHANDLES = 4 * PM_MAX_PROCS, /* a CSpace and a few extents each, on average */
};

static struct {
    cr_cptr_t l1;      /* root slot: the first-level CNode (unguarded) */
    cr_cptr_t l1g;     /* root slot: the same, with the 40-bit guard: the CSpace root */
    uint8_t l1_used[(1u << PM_L1_RADIX) / 8];
    cr_cptr_t handle_base;
    uint8_t handle_used[NHANDLES / 8];
} cs;

static bool
bit_take(uint8_t *map, unsigned n, unsigned from, unsigned step, unsigned *out)
{
    for (unsigned i = from; i + step <= n; i += step) {
        if (!(map[i / 8] & (1u << (i % 8)))) {
            map[i / 8] |= (uint8_t)(1u << (i % 8));
            *out = i;
            return true;
        }
    }
    return false;
}

/* Builds the first level from untyped `ut`; returns false if anything fails. */
bool
pm_cspace_init(cr_cptr_t ut)
{
    cs.l1 = root_slot_alloc();
    cs.l1g = root_slot_alloc();
    cs.handle_base = root_slot_alloc();
    for (unsigned i = 1; i < NHANDLES; i++) {
        if (root_slot_alloc() != cs.handle_base + i) {
            return false;
        }
    }
    if (cs.l1 == 0 || cs.l1g == 0 || cs.handle_base == 0 ||
        cr_untyped_retype(ut, CR_OBJ_CNODE, PM_L1_RADIX, CR_CAP_ROOT_CNODE, cs.l1, 1) != 0 ||
        cr_cap_mint(CR_CAP_ROOT_CNODE, cs.l1g, CR_CAP_ROOT_CNODE, cs.l1, CR_RIGHTS_ALL,
                    (uint64_t)L1_GUARD) != 0 ||
        cr_cap_mint(cs.l1, 0, CR_CAP_ROOT_CNODE, CR_CAP_ROOT_CNODE, CR_RIGHTS_ALL, 0) != 0) {
        return false;
    }
    cs.l1_used[0] = 1; /* slot 0: the root CNode */
    return true;
}

/* The CSpace root the manager threads are configured with. */
cr_cptr_t
pm_cspace_root(void)
{
    return cs.l1g;
}

/* A free first-level slot (for one of a process's CNodes). */
bool
pm_l1_alloc(unsigned *l1)
{
    return bit_take(cs.l1_used, 1u << PM_L1_RADIX, 1, 1, l1);
}

/* Gives the slot back; it must be empty (the process's chunks were revoked). */
void
pm_l1_free(unsigned l1)
{
    if (l1 != 0) {
        cs.l1_used[l1 / 8] &= (uint8_t)~(1u << (l1 % 8));
    }
}

/* The first-level CNode's own root slot (for cap operations on its slots). */
cr_cptr_t pm_l1_cnode(void);

cr_cptr_t
pm_l1_cnode(void)
{
    return cs.l1;
}

/* A root-CNode slot for a CNode handle, or 0. */
cr_cptr_t
pm_handle_alloc(void)
{
    unsigned i;
    return bit_take(cs.handle_used, NHANDLES, 0, 1, &i) ? cs.handle_base + i : 0;
}

void
pm_handle_free(cr_cptr_t h)
{
    unsigned i = (unsigned)(h - cs.handle_base);
    if (i < NHANDLES) {
        cs.handle_used[i / 8] &= (uint8_t)~(1u << (i % 8));
    }
}
