/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the iov copy planner (kernel/ipc/iovplan.c): cursor init, skip and done
 * over empty lists, zero-length entries and page-aligned entries; the chunk rule (never
 * past an entry, a page boundary on either side or the limit); every error code exactly,
 * with the cursor or total left unchanged; how many entries each call fetches (the
 * planner must read user iov entries lazily); and a randomized cross-check that copies
 * between two byte arrays standing in for address spaces, chunk by chunk, and compares
 * the result with a naive byte-at-a-time copy. Iov lists are host arrays read through a
 * fetch function that counts its calls and can be told to fault at one index.
 */
/* test-sources: kernel/ipc/iovplan.c */
#include "test.h"

#include <stdlib.h>

#include <courier/abi/msg.h>
#include <kernel/iovplan.h>

enum {
    PAGE = 4096,         /* the planner's page size (CR_PAGE_SIZE) */
    NO_FAULT = 0xffffff, /* fault_at value that never matches an index below CR_IOV_MAX */
};

/* An iov list in host memory, as the fetch callback sees it. */
struct list {
    const struct cr_iov *v;
    uint32_t n;        /* entries in v; fetching idx >= n is a planner bug */
    uint32_t fault_at; /* fetching this index fails with -CR_EFAULT */
    uint32_t fetches;  /* fetch calls so far */
    uint32_t max_idx;  /* highest index fetched, meaningful if fetches > 0 */
    bool out_of_range; /* some fetch asked for idx >= n */
};

/* The iov_fetch_fn over a struct list: counts, records the index, faults on request. */
static int
fetch(void *ctx, uint32_t idx, struct cr_iov *out)
{
    struct list *l = ctx;
    l->fetches++;
    if (idx > l->max_idx || l->fetches == 1) {
        l->max_idx = idx;
    }
    if (idx >= l->n) {
        l->out_of_range = true;
        return -CR_EFAULT;
    }
    if (idx == l->fault_at) {
        return -CR_EFAULT;
    }
    *out = l->v[idx];
    return 0;
}

static struct list
list(const struct cr_iov *v, uint32_t n)
{
    return (struct list){ .v = v, .n = n, .fault_at = NO_FAULT };
}

/* A cursor filled with a pattern, to show that a failing call did not write it. */
static struct iov_cursor
sentinel_cursor(void)
{
    struct iov_cursor c;
    memset(&c, 0xa5, sizeof(c));
    return c;
}

/* The entries of a maximal list, all zero-length except those a test sets. */
static struct cr_iov big[CR_IOV_MAX + 1];

TEST(iovplan_init_empty_list_is_done)
{
    struct list l = list(NULL, 0);
    struct iov_cursor c = sentinel_cursor();
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 0));
    ASSERT_TRUE(iov_cursor_done(&c));
    ASSERT_EQ(c.idx, 0);
    ASSERT_EQ(c.n, 0);
    ASSERT_EQ(c.left, 0);
    ASSERT_EQ(c.addr, 0);
    ASSERT_EQ(l.fetches, 0);
    ASSERT_ERR(0, iov_cursor_skip(&c, 1));
    ASSERT_TRUE(iov_cursor_done(&c));
    ASSERT_EQ(iov_chunk(&c, &c, UINT64_MAX), 0);
}

TEST(iovplan_init_positions_on_first_entry)
{
    const struct cr_iov v[] = { { 0x5000, 10 }, { 0x9000, 20 } };
    struct list l = list(v, 2);
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 2));
    ASSERT_TRUE(!iov_cursor_done(&c));
    ASSERT_TRUE(c.fetch == fetch);
    ASSERT_TRUE(c.ctx == &l);
    ASSERT_EQ(c.n, 2);
    ASSERT_EQ(c.idx, 0);
    ASSERT_EQ(c.addr, 0x5000);
    ASSERT_EQ(c.left, 10);
    /* Lazy: the second entry is not read yet. */
    ASSERT_EQ(l.fetches, 1);
}

TEST(iovplan_init_skips_zero_length_entries)
{
    const struct cr_iov v[] = { { 0x1000, 0 }, { 0, 0 }, { 0x2345, 7 }, { 0x8000, 0 } };
    struct list l = list(v, 4);
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 4));
    ASSERT_EQ(c.idx, 2);
    ASSERT_EQ(c.addr, 0x2345);
    ASSERT_EQ(c.left, 7);
    ASSERT_EQ(l.fetches, 3);
    ASSERT_EQ(l.max_idx, 2);
}

TEST(iovplan_init_all_zero_length_entries_is_done)
{
    const struct cr_iov v[] = { { 0x1000, 0 }, { 0x2000, 0 }, { UINT64_MAX, 0 } };
    struct list l = list(v, 3);
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 3));
    ASSERT_TRUE(iov_cursor_done(&c));
    ASSERT_EQ(c.idx, 3);
    ASSERT_EQ(c.left, 0);
    ASSERT_EQ(c.addr, 0);
    ASSERT_EQ(l.fetches, 3);
}

