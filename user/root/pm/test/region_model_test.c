/* SPDX-License-Identifier: MIT */
/*
 * A randomized cross-check of the region table (user/root/pm/region.c) against a
 * reference model that is too simple to be wrong: an array with one entry per page of a
 * small window of addresses, saying whether the page is mapped, its protection, its kind,
 * and which region it belongs to (a number; a region is a run of pages with one number).
 * Thousands of random MEM_MAP_ANON (at an address or anywhere), MEM_UNMAP, MEM_PROTECT
 * and heap growths are applied to both, in the order vm.c makes its checks, and after
 * every step the two must agree on the result code, on every page's (mapped, prot, kind)
 * and on every region's exact bounds, which catches a missed or extra split. The table
 * fills up in these runs, so the ENOSPC paths are taken too, and the test asserts that
 * each error path was reached.
 *
 * Three windows: at the bottom of user space (page 0 is below CR_USER_MIN), around
 * REGION_MMAP_BASE (where placement happens) and at the top (ranges may run past
 * CR_USER_MAX). A window is small enough (WIN pages) that ranges hit each other often and
 * large enough that PM_MAX_REGIONS regions fit in it. Fixed seeds: failures reproduce.
 */
/* test-sources: user/root/pm/region.c */
#include "test.h"

#include "user/root/pm/region.h"

#include <courier/abi/types.h>

enum {
    PG = REGION_PAGE,
    WIN = 640,          /* pages in a window: PM_MAX_REGIONS regions fill it to 2.5 pages each */
    STEPS = 20000,      /* operations per window and seed */
    BELOW = 32,         /* pages of the middle window below REGION_MMAP_BASE */
    PAST = 3,           /* pages past the top window that ranges may reach (all invalid) */
    FILL_PERIOD = 3000, /* steps: a half that fills the table, a half that drains it */
    HEAP = 3,           /* the protection MEM_BRK asks for (opaque to region.c) */
};

/* The operations, and the results counted per operation. */
enum op { OP_MAP, OP_PLACE, OP_UNMAP, OP_PROTECT, OP_GROW, NOPS };
enum res { R_OK, R_EINVAL, R_EEXIST, R_ENOENT, R_ENOSPC, NRES };

struct model {
    uint64_t base; /* address of page 0 of the window */
    bool mapped[WIN];
    uint32_t prot[WIN];
    uint32_t kind[WIN];
    unsigned id[WIN]; /* the region a mapped page belongs to */
    unsigned next_id;
};

static struct model m;
static struct pm_region rs[PM_MAX_REGIONS];
static uint64_t rng;

/* Which paths a run reached, to prove that it exercised them. */
static unsigned seen[NOPS][NRES];
static unsigned placed_beyond;

/* The last operation, for the FAIL line. */
static struct {
    enum op op;
    long s; /* first page, relative to the window */
    long n; /* pages */
    int want;
    int got;
} last;

static uint64_t
next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned
pick(unsigned n)
{
    return (unsigned)(next() % n);
}

static uint64_t
addr_of(long page)
{
    return m.base + (uint64_t)page * PG;
}

/* True if page p of the window starts a region (a run of one id). */
static bool
starts_run(unsigned p)
{
    return m.mapped[p] && (p == 0 || !m.mapped[p - 1] || m.id[p - 1] != m.id[p]);
}

static unsigned
model_regions(void)
{
    unsigned n = 0;
    for (unsigned p = 0; p < WIN; p++) {
        n += starts_run(p);
    }
    return n;
}

/* The first and one-past-last page of the run holding mapped page p. */
static unsigned
run_start(unsigned p)
{
    while (p > 0 && m.mapped[p - 1] && m.id[p - 1] == m.id[p]) {
        p--;
    }
    return p;
}

static unsigned
run_end(unsigned p)
{
    while (p + 1 < WIN && m.mapped[p + 1] && m.id[p + 1] == m.id[p]) {
        p++;
    }
    return p + 1;
}

