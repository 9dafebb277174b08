/* SPDX-License-Identifier: MIT */
/*
 * The system tests' helper library (see testlib.h). On first use it takes a block of
 * root-CNode slots from root_slot_alloc, splits one RAM untyped from bootinfo into
 * 1 MiB children (the pool) and makes the page tables of the test window in the root
 * server's address space from one of them; everything after that comes and goes per
 * test through struct tl arenas.
 */
#include "testlib.h"
#include "pm/pm.h"

#include <courier/abi/bootinfo.h>
#include <courier/abi/errors.h>
#include <courier/abi/msg.h>
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
/* Pages of a helper thread's stack (below them one unmapped guard page). */
#define TL_STACK_PAGES 4u

/* The return address planted under a helper thread's entry (testlib_asm.S). */
extern char tl_thread_return[];

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

void
tl_root_prio(unsigned prio)
{
    int64_t rc = cr_tcb_set_priority(CR_CAP_ROOT_TCB, prio, CR_SCHED_RR);
    if (rc != 0) {
        TEST_FAIL("root priority %u: %s", prio, cr_errname((int)rc));
    }
}

uint64_t
tl_now_ns(void)
{
    uint64_t ns = 0;
    cr_clock_get(CR_UPTR(&ns));
    return ns;
}

static uint64_t
deadline_of(uint64_t timeout_ms)
{
    return tl_now_ns() + (timeout_ms != 0 ? timeout_ms : TL_TIMEOUT_MS) * 1000000ull;
}

int64_t
tl_wait(cr_cptr_t ntfn, uint64_t *bits, unsigned prio, uint64_t timeout_ms)
{
    uint64_t deadline = deadline_of(timeout_ms);
    uint64_t w = 0;
    int64_t rc;
    tl_root_prio(prio != 0 ? prio : TL_PRIO);
    for (;;) {
        rc = cr_notify_poll(ntfn, CR_UPTR(&w));
        if (rc != -CR_EAGAIN) {
            break;
        }
        if (tl_now_ns() > deadline) {
            rc = -CR_ETIMEDOUT;
            break;
        }
        cr_yield();
    }
    tl_root_prio(TL_ROOT_PRIO);
    if (bits != NULL) {
        *bits = w;
    }
    return rc;
}

int64_t
tl_fault_wait(cr_cptr_t chan, struct cr_fault_msg *msg, unsigned prio, uint64_t timeout_ms)
{
    uint64_t deadline = deadline_of(timeout_ms);
    int64_t rc;
    tl_root_prio(prio != 0 ? prio : TL_PRIO);
    for (;;) {
        rc = cr_fault_recv(chan, CR_UPTR(msg), 1);
        if (rc != -CR_EAGAIN) {
            break;
        }
        if (tl_now_ns() > deadline) {
            rc = -CR_ETIMEDOUT;
            break;
        }
        cr_yield();
    }
    tl_root_prio(TL_ROOT_PRIO);
    return rc;
}

void
tl_pause(unsigned prio, uint64_t ms)
{
    uint64_t deadline = deadline_of(ms);
    tl_root_prio(prio != 0 ? prio : TL_PRIO);
    while (tl_now_ns() <= deadline) {
        cr_yield();
    }
    tl_root_prio(TL_ROOT_PRIO);
}

bool
tl_wait_word(volatile uint64_t *word, uint64_t want, unsigned prio, uint64_t timeout_ms)
{
    uint64_t deadline = deadline_of(timeout_ms);
    bool ok = false;
    tl_root_prio(prio != 0 ? prio : TL_PRIO);
    for (;;) {
        if (*word == want) {
            ok = true;
            break;
        }
        if (tl_now_ns() > deadline) {
            break;
        }
        cr_yield();
    }
    tl_root_prio(TL_ROOT_PRIO);
    return ok;
}

