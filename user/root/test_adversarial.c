/* SPDX-License-Identifier: MIT */
/*
 * Adversarial system tests, run inside the root server: a thread whose whole CSpace is a
 * sacrificial CNode (stocked with one object of every kind) makes 20,000 system calls,
 * numbers 1..40 in turn, with arguments from a deterministic PRNG (small and huge cptrs,
 * indices, types, sizes, rights, badges; pointers that are null, unaligned, in the kernel,
 * non-canonical, read-only, straddling a hole or random). Every result must be >= 0 or a
 * code from errors.def, and afterwards the system must be alive. The thread cannot name
 * any of the root server's capabilities, so nothing the root needs can be destroyed.
 * The threads that pull the ground from under themselves are test_adversarial_teardown.c.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/bootinfo.h>
#include <courier/abi/caps.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

#define ROOT CR_CAP_ROOT_CNODE
#define FUZZ_CALLS 20000u
#define FUZZ_MAX_NR 47u /* every call in syscalls.def */
#define FUZZ_PRIO 50u
#define FUZZ_CNODE_RADIX 8u

/* Slots of the sacrificial CNode. */
enum fuzz_slot {
    FZ_UNTYPED = 1,
    FZ_NTFN = 2,
    FZ_NTFN_BADGED = 3,
    FZ_CHAN = 4,
    FZ_FRAME = 5,
    FZ_FRAME2 = 6,
    FZ_PT = 7,
    FZ_PD = 8,
    FZ_PDPT = 9,
    FZ_VSPACE = 10,
    FZ_CNODE = 11,
    FZ_TCB = 12,
    FZ_IRQCTL = 13,
    FZ_IOPORT = 14,
    FZ_SELF = 15, /* the sacrificial CNode itself, so it can be named as a CNode */
    FZ_FIRST_FREE = 16,
};

struct fuzz_state {
    uint64_t seed;
    uint64_t scratch; /* a writable page, followed by an unmapped one */
    uint64_t calls[FUZZ_MAX_NR + 1];
    uint64_t ok;      /* results >= 0 */
    uint64_t skipped; /* blocking calls turned away */
    uint64_t bad;     /* undocumented results */
    uint64_t bad_nr;
    int64_t bad_rc;
    uint64_t bad_args[6];
    uint64_t done;
};

static uint64_t
pick(uint64_t *s, uint64_t n)
{
    return tl_rand(s) % n;
}

static uint64_t
fz_cptr(uint64_t *s)
{
    switch (pick(s, 10)) {
    case 0:
    case 1:
    case 2:
        return pick(s, FZ_FIRST_FREE);
    case 3:
    case 4:
    case 5:
        return FZ_FIRST_FREE + pick(s, 40);
    case 6:
        return pick(s, 1u << FUZZ_CNODE_RADIX);
    case 7:
        return pick(s, 5001);
    case 8:
        return tl_rand(s);
    default:
        return pick(s, 16) | 1ull << (56 + pick(s, 8));
    }
}

/* A cptr that is usually `likely`, else anything. */
static uint64_t
fz_cptr_or(uint64_t *s, uint64_t likely)
{
    return pick(s, 3) == 0 ? fz_cptr(s) : likely;
}

static uint64_t
fz_index(uint64_t *s)
{
    switch (pick(s, 5)) {
    case 0:
        return pick(s, 4);
    case 1:
        return FZ_FIRST_FREE + pick(s, 40);
    case 2:
        return pick(s, 300);
    case 3:
        return tl_rand(s);
    default:
        return pick(s, FZ_FIRST_FREE);
    }
}

