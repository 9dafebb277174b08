/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the iov copy planner (kernel/ipc/iovplan.c): cursor init, skip and done
 * over empty lists, zero-length entries and page-aligned entries; the chunk rule (never
 * past an entry, a page boundary on either side or the limit); every error code exactly,
 * with the cursor or total left unchanged; and how many entries each call fetches (the
 * planner must read user iov entries lazily). The randomized cross-checks are in
 * iovplan_random_test.c; the iov lists both use are in iovplan_list.h.
 */
/* test-sources: kernel/ipc/iovplan.c */
#include "test.h"

#include <stdlib.h>

#include <courier/abi/msg.h>
#include <kernel/iovplan.h>

#include "iovplan_list.h"

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
