/* SPDX-License-Identifier: MIT */
/*
 * The system tests' helper library (see testlib.h). On first use it takes a block of
 * root-CNode slots from root_slot_alloc, splits one RAM untyped from bootinfo into
 * 1 MiB children (the pool) and makes the page tables of the test window in the root
 * server's address space from one of them; everything after that comes and goes per
 * test through struct tl arenas. This file holds the arena (slots, pool untypeds, window
 * pages) and the objects and capabilities made in it; the helper threads and bounded waits
 * are in testlib_thread.c, the second address space in testlib_as.c and the IPC helpers in
 * testlib_ipc.c.
 */
#include "testlib.h"
#include "pm/pm.h"

#include <courier/abi/bootinfo.h>
#include <courier/abi/errors.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "root.h"
#include "slot.h"
#include "tests.h"

#include <stddef.h>

/* Root-CNode slots owned by testlib. */
#define TL_NSLOTS 1536u
/* Most pool untypeds made (each 1 MiB). */
#define TL_POOL_MAX 48u
/* 4 MiB untypeds (for 2 MiB frames), taken from the pool source first. */
#define TL_BIG_POOL 2u
#define TL_BIG_UT_BITS 22u

static struct tl_state {
    bool ready;
    bool broken;         /* init failed: every tl_begin fails */
    cr_cptr_t slot_base; /* first slot owned by testlib */
    uint32_t slot_next;  /* next free slot index (relative to slot_base) */
    uint32_t page_next;  /* next free window page */
    cr_cptr_t pool[TL_POOL_MAX];
    unsigned pool_free;         /* pool[0..pool_free) are free */
    cr_cptr_t big[TL_BIG_POOL]; /* the 4 MiB ones */
    unsigned big_free;
} tls;

static cr_cptr_t
take_slot(void)
{
    if (tls.slot_next >= TL_NSLOTS) {
        return 0;
    }
    return tls.slot_base + tls.slot_next++;
}

/* Picks the RAM untyped to split: the smallest one of at least 16 MiB (at most 8 GiB). */
static int
pick_pool_source(const struct cr_bootinfo *bi, unsigned *bits)
{
    int best = -1;
    uint64_t n =
        bi->untyped_count < CR_BOOTINFO_MAX_UNTYPED ? bi->untyped_count : CR_BOOTINFO_MAX_UNTYPED;
    for (uint64_t i = 0; i < n; i++) {
        const struct cr_untyped_desc *u = &bi->untyped[i];
        if (u->is_device || u->size_bits < 24 || u->size_bits > 33) {
            continue;
        }
        if (best < 0 || u->size_bits < bi->untyped[best].size_bits) {
            best = (int)i;
        }
    }
    if (best >= 0) {
        *bits = bi->untyped[best].size_bits;
    }
    return best;
}

/* The bootinfo index of the RAM untyped the tests split, or -1 (for the memory pool). */
int
root_test_pool_index(void)
{
    unsigned bits;
    return pick_pool_source(root_bootinfo(), &bits);
}