TEST(iovplan_init_does_not_fetch_past_first_nonempty_entry)
{
    /* Entry 2 faults, but init never reaches it. */
    const struct cr_iov v[] = { { 0x1000, 0 }, { 0x3000, 1 }, { 0x4000, 1 } };
    struct list l = list(v, 3);
    l.fault_at = 2;
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 3));
    ASSERT_EQ(c.idx, 1);
    ASSERT_EQ(l.max_idx, 1);
}

TEST(iovplan_init_too_many_entries_is_einval)
{
    struct list l = list(big, CR_IOV_MAX + 1);
    struct iov_cursor c = sentinel_cursor();
    struct iov_cursor before = c;
    ASSERT_ERR(-CR_EINVAL, iov_cursor_init(&c, fetch, &l, CR_IOV_MAX + 1));
    ASSERT_ERR(-CR_EINVAL, iov_cursor_init(&c, fetch, &l, UINT32_MAX));
    ASSERT_EQ(l.fetches, 0);
    ASSERT_TRUE(memcmp(&c, &before, sizeof(c)) == 0);
}

TEST(iovplan_init_accepts_exactly_iov_max_entries)
{
    memset(big, 0, sizeof(big));
    big[CR_IOV_MAX - 1] = (struct cr_iov){ 0x7000, 3 };
    struct list l = list(big, CR_IOV_MAX);
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, CR_IOV_MAX));
    ASSERT_EQ(c.idx, CR_IOV_MAX - 1);
    ASSERT_EQ(c.addr, 0x7000);
    ASSERT_EQ(c.left, 3);
    ASSERT_EQ(l.fetches, CR_IOV_MAX);
    ASSERT_TRUE(!l.out_of_range);
}

TEST(iovplan_init_wrapping_entry_is_einval)
{
    /* The end, base + len, must be at most UINT64_MAX. */
    const struct cr_iov ok[] = { { UINT64_MAX - 10, 10 } };
    const struct cr_iov end_2_64[] = { { UINT64_MAX - 10, 11 } };
    const struct cr_iov past[] = { { UINT64_MAX - 10, 12 } };
    const struct cr_iov huge[] = { { 0, 0 }, { UINT64_MAX, UINT64_MAX } };
    const struct cr_iov len_max[] = { { 1, UINT64_MAX } };
    struct iov_cursor c;

    struct list l = list(ok, 1);
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 1));
    ASSERT_EQ(c.addr, UINT64_MAX - 10);
    ASSERT_EQ(c.left, 10);

    const struct cr_iov *bad[] = { end_2_64, past, len_max };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        c = sentinel_cursor();
        struct iov_cursor before = c;
        l = list(bad[i], 1);
        ASSERT_ERR(-CR_EINVAL, iov_cursor_init(&c, fetch, &l, 1));
        ASSERT_TRUE(memcmp(&c, &before, sizeof(c)) == 0);
    }
    l = list(huge, 2);
    ASSERT_ERR(-CR_EINVAL, iov_cursor_init(&c, fetch, &l, 2));
}

TEST(iovplan_init_ignores_base_of_zero_length_entries)
{
    /* A zero-length entry covers no bytes, so its base cannot wrap whatever it is. */
    const struct cr_iov v[] = { { UINT64_MAX, 0 }, { 0, 1 } };
    struct list l = list(v, 2);
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 2));
    ASSERT_EQ(c.idx, 1);
    ASSERT_EQ(c.addr, 0);
}

TEST(iovplan_init_fetch_fault_is_efault_and_leaves_cursor)
{
    const struct cr_iov v[] = { { 0x1000, 0 }, { 0x2000, 0 }, { 0x3000, 0 }, { 0x4000, 5 } };
    for (uint32_t k = 0; k < 4; k++) {
        struct list l = list(v, 4);
        l.fault_at = k;
        struct iov_cursor c = sentinel_cursor();
        struct iov_cursor before = c;
        ASSERT_ERR(-CR_EFAULT, iov_cursor_init(&c, fetch, &l, 4));
        ASSERT_TRUE(memcmp(&c, &before, sizeof(c)) == 0);
        /* It stopped at the faulting entry. */
        ASSERT_EQ(l.fetches, k + 1);
    }
}

TEST(iovplan_done_follows_idx)
{
    struct iov_cursor c = { .n = 3, .idx = 2, .left = 1 };
    ASSERT_TRUE(!iov_cursor_done(&c));
    c.idx = 3;
    c.left = 0;
    ASSERT_TRUE(iov_cursor_done(&c));
}