static uint64_t
fz_addr(struct fuzz_state *f, uint64_t *s)
{
    switch (pick(s, 14)) {
    case 0:
        return 0;
    case 1:
        return 1 + pick(s, 0xfff);
    case 2:
        return f->scratch + pick(s, 4096); /* may straddle into the hole after it */
    case 3:
        return f->scratch;
    case 4:
        return 0xffff800000000000ull + (tl_rand(s) & 0xffffffffull);
    case 5:
        return 0xffffffff80000000ull + (tl_rand(s) & 0xfffffull);
    case 6:
        return 0x0000800000000000ull - pick(s, 64);
    case 7:
        return CR_USER_MAX - pick(s, 64);
    case 8:
        return 0x400000 + pick(s, 0x1000); /* root server code: readable, not writable */
    case 9:
        return CR_BOOTINFO_VADDR + pick(s, 4096);
    case 10:
        return ~0ull - pick(s, 256);
    case 11:
        return f->scratch + 4096 + pick(s, 4096); /* the hole */
    default:
        return tl_rand(s);
    }
}

static uint64_t
fz_vaddr(uint64_t *s)
{
    /* A few addresses most of the time, so tables and frames meet. */
    static const uint64_t common[] = { 0x400000,   0x401000,        0x402000,         0x600000,
                                       0x40000000, 0x8000000000ull, 0x7fffffe00000ull };
    switch (pick(s, 8)) {
    case 0:
        return pick(s, 1u << 20) << 12;
    case 1:
        return tl_rand(s) & ~0xfffull;
    case 2:
        return 0xffff800000000000ull + (pick(s, 16) << 21);
    case 3:
        return tl_rand(s);
    default:
        return common[pick(s, sizeof(common) / 8)];
    }
}

static uint64_t
fz_small(uint64_t *s, uint64_t n)
{
    return pick(s, 4) == 0 ? tl_rand(s) : pick(s, n);
}

static uint64_t
fz_bits(uint64_t *s)
{
    static const uint64_t common[] = { 0, 2, 4, 8, 12, 16, 21, 47, 48, 64, 65 };
    return pick(s, 3) == 0 ? fz_small(s, 70) : common[pick(s, sizeof(common) / 8)];
}

static uint64_t
fz_count(uint64_t *s)
{
    static const uint64_t common[] = { 0, 1, 1, 1, 2, 3, 16, 255, 256, 4096, 4097 };
    return pick(s, 4) == 0 ? tl_rand(s) : common[pick(s, sizeof(common) / 8)];
}

static uint64_t
fz_port(uint64_t *s)
{
    return pick(s, 4) == 0 ? fz_small(s, 65536) : 0x7e + pick(s, 12);
}

/*
 * Fills the six argument words for call nr with plausible-to-wild values. While `gentle`,
 * moves, deletes and revokes leave the stocked slots alone (the capabilities the later
 * calls need, the CNode's own capability first of all); after that anything goes.
 */