/* Pages [p, run end) of the run holding p get a new id: the model's split at p. */
static void
model_split(unsigned p)
{
    if (p < WIN && m.mapped[p] && run_start(p) < p) {
        unsigned id = m.next_id++;
        for (unsigned q = p, e = run_end(p); q < e; q++) {
            m.id[q] = id;
        }
    }
}

/* The model's range check, spelt differently from region_range_ok on purpose. */
static bool
model_valid(long s, long n)
{
    if (n <= 0 || s < 0) {
        return false;
    }
    uint64_t a = addr_of(s);
    return a >= CR_USER_MIN && a + (uint64_t)n * PG <= CR_USER_MAX;
}

static bool
model_any_mapped(long s, long n)
{
    for (long p = s; p < s + n && p < WIN; p++) {
        if (m.mapped[p]) {
            return true;
        }
    }
    return false;
}

static void
model_set(long s, long n, uint32_t prot, uint32_t kind, unsigned id)
{
    for (long p = s; p < s + n; p++) {
        m.mapped[p] = true;
        m.prot[p] = prot;
        m.kind[p] = kind;
        m.id[p] = id;
    }
}

static int
model_map(long s, long n, uint32_t prot, uint32_t kind)
{
    if (!model_valid(s, n)) {
        return -CR_EINVAL;
    }
    if (model_any_mapped(s, n)) {
        return -CR_EEXIST;
    }
    if (model_regions() == PM_MAX_REGIONS) {
        return -CR_ENOSPC;
    }
    model_set(s, n, prot, kind, m.next_id++);
    return 0;
}

/* The first page at or above REGION_MMAP_BASE with n free pages (beyond WIN: free). */
static long
model_place(long n)
{
    long p = BELOW;
    while (model_any_mapped(p, n)) {
        p++;
    }
    return p;
}

static int
model_unmap(long s, long n)
{
    if (!model_valid(s, n)) {
        return -CR_EINVAL;
    }
    /* A region sticking out on both sides of the range is the one split. */
    bool split =
        s > 0 && s + n < WIN && m.mapped[s - 1] && m.mapped[s + n] && m.id[s - 1] == m.id[s + n];
    if (split && model_regions() == PM_MAX_REGIONS) {
        return -CR_ENOSPC;
    }
    if (s + n < WIN) {
        model_split((unsigned)(s + n));
    }
    for (long p = s; p < s + n; p++) {
        m.mapped[p] = false;
    }
    return 0;
}

static int
model_protect(long s, long n, uint32_t prot)
{
    if (!model_valid(s, n)) {
        return -CR_EINVAL;
    }
    for (long p = s; p < s + n; p++) {
        if (p >= WIN || !m.mapped[p]) {
            return -CR_ENOENT;
        }
    }
    if (PM_MAX_REGIONS - model_regions() < 2) {
        return -CR_ENOSPC;
    }
    model_split((unsigned)s);
    model_split((unsigned)(s + n));
    for (long p = s; p < s + n; p++) {
        m.prot[p] = prot;
    }
    return 0;
}

/* Growth of the heap from page o to page o + n. */
static int
model_grow(long o, long n, uint32_t prot)
{
    if (!model_valid(o, n)) {
        return -CR_EINVAL;
    }
    if (model_any_mapped(o, n)) {
        return -CR_EEXIST;
    }
    if (o > 0 && m.mapped[o - 1] && m.kind[o - 1] == PM_R_BRK && m.prot[o - 1] == prot) {
        model_set(o, n, prot, PM_R_BRK, m.id[o - 1]);
        return 0;
    }
    if (model_regions() == PM_MAX_REGIONS) {
        return -CR_ENOSPC;
    }
    model_set(o, n, prot, PM_R_BRK, m.next_id++);
    return 0;
}