bool
tl_thread_new(struct tl *t, struct tl_thread *th, tl_thread_fn fn, unsigned prio)
{
    memset((void *)th, 0, sizeof(*th));
    th->fn = fn;
    th->tcb = tl_new(t, CR_OBJ_TCB, 0);
    if (th->tcb == 0) {
        return false;
    }
    th->self = th->tcb;
    int64_t rc = cr_tcb_configure(th->tcb, CR_CAP_ROOT_CNODE, CR_CAP_ROOT_VSPACE, 0, 0);
    if (rc == 0) {
        rc = cr_tcb_set_priority(th->tcb, prio, CR_SCHED_RR);
    }
    if (rc != 0) {
        TEST_FAIL("tl_thread_new: %s", cr_errname((int)rc));
        return false;
    }
    if (tl_va(t, 1) == 0) { /* guard page */
        return false;
    }
    uint64_t base = 0;
    for (unsigned i = 0; i < TL_STACK_PAGES; i++) {
        void *p = tl_map(t, CR_RIGHT_READ | CR_RIGHT_WRITE, NULL);
        if (p == NULL) {
            return false;
        }
        if (i == 0) {
            base = (uint64_t)(uintptr_t)p;
        }
    }
    th->stack_top = base + TL_STACK_PAGES * CR_PAGE_SIZE;
    return true;
}

static bool
thread_regs(struct tl_thread *th, uint64_t flags)
{
    struct cr_regs r;
    int64_t rc = cr_tcb_read_regs(th->tcb, CR_UPTR(&r));
    if (rc != 0) {
        TEST_FAIL("tl_thread: read_regs: %s", cr_errname((int)rc));
        return false;
    }
    /* fn(th) "called" from tl_thread_return: [rsp] = return address, [rsp+8] = th. */
    uint64_t *sp = (uint64_t *)(uintptr_t)(th->stack_top - 24);
    sp[0] = (uint64_t)(uintptr_t)tl_thread_return;
    sp[1] = (uint64_t)(uintptr_t)th;
    sp[2] = 0;
    r.rip = (uint64_t)(uintptr_t)th->fn;
    r.rsp = (uint64_t)(uintptr_t)sp;
    r.rdi = (uint64_t)(uintptr_t)th;
    r.rbp = 0;
    r.rflags = 0x202;
    th->finished = 0;
    rc = cr_tcb_write_regs(th->tcb, CR_UPTR(&r), flags);
    if (rc != 0) {
        TEST_FAIL("tl_thread: write_regs: %s", cr_errname((int)rc));
        return false;
    }
    return true;
}

bool
tl_thread_prepare(struct tl_thread *th)
{
    return thread_regs(th, 0);
}

bool
tl_thread_start(struct tl_thread *th)
{
    return thread_regs(th, CR_REGS_RESUME);
}