static void
fz_args(struct fuzz_state *f, uint64_t *s, uint64_t nr, uint64_t a[6], bool gentle)
{
    for (unsigned i = 0; i < 6; i++) {
        a[i] = tl_rand(s);
    }
    switch (nr) {
    case CR_SYS_debug_putc:
        a[0] = (a[0] & ~0xffull) | '\r'; /* keep the log readable */
        break;
    case CR_SYS_cap_copy:
    case CR_SYS_cap_mint:
    case CR_SYS_cap_move:
    case CR_SYS_cap_mutate:
        a[0] = pick(s, 3) == 0 ? FZ_CNODE : (pick(s, 8) == 0 ? fz_cptr(s) : FZ_SELF);
        a[1] = pick(s, 3) == 0 ? fz_index(s) : FZ_FIRST_FREE + pick(s, 40);
        a[2] = pick(s, 3) == 0 ? FZ_CNODE : (pick(s, 8) == 0 ? fz_cptr(s) : FZ_SELF);
        a[3] = pick(s, 3) == 0 ? fz_index(s) : pick(s, FZ_FIRST_FREE + 40);
        a[4] = pick(s, 3) == 0 ? fz_small(s, 16) : CR_RIGHTS_ALL;
        a[5] = pick(s, 2) == 0 ? fz_small(s, 1u << 12) : 0;
        if (gentle && (nr == CR_SYS_cap_move || nr == CR_SYS_cap_mutate) && a[2] == FZ_SELF &&
            a[3] < FZ_FIRST_FREE) {
            a[3] += FZ_FIRST_FREE;
        }
        break;
    case CR_SYS_cap_delete:
    case CR_SYS_cap_revoke:
        a[0] = pick(s, 8) == 0 ? fz_cptr(s) : (pick(s, 3) == 0 ? FZ_CNODE : FZ_SELF);
        a[1] = pick(s, 6) == 0 ? fz_index(s) : FZ_FIRST_FREE + pick(s, 40);
        if (gentle && a[0] == FZ_SELF && a[1] < FZ_FIRST_FREE) {
            a[1] += FZ_FIRST_FREE;
        }
        break;
    case CR_SYS_cap_identify:
    case CR_SYS_clock_get:
        a[0] = fz_cptr(s);
        a[1] = fz_addr(f, s);
        if (nr == CR_SYS_clock_get) {
            a[0] = fz_addr(f, s);
        }
        break;
    case CR_SYS_untyped_retype: {
        static const uint64_t types[][2] = {
            { CR_OBJ_UNTYPED, 12 }, { CR_OBJ_UNTYPED, 16 }, { CR_OBJ_CNODE, 2 },
            { CR_OBJ_TCB, 0 },      { CR_OBJ_CHANNEL, 0 },  { CR_OBJ_NOTIFICATION, 0 },
            { CR_OBJ_FRAME, 12 },   { CR_OBJ_PT, 0 },       { CR_OBJ_PD, 0 },
            { CR_OBJ_PDPT, 0 },     { CR_OBJ_VSPACE, 0 },
        };
        unsigned k = (unsigned)pick(s, sizeof(types) / sizeof(types[0]));
        a[0] = fz_cptr_or(s, pick(s, 4) == 0 ? FZ_FIRST_FREE + pick(s, 40) : FZ_UNTYPED);
        a[1] = pick(s, 4) == 0 ? fz_small(s, 16) : types[k][0];
        a[2] = pick(s, 4) == 0 ? fz_bits(s) : types[k][1];
        a[3] = fz_cptr_or(s, pick(s, 4) == 0 ? FZ_CNODE : FZ_SELF);
        a[4] = pick(s, 3) == 0 ? fz_index(s) : FZ_FIRST_FREE + pick(s, 40);
        a[5] = pick(s, 3) == 0 ? fz_count(s) : 1 + pick(s, 2);
        break;
    }
    case CR_SYS_tcb_configure:
        a[0] = pick(s, 2) == 0 ? FZ_TCB : fz_cptr(s);
        a[1] = pick(s, 2) == 0 ? FZ_SELF : fz_cptr(s);
        a[2] = pick(s, 2) == 0 ? FZ_VSPACE : fz_cptr(s);
        a[3] = pick(s, 2) == 0 ? FZ_CHAN : fz_cptr(s);
        a[4] = pick(s, 4) == 0 ? tl_rand(s) : 0;
        break;
    case CR_SYS_tcb_set_priority:
        a[0] = pick(s, 2) == 0 ? FZ_TCB : fz_cptr(s);
        a[1] = fz_small(s, 300);
        a[2] = fz_small(s, 3);
        break;
    case CR_SYS_tcb_write_regs:
    case CR_SYS_tcb_read_regs:
        a[0] = pick(s, 2) == 0 ? FZ_TCB : fz_cptr(s);
        a[1] = fz_addr(f, s);
        a[2] = fz_small(s, 4);
        break;
    case CR_SYS_tcb_resume:
    case CR_SYS_tcb_suspend:
    case CR_SYS_tcb_set_tls:
    case CR_SYS_tcb_set_upcall:
    case CR_SYS_tcb_set_fault_badge:
        a[0] = pick(s, 2) == 0 ? FZ_TCB : fz_cptr(s);
        a[1] = pick(s, 2) == 0 ? fz_vaddr(s) : fz_addr(f, s);
        break;
    case CR_SYS_upcall_return:
        a[0] = fz_addr(f, s);
        break;
    case CR_SYS_vspace_map:
        a[0] = fz_cptr_or(s, pick(s, 2) == 0 ? FZ_FRAME + pick(s, 2) : FZ_FIRST_FREE + pick(s, 40));
        a[1] = fz_cptr_or(s, FZ_VSPACE);
        a[2] = fz_vaddr(s);
        a[3] = pick(s, 3) == 0 ? fz_small(s, 16) : 1 + 2 * pick(s, 4);
        a[4] = pick(s, 3) == 0 ? fz_small(s, 8) : 0;
        break;
    case CR_SYS_vspace_unmap:
    case CR_SYS_vspace_remap:
        a[0] = fz_cptr_or(s, pick(s, 2) == 0 ? FZ_FRAME + pick(s, 5) : FZ_FIRST_FREE + pick(s, 40));
        a[1] = pick(s, 3) == 0 ? fz_small(s, 16) : 1 + 2 * pick(s, 4);
        break;
    case CR_SYS_vspace_map_table:
        a[0] = fz_cptr_or(s, pick(s, 2) == 0 ? FZ_PT + pick(s, 3) : FZ_FIRST_FREE + pick(s, 40));
        a[1] = fz_cptr_or(s, FZ_VSPACE);
        a[2] = fz_vaddr(s);
        break;
    case CR_SYS_irq_get:
        a[0] = pick(s, 2) == 0 ? FZ_IRQCTL : fz_cptr(s);
        a[1] = fz_small(s, 40);
        a[2] = fz_cptr_or(s, FZ_SELF);
        a[3] = pick(s, 3) == 0 ? fz_index(s) : FZ_FIRST_FREE + pick(s, 40);
        break;
    case CR_SYS_irq_set_notification:
    case CR_SYS_irq_ack:
        a[0] = fz_cptr_or(s, FZ_FIRST_FREE + pick(s, 40));
        a[1] = pick(s, 2) == 0 ? FZ_NTFN + pick(s, 2) : fz_cptr(s);
        a[2] = pick(s, 4) == 0 ? tl_rand(s) : 0;
        break;
    case CR_SYS_ioport_issue:
        a[0] = fz_cptr_or(s, pick(s, 2) == 0 ? FZ_IOPORT : FZ_FIRST_FREE + pick(s, 40));
        a[1] = fz_port(s);
        a[2] = fz_port(s);
        a[3] = fz_cptr_or(s, FZ_SELF);
        a[4] = pick(s, 3) == 0 ? fz_index(s) : FZ_FIRST_FREE + pick(s, 40);
        break;
    case CR_SYS_ioport_in:
    case CR_SYS_ioport_out:
        a[0] = pick(s, 2) == 0 ? FZ_IOPORT : fz_cptr(s);
        a[1] = fz_port(s);
        a[2] = fz_small(s, 6);
        break;
    case CR_SYS_notify_signal:
    case CR_SYS_notify_wait:
    case CR_SYS_notify_poll:
    case CR_SYS_fault_recv:
        a[0] = pick(s, 2) == 0 ? FZ_NTFN + pick(s, 3) : fz_cptr(s);
        a[1] = fz_addr(f, s);
        a[2] = fz_small(s, 4);
        break;
    default:
        break;
    }
}