TEST(iovplan_skip_zero_bytes_does_nothing)
{
    const struct cr_iov v[] = { { 0x1000, 4 }, { 0x2000, 4 } };
    struct list l = list(v, 2);
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 2));
    struct iov_cursor before = c;
    ASSERT_ERR(0, iov_cursor_skip(&c, 0));
    ASSERT_TRUE(memcmp(&c, &before, sizeof(c)) == 0);
    ASSERT_EQ(l.fetches, 1);
}

TEST(iovplan_skip_within_entry)
{
    const struct cr_iov v[] = { { 0x1ff0, 100 }, { 0x9000, 4 } };
    struct list l = list(v, 2);
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 2));
    ASSERT_ERR(0, iov_cursor_skip(&c, 1));
    ASSERT_EQ(c.idx, 0);
    ASSERT_EQ(c.addr, 0x1ff1);
    ASSERT_EQ(c.left, 99);
    ASSERT_ERR(0, iov_cursor_skip(&c, 98));
    ASSERT_EQ(c.idx, 0);
    ASSERT_EQ(c.addr, 0x2053);
    ASSERT_EQ(c.left, 1);
    /* Within the entry, nothing more is read. */
    ASSERT_EQ(l.fetches, 1);
}

TEST(iovplan_skip_to_entry_end_moves_to_next_nonempty)
{
    const struct cr_iov v[] = { { 0x1000, 8 }, { 0x2000, 0 }, { 0x3000, 0 }, { 0x4000, 2 } };
    struct list l = list(v, 4);
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 4));
    ASSERT_ERR(0, iov_cursor_skip(&c, 8));
    ASSERT_EQ(c.idx, 3);
    ASSERT_EQ(c.addr, 0x4000);
    ASSERT_EQ(c.left, 2);
    ASSERT_EQ(l.fetches, 4);
}

TEST(iovplan_skip_across_entries)
{
    const struct cr_iov v[] = {
        { 0x1000, 10 }, { 0x2000, 0 }, { 0x3000, 5 }, { 0x4000, 20 }, { 0x5000, 1 },
    };
    struct list l = list(v, 5);
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 5));
    ASSERT_ERR(0, iov_cursor_skip(&c, 3));
    /* 7 + 0 + 5 + 4 bytes: lands 4 bytes into entry 3. */
    ASSERT_ERR(0, iov_cursor_skip(&c, 16));
    ASSERT_EQ(c.idx, 3);
    ASSERT_EQ(c.addr, 0x4004);
    ASSERT_EQ(c.left, 16);
    /* Fetched entries 0..3 once each; entry 4 not yet. */
    ASSERT_EQ(l.fetches, 4);
    ASSERT_EQ(l.max_idx, 3);
    ASSERT_ERR(0, iov_cursor_skip(&c, 16));
    ASSERT_EQ(c.idx, 4);
    ASSERT_EQ(c.addr, 0x5000);
    ASSERT_EQ(c.left, 1);
    ASSERT_TRUE(!iov_cursor_done(&c));
    ASSERT_ERR(0, iov_cursor_skip(&c, 1));
    ASSERT_TRUE(iov_cursor_done(&c));
    ASSERT_EQ(c.idx, 5);
    ASSERT_EQ(c.left, 0);
    ASSERT_EQ(c.addr, 0);
    ASSERT_EQ(l.fetches, 5);
    ASSERT_TRUE(!l.out_of_range);
}

TEST(iovplan_skip_past_end_stops_at_end)
{
    const struct cr_iov v[] = { { 0x1000, 10 }, { 0x2000, 10 }, { 0x3000, 0 } };
    struct list l = list(v, 3);
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 3));
    ASSERT_ERR(0, iov_cursor_skip(&c, 21));
    ASSERT_TRUE(iov_cursor_done(&c));
    ASSERT_EQ(c.idx, 3);
    ASSERT_EQ(c.left, 0);
    ASSERT_ERR(0, iov_cursor_skip(&c, UINT64_MAX));
    ASSERT_TRUE(iov_cursor_done(&c));
    ASSERT_TRUE(!l.out_of_range);

    /* A huge skip from the start ends the same way. */
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 3));
    ASSERT_ERR(0, iov_cursor_skip(&c, UINT64_MAX));
    ASSERT_TRUE(iov_cursor_done(&c));
    ASSERT_EQ(c.idx, 3);
}

TEST(iovplan_skip_exactly_to_end_is_done)
{
    const struct cr_iov v[] = { { 0x1000, 10 }, { 0x2000, 10 }, { 0x3000, 0 } };
    struct list l = list(v, 3);
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 3));
    ASSERT_ERR(0, iov_cursor_skip(&c, 20));
    ASSERT_TRUE(iov_cursor_done(&c));
    ASSERT_EQ(c.idx, 3);
    ASSERT_EQ(l.fetches, 3);
}

