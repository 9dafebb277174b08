/* SPDX-License-Identifier: MIT */
/*
 * The memory pool (docs/memory.md): RAM as 1 MiB untyped chunks. At start the manager
 * takes the largest RAM untyped the system tests do not use and splits it into chunks;
 * a process is given chunks one at a time as it needs memory, up to its quota, and every
 * object it has — CNodes, VSpace, page tables, frames, TCBs — is retyped from them. When
 * it ends, each chunk is revoked (destroying everything made from it) and goes back on the
 * free list, reset: the pool then holds exactly what it held before the process.
 */
#include "pm.h"

#include <courier/abi/bootinfo.h>
#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/sys.h>

#include "../root.h"
#include "../slot.h"

enum {
    POOL_MAX = 1024, /* chunks: at most 1 GiB managed */
    POOL_MIN_SOURCE_BITS = 24,
};

static struct {
    cr_cptr_t free[POOL_MAX];
    unsigned nfree;
    unsigned total;
    bool done;
    int source; /* bootinfo index of the untyped split, -1 if none */
} pool = { .source = -1 };

/* The bootinfo index of the untyped the pool took (others must not use it), or -1. */
int
pm_pool_source(void)
{
    return pool.source;
}

/* The largest RAM untyped of at most 1 GiB that nobody else uses yet, or -1. */
static int
pick_source(const struct cr_bootinfo *bi, int avoid)
{
    int best = -1;
    uint64_t n = bi->untyped_count < CR_BOOTINFO_MAX_UNTYPED ? bi->untyped_count
                                                              : CR_BOOTINFO_MAX_UNTYPED;
    for (uint64_t i = 0; i < n; i++) {
        const struct cr_untyped_desc *u = &bi->untyped[i];
        if (u->is_device || (int)i == avoid || u->size_bits < POOL_MIN_SOURCE_BITS ||
            u->size_bits > 30) {
            continue;
        }
        if (best < 0 || u->size_bits > bi->untyped[best].size_bits) {
            best = (int)i;
        }
    }
    return best;
}

/*
 * Splits the source into chunks in root slots; called once, early (main.c), so the
 * choice is made before anything else takes memory. The system tests take the smallest
 * RAM untyped of at least 16 MiB (testlib.c) and their spare one avoids this one, so the
 * pool takes the largest other one.
 */
bool
pm_pool_init(void)
{
    if (pool.done) {
        return pool.total > 0;
    }
    pool.done = true;
    const struct cr_bootinfo *bi = root_bootinfo();
    int src = pick_source(bi, root_test_pool_index());
    if (src < 0) {
        return false;
    }
    pool.source = src;
    cr_cptr_t ut = bi->untyped_first + (uint64_t)src;
    unsigned bits = bi->untyped[src].size_bits;
    unsigned count = 1u << (bits - PM_CHUNK_BITS);
    if (count > POOL_MAX) {
        count = POOL_MAX;
    }
    cr_cptr_t first = root_slot_alloc();
    for (unsigned i = 1; i < count; i++) {
        if (root_slot_alloc() != first + i) {
            return false;
        }
    }
    if (first == 0 || cr_untyped_retype(ut, CR_OBJ_UNTYPED, PM_CHUNK_BITS, CR_CAP_ROOT_CNODE,
                                        first, count) != 0) {
        return false;
    }
    for (unsigned i = 0; i < count; i++) {
        pool.free[pool.nfree++] = first + count - 1 - i; /* low addresses first */
    }
    pool.total = count;
    return true;
}

/* A free chunk (empty: everything made from it was revoked), or 0. */
cr_cptr_t
pm_pool_take(void)
{
    return pool.nfree > 0 ? pool.free[--pool.nfree] : 0;
}

/* Revokes what was made from the chunk and puts it back. */
void
pm_pool_give(cr_cptr_t chunk)
{
    int64_t rc = cr_cap_revoke(CR_CAP_ROOT_CNODE, chunk);
    if (rc != 0) {
        pm_log("pm: revoke of chunk %llu failed: %s; it is lost\n", (unsigned long long)chunk,
               cr_errname((int)rc));
        return;
    }
    pool.free[pool.nfree++] = chunk;
}

uint64_t
pm_pool_free_count(void)
{
    return pool.nfree;
}

uint64_t
pm_pool_total(void)
{
    return pool.total;
}

/*
 * Retypes one object for process p into slot idx of the CNode the root-slot handle
 * `cnode_handle` names, from p's current chunk; takes a new chunk when that one is full,
 * into the first hole of p's list, up to the quota (PM_MAX_CHUNKS in use at once):
 * ENOMEM beyond it, to p alone. p->last_chunk says which chunk the object came from.
 */
int
pm_alloc(struct pm_proc *p, unsigned type, unsigned bits, cr_cptr_t cnode_handle, uint64_t idx)
{
    int64_t rc = -CR_ENOMEM;
    unsigned old = p->cur_chunk;
    if (p->nchunks > 0 && p->chunks[old] != 0) {
        rc = cr_untyped_retype(p->chunks[old], type, bits, cnode_handle, idx, 1);
    }
    if (rc != -CR_ENOMEM) {
        if (rc == 0) {
            p->chunk_live[old]++;
            p->last_chunk = old;
        }
        return (int)rc;
    }
    unsigned k = 0;
    while (k < p->nchunks && p->chunks[k] != 0) {
        k++;
    }
    if (k >= PM_MAX_CHUNKS) {
        return -CR_ENOMEM;
    }
    cr_cptr_t c = pm_pool_take();
    if (c == 0) {
        return -CR_ENOMEM;
    }
    p->chunks[k] = c;
    p->chunk_live[k] = 0;
    p->nchunks = k == p->nchunks ? k + 1 : p->nchunks;
    p->cur_chunk = k;
    if (old != k && p->chunks[old] != 0 && p->chunk_live[old] == 0) {
        pm_chunk_drop(p, old); /* emptied while it was the current one */
    }
    rc = cr_untyped_retype(c, type, bits, cnode_handle, idx, 1);
    if (rc == 0) {
        p->chunk_live[k]++;
        p->last_chunk = k;
    }
    return (int)rc;
}

/*
 * One object made from p's chunk k is gone: a chunk left with none, other than the one
 * objects are made from now, goes back to the pool, so that memory a process frees counts
 * against its quota no longer (the untyped is reset only once all it made is gone).
 */
void
pm_chunk_drop(struct pm_proc *p, unsigned k)
{
    if (p->chunk_live[k] > 0) {
        p->chunk_live[k]--;
    }
    if (p->chunk_live[k] == 0 && k != p->cur_chunk && p->chunks[k] != 0) {
        pm_pool_give(p->chunks[k]);
        p->chunks[k] = 0;
    }
}
