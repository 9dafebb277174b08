/* SPDX-License-Identifier: MIT */
/*
 * The iov copy planner: walks two iov lists (sender's and receiver's) in step and cuts
 * the copy into chunks that cross no page boundary on either side, so the copier can
 * translate each chunk's two addresses once and copy through the direct map. Pure logic:
 * iov entries are read through a fetch callback (usercopy in the kernel, arrays in host
 * tests), one entry at a time, so no iov array is ever copied whole into the kernel.
 */
#pragma once

#include <kernel/types.h>
#include <courier/abi/errors.h>
#include <courier/abi/msg.h>

/* Reads entry idx (< n) of an iov array into *out. Returns 0 or -CR_EFAULT. */
typedef int (*iov_fetch_fn)(void *ctx, uint32_t idx, struct cr_iov *out);

struct iov_cursor {
    iov_fetch_fn fetch;
    void *ctx;
    uint32_t n;    /* number of entries */
    uint32_t idx;  /* current entry; == n when the list is used up */
    uint64_t addr; /* user address of the next byte (in entry idx) */
    uint64_t left; /* bytes left in entry idx; > 0 unless idx == n */
};

int iov_cursor_init(struct iov_cursor *c, iov_fetch_fn fetch, void *ctx, uint32_t n);
int iov_cursor_init_from(struct iov_cursor *c, iov_fetch_fn fetch, void *ctx, uint32_t n,
                         uint32_t idx);
int iov_cursor_skip(struct iov_cursor *c, uint64_t bytes);
uint64_t iov_chunk(const struct iov_cursor *a, const struct iov_cursor *b, uint64_t limit);
int iov_total(iov_fetch_fn fetch, void *ctx, uint32_t n, uint64_t *total);

/* True when c has no bytes left: every entry has been used up (or there were none). */
static inline bool
iov_cursor_done(const struct iov_cursor *c)
{
    return c->idx >= c->n;
}

/*
 * iov_cursor_skip without a call in the two cases a copy meets most: `bytes` within the
 * current entry, or exactly to the end of the last entry. Same results, errors and
 * fetches as iov_cursor_skip in every case (host-tested against it).
 */
static inline int
iov_cursor_advance(struct iov_cursor *c, uint64_t bytes)
{
    if (bytes < c->left) {
        c->addr += bytes;
        c->left -= bytes;
        return 0;
    }
    if (bytes == c->left && c->idx + 1 >= c->n) {
        c->idx = c->n; /* the last entry used up: done, nothing to fetch */
        c->addr = 0;
        c->left = 0;
        return 0;
    }
    return iov_cursor_skip(c, bytes);
}

/*
 * The rest of iov_cursor_start once entry 0 of a list of 1..CR_IOV_MAX entries has been
 * read, into v0: for a caller that reads it another way (the copier, from a page it has
 * cached). Same results, errors and further fetches as iov_cursor_init that read v0 as
 * entry 0 (host-tested against it).
 */
static inline int
iov_cursor_start_with(struct iov_cursor *c, iov_fetch_fn fetch, void *ctx, uint32_t n,
                      struct cr_iov v0)
{
    if (v0.len > UINT64_MAX - v0.base) {
        return -CR_EINVAL; /* the end, base + len, wraps */
    }
    if (v0.len == 0) {
        return iov_cursor_init_from(c, fetch, ctx, n, 1);
    }
    *c = (struct iov_cursor){ .fetch = fetch, .ctx = ctx, .n = n, .idx = 0, .addr = v0.base,
                              .left = v0.len };
    return 0;
}

/*
 * iov_cursor_init without a call in the case a copy meets most: entry 0 is not empty.
 * Same results, errors and fetches as iov_cursor_init in every case (host-tested
 * against it).
 */
static inline int
iov_cursor_start(struct iov_cursor *c, iov_fetch_fn fetch, void *ctx, uint32_t n)
{
    if (n == 0 || n > CR_IOV_MAX) {
        return iov_cursor_init(c, fetch, ctx, n);
    }
    struct cr_iov v;
    int rc = fetch(ctx, 0, &v);
    if (rc != 0) {
        return rc;
    }
    return iov_cursor_start_with(c, fetch, ctx, n, v);
}

/*
 * iov_total over n entries already in kernel memory, without a call: the same total and
 * the same errors (-CR_EINVAL: an entry or the sum wraps; host-tested against it). O(n).
 */
static inline int
iov_sum(const struct cr_iov *v, uint32_t n, uint64_t *total)
{
    uint64_t sum = 0;
    /* Bounded by n; callers keep it small. */
    for (uint32_t i = 0; i < n; i++) {
        if (v[i].len > UINT64_MAX - v[i].base || v[i].len > UINT64_MAX - sum) {
            return -CR_EINVAL;
        }
        sum += v[i].len;
    }
    *total = sum;
    return 0;
}