TEST(iovplan_skip_fetch_fault_is_efault_and_leaves_cursor)
{
    const struct cr_iov v[] = { { 0x1000, 10 }, { 0x2000, 0 }, { 0x3000, 10 }, { 0x4000, 10 } };
    for (uint32_t k = 1; k < 4; k++) {
        struct list l = list(v, 4);
        struct iov_cursor c;
        ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 4));
        ASSERT_ERR(0, iov_cursor_skip(&c, 4));
        l.fault_at = k;
        struct iov_cursor before = c;
        ASSERT_ERR(-CR_EFAULT, iov_cursor_skip(&c, 25));
        ASSERT_TRUE(memcmp(&c, &before, sizeof(c)) == 0);
        /* The same skip succeeds once the entry reads again. */
        l.fault_at = NO_FAULT;
        ASSERT_ERR(0, iov_cursor_skip(&c, 25));
        ASSERT_EQ(c.idx, 3);
        ASSERT_EQ(c.addr, 0x4009);
        ASSERT_EQ(c.left, 1);
    }
}

TEST(iovplan_skip_stops_fetching_at_target)
{
    /* Entry 3 faults; a skip that ends in entry 2 never reads it. */
    const struct cr_iov v[] = { { 0x1000, 10 }, { 0x2000, 10 }, { 0x3000, 10 }, { 0x4000, 10 } };
    struct list l = list(v, 4);
    l.fault_at = 3;
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 4));
    ASSERT_ERR(0, iov_cursor_skip(&c, 29));
    ASSERT_EQ(c.idx, 2);
    ASSERT_EQ(c.left, 1);
    ASSERT_EQ(l.max_idx, 2);
    ASSERT_ERR(-CR_EFAULT, iov_cursor_skip(&c, 1));
    ASSERT_EQ(c.idx, 2);
    ASSERT_EQ(c.left, 1);
}

TEST(iovplan_skip_wrapping_entry_is_einval_and_leaves_cursor)
{
    const struct cr_iov v[] = { { 0x1000, 10 }, { UINT64_MAX - 4, 6 }, { 0x3000, 10 } };
    struct list l = list(v, 3);
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, 3));
    ASSERT_ERR(0, iov_cursor_skip(&c, 3));
    struct iov_cursor before = c;
    ASSERT_ERR(-CR_EINVAL, iov_cursor_skip(&c, 7));
    ASSERT_TRUE(memcmp(&c, &before, sizeof(c)) == 0);
    /* Up to the bad entry is fine. */
    ASSERT_ERR(0, iov_cursor_skip(&c, 6));
    ASSERT_EQ(c.idx, 0);
    ASSERT_EQ(c.left, 1);
}

TEST(iovplan_skip_fetches_each_crossed_entry_once)
{
    /* O(entries crossed): skipping k one-byte entries reads exactly k more entries. */
    memset(big, 0, sizeof(big));
    for (uint32_t i = 0; i < CR_IOV_MAX; i++) {
        big[i] = (struct cr_iov){ 0x100000 + 0x10 * (uint64_t)i, 1 };
    }
    struct list l = list(big, CR_IOV_MAX);
    struct iov_cursor c;
    ASSERT_ERR(0, iov_cursor_init(&c, fetch, &l, CR_IOV_MAX));
    ASSERT_EQ(l.fetches, 1);
    ASSERT_ERR(0, iov_cursor_skip(&c, 100));
    ASSERT_EQ(c.idx, 100);
    ASSERT_EQ(l.fetches, 101);
    ASSERT_ERR(0, iov_cursor_skip(&c, UINT64_MAX));
    ASSERT_TRUE(iov_cursor_done(&c));
    ASSERT_EQ(l.fetches, CR_IOV_MAX);
    ASSERT_TRUE(!l.out_of_range);
}

/* Builds a cursor on one entry, for the chunk tests. */
static struct iov_cursor
at(uint64_t addr, uint64_t left)
{
    return (struct iov_cursor){ .n = 1, .idx = 0, .addr = addr, .left = left };
}

TEST(iovplan_chunk_single_byte)
{
    struct iov_cursor a = at(0x1000, 1);
    struct iov_cursor b = at(0x2fff, 1);
    ASSERT_EQ(iov_chunk(&a, &b, UINT64_MAX), 1);
    ASSERT_EQ(iov_chunk(&b, &a, 1), 1);
}

TEST(iovplan_chunk_is_least_bytes_left)
{
    struct iov_cursor a = at(0x1000, 100);
    struct iov_cursor b = at(0x5000, 30);
    ASSERT_EQ(iov_chunk(&a, &b, UINT64_MAX), 30);
    ASSERT_EQ(iov_chunk(&b, &a, UINT64_MAX), 30);
}

