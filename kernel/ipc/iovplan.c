/* SPDX-License-Identifier: MIT */
/*
 * The iov copy planner (docs/ipc.md, "The copier"). A cursor walks one iov list; the
 * copier holds one for each side, asks iov_chunk how far both can go together without
 * either crossing a page boundary, copies that much and skips both cursors by it.
 * Invariant of a cursor: it rests on a non-empty entry (left > 0) or it is done
 * (idx == n, left == 0, addr == 0); zero-length entries are stepped over wherever they are.
 * Entries are fetched lazily, one at a time and only as far as the next non-empty entry,
 * so a fault in an entry the copy never reaches does not fail it. An entry whose end,
 * base + len, is 2^64 or more is rejected with -CR_EINVAL when it is fetched; address
 * ranges (user or kernel half) are left to the copier's translation. A failed call
 * leaves the cursor as it was. Pure logic: no arch headers, host-tested with
 * randomized cross-checks against a naive byte copy (kernel/ipc/test/iovplan_test.c).
 */
#include <kernel/iovplan.h>

#include <courier/abi/errors.h>
#include <courier/abi/msg.h>
#include <courier/abi/types.h>

/* Fetches entry idx and checks it. Errors: the fetch's (-CR_EFAULT), -CR_EINVAL (wraps). */
static int
fetch_entry(iov_fetch_fn fetch, void *ctx, uint32_t idx, struct cr_iov *v)
{
    int rc = fetch(ctx, idx, v);
    if (rc != 0) {
        return rc;
    }
    /* The end, base + len, must be a 64-bit address: len <= UINT64_MAX - base. */
    if (v->len > UINT64_MAX - v->base) {
        return -CR_EINVAL;
    }
    return 0;
}

/*
 * Puts c on the first non-empty entry at or after idx, or makes it done. On error c is
 * partly written; callers work on a copy. Bounded by c->n - idx fetches.
 */
static int
seek_nonempty(struct iov_cursor *c, uint32_t idx)
{
    for (; idx < c->n; idx++) {
        struct cr_iov v;
        int rc = fetch_entry(c->fetch, c->ctx, idx, &v);
        if (rc != 0) {
            return rc;
        }
        if (v.len > 0) {
            c->idx = idx;
            c->addr = v.base;
            c->left = v.len;
            return 0;
        }
    }
    c->idx = c->n;
    c->addr = 0;
    c->left = 0;
    return 0;
}

/*
 * Sets c to the start of the n-entry iov list that fetch(ctx, ...) reads: on its first
 * non-empty entry, or done if there is none. Fetches entries 0 up to that entry and no
 * further. On error *c is unchanged.
 * Errors: -CR_EINVAL (n > CR_IOV_MAX, or an entry fetched wraps: base + len >= 2^64),
 * -CR_EFAULT (or whatever else fetch returns) when an entry cannot be read.
 * Cost: O(leading zero-length entries), at most n <= CR_IOV_MAX fetches.
 */
int
iov_cursor_init(struct iov_cursor *c, iov_fetch_fn fetch, void *ctx, uint32_t n)
{
    return iov_cursor_init_from(c, fetch, ctx, n, 0);
}

/*
 * iov_cursor_init, but taking entries before idx (<= n) as empty without reading them:
 * the cursor is put on the first non-empty entry at or after idx. Same errors; fetches
 * entries idx up to that entry and no further. iov_cursor_start_with calls it with idx
 * 1 when entry 0, read by its caller, is empty.
 */
int
iov_cursor_init_from(struct iov_cursor *c, iov_fetch_fn fetch, void *ctx, uint32_t n,
                     uint32_t idx)
{
    if (n > CR_IOV_MAX) {
        return -CR_EINVAL;
    }
    struct iov_cursor t = { .fetch = fetch, .ctx = ctx, .n = n };
    int rc = seek_nonempty(&t, idx);
    if (rc != 0) {
        return rc;
    }
    *c = t;
    return 0;
}

/*
 * Advances c by `bytes` bytes of the list, across entries, and then on to the next
 * non-empty entry, fetching entries as it reaches them. Skipping past the end leaves c
 * done and succeeds; skipping 0 bytes does nothing. On error *c is unchanged.
 * Errors: -CR_EINVAL (an entry reached wraps), -CR_EFAULT (or whatever else fetch
 * returns) when an entry reached cannot be read.
 * Cost: O(entries crossed), at most c->n <= CR_IOV_MAX fetches.
 */
int
iov_cursor_skip(struct iov_cursor *c, uint64_t bytes)
{
    struct iov_cursor t = *c;
    /* Bounded: every pass ends an entry, and there are t.n <= CR_IOV_MAX of them. */
    while (bytes > 0 && t.idx < t.n) {
        if (bytes < t.left) {
            t.addr += bytes;
            t.left -= bytes;
            break;
        }
        bytes -= t.left;
        int rc = seek_nonempty(&t, t.idx + 1);
        if (rc != 0) {
            return rc;
        }
    }
    *c = t;
    return 0;
}

/* Bytes from addr to the next page boundary: 1..CR_PAGE_SIZE. */
static uint64_t
to_page_end(uint64_t addr)
{
    return CR_PAGE_SIZE - (addr & (CR_PAGE_SIZE - 1));
}

/*
 * The length of the next chunk cursors a and b can advance by together: the least of
 * both cursors' bytes left in their entries, the bytes to the next page boundary of
 * a->addr and of b->addr, and limit. So a chunk lies inside one entry and one page on
 * each side and is at most CR_PAGE_SIZE. Returns 0 if either cursor is done or limit is 0.
 * Cost: O(1); reads no entries.
 */
uint64_t
iov_chunk(const struct iov_cursor *a, const struct iov_cursor *b, uint64_t limit)
{
    if (iov_cursor_done(a) || iov_cursor_done(b)) {
        return 0;
    }
    uint64_t len = MIN(a->left, b->left);
    len = MIN(len, to_page_end(a->addr));
    len = MIN(len, to_page_end(b->addr));
    return MIN(len, limit);
}

/*
 * Sets *total to the sum of the lengths of all n entries of the list fetch(ctx, ...)
 * reads, reading every entry once. On error *total is unchanged.
 * Errors: -CR_EINVAL (n > CR_IOV_MAX, an entry wraps: base + len >= 2^64, or the sum is
 * 2^64 or more), -CR_EFAULT (or whatever else fetch returns) when an entry cannot be read.
 * Cost: n <= CR_IOV_MAX fetches.
 */
int
iov_total(iov_fetch_fn fetch, void *ctx, uint32_t n, uint64_t *total)
{
    if (n > CR_IOV_MAX) {
        return -CR_EINVAL;
    }
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        struct cr_iov v;
        int rc = fetch_entry(fetch, ctx, i, &v);
        if (rc != 0) {
            return rc;
        }
        if (v.len > UINT64_MAX - sum) {
            return -CR_EINVAL;
        }
        sum += v.len;
    }
    *total = sum;
    return 0;
}