/*
 * True if the table says what the model says: each region in use is a whole run of the
 * model, with its prot and kind, no run is matched twice, and none is missing.
 */
static bool
agrees(void)
{
    static bool matched[WIN];
    unsigned inuse = 0;
    memset(matched, 0, sizeof(matched));
    for (unsigned i = 0; i < PM_MAX_REGIONS; i++) {
        const struct pm_region *r = &rs[i];
        if (r->kind == PM_R_FREE) {
            continue;
        }
        inuse++;
        if (r->start < m.base || r->end > addr_of(WIN) || r->start >= r->end ||
            r->start % PG != 0 || r->end % PG != 0) {
            return false;
        }
        unsigned s = (unsigned)((r->start - m.base) / PG);
        unsigned e = (unsigned)((r->end - m.base) / PG);
        if (!starts_run(s) || run_end(s) != e || matched[s] || m.prot[s] != r->prot ||
            m.kind[s] != r->kind) {
            return false;
        }
        matched[s] = true;
    }
    return inuse == model_regions();
}

static void
count(enum op op, int rc)
{
    static const int codes[NRES] = { 0, -CR_EINVAL, -CR_EEXIST, -CR_ENOENT, -CR_ENOSPC };
    for (unsigned i = 0; i < NRES; i++) {
        seen[op][i] += rc == codes[i];
    }
}

/*
 * One random operation on both; false if they disagree. Unmapping is rarer in the first
 * half of each FILL_PERIOD steps, so that the table fills up and drains again.
 */
static bool
step(unsigned i, bool mmap_window, unsigned past)
{
    unsigned r = pick(100);
    bool filling = i % FILL_PERIOD < FILL_PERIOD / 2;
    /* Mostly short ranges, so that regions stay small and the table fills. */
    long n = pick(8) == 0 ? 1 + (long)pick(24) : 1 + (long)pick(3);
    long s = (long)pick(WIN);
    if (s + n > WIN + (long)past) {
        n = WIN + (long)past - s;
    }
    uint32_t prot = pick(8);
    uint32_t kind = PM_R_ANON + pick(4);
    uint64_t out = 0;
    bool out_ok = true;
    int want;
    int got;
    if (r < 45 || (r < 55 && !mmap_window)) {
        last.op = OP_MAP;
        if (addr_of(s) == 0) {
            s = 1; /* address 0 asks for placement, which is OP_PLACE's */
        }
        want = model_map(s, n, prot, kind);
        got = region_map(rs, addr_of(s), (uint64_t)n * PG, prot, kind, &out);
        out_ok = got != 0 || out == addr_of(s);
    } else if (r < 55) {
        last.op = OP_PLACE;
        long p = model_place(n);
        bool beyond = p + n > WIN;
        want = model_regions() == PM_MAX_REGIONS ? -CR_ENOSPC : 0;
        if (want == 0 && !beyond) {
            model_set(p, n, prot, kind, m.next_id++);
        }
        got = region_map(rs, 0, (uint64_t)n * PG, prot, kind, &out);
        out_ok = got != 0 || out == addr_of(p);
        if (got == 0 && out_ok && beyond) {
            /* Outside the model: take it away again, which must just free the entry. */
            placed_beyond++;
            out_ok = region_cut(rs, out, out + (uint64_t)n * PG) == 0;
        }
    } else if (r < (filling ? 60 : 75)) {
        last.op = OP_UNMAP;
        bool unaligned = pick(32) == 0;
        n = filling ? 1 : n;
        want = unaligned ? -CR_EINVAL : model_unmap(s, n);
        uint64_t a = addr_of(s) + unaligned;
        got = region_range_ok(a, (uint64_t)n * PG) ? region_cut(rs, a, a + (uint64_t)n * PG)
                                                   : -CR_EINVAL;
    } else if (r < 92) {
        last.op = OP_PROTECT;
        want = model_protect(s, n, prot);
        uint64_t a = addr_of(s);
        got = region_range_ok(a, (uint64_t)n * PG)
                  ? region_protect(rs, a, a + (uint64_t)n * PG, prot)
                  : -CR_EINVAL;
    } else {
        last.op = OP_GROW;
        want = model_grow(s, n, HEAP);
        got = region_grow_brk(rs, addr_of(s), addr_of(s + n), HEAP);
    }
    count(last.op, got);
    last.s = s;
    last.n = n;
    last.want = want;
    last.got = got;
    return want == got && out_ok && agrees();
}