TEST(iovplan_chunk_stops_at_page_boundary_of_either_side)
{
    struct iov_cursor a = at(0x1ff0, 1000);
    struct iov_cursor b = at(0x5000, 1000);
    ASSERT_EQ(iov_chunk(&a, &b, UINT64_MAX), 0x10);
    ASSERT_EQ(iov_chunk(&b, &a, UINT64_MAX), 0x10);
    a = at(0x1000, 1000);
    b = at(0x5fff, 1000);
    ASSERT_EQ(iov_chunk(&a, &b, UINT64_MAX), 1);
    ASSERT_EQ(iov_chunk(&b, &a, UINT64_MAX), 1);
    a = at(0x1234, 100000);
    b = at(0x7abc, 100000);
    ASSERT_EQ(iov_chunk(&a, &b, UINT64_MAX), 0x1000 - 0xabc);
}

TEST(iovplan_chunk_of_page_aligned_entries_is_one_page)
{
    /* Both entries exactly two pages on page boundaries: two full-page chunks, then done. */
    const struct cr_iov va[] = { { 0x10000, 2 * PAGE } };
    const struct cr_iov vb[] = { { 0x20000, PAGE }, { 0x40000, PAGE } };
    struct list la = list(va, 1);
    struct list lb = list(vb, 2);
    struct iov_cursor a;
    struct iov_cursor b;
    ASSERT_ERR(0, iov_cursor_init(&a, fetch, &la, 1));
    ASSERT_ERR(0, iov_cursor_init(&b, fetch, &lb, 2));
    ASSERT_EQ(iov_chunk(&a, &b, UINT64_MAX), PAGE);
    ASSERT_ERR(0, iov_cursor_skip(&a, PAGE));
    ASSERT_ERR(0, iov_cursor_skip(&b, PAGE));
    ASSERT_EQ(a.addr, 0x11000);
    ASSERT_EQ(b.addr, 0x40000);
    ASSERT_EQ(iov_chunk(&a, &b, UINT64_MAX), PAGE);
    ASSERT_ERR(0, iov_cursor_skip(&a, PAGE));
    ASSERT_ERR(0, iov_cursor_skip(&b, PAGE));
    ASSERT_TRUE(iov_cursor_done(&a));
    ASSERT_TRUE(iov_cursor_done(&b));
    ASSERT_EQ(iov_chunk(&a, &b, UINT64_MAX), 0);
}

TEST(iovplan_chunk_respects_limit)
{
    struct iov_cursor a = at(0x1000, PAGE);
    struct iov_cursor b = at(0x3000, PAGE);
    ASSERT_EQ(iov_chunk(&a, &b, 100), 100);
    ASSERT_EQ(iov_chunk(&a, &b, 1), 1);
    ASSERT_EQ(iov_chunk(&a, &b, PAGE), PAGE);
    ASSERT_EQ(iov_chunk(&a, &b, PAGE + 1), PAGE);
    ASSERT_EQ(iov_chunk(&a, &b, 0), 0);
}

TEST(iovplan_chunk_is_zero_when_either_is_done)
{
    const struct cr_iov v[] = { { 0x1000, 0 } };
    struct list l = list(v, 1);
    struct iov_cursor done;
    ASSERT_ERR(0, iov_cursor_init(&done, fetch, &l, 1));
    struct iov_cursor a = at(0x1000, 10);
    ASSERT_EQ(iov_chunk(&a, &done, UINT64_MAX), 0);
    ASSERT_EQ(iov_chunk(&done, &a, UINT64_MAX), 0);
    ASSERT_EQ(iov_chunk(&done, &done, UINT64_MAX), 0);
}

TEST(iovplan_chunk_at_top_of_address_space)
{
    /* The last page: bytes to its end computed without overflow. */
    struct iov_cursor a = at(UINT64_MAX - 5, 5);
    struct iov_cursor b = at(0x1000, PAGE);
    ASSERT_EQ(iov_chunk(&a, &b, UINT64_MAX), 5);
    a = at(UINT64_MAX - (PAGE - 1), PAGE - 1);
    ASSERT_EQ(iov_chunk(&a, &b, UINT64_MAX), PAGE - 1);
    a = at(UINT64_MAX - PAGE - 9, PAGE + 9);
    ASSERT_EQ(iov_chunk(&a, &b, UINT64_MAX), 10);
    ASSERT_EQ(iov_chunk(&b, &a, UINT64_MAX), 10);
}

TEST(iovplan_total_sums_lengths)
{
    const struct cr_iov v[] = { { 0x1000, 10 }, { 0, 0 }, { 0x3000, 5 }, { UINT64_MAX, 0 } };
    struct list l = list(v, 4);
    uint64_t total = 1234;
    ASSERT_ERR(0, iov_total(fetch, &l, 4, &total));
    ASSERT_EQ(total, 15);
    ASSERT_EQ(l.fetches, 4);
    ASSERT_TRUE(!l.out_of_range);
}

