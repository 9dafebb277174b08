/* SPDX-License-Identifier: MIT */
/*
 * The copier's memory of where a thread's buffers lie (docs/ipc.md, "Spans"): for each
 * side of its copies (read from, written to) a thread keeps the last runs the copier
 * found, each a range of user addresses on consecutive physical frames. A message
 * through the same buffers as an earlier one then needs no page-table entry read at all,
 * whatever the layout: one run for a buffer on consecutive frames, one per piece for a
 * scattered one. Pure logic (copyrun.c has the recording, host-tested in
 * kernel/ipc/test/copyrun_test.c); the copier (copy.c) finds the spans and decides
 * when runs may be trusted.
 *
 * Invariant: every run held is a fact about one address space (`space`), the rights
 * the cache is for and one mapping generation (`gen`): its bytes were mapped
 * user-accessible, writable too for a cache of the writing side, on consecutive frames
 * from `pa`, when arch_mmu_generation() was `gen`. The rights are not part of the key: a
 * cache serves one side for good (a TCB's copy_runs[0] only reads, [1] only writes). Such
 * a fact stays true until a mapping is removed or loses rights, which changes the
 * generation, so copyrun_begin empties a cache under any other key before a copy uses
 * it. A copy runs without giving up the CPU between
 * copyrun_begin and its last lookup (a preemption point ends the call; one CPU, as the
 * page-table code assumes too), so nothing can change the mappings in between.
 */
#pragma once

#include <kernel/types.h>

enum {
    /* Runs kept per side: a buffer of up to 16 pieces of consecutive frames (64 KiB of
     * scattered 4 KiB pages, one look-ahead of the copier; any length of consecutive
     * ones) is found once. 24 bytes each, twice per TCB. */
    COPYRUN_MAX = 16,
};

struct copyrun {
    uint64_t va;  /* first user address */
    uint64_t len; /* bytes, > 0 */
    paddr_t pa;   /* va's physical address; the rest follow it */
};

struct copyrun_cache {
    struct copyrun r[COPYRUN_MAX]; /* first: &r[i] is the cache plus i runs */
    uint64_t gen;                  /* mapping generation the runs were found under */
    const void *space;             /* address space (its root table) they describe */
    uint8_t n;                     /* runs held, r[0..n) */
    uint8_t cur; /* the run the last lookup or record used: < n, or 0 if n == 0 */
};

void copyrun_record(struct copyrun_cache *c, uint64_t va, uint64_t len, paddr_t pa);

/*
 * Readies c for a copy in address space `space`, under mapping generation gen (with the
 * rights c is for): the runs stay if they were found under the same two, else c is
 * emptied and takes them as its key. O(1).
 */
static inline void
copyrun_begin(struct copyrun_cache *c, const void *space, uint64_t gen)
{
    if (c->gen == gen && c->space == space) {
        return;
    }
    c->gen = gen;
    c->space = space;
    c->n = 0;
    c->cur = 0;
    c->r[0].len = 0; /* holds nothing: copyrun_lookup looks at r[cur] unchecked */
}

/* Whether run r holds address va (an address below r->va wraps to a huge offset). */
static inline bool
copyrun_holds(const struct copyrun *r, uint64_t va)
{
    return va - r->va < r->len;
}

/*
 * The bytes from va to the end of the run that holds it, with *pa va's physical address;
 * 0 if no run looked at holds va. Looks at the run used last, the one after it (a copy
 * goes on through a buffer run by run) and the first (a new copy through the same
 * buffers): O(1), so a miss costs three compares before the copier finds the span. The
 * run used last is looked at without checking that there is one: with none, r[0] (cur
 * is 0) has length 0 (a new TCB's, or copyrun_begin's) and holds nothing.
 */
static inline uint64_t
copyrun_lookup(struct copyrun_cache *c, uint64_t va, paddr_t *pa)
{
    const struct copyrun *r = &c->r[c->cur];
    if (!copyrun_holds(r, va)) {
        unsigned i = c->cur + 1u;
        if (i >= c->n || !copyrun_holds(&c->r[i], va)) {
            i = 0;
            if (c->n == 0 || !copyrun_holds(&c->r[0], va)) {
                return 0;
            }
        }
        c->cur = (uint8_t)i;
        r = &c->r[i];
    }
    uint64_t in = va - r->va;
    *pa = r->pa + in;
    return r->len - in;
}