/*
 * STEPS operations from an empty table in the window at base; false after a FAIL line
 * naming the step if table and model disagree.
 */
static bool
run(uint64_t base, bool mmap_window, unsigned past, uint64_t seed)
{
    memset(&m, 0, sizeof(m));
    memset(rs, 0, sizeof(rs));
    memset(seen, 0, sizeof(seen));
    placed_beyond = 0;
    m.base = base;
    m.next_id = 1;
    rng = seed;
    for (unsigned i = 0; i < STEPS; i++) {
        uint64_t at = rng;
        if (!step(i, mmap_window, past)) {
            char msg[256];
            snprintf(msg, sizeof(msg),
                     "window %#llx: step %u (generator at %#llx): op %d at page %ld, %ld "
                     "pages: model %d, table %d%s",
                     (unsigned long long)base, i, (unsigned long long)at, (int)last.op, last.s,
                     last.n, last.want, last.got, last.want == last.got ? ", contents differ" : "");
            test_fail(__FILE__, __LINE__, msg);
            return false;
        }
    }
    return true;
}

/* True if every operation succeeded, hit EEXIST/ENOENT as it can, and found the table full. */
static bool
reached_every_path(bool mmap_window)
{
    for (unsigned op = 0; op < NOPS; op++) {
        if (op == OP_PLACE && !mmap_window) {
            continue;
        }
        if (seen[op][R_OK] == 0 || seen[op][R_ENOSPC] == 0) {
            return false;
        }
    }
    return seen[OP_MAP][R_EEXIST] > 0 && seen[OP_GROW][R_EEXIST] > 0 &&
           seen[OP_PROTECT][R_ENOENT] > 0 && seen[OP_UNMAP][R_EINVAL] > 0;
}

static const uint64_t seeds[] = { 0x9e3779b97f4a7c15ull, 0x2545f4914f6cdd1dull, 12345 };

TEST(region_model_agrees_at_the_bottom_of_user_space)
{
    for (unsigned i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        ASSERT_TRUE(run(0, false, 0, seeds[i]));
        ASSERT_TRUE(reached_every_path(false));
        /* Page 0 is below CR_USER_MIN: requests there were refused (a map at 0 places). */
        ASSERT_TRUE(seen[OP_PROTECT][R_EINVAL] > 0 && seen[OP_GROW][R_EINVAL] > 0);
    }
}

TEST(region_model_agrees_around_the_mmap_base)
{
    for (unsigned i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        ASSERT_TRUE(run(REGION_MMAP_BASE - BELOW * PG, true, 0, seeds[i]));
        ASSERT_TRUE(reached_every_path(true));
        ASSERT_TRUE(placed_beyond > 0); /* placement past every gap of the window, too */
        ASSERT_EQ(0, seen[OP_MAP][R_EINVAL]);
    }
}

TEST(region_model_agrees_at_the_top_of_user_space)
{
    for (unsigned i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        ASSERT_TRUE(run(CR_USER_MAX - WIN * (uint64_t)PG, false, PAST, seeds[i]));
        ASSERT_TRUE(reached_every_path(false));
        /* Ranges running past CR_USER_MAX were refused. */
        ASSERT_TRUE(seen[OP_MAP][R_EINVAL] > 0 && seen[OP_PROTECT][R_EINVAL] > 0 &&
                    seen[OP_GROW][R_EINVAL] > 0);
    }
}
