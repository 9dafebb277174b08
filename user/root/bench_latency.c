/* SPDX-License-Identifier: MIT */
/*
 * Latency benchmarks (maxima and medians over many runs, in TSC ticks: instructions
 * under -icount).
 *   pulse_latency     pulse_send in a lower-priority thread -> the waiting root server's
 *                     msg_receivev returns with it
 *   irq_latency       the PIT's interrupt (its expiry time is computed from the count
 *                     programmed: exact under icount, where 1 instruction = 1 ns) -> the
 *                     waiting root returns from notify_wait
 *   wake_latency_max  how late a high-priority thread wakes from a timed wait (timeout_set
 *                     + a wait that nothing ends) past its deadline, worst of many
 */
#include "bench.h"
#include "pm/pm.h"
#include "root.h"
#include "slot.h"
#include "testlib.h"

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/sys.h>

enum {
    RUNS = 128,
    PIT_LINE = 2,
    PIT_COUNT = 600, /* ~0.5 ms */
};

static uint64_t
median(uint64_t *v, int n)
{
    for (int i = 1; i < n; i++) {
        uint64_t x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
    return v[n / 2];
}

static volatile uint64_t pulse_sent_at;
static volatile uint64_t pulse_stop;

static void
pulser(struct tl_thread *th)
{
    while (!pulse_stop) {
        pulse_sent_at = bench_rdtsc();
        cr_pulse_send(th->arg[0], 1, 0);
    }
}

BENCH(pulse_latency)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t pq = tl_new(&t, CR_OBJ_PULSE_QUEUE, 2);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    if (conn == 0 || pq == 0 || cr_channel_bind(chan, pq, 0) != 0 ||
        !tl_thread_new(&t, &th, pulser, TL_PRIO)) {
        tl_end(&t);
        return;
    }
    pulse_stop = 0;
    th.arg[0] = conn;
    tl_thread_start(&th);
    uint64_t lat[RUNS];
    struct cr_pulse p;
    struct cr_iov iov[1] = { { CR_UPTR(&p), sizeof(p) } };
    struct cr_msg_info info;
    uint64_t worst = 0;
    for (int i = 0; i < RUNS; i++) {
        /* The root waits (higher priority), so each pulse preempts the sender. */
        cr_msg_receivev(chan, CR_UPTR(iov), 1, CR_UPTR(&info));
        lat[i] = bench_rdtsc() - pulse_sent_at;
        worst = lat[i] > worst ? lat[i] : worst;
    }
    pulse_stop = 1;
    cr_tcb_suspend(th.tcb);
    bench_report_tsc("pulse_latency", median(lat, RUNS));
    bench_report_tsc("pulse_latency_max", worst);
    tl_end(&t);
}

BENCH(irq_latency)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ntfn = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t handler = tl_slot(&t);
    uint64_t hz = root_bootinfo()->tsc_hz;
    if (ntfn == 0 || handler == 0 ||
        cr_irq_get(CR_CAP_IRQ_CONTROL, PIT_LINE, CR_CAP_ROOT_CNODE, handler) != 0 ||
        cr_irq_set_notification(handler, ntfn, 0) != 0) {
        tl_end(&t);
        return;
    }
    uint64_t lat[RUNS];
    uint64_t worst = 0;
    uint64_t fire_ticks = (uint64_t)PIT_COUNT * hz / 1193182;
    for (int i = 0; i < RUNS; i++) {
        uint64_t bits;
        cr_ioport_out(CR_CAP_IOPORT, 0x43, 1, 0x30);
        cr_ioport_out(CR_CAP_IOPORT, 0x40, 1, PIT_COUNT & 0xff);
        uint64_t t0 = bench_rdtsc(); /* the count starts with the high byte */
        cr_ioport_out(CR_CAP_IOPORT, 0x40, 1, PIT_COUNT >> 8);
        cr_notify_wait(ntfn, CR_UPTR(&bits));
        uint64_t t1 = bench_rdtsc();
        lat[i] = t1 > t0 + fire_ticks ? t1 - (t0 + fire_ticks) : 0;
        worst = lat[i] > worst ? lat[i] : worst;
        cr_irq_ack(handler);
    }
    bench_report_tsc("irq_latency", median(lat, RUNS));
    bench_report_tsc("irq_latency_max", worst);
    cr_cap_delete(CR_CAP_ROOT_CNODE, handler);
    tl_end(&t);
}

/* Worst lateness of RUNS timed waits of `period_ns` each, in TSC ticks. */
uint64_t bench_wake_worst(cr_cptr_t ntfn, uint64_t period_ns);

uint64_t
bench_wake_worst(cr_cptr_t ntfn, uint64_t period_ns)
{
    uint64_t hz = root_bootinfo()->tsc_hz;
    uint64_t worst = 0;
    for (int i = 0; i < RUNS; i++) {
        uint64_t now = 0;
        cr_clock_get(CR_UPTR(&now));
        uint64_t deadline = now + period_ns;
        uint64_t bits;
        cr_timeout_set(deadline);
        cr_notify_wait(ntfn, CR_UPTR(&bits));
        uint64_t woke = 0;
        cr_clock_get(CR_UPTR(&woke));
        uint64_t late_ns = woke > deadline ? woke - deadline : 0;
        uint64_t late = late_ns * hz / 1000000000u;
        worst = late > worst ? late : worst;
    }
    return worst;
}