/* True if the call would block the fuzzer forever (a wait on a real object). */
static bool
fz_would_block(uint64_t nr, uint64_t a[6])
{
    struct cr_cap_info info;
    if (nr == CR_SYS_notify_wait) {
        return cr_cap_identify(a[0], CR_UPTR(&info)) == 0 && info.type == CR_OBJ_NOTIFICATION;
    }
    if (nr == CR_SYS_fault_recv && (a[2] & 1) == 0) {
        if (cr_cap_identify(a[0], CR_UPTR(&info)) == 0 && info.type == CR_OBJ_CHANNEL) {
            a[2] |= 1; /* make it non-blocking instead */
        }
    }
    return false;
}

static void
fuzz_thread(struct tl_thread *th)
{
    struct fuzz_state *f = (struct fuzz_state *)(uintptr_t)th->arg[0];
    uint64_t s = f->seed;
    for (uint64_t i = 0; i < FUZZ_CALLS; i++) {
        uint64_t nr = 1 + i % FUZZ_MAX_NR;
        uint64_t a[6];
        fz_args(f, &s, nr, a, i < FUZZ_CALLS * 3 / 4);
        if (fz_would_block(nr, a)) {
            f->skipped++;
            continue;
        }
        /* Anything that still blocks (a send, a receive, a reply-and-receive) ends at a
         * deadline 1 ms away; a fuzzed timeout_set only affects this one call. */
        uint64_t now = 0;
        cr_clock_get(CR_UPTR(&now));
        if (nr != CR_SYS_timeout_set) {
            cr_timeout_set(now + 1000000);
        }
        int64_t rc = cr_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        f->calls[nr]++;
        if (rc >= 0) {
            f->ok++;
        } else if (!tl_is_documented(rc) && f->bad++ == 0) {
            f->bad_nr = nr;
            f->bad_rc = rc;
            memcpy(f->bad_args, a, sizeof(a));
        }
    }
    f->done = 1;
}

