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

struct cr_iov;

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
int iov_cursor_skip(struct iov_cursor *c, uint64_t bytes);
bool iov_cursor_done(const struct iov_cursor *c);
uint64_t iov_chunk(const struct iov_cursor *a, const struct iov_cursor *b, uint64_t limit);
int iov_total(iov_fetch_fn fetch, void *ctx, uint32_t n, uint64_t *total);

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