static bool
tl_init(void)
{
    if (tls.ready) {
        return !tls.broken;
    }
    tls.ready = true;
    tls.broken = true;
    const struct cr_bootinfo *bi = root_bootinfo();

    tls.slot_base = root_slot_alloc();
    if (tls.slot_base == 0) {
        TEST_FAIL("testlib: no root slots");
        return false;
    }
    for (unsigned i = 1; i < TL_NSLOTS; i++) {
        if (root_slot_alloc() != tls.slot_base + i) {
            TEST_FAIL("testlib: root slots are not contiguous");
            return false;
        }
    }
    tls.slot_next = 0;

    unsigned bits = 0;
    int src = pick_pool_source(bi, &bits);
    if (src < 0) {
        TEST_FAIL("testlib: no RAM untyped of 16 MiB or more");
        return false;
    }
    /* First TL_BIG_POOL untypeds of 4 MiB (at the source's start, so aligned), then
     * as many 1 MiB ones as fit, up to TL_POOL_MAX. */
    cr_cptr_t src_slot = bi->untyped_first + (uint64_t)src;
    cr_cptr_t big = tls.slot_base + tls.slot_next;
    tls.slot_next += TL_BIG_POOL;
    int64_t rc = cr_untyped_retype(src_slot, CR_OBJ_UNTYPED, TL_BIG_UT_BITS, CR_CAP_ROOT_CNODE, big,
                                   TL_BIG_POOL);
    if (rc != 0) {
        TEST_FAIL("testlib: splitting the pool untyped: %s", cr_errname((int)rc));
        return false;
    }
    for (unsigned i = 0; i < TL_BIG_POOL; i++) {
        tls.big[tls.big_free++] = big + i;
    }
    unsigned count = (1u << (bits - TL_UT_BITS)) - (TL_BIG_POOL << (TL_BIG_UT_BITS - TL_UT_BITS));
    if (count > TL_POOL_MAX) {
        count = TL_POOL_MAX;
    }
    cr_cptr_t first = tls.slot_base + tls.slot_next;
    tls.slot_next += count;
    rc = cr_untyped_retype(src_slot, CR_OBJ_UNTYPED, TL_UT_BITS, CR_CAP_ROOT_CNODE, first, count);
    if (rc != 0) {
        TEST_FAIL("testlib: splitting the pool untyped: %s", cr_errname((int)rc));
        return false;
    }
    /* Pool slot 0 stays with testlib for the window's page tables. */
    cr_cptr_t perm = first;
    for (unsigned i = 1; i < count; i++) {
        tls.pool[tls.pool_free++] = first + count - i; /* hand out low addresses first */
    }

    static const unsigned levels[3] = { CR_OBJ_PDPT, CR_OBJ_PD, CR_OBJ_PT };
    for (unsigned i = 0; i < 3; i++) {
        cr_cptr_t s = take_slot();
        rc = cr_untyped_retype(perm, levels[i], 0, CR_CAP_ROOT_CNODE, s, 1);
        if (rc == 0) {
            rc = cr_vspace_map_table(s, CR_CAP_ROOT_VSPACE, TL_WIN_BASE);
        }
        if (rc != 0) {
            TEST_FAIL("testlib: window table %u: %s", i, cr_errname((int)rc));
            return false;
        }
    }
    tls.page_next = 0;
    tls.broken = false;
    return true;
}

/* Starts an arena with one fresh 1 MiB untyped. */
bool
tl_begin(struct tl *t)
{
    memset(t, 0, sizeof(*t));
    if (!tl_init()) {
        if (tls.ready) {
            TEST_FAIL("testlib unusable");
        }
        return false;
    }
    t->slot_mark = tls.slot_next;
    t->page_mark = tls.page_next;
    t->ut = tl_ut(t);
    return t->ut != 0;
}

/* Another pool untyped for this arena (revoked and returned by tl_end). */
cr_cptr_t
tl_ut(struct tl *t)
{
    if (tls.pool_free == 0 || t->nuts >= TL_MAX_UTS) {
        TEST_FAIL("testlib: untyped pool exhausted");
        return 0;
    }
    cr_cptr_t ut = tls.pool[--tls.pool_free];
    t->uts[t->nuts++] = ut;
    return ut;
}

/* A 4 MiB pool untyped, 4 MiB aligned, for this arena (revoked and returned by tl_end). */
cr_cptr_t
tl_ut_big(struct tl *t)
{
    if (tls.big_free == 0 || t->nuts >= TL_MAX_UTS) {
        TEST_FAIL("testlib: big untyped pool exhausted");
        return 0;
    }
    cr_cptr_t ut = tls.big[--tls.big_free];
    t->uts[t->nuts++] = ut;
    return ut;
}

static void
give_back(cr_cptr_t ut)
{
    for (unsigned i = 0; i < TL_BIG_POOL; i++) {
        if (ut == tls.slot_base + i) {
            tls.big[tls.big_free++] = ut;
            return;
        }
    }
    tls.pool[tls.pool_free++] = ut;
}