/* Builds the sacrificial CNode (root slot cn; `guarded` is its 56-bit-guard mint) from
 * the arena. Its TCB is configured with that CSpace, its VSpace and its channel. */
static bool
fuzz_stock(struct tl *t, cr_cptr_t cn, cr_cptr_t guarded)
{
    cr_cptr_t ut = tl_new(t, CR_OBJ_UNTYPED, 18);
    cr_cptr_t tcb = tl_new(t, CR_OBJ_TCB, 0);
    cr_cptr_t vs = tl_new(t, CR_OBJ_VSPACE, 0);
    cr_cptr_t ch = tl_new(t, CR_OBJ_CHANNEL, 0);
    if (ch == 0 || !EXPECT_OK(cr_tcb_configure(tcb, guarded, vs, ch, 0)) ||
        !EXPECT_OK(cr_cap_move(cn, FZ_UNTYPED, ROOT, ut)) ||
        !EXPECT_OK(cr_cap_move(cn, FZ_TCB, ROOT, tcb)) ||
        !EXPECT_OK(cr_cap_move(cn, FZ_VSPACE, ROOT, vs)) ||
        !EXPECT_OK(cr_cap_move(cn, FZ_CHAN, ROOT, ch))) {
        return false;
    }
    static const struct {
        unsigned slot;
        unsigned type;
        unsigned bits;
    } objs[] = {
        { FZ_NTFN, CR_OBJ_NOTIFICATION, 0 },
        { FZ_FRAME, CR_OBJ_FRAME, 12 },
        { FZ_FRAME2, CR_OBJ_FRAME, 12 },
        { FZ_PT, CR_OBJ_PT, 0 },
        { FZ_PD, CR_OBJ_PD, 0 },
        { FZ_PDPT, CR_OBJ_PDPT, 0 },
        { FZ_CNODE, CR_OBJ_CNODE, 2 },
    };
    for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
        if (!EXPECT_OK(cr_untyped_retype(t->ut, objs[i].type, objs[i].bits, cn, objs[i].slot, 1))) {
            return false;
        }
    }
    return EXPECT_OK(cr_cap_mint(cn, FZ_NTFN_BADGED, cn, FZ_NTFN, CR_RIGHTS_ALL, 0x10)) &&
           EXPECT_OK(cr_cap_copy(cn, FZ_IRQCTL, ROOT, CR_CAP_IRQ_CONTROL, CR_RIGHTS_ALL)) &&
           EXPECT_OK(cr_ioport_issue(CR_CAP_IOPORT, 0x80, 0x87, cn, FZ_IOPORT)) &&
           EXPECT_OK(cr_cap_mint(cn, FZ_SELF, ROOT, cn, CR_RIGHTS_ALL, 64 - FUZZ_CNODE_RADIX));
}