/* Called by tl_thread_return with the thread's struct when fn returns. */
void
tl_thread_exit(struct tl_thread *th)
{
    th->finished = 1;
    if (th->done != 0) {
        cr_notify_signal(th->done);
    }
    for (;;) {
        cr_tcb_suspend(th->self);
        cr_yield();
    }
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

cr_cptr_t
tl_map_tables(struct tl *t, cr_cptr_t vs, uint64_t va)
{
    cr_cptr_t pdpt = tl_new(t, CR_OBJ_PDPT, 0);
    cr_cptr_t pd = tl_new(t, CR_OBJ_PD, 0);
    cr_cptr_t pt = tl_new(t, CR_OBJ_PT, 0);
    if (pt == 0 || !EXPECT_OK(cr_vspace_map_table(pdpt, vs, va)) ||
        !EXPECT_OK(cr_vspace_map_table(pd, vs, va)) ||
        !EXPECT_OK(cr_vspace_map_table(pt, vs, va))) {
        return 0;
    }
    return pt;
}

bool
tl_as_build(struct tl *t, struct tl_as *a, cr_cptr_t vs_ut)
{
    const uint64_t rw = CR_RIGHT_READ | CR_RIGHT_WRITE;
    const uint64_t rx = CR_RIGHT_READ | CR_RIGHT_EXEC;
    memset(a, 0, sizeof(*a));
    a->vs = tl_new_from(t, vs_ut, CR_OBJ_VSPACE, 0);
    if (a->vs == 0 || tl_map_tables(t, a->vs, TL_AS_CODE) == 0) {
        return false;
    }
    cr_cptr_t code;
    void *c = tl_map(t, rw, &code);
    if (c == NULL) {
        return false;
    }
    memcpy(c, as_blob_start, (size_t)(as_blob_end - as_blob_start));
    cr_cptr_t code2 = tl_copy(t, code, rx);
    a->data = tl_map(t, rw, &a->data_frame);
    cr_cptr_t data2 = a->data != NULL ? tl_copy(t, a->data_frame, rw) : 0;
    if (code2 == 0 || data2 == 0 || !EXPECT_OK(cr_vspace_map(code2, a->vs, TL_AS_CODE, rx, 0)) ||
        !EXPECT_OK(cr_vspace_map(data2, a->vs, TL_AS_DATA, rw, 0))) {
        return false;
    }
    a->cnode = tl_new(t, CR_OBJ_CNODE, 2);
    a->guarded = a->cnode != 0 ? tl_mint(t, a->cnode, CR_RIGHTS_ALL, 62) : 0;
    a->ntfn = tl_new(t, CR_OBJ_NOTIFICATION, 0);
    a->tcb = tl_new(t, CR_OBJ_TCB, 0);
    a->chan = tl_new(t, CR_OBJ_CHANNEL, 0);
    if (a->guarded == 0 || a->chan == 0) {
        return false;
    }
    return EXPECT_OK(
               cr_cap_copy(a->cnode, TL_AS_NTFN, CR_CAP_ROOT_CNODE, a->ntfn, CR_RIGHT_WRITE)) &&
           EXPECT_OK(cr_cap_copy(a->cnode, TL_AS_SELF, CR_CAP_ROOT_CNODE, a->tcb, CR_RIGHTS_ALL)) &&
           EXPECT_OK(cr_tcb_configure(a->tcb, a->guarded, a->vs, a->chan, 0)) &&
           EXPECT_OK(cr_tcb_set_priority(a->tcb, TL_PRIO, CR_SCHED_RR));
}

bool
tl_as_run(struct tl_as *a, uint64_t rip, uint64_t counter, uint64_t count, uint64_t self)
{
    struct cr_regs r = { 0 };
    r.rip = rip;
    r.rflags = 0x202;
    r.rdi = counter;
    r.rsi = TL_AS_NTFN;
    r.rdx = count;
    r.r10 = self;
    return EXPECT_OK(cr_tcb_write_regs(a->tcb, CR_UPTR(&r), CR_REGS_RESUME));
}

cr_cptr_t
tl_ipc_channel(struct tl *t, unsigned table_bits, cr_cptr_t *table)
{
    cr_cptr_t chan = tl_new(t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t rt = chan != 0 ? tl_new(t, CR_OBJ_REPLY_TABLE, table_bits) : 0;
    if (rt == 0) {
        return 0;
    }
    int64_t rc = cr_channel_bind(chan, rt, 0);
    if (rc != 0) {
        TEST_FAIL("tl_ipc_channel: channel_bind: %s", cr_errname((int)rc));
        return 0;
    }
    if (table != NULL) {
        *table = rt;
    }
    return chan;
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

/* out[1] = 1 once it is about to send, out[0] = what msg_sendv returned. */
static void
call_fn(struct tl_thread *th)
{
    const struct tl_call *c = (const struct tl_call *)(uintptr_t)th->arg[0];
    th->out[1] = 1;
    th->out[0] = (uint64_t)cr_msg_sendv(c->conn, c->siov, c->sn, c->riov, c->rn);
}

/*
 * Above the root the client runs at once; but a root that holds exchanges runs at its
 * clients' priority (inheritance), so the root also yields until the client has started,
 * and twice more so that it gets into its system call.
 */
bool
tl_call_start(struct tl *t, struct tl_thread *th, const struct tl_call *c, unsigned prio)
{
    if (!tl_thread_new(t, th, call_fn, prio)) {
        return false;
    }
    th->arg[0] = (uint64_t)(uintptr_t)c;
    if (!tl_thread_start(th)) {
        return false;
    }
    bool started = tl_wait_word(&th->out[1], 1, TL_SRV_PRIO, 0);
    tl_root_prio(TL_SRV_PRIO);
    cr_yield();
    cr_yield();
    if (!started) {
        TEST_FAIL("tl_call_start: the client did not start");
    }
    return started;
}

bool
tl_call_blocked(const struct tl_thread *th)
{
    return th->out[1] == 1 && th->finished == 0;
}

bool
tl_call_done(struct tl_thread *th)
{
    bool ok = tl_wait_word(&th->finished, 1, TL_SRV_PRIO, 0);
    tl_root_prio(TL_SRV_PRIO);
    return ok;
}

bool
tl_expect_result(const char *file, int line, struct tl_thread *th, int64_t want)
{
    if (!test_expect_true(file, line, "client finished", tl_call_done(th))) {
        return false;
    }
    int64_t rc = (int64_t)th->out[0];
    if (want < 0) {
        return test_expect_err(file, line, "client's msg_sendv", want, rc);
    }
    return test_expect_eq(file, line, "client's msg_sendv", "want", (uint64_t)rc, (uint64_t)want);
}

static void
prober_loop(struct tl_thread *th)
{
    struct tl_prober *p = (struct tl_prober *)(uintptr_t)th->arg[0];
    for (;;) {
        uint64_t w = 0;
        cr_notify_wait(p->go, CR_UPTR(&w));
        p->rc = cr_syscall5(p->nr, p->a[0], p->a[1], p->a[2], p->a[3], p->a[4]);
        p->seq++;
    }
}

bool
tl_prober_init(struct tl *t, struct tl_prober *p)
{
    memset((void *)p, 0, sizeof(*p));
    p->ms = TL_PROBE_MS;
    p->stuck = true;
    p->go = tl_new(t, CR_OBJ_NOTIFICATION, 0);
    if (p->go == 0 || !tl_thread_new(t, &p->th, prober_loop, TL_PROBE_PRIO)) {
        return false;
    }
    p->th.arg[0] = (uint64_t)(uintptr_t)p;
    if (!tl_thread_start(&p->th)) {
        return false;
    }
    p->stuck = false;
    return true;
}

int64_t
tl_probe(struct tl_prober *p, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
         uint64_t a4)
{
    if (p->stuck) {
        return TL_PROBE_BLOCKED;
    }
    p->nr = nr;
    p->a[0] = a0;
    p->a[1] = a1;
    p->a[2] = a2;
    p->a[3] = a3;
    p->a[4] = a4;
    uint64_t seq = p->seq;
    cr_notify_signal(p->go);
    bool ok = tl_wait_word(&p->seq, seq + 1, TL_SRV_PRIO, p->ms);
    tl_root_prio(TL_SRV_PRIO);
    if (!ok) {
        TEST_FAIL("call %llu (%#llx, %#llx, %#llx, %#llx, %#llx) blocked", (unsigned long long)nr,
                  (unsigned long long)a0, (unsigned long long)a1, (unsigned long long)a2,
                  (unsigned long long)a3, (unsigned long long)a4);
        p->stuck = true;
        return TL_PROBE_BLOCKED;
    }
    return p->rc;
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

/* True if p[0..n) are all byte v. */
bool
tl_all_bytes(const void *p, uint64_t n, uint8_t v)
{
    const uint8_t *b = p;
    for (uint64_t i = 0; i < n; i++) {
        if (b[i] != v) {
            return false;
        }
    }
    return true;
}

/* msg_receivev into one buffer; info is filled with 0xa5 first so stale fields show. */
int64_t
tl_recv1(cr_cptr_t chan, void *buf, uint64_t len, struct cr_msg_info *info)
{
    struct cr_iov iov = { CR_UPTR(buf), len };
    memset(info, 0xa5, sizeof(*info));
    return cr_msg_receivev(chan, CR_UPTR(&iov), 1, CR_UPTR(info));
}

/* msg_replyv from one buffer. */
int64_t
tl_reply1(cr_cptr_t chan, uint64_t rcvid, uint64_t status, const void *buf, uint64_t len)
{
    struct cr_iov iov = { CR_UPTR(buf), len };
    return cr_msg_replyv(chan, rcvid, status, CR_UPTR(&iov), 1);
}

/* Starts the arena with the root as server at TL_SRV_PRIO; false if there is none. */
bool
tl_ipc_begin(struct tl *t)
{
    if (!tl_begin(t)) {
        return false;
    }
    tl_root_prio(TL_SRV_PRIO);
    return true;
}