TEST(iovplan_total_of_empty_list_is_zero)
{
    struct list l = list(NULL, 0);
    uint64_t total = 1234;
    ASSERT_ERR(0, iov_total(fetch, &l, 0, &total));
    ASSERT_EQ(total, 0);
    ASSERT_EQ(l.fetches, 0);
}

TEST(iovplan_total_too_many_entries_is_einval)
{
    memset(big, 0, sizeof(big));
    struct list l = list(big, CR_IOV_MAX + 1);
    uint64_t total = 1234;
    ASSERT_ERR(-CR_EINVAL, iov_total(fetch, &l, CR_IOV_MAX + 1, &total));
    ASSERT_EQ(total, 1234);
    ASSERT_EQ(l.fetches, 0);
    ASSERT_ERR(0, iov_total(fetch, &l, CR_IOV_MAX, &total));
    ASSERT_EQ(total, 0);
}

TEST(iovplan_total_wrapping_entry_is_einval)
{
    const struct cr_iov v[] = { { 0x1000, 10 }, { UINT64_MAX - 9, 10 }, { 0x3000, 5 } };
    struct list l = list(v, 3);
    uint64_t total = 1234;
    ASSERT_ERR(-CR_EINVAL, iov_total(fetch, &l, 3, &total));
    ASSERT_EQ(total, 1234);
    ASSERT_EQ(l.fetches, 2);
}

TEST(iovplan_total_overflow_is_einval)
{
    const uint64_t half = 1ull << 63;
    const struct cr_iov fits[] = { { 0, half }, { 0, half - 1 } };
    const struct cr_iov over[] = { { 0, half }, { 0, 0 }, { 0, half }, { 0, 1 } };
    uint64_t total = 1234;
    struct list l = list(fits, 2);
    ASSERT_ERR(0, iov_total(fetch, &l, 2, &total));
    ASSERT_EQ(total, UINT64_MAX);
    total = 1234;
    l = list(over, 4);
    ASSERT_ERR(-CR_EINVAL, iov_total(fetch, &l, 4, &total));
    ASSERT_EQ(total, 1234);
    ASSERT_EQ(l.fetches, 3);
}

TEST(iovplan_total_fetch_fault_is_efault)
{
    const struct cr_iov v[] = { { 0x1000, 10 }, { 0x2000, 0 }, { 0x3000, 5 } };
    for (uint32_t k = 0; k < 3; k++) {
        struct list l = list(v, 3);
        l.fault_at = k;
        uint64_t total = 1234;
        ASSERT_ERR(-CR_EFAULT, iov_total(fetch, &l, 3, &total));
        ASSERT_EQ(total, 1234);
        ASSERT_EQ(l.fetches, k + 1);
    }
}

/*
 * The randomized cross-check. Each round lays out two random iov lists in two arenas,
 * host byte arrays standing in for the source and destination address spaces: user
 * address = arena offset + base, with base chosen so that page boundaries fall at random
 * offsets (and, some rounds, so that the arena ends just below 2^64). Entries are placed
 * in order with random gaps and then shuffled, so the lists jump back and forth. The
 * planner copies from a random source offset (sometimes past the end) chunk by chunk
 * under a random limit; a naive copy walks the same lists byte by byte. Both destination
 * arenas must then be identical, bytes outside the lists included.
 */
enum {
    ROUNDS = 2000,
    MAX_ENTRIES = 40,
    MAX_LEN = 9000, /* crosses up to three page boundaries */
    MAX_GAP = 5000, /* between entries in an arena, before rounding up to a page */
    ARENA = (MAX_ENTRIES + 1) * (MAX_LEN + MAX_GAP + PAGE), /* every layout fits */
};

_Static_assert(ARENA % 8 == 0, "arenas are filled eight bytes at a time");

/* xorshift64*: a fixed, portable sequence for a fixed seed. */
static uint64_t rng_state;

static uint64_t
rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* One side of a copy: its arena, the arena's base address and the iov list into it. */
struct side {
    uint8_t *mem;
    uint64_t base;
    struct cr_iov v[MAX_ENTRIES];
    uint32_t n;
    uint64_t total;
};