TEST(adversarial_fuzz_syscalls)
{
    static struct fuzz_state f;
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    memset(&f, 0, sizeof(f));
    f.seed = 0x9e3779b97f4a7c15ull;
    cr_cptr_t cn = tl_new(&t, CR_OBJ_CNODE, FUZZ_CNODE_RADIX);
    cr_cptr_t guarded = cn != 0 ? tl_mint(&t, cn, CR_RIGHTS_ALL, 64 - FUZZ_CNODE_RADIX) : 0;
    cr_cptr_t fch = tl_new(&t, CR_OBJ_CHANNEL, 0);
    void *scratch = tl_map(&t, CR_RIGHT_READ | CR_RIGHT_WRITE, NULL);
    if (guarded == 0 || fch == 0 || scratch == NULL || tl_va(&t, 1) == 0) {
        goto out;
    }
    f.scratch = (uint64_t)(uintptr_t)scratch;
    if (!fuzz_stock(&t, cn, guarded) || !tl_thread_new(&t, &th, fuzz_thread, FUZZ_PRIO)) {
        goto out;
    }
    /* Its CSpace is the sacrificial CNode alone; its faults go to a channel of ours. */
    if (!EXPECT_OK(cr_tcb_configure(th.tcb, guarded, CR_CAP_ROOT_VSPACE, fch, 0))) {
        goto out;
    }
    th.self = 0; /* it cannot name its own TCB: when done it just yields */
    th.arg[0] = (uint64_t)(uintptr_t)&f;
    if (!tl_thread_start(&th)) {
        goto out;
    }
    bool finished = tl_wait_word(&f.done, 1, FUZZ_PRIO, 30000);
    EXPECT_TRUE(finished);
    struct cr_fault_msg m;
    int64_t frc = cr_fault_recv(fch, CR_UPTR(&m), 1);
    if (frc == 0) {
        TEST_FAIL("fuzz thread faulted: kind %u addr %#llx rip %#llx", m.kind,
                  (unsigned long long)m.addr, (unsigned long long)m.rip);
    }
    EXPECT_ERR(-CR_EAGAIN, frc);
    if (f.bad != 0) {
        TEST_FAIL("%llu undocumented results; first: call %llu returned %lld (args %#llx %#llx "
                  "%#llx %#llx %#llx %#llx)",
                  (unsigned long long)f.bad, (unsigned long long)f.bad_nr, (long long)f.bad_rc,
                  (unsigned long long)f.bad_args[0], (unsigned long long)f.bad_args[1],
                  (unsigned long long)f.bad_args[2], (unsigned long long)f.bad_args[3],
                  (unsigned long long)f.bad_args[4], (unsigned long long)f.bad_args[5]);
    }
    uint64_t total = f.skipped;
    for (unsigned nr = 1; nr <= FUZZ_MAX_NR; nr++) {
        total += f.calls[nr];
        if (f.calls[nr] < FUZZ_CALLS / FUZZ_MAX_NR / 2) {
            TEST_FAIL("call %u made only %llu times", nr, (unsigned long long)f.calls[nr]);
        }
    }
    if (finished) {
        EXPECT_EQ(total, FUZZ_CALLS);
    }
    EXPECT_TRUE(f.ok > 0);
    /* Alive: the null call, a fresh retype, a signal round trip. */
    EXPECT_EQ(cr_null(), 0);
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    uint64_t w = 0;
    EXPECT_OK(cr_notify_signal(n));
    EXPECT_OK(cr_notify_poll(n, CR_UPTR(&w)));
    EXPECT_EQ(w, 1);
out:
    tl_end(&t);
    EXPECT_EQ(cr_null(), 0);
}