/* Ends the arena: see testlib.h. */
void
tl_end(struct tl *t)
{
    tl_root_prio(TL_ROOT_PRIO);
    cr_cptr_t lo = tls.slot_base + t->slot_mark;
    cr_cptr_t hi = tls.slot_base + tls.slot_next;
    /* Threads first, so none of them runs on while its memory goes away. */
    for (cr_cptr_t s = hi; s-- > lo;) {
        if (tl_type(s) == CR_OBJ_TCB) {
            int64_t rc = cr_cap_delete(CR_CAP_ROOT_CNODE, s);
            if (rc != 0) {
                TEST_FAIL("tl_end: delete TCB slot %llu: %s", (unsigned long long)s,
                          cr_errname((int)rc));
            }
        }
    }
    for (cr_cptr_t s = hi; s-- > lo;) {
        int64_t rc = cr_cap_delete(CR_CAP_ROOT_CNODE, s);
        if (rc != 0) {
            TEST_FAIL("tl_end: delete slot %llu: %s", (unsigned long long)s, cr_errname((int)rc));
        }
    }
    for (unsigned i = t->nuts; i-- > 0;) {
        int64_t rc = cr_cap_revoke(CR_CAP_ROOT_CNODE, t->uts[i]);
        if (rc != 0) {
            TEST_FAIL("tl_end: revoke untyped %llu: %s", (unsigned long long)t->uts[i],
                      cr_errname((int)rc));
        }
        give_back(t->uts[i]);
    }
    for (cr_cptr_t s = lo; s < hi; s++) {
        struct cr_cap_info info;
        int64_t rc = tl_identify(s, &info);
        if (rc != -CR_ENOCAP) {
            TEST_FAIL("tl_end: slot %llu not empty after cleanup (%s)", (unsigned long long)s,
                      cr_errname((int)rc));
        }
    }
    tls.slot_next = t->slot_mark;
    tls.page_next = t->page_mark;
    t->nuts = 0;
}

cr_cptr_t
tl_slot(struct tl *t)
{
    (void)t;
    cr_cptr_t s = take_slot();
    if (s == 0) {
        TEST_FAIL("testlib: out of slots");
    }
    return s;
}

cr_cptr_t
tl_slots(struct tl *t, unsigned n)
{
    (void)t;
    if (n == 0 || tls.slot_next + n > TL_NSLOTS) {
        TEST_FAIL("testlib: out of slots (%u wanted)", n);
        return 0;
    }
    cr_cptr_t s = tls.slot_base + tls.slot_next;
    tls.slot_next += n;
    return s;
}

/* Finds a device untyped in bootinfo (the smallest); its slot goes to *slot. */
const struct cr_untyped_desc *
tl_device_untyped(cr_cptr_t *slot)
{
    const struct cr_bootinfo *bi = root_bootinfo();
    const struct cr_untyped_desc *best = NULL;
    uint64_t n =
        bi->untyped_count < CR_BOOTINFO_MAX_UNTYPED ? bi->untyped_count : CR_BOOTINFO_MAX_UNTYPED;
    for (uint64_t i = 0; i < n; i++) {
        const struct cr_untyped_desc *u = &bi->untyped[i];
        if (u->is_device && u->size_bits >= 16 &&
            (best == NULL || u->size_bits < best->size_bits)) {
            best = u;
            *slot = bi->untyped_first + i;
        }
    }
    return best;
}

cr_cptr_t
tl_new_from(struct tl *t, cr_cptr_t ut, unsigned type, unsigned size_bits)
{
    cr_cptr_t s = tl_slot(t);
    if (s == 0) {
        return 0;
    }
    int64_t rc = cr_untyped_retype(ut, type, size_bits, CR_CAP_ROOT_CNODE, s, 1);
    if (rc != 0) {
        TEST_FAIL("tl_new: retype type %u bits %u: %s", type, size_bits, cr_errname((int)rc));
        return 0;
    }
    return s;
}

cr_cptr_t
tl_new(struct tl *t, unsigned type, unsigned size_bits)
{
    return tl_new_from(t, t->ut, type, size_bits);
}

cr_cptr_t
tl_copy(struct tl *t, cr_cptr_t src, uint64_t rights)
{
    cr_cptr_t s = tl_slot(t);
    if (s == 0) {
        return 0;
    }
    int64_t rc = cr_cap_copy(CR_CAP_ROOT_CNODE, s, CR_CAP_ROOT_CNODE, src, rights);
    if (rc != 0) {
        TEST_FAIL("tl_copy of slot %llu: %s", (unsigned long long)src, cr_errname((int)rc));
        return 0;
    }
    return s;
}