/* Fills s with a random list of 1..MAX_ENTRIES entries of 0..MAX_LEN bytes. */
static void
random_side(struct side *s)
{
    /* Mostly low addresses; one round in eight puts the arena's end near 2^64. */
    if (rng() % 8 == 0) {
        s->base = UINT64_MAX - ARENA - rng() % (4 * PAGE);
    } else {
        s->base = 0x10000000 + (rng() % 4096) * PAGE + rng() % PAGE;
    }
    s->n = 1 + (uint32_t)(rng() % MAX_ENTRIES);
    s->total = 0;
    uint64_t off = rng() % MAX_GAP;
    for (uint32_t i = 0; i < s->n; i++) {
        /* A quarter of the entries are empty and some end exactly on a page boundary. */
        uint64_t len = rng() % 4 == 0 ? 0 : rng() % (MAX_LEN + 1);
        if (len > 0 && rng() % 8 == 0) {
            uint64_t end = (s->base + off + len) & ~(uint64_t)(PAGE - 1);
            if (end > s->base + off) {
                len = end - (s->base + off);
            }
        }
        s->v[i] = (struct cr_iov){ s->base + off, len };
        s->total += len;
        off += len + rng() % MAX_GAP;
        /* And some start exactly on one. */
        if (rng() % 8 == 0) {
            off = ((s->base + off + PAGE - 1) & ~(uint64_t)(PAGE - 1)) - s->base;
        }
    }
    for (uint32_t i = s->n - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(rng() % (i + 1));
        struct cr_iov t = s->v[i];
        s->v[i] = s->v[j];
        s->v[j] = t;
    }
}

/* Arena offset of byte k (< s->total) of s's list. O(entries). */
static uint64_t
byte_offset(const struct side *s, uint64_t k)
{
    for (uint32_t i = 0; i < s->n; i++) {
        if (k < s->v[i].len) {
            return s->v[i].base + k - s->base;
        }
        k -= s->v[i].len;
    }
    abort();
}

/* The reference: copies bytes [start, ...) of src's list to dst's, one at a time. */
static uint64_t
naive_copy(const struct side *src, uint64_t start, const struct side *dst, uint8_t *dmem)
{
    uint64_t count = start >= src->total ? 0 : src->total - start;
    count = count < dst->total ? count : dst->total;
    /* Walk both lists in step rather than calling byte_offset per byte. */
    uint32_t si = 0;
    uint32_t di = 0;
    uint64_t so = start;
    uint64_t dof = 0;
    for (uint64_t k = 0; k < count; k++) {
        while (so >= src->v[si].len) {
            so -= src->v[si].len;
            si++;
        }
        while (dof >= dst->v[di].len) {
            dof -= dst->v[di].len;
            di++;
        }
        dmem[dst->v[di].base + dof - dst->base] = src->mem[src->v[si].base + so - src->base];
        so++;
        dof++;
    }
    return count;
}

/* True if [addr, addr + len) touches two pages. */
static bool
crosses_page(uint64_t addr, uint64_t len)
{
    return (addr / PAGE) != ((addr + len - 1) / PAGE);
}

static uint8_t src_mem[ARENA];
static uint8_t dst_mem[ARENA];
static uint8_t ref_mem[ARENA];
static struct side src_side;
static struct side dst_side;

