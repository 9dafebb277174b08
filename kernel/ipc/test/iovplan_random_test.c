/* SPDX-License-Identifier: MIT */
/*
 * Randomized host tests of the iov copy planner (kernel/ipc/iovplan.c): a copy between two
 * byte arrays standing in for address spaces, chunk by chunk, against a naive
 * byte-at-a-time copy; iov_cursor_advance against iov_cursor_skip, iov_cursor_start and
 * iov_cursor_start_with against iov_cursor_init and iov_sum against iov_total. Seeded with a
 * constant, so a failure reproduces.
 */
/* test-sources: kernel/ipc/iovplan.c */
#include "test.h"

#include <stdlib.h>

#include <courier/abi/msg.h>
#include <kernel/iovplan.h>

#include "iovplan_list.h"

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

/* The randomized tests' generator (test_rng), seeded by each. */
static uint64_t rng_state;

static uint64_t
rng(void)
{
    return test_rng(&rng_state);
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

/* Entries 0..7 for the start tests: a third empty, some wrapping past 2^64. */
static void
start_entries(struct cr_iov *v)
{
    for (uint32_t i = 0; i < 8; i++) {
        uint64_t len = rng() % 3 == 0 ? 0 : 1 + rng() % 9000;
        uint64_t base = rng() % 16 == 0 ? UINT64_MAX - rng() % 100 : 0x10000 * (i + 1);
        v[i] = (struct cr_iov){ base, len };
    }
}

/*
 * iov_cursor_start (the inline start) against iov_cursor_init: random lists of up to 8
 * entries, a third of them empty, some wrapping past 2^64, some rounds with a faulting
 * entry, and counts from 0 up to past CR_IOV_MAX: the same result, the same cursor, the
 * same fetches (count and furthest index).
 */
TEST(iovplan_start_matches_init_randomized)
{
    rng_state = 0x5eed5a1e0ddba11full;
    struct cr_iov v[CR_IOV_MAX + 1];
    memset(v, 0, sizeof(v));
    for (int round = 0; round < 20000; round++) {
        uint32_t n = (uint32_t)(rng() % 9);
        if (rng() % 50 == 0) {
            n = CR_IOV_MAX + (uint32_t)(rng() % 2); /* at and past the limit */
        }
        start_entries(v);
        struct list la = list(v, n);
        struct list lb = list(v, n);
        la.fault_at = lb.fault_at = rng() % 4 == 0 ? (uint32_t)(rng() % 8) : NO_FAULT;
        struct iov_cursor a;
        struct iov_cursor b;
        memset(&a, 0x5a, sizeof(a));
        memset(&b, 0x5a, sizeof(b));
        int ra = iov_cursor_start(&a, fetch, &la, n);
        int rb = iov_cursor_init(&b, fetch, &lb, n);
        ASSERT_EQ(ra, rb);
        ASSERT_EQ(a.idx, b.idx);
        ASSERT_EQ(a.n, b.n);
        ASSERT_EQ(a.addr, b.addr);
        ASSERT_EQ(a.left, b.left);
        ASSERT_EQ(la.fetches, lb.fetches);
        ASSERT_EQ(la.max_idx, lb.max_idx);
        ASSERT_TRUE(!la.out_of_range && !lb.out_of_range);
    }
}

/*
 * iov_cursor_start_with (the start once entry 0 is read) against iov_cursor_init: lists
 * as above of 1..CR_IOV_MAX entries whose entry 0 reads, given to it: the same result, the
 * same cursor, the same fetches after entry 0 (one fewer in all, the furthest the same).
 */
TEST(iovplan_start_with_matches_init_randomized)
{
    rng_state = 0x5eed5a1e0ddba122ull;
    struct cr_iov v[CR_IOV_MAX + 1];
    memset(v, 0, sizeof(v));
    for (int round = 0; round < 20000; round++) {
        uint32_t n = 1 + (uint32_t)(rng() % 8);
        if (rng() % 50 == 0) {
            n = CR_IOV_MAX; /* at the limit */
        }
        start_entries(v);
        struct list la = list(v, n);
        struct list lb = list(v, n);
        la.fault_at = lb.fault_at = rng() % 4 == 0 ? 1 + (uint32_t)(rng() % 7) : NO_FAULT;
        struct iov_cursor a;
        struct iov_cursor b;
        memset(&a, 0x5a, sizeof(a));
        memset(&b, 0x5a, sizeof(b));
        int ra = iov_cursor_start_with(&a, fetch, &la, n, v[0]);
        int rb = iov_cursor_init(&b, fetch, &lb, n);
        ASSERT_EQ(ra, rb);
        ASSERT_EQ(a.idx, b.idx);
        ASSERT_EQ(a.n, b.n);
        ASSERT_EQ(a.addr, b.addr);
        ASSERT_EQ(a.left, b.left);
        ASSERT_EQ(la.fetches + 1, lb.fetches);
        if (la.fetches > 0) {
            ASSERT_EQ(la.max_idx, lb.max_idx);
        }
        ASSERT_TRUE(!la.out_of_range && !lb.out_of_range);
    }
}

/*
 * iov_sum (the total of an array already read) against iov_total: random short lists
 * whose entries or sums sometimes wrap past 2^64: the same result and the same total.
 */
TEST(iovplan_sum_matches_total_randomized)
{
    rng_state = 0x50a150a150a1ull;
    struct cr_iov v[6];
    for (int round = 0; round < 20000; round++) {
        uint32_t n = (uint32_t)(rng() % 7);
        for (uint32_t i = 0; i < n; i++) {
            uint64_t base = rng() % 8 == 0 ? UINT64_MAX - rng() % 5000 : rng() % 0x100000;
            uint64_t len = rng() % 8 == 0 ? UINT64_MAX / 2 + rng() % 1000 : rng() % 9000;
            v[i] = (struct cr_iov){ base, len };
        }
        struct list l = list(v, n);
        uint64_t a = 0x5a5a;
        uint64_t b = 0x5a5a;
        int ra = iov_sum(v, n, &a);
        int rb = iov_total(fetch, &l, n, &b);
        ASSERT_EQ(ra, rb);
        ASSERT_EQ(a, b);
    }
}