cr_cptr_t
tl_mint(struct tl *t, cr_cptr_t src, uint64_t rights, uint64_t badge)
{
    cr_cptr_t s = tl_slot(t);
    if (s == 0) {
        return 0;
    }
    int64_t rc = cr_cap_mint(CR_CAP_ROOT_CNODE, s, CR_CAP_ROOT_CNODE, src, rights, badge);
    if (rc != 0) {
        TEST_FAIL("tl_mint of slot %llu: %s", (unsigned long long)src, cr_errname((int)rc));
        return 0;
    }
    return s;
}

int64_t
tl_identify(cr_cptr_t cptr, struct cr_cap_info *info)
{
    memset(info, 0xa5, sizeof(*info));
    return cr_cap_identify(cptr, CR_UPTR(info));
}

unsigned
tl_type(cr_cptr_t cptr)
{
    struct cr_cap_info info;
    if (tl_identify(cptr, &info) != 0) {
        return CR_OBJ_NULL;
    }
    return info.type;
}

uint64_t
tl_va(struct tl *t, unsigned pages)
{
    (void)t;
    if (tls.page_next + pages > TL_WIN_PAGES) {
        TEST_FAIL("testlib: test window full");
        return 0;
    }
    uint64_t va = TL_WIN_BASE + (uint64_t)tls.page_next * CR_PAGE_SIZE;
    tls.page_next += pages;
    return va;
}

int64_t
tl_map_at(cr_cptr_t frame, uint64_t va, uint64_t rights)
{
    return cr_vspace_map(frame, CR_CAP_ROOT_VSPACE, va, rights, 0);
}

void *
tl_map(struct tl *t, uint64_t rights, cr_cptr_t *frame_out)
{
    cr_cptr_t f = tl_new(t, CR_OBJ_FRAME, CR_PAGE_BITS);
    uint64_t va = tl_va(t, 1);
    if (f == 0 || va == 0) {
        return NULL;
    }
    int64_t rc = tl_map_at(f, va, rights);
    if (rc != 0) {
        TEST_FAIL("tl_map at %#llx: %s", (unsigned long long)va, cr_errname((int)rc));
        return NULL;
    }
    if (frame_out != NULL) {
        *frame_out = f;
    }
    return (void *)(uintptr_t)va;
}

uint8_t *
tl_pages(struct tl *t, unsigned n, uint64_t rights)
{
    uint64_t va = tl_va(t, n);
    if (va == 0) {
        return NULL;
    }
    for (unsigned i = 0; i < n; i++) {
        cr_cptr_t f = tl_new(t, CR_OBJ_FRAME, CR_PAGE_BITS);
        if (f == 0) {
            return NULL;
        }
        int64_t rc = tl_map_at(f, va + i * CR_PAGE_SIZE, rights);
        if (rc != 0) {
            TEST_FAIL("tl_pages at %#llx: %s", (unsigned long long)(va + i * CR_PAGE_SIZE),
                      cr_errname((int)rc));
            return NULL;
        }
    }
    return (uint8_t *)(uintptr_t)va;
}

bool
tl_spare_untyped(unsigned min_bits, cr_cptr_t *slot, unsigned *bits)
{
    if (!tl_init()) {
        return false;
    }
    const struct cr_bootinfo *bi = root_bootinfo();
    unsigned pool_bits = 0;
    int pool = pick_pool_source(bi, &pool_bits);
    int best = -1;
    uint64_t n =
        bi->untyped_count < CR_BOOTINFO_MAX_UNTYPED ? bi->untyped_count : CR_BOOTINFO_MAX_UNTYPED;
    for (uint64_t i = 0; i < n; i++) {
        const struct cr_untyped_desc *u = &bi->untyped[i];
        if (u->is_device || (int)i == pool || (int)i == pm_pool_source() ||
            u->size_bits < min_bits ||
            u->size_bits > CR_UNTYPED_MAX_BITS) {
            continue;
        }
        if (best < 0 || u->size_bits > bi->untyped[best].size_bits) {
            best = (int)i;
        }
    }
    if (best < 0) {
        return false;
    }
    *slot = bi->untyped_first + (uint64_t)best;
    *bits = bi->untyped[best].size_bits;
    return true;
}

bool
tl_is_documented(int64_t rc)
{
    if (rc >= 0) {
        return true;
    }
    if (rc < -4096) {
        return false;
    }
    switch (-rc) {
#define CR_ERR(name, num, text) case (num):
#include <courier/abi/errors.def>
#undef CR_ERR
        return true;
    default:
        return false;
    }
}

uint64_t
tl_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}