BENCH(wake_latency)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ntfn = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (ntfn != 0) {
        bench_report_tsc("wake_latency_max", bench_wake_worst(ntfn, 1000000));
    }
    tl_end(&t);
}

enum {
    BIG_COPY = 64u << 20,          /* bytes each way */
    BIG_BASE = 0x20000000000ull,   /* 2 TiB: a region of the root's space nobody uses */
    LARGE = 1u << 21,
};

static volatile uint64_t copy_stop;
static volatile uint64_t copies_done;

struct big_ipc {
    cr_cptr_t chan;
    cr_cptr_t conn;
    uint64_t src;
    uint64_t dst;
};

static struct big_ipc big;

static void
big_client(struct tl_thread *th)
{
    (void)th;
    struct cr_iov s[1] = { { big.src, BIG_COPY } };
    while (!copy_stop) {
        cr_msg_sendv(big.conn, CR_UPTR(s), 1, 0, 0);
        copies_done++;
    }
}

static void
big_server(struct tl_thread *th)
{
    (void)th;
    struct cr_iov d[1] = { { big.dst, BIG_COPY } };
    struct cr_msg_info info;
    for (;;) {
        int64_t rcvid = cr_msg_receivev(big.chan, CR_UPTR(d), 1, CR_UPTR(&info));
        if (rcvid > 0) {
            cr_msg_replyv(big.chan, (uint64_t)rcvid, 0, 0, 0);
        }
    }
}

/* The largest RAM untyped other than `not`, and its size in bits (0 if none). */
static cr_cptr_t
largest_untyped(cr_cptr_t not, unsigned *bits)
{
    const struct cr_bootinfo *bi = root_bootinfo();
    cr_cptr_t ut = 0;
    *bits = 0;
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        if (!bi->untyped[i].is_device && bi->untyped[i].size_bits > *bits &&
            bi->untyped_first + i != not && (int)i != pm_pool_source()) {
            *bits = bi->untyped[i].size_bits;
            ut = bi->untyped_first + i;
        }
    }
    return ut;
}

/* Maps BIG_COPY bytes of 2 MiB frames from untyped ut at va. */
static bool
map_buffer(cr_cptr_t ut, uint64_t va)
{
    for (unsigned i = 0; i < BIG_COPY / LARGE; i++) {
        cr_cptr_t f = root_slot_alloc();
        if (f == 0 || cr_untyped_retype(ut, CR_OBJ_FRAME, 21, CR_CAP_ROOT_CNODE, f, 1) != 0 ||
            cr_vspace_map(f, CR_CAP_ROOT_VSPACE, va + (uint64_t)i * LARGE,
                          CR_RIGHT_READ | CR_RIGHT_WRITE, 0) != 0) {
            return false;
        }
    }
    return true;
}

/*
 * Maps the two 64 MiB buffers at BIG_BASE: the first (and the page tables) from the
 * largest RAM untyped, the second from the next largest. Needs 128 MiB + 64 MiB.
 */
static bool
map_big(void)
{
    unsigned b0;
    unsigned b1;
    cr_cptr_t ut0 = largest_untyped(0, &b0);
    cr_cptr_t ut1 = largest_untyped(ut0, &b1);
    if (b0 < 27 || b1 < 26) {
        return false;
    }
    cr_cptr_t pdpt = root_slot_alloc();
    cr_cptr_t pd = root_slot_alloc();
    if (pdpt == 0 || pd == 0 ||
        cr_untyped_retype(ut0, CR_OBJ_PDPT, 0, CR_CAP_ROOT_CNODE, pdpt, 1) != 0 ||
        cr_untyped_retype(ut0, CR_OBJ_PD, 0, CR_CAP_ROOT_CNODE, pd, 1) != 0 ||
        cr_vspace_map_table(pdpt, CR_CAP_ROOT_VSPACE, BIG_BASE) != 0 ||
        cr_vspace_map_table(pd, CR_CAP_ROOT_VSPACE, BIG_BASE) != 0) {
        return false;
    }
    big.src = BIG_BASE;
    big.dst = BIG_BASE + BIG_COPY;
    return map_buffer(ut0, big.src) && map_buffer(ut1, big.dst);
}

BENCH(wake_latency_copy)
{
    struct tl t;
    struct tl_thread cl;
    struct tl_thread sv;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ntfn = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    big.chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 1);
    big.conn = big.chan != 0 ? tl_mint(&t, big.chan, CR_RIGHT_WRITE, 1) : 0;
    if (ntfn == 0 || big.conn == 0 || table == 0 || cr_channel_bind(big.chan, table, 0) != 0 ||
        !map_big() || !tl_thread_new(&t, &cl, big_client, 10) ||
        !tl_thread_new(&t, &sv, big_server, 11)) {
        tl_end(&t);
        return;
    }
    copy_stop = 0;
    copies_done = 0;
    tl_thread_start(&sv);
    tl_thread_start(&cl);
    /* The 64 MiB copies run whenever the root (priority 255) waits. */
    uint64_t worst = bench_wake_worst(ntfn, 1000000);
    copy_stop = 1;
    bench_report_tsc("wake_latency_copy_max", worst);
    bench_report("wake_latency_copy_copies", copies_done, "count");
    cr_tcb_suspend(cl.tcb);
    cr_tcb_suspend(sv.tcb);
    tl_end(&t);
}