TEST(iovplan_copy_matches_naive_copy_randomized)
{
    const uint64_t seed = 0x10fa11c0ffee5eedull;
    printf("iovplan_copy_matches_naive_copy_randomized: seed 0x%llx\n", (unsigned long long)seed);
    rng_state = seed;
    struct side *s = &src_side;
    struct side *d = &dst_side;
    s->mem = src_mem;
    d->mem = dst_mem;
    uint64_t chunks = 0;
    uint64_t limited = 0;
    uint64_t page_cuts = 0;
    uint64_t bytes = 0;

    for (int round = 0; round < ROUNDS; round++) {
        char what[160];
        snprintf(what, sizeof(what), "round %d (seed 0x%llx)", round, (unsigned long long)seed);
        random_side(s);
        random_side(d);
        for (size_t i = 0; i < ARENA; i += 8) {
            uint64_t x = rng();
            uint64_t y = rng();
            memcpy(&src_mem[i], &x, 8);
            memcpy(&dst_mem[i], &y, 8);
        }
        memcpy(ref_mem, dst_mem, ARENA);
        /* Start anywhere in the source, sometimes at or past its end. */
        uint64_t start = rng() % (s->total + 2);
        /* No limit (half the rounds), a tiny one, or one around the copier's 16 KiB. */
        uint64_t limit = rng() % 2 ? UINT64_MAX : 1 + rng() % (rng() % 4 ? 20000 : 64);

        struct list ls = list(s->v, s->n);
        struct list ld = list(d->v, d->n);
        uint64_t total = 0;
        ASSERT_ERR(0, iov_total(fetch, &ls, s->n, &total));
        ASSERT_EQ(total, s->total);

        struct iov_cursor a;
        struct iov_cursor b;
        ASSERT_ERR(0, iov_cursor_init(&a, fetch, &ls, s->n));
        ASSERT_ERR(0, iov_cursor_init(&b, fetch, &ld, d->n));
        ASSERT_ERR(0, iov_cursor_skip(&a, start));
        if (start < s->total) {
            ASSERT_EQ(a.addr - s->base, byte_offset(s, start));
        } else {
            ASSERT_TRUE(iov_cursor_done(&a));
        }

        uint64_t copied = 0;
        for (;;) {
            uint64_t len = iov_chunk(&a, &b, limit);
            if (len == 0) {
                break;
            }
            if (len > PAGE || len > limit || crosses_page(a.addr, len) ||
                crosses_page(b.addr, len) || len > a.left || len > b.left) {
                snprintf(what + strlen(what), sizeof(what) - strlen(what),
                         ": bad chunk %llu at 0x%llx -> 0x%llx", (unsigned long long)len,
                         (unsigned long long)a.addr, (unsigned long long)b.addr);
                test_fail(__FILE__, __LINE__, what);
                return;
            }
            /* Maximal: the chunk ends where one of its five bounds does. */
            bool at_page = (a.addr + len) % PAGE == 0 || (b.addr + len) % PAGE == 0;
            bool at_end = len == a.left || len == b.left;
            ASSERT_TRUE(at_end || at_page || len == limit);
            page_cuts += at_page && !at_end && len != limit;
            memcpy(dst_mem + (b.addr - d->base), src_mem + (a.addr - s->base), len);
            ASSERT_ERR(0, iov_cursor_skip(&a, len));
            ASSERT_ERR(0, iov_cursor_skip(&b, len));
            copied += len;
            chunks++;
            limited += len == limit;
            /* Each chunk moves both cursors, so this bounds a planner that stalls. */
            ASSERT_TRUE(copied <= d->total);
        }
        ASSERT_TRUE(iov_cursor_done(&a) || iov_cursor_done(&b));
        ASSERT_TRUE(!ls.out_of_range && !ld.out_of_range);

        uint64_t want = naive_copy(s, start, d, ref_mem);
        ASSERT_EQ(copied, want);
        if (memcmp(dst_mem, ref_mem, ARENA) != 0) {
            size_t i = 0;
            while (dst_mem[i] == ref_mem[i]) {
                i++;
            }
            snprintf(what + strlen(what), sizeof(what) - strlen(what),
                     ": destination differs at offset %zu", i);
            test_fail(__FILE__, __LINE__, what);
            return;
        }
        bytes += copied;
    }
    printf("iovplan_copy_matches_naive_copy_randomized: %llu chunks, %llu cut by the limit, "
           "%llu by a page boundary only, %llu bytes\n",
           (unsigned long long)chunks, (unsigned long long)limited, (unsigned long long)page_cuts,
           (unsigned long long)bytes);
    /* Every kind of cut happened often, so each bound was really exercised. */
    ASSERT_TRUE(chunks > ROUNDS * 10);
    ASSERT_TRUE(limited > ROUNDS);
    ASSERT_TRUE(page_cuts > ROUNDS);
}

/*
 * iov_cursor_advance (the inline fast path) against iov_cursor_skip: random lists with
 * zero-length entries and a faulting entry, random steps (zero, within the entry,
 * exactly to its end, past it, past the whole list): the same result, the same cursor
 * and the same fetches, step after step.
 */
TEST(iovplan_advance_matches_skip_randomized)
{
    rng_state = 0xadfa57c0ffee0001ull;
    struct cr_iov v[8];
    for (int round = 0; round < 20000; round++) {
        uint32_t n = (uint32_t)(rng() % 8);
        for (uint32_t i = 0; i < n; i++) {
            uint64_t len = rng() % 3 == 0 ? 0 : 1 + rng() % 9000;
            v[i] = (struct cr_iov){ 0x10000 * (i + 1) + rng() % PAGE, len };
        }
        struct list la = list(v, n);
        struct list lb = list(v, n);
        la.fault_at = lb.fault_at = rng() % 4 == 0 ? (uint32_t)(rng() % 8) : NO_FAULT;
        struct iov_cursor a;
        struct iov_cursor b;
        int ra = iov_cursor_init(&a, fetch, &la, n);
        int rb = iov_cursor_init(&b, fetch, &lb, n);
        ASSERT_EQ(ra, rb);
        if (ra != 0) {
            continue;
        }
        for (int step = 0; step < 12; step++) {
            uint64_t bytes;
            switch (rng() % 5) {
            case 0:
                bytes = 0;
                break;
            case 1:
                bytes = a.left > 1 ? 1 + rng() % (a.left - 1) : 0;
                break;
            case 2:
                bytes = a.left;
                break;
            case 3:
                bytes = a.left + 1 + rng() % 9000;
                break;
            default:
                bytes = UINT64_MAX / 2;
                break;
            }
            ra = iov_cursor_advance(&a, bytes);
            rb = iov_cursor_skip(&b, bytes);
            ASSERT_EQ(ra, rb);
            ASSERT_EQ(a.idx, b.idx);
            ASSERT_EQ(a.addr, b.addr);
            ASSERT_EQ(a.left, b.left);
            ASSERT_EQ(la.fetches, lb.fetches);
            ASSERT_TRUE(!la.out_of_range && !lb.out_of_range);
        }
    }
}
