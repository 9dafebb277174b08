/* SPDX-License-Identifier: MIT */
/*
 * Message-passing benchmarks: a client thread calls the root server, which receives and
 * replies, with payloads of 0 B, 64 B, 4 KiB, 64 KiB and 1 MiB each way; one figure is
 * the cost of one round trip (send, receive, copy both ways, reply, two switches), as
 * the client measures it. memcpy_64k and memcpy_1m copy the same bytes inside the guest
 * for comparison. Client and server share the root's address space, except in
 * ipc_rt_0b_fast_as (the client in a VSpace of its own: a CR3 load per switch); the copy
 * path is the same as across address spaces (page walks of both sides).
 */
#include "bench.h"
#include "testlib.h"

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

enum {
    ROUNDS = 5,
    BIG = 1u << 20,
};

static uint8_t client_buf[2][BIG] __attribute__((aligned(4096)));
static uint8_t server_buf[BIG] __attribute__((aligned(4096)));

struct ipc_run {
    cr_cptr_t conn;
    uint64_t size;
    uint64_t calls;
    uint8_t *send;  /* the client's buffers and the server's */
    uint8_t *reply;
    uint8_t *serve;
    volatile uint64_t best;
};

static struct ipc_run run;

/* The clients: ROUNDS rounds of run.calls calls; the best round's cost per call. The loop
 * is written out in each, so the figure has no indirect call in it. */
static void
client_iov(struct tl_thread *th)
{
    struct cr_iov s[1] = { { CR_UPTR(run.send), run.size } };
    struct cr_iov r[1] = { { CR_UPTR(run.reply), run.size } };
    uint64_t best = UINT64_MAX;
    for (int k = 0; k < ROUNDS; k++) {
        uint64_t t0 = bench_rdtsc();
        for (uint64_t i = 0; i < run.calls; i++) {
            cr_msg_sendv(run.conn, CR_UPTR(s), 1, CR_UPTR(r), 1);
        }
        uint64_t per = (bench_rdtsc() - t0) / run.calls;
        best = per < best ? per : best;
    }
    run.best = best;
    (void)th;
}

static void
client_regs(struct tl_thread *th)
{
    uint64_t mr[4] = { 1, 2, 3, 4 };
    uint64_t best = UINT64_MAX;
    for (int k = 0; k < ROUNDS; k++) {
        uint64_t t0 = bench_rdtsc();
        for (uint64_t i = 0; i < run.calls; i++) {
            cr_msg_send_mr(run.conn, mr, run.size, run.size);
        }
        uint64_t per = (bench_rdtsc() - t0) / run.calls;
        best = per < best ? per : best;
    }
    run.best = best;
    (void)th;
}

/* The server loops: one kernel entry per request (reply to the last, receive the next). */
static void
serve_iov(cr_cptr_t chan, uint64_t size, uint64_t n)
{
    struct cr_iov iov[1] = { { CR_UPTR(run.serve), size } };
    struct cr_msg_info info;
    struct cr_msg_recv next = { CR_UPTR(iov), 1, CR_UPTR(&info) };
    int64_t rcvid = cr_msg_receivev(chan, CR_UPTR(iov), 1, CR_UPTR(&info));
    for (uint64_t i = 1; rcvid > 0 && i < n; i++) {
        rcvid = cr_msg_reply_recv(chan, (uint64_t)rcvid, 0, CR_UPTR(iov), 1, CR_UPTR(&next));
    }
    if (rcvid > 0) {
        cr_msg_replyv(chan, (uint64_t)rcvid, 0, CR_UPTR(iov), 1);
    }
}

static void
serve_regs(cr_cptr_t chan, uint64_t size, uint64_t n)
{
    uint64_t mr[4] = { 0 };
    struct cr_msg_info info;
    int64_t rcvid = cr_msg_reply_recv_mr(chan, 0, 0, 0, mr, &info);
    for (uint64_t i = 1; rcvid > 0 && i < n; i++) {
        rcvid = cr_msg_reply_recv_mr(chan, (uint64_t)rcvid, 0, size, mr, &info);
    }
    if (rcvid > 0) {
        cr_msg_replyv(chan, (uint64_t)rcvid, 0, 0, 0);
    }
}

/*
 * `pages` fresh pages whose frames are never physically adjacent in address order (each
 * page holds the frame allocated before the previous page's), so the copier cannot
 * copy more than one page at a time. NULL if the test window or the arena is short.
 */
static uint8_t *
scattered(struct tl *t, unsigned pages)
{
    uint64_t va = tl_va(t, pages);
    cr_cptr_t f = tl_slots(t, pages);
    if (va == 0 || f == 0 ||
        cr_untyped_retype(t->ut, CR_OBJ_FRAME, CR_PAGE_BITS, CR_CAP_ROOT_CNODE, f, pages) != 0) {
        return NULL;
    }
    for (unsigned i = 0; i < pages; i++) {
        if (tl_map_at(f + pages - 1 - i, va + i * CR_PAGE_SIZE,
                      CR_RIGHT_READ | CR_RIGHT_WRITE) != 0) {
            return NULL;
        }
    }
    memset((void *)(uintptr_t)va, 1, (uint64_t)pages * CR_PAGE_SIZE);
    return (uint8_t *)(uintptr_t)va;
}

/* One figure: a client thread making calls x ROUNDS calls, the root serving them; the
 * buffers are the static ones (laid out by the loader, physically contiguous here), or,
 * with scatter set, pages with no two frames adjacent. */
static void
round_trip_with(const char *name, uint64_t size, uint64_t calls, tl_thread_fn client,
                void (*serve)(cr_cptr_t chan, uint64_t size, uint64_t n), bool scatter)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    run.send = client_buf[0];
    run.reply = client_buf[1];
    run.serve = server_buf;
    if (scatter) {
        unsigned pages = (unsigned)(size / CR_PAGE_SIZE);
        run.send = scattered(&t, pages);
        run.reply = scattered(&t, pages);
        run.serve = scattered(&t, pages);
        if (run.send == NULL || run.reply == NULL || run.serve == NULL) {
            tl_end(&t);
            return;
        }
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 2);
    run.conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    run.size = size;
    run.calls = calls;
    run.best = 0;
    if (run.conn == 0 || table == 0 || cr_channel_bind(chan, table, 0) != 0 ||
        !tl_thread_new(&t, &th, client, TL_ROOT_PRIO) || !tl_thread_start(&th)) {
        tl_end(&t);
        return;
    }
    serve(chan, size, calls * ROUNDS);
    while (run.best == 0 && !th.finished) {
        cr_yield();
    }
    bench_report_tsc(name, run.best);
    tl_end(&t);
}

static void
round_trip(const char *name, uint64_t size, uint64_t calls)
{
    round_trip_with(name, size, calls, client_iov, serve_iov, false);
}

/* The register fast path: 0 or 32 bytes each way in the message registers. */
static void
round_trip_regs(const char *name, uint64_t size, uint64_t calls)
{
    round_trip_with(name, size, calls, client_regs, serve_regs, false);
}

static void
memcpy_figure(const char *name, uint64_t size)
{
    uint64_t best = UINT64_MAX;
    for (int k = 0; k < ROUNDS; k++) {
        uint64_t t0 = bench_rdtsc();
        memcpy(client_buf[1], client_buf[0], size);
        uint64_t d = bench_rdtsc() - t0;
        best = d < best ? d : best;
    }
    bench_report_tsc(name, best);
}

/*
 * The empty register round trip with the client in an address space of its own (the
 * blob's register client, testlib_asm.S), so each switch loads another CR3: the server
 * times `calls` requests after the first, the best of ROUNDS rounds. The client, at the
 * root's priority, suspends itself when done (it would starve the root's wait).
 */
static void
round_trip_regs_as(const char *name, uint64_t calls)
{
    struct tl t;
    struct tl_as a;
    if (!tl_begin(&t)) {
        return;
    }
    enum { CONN_SLOT = 3 }; /* the free slot of the blob's CSpace */
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 2);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    if (conn == 0 || table == 0 || cr_channel_bind(chan, table, 0) != 0 ||
        !tl_as_build(&t, &a, t.ut) ||
        cr_cap_copy(a.cnode, CONN_SLOT, CR_CAP_ROOT_CNODE, conn, CR_RIGHT_WRITE) != 0 ||
        cr_tcb_set_priority(a.tcb, TL_ROOT_PRIO, CR_SCHED_RR) != 0 ||
        !tl_as_run(&a, TL_AS_CODE + (uint64_t)(as_blob_call - as_blob_start), CONN_SLOT,
                   (calls + 1) * ROUNDS, TL_AS_SELF)) {
        tl_end(&t);
        return;
    }
    uint64_t mr[4] = { 0 };
    struct cr_msg_info info;
    uint64_t best = UINT64_MAX;
    int64_t rcvid = cr_msg_reply_recv_mr(chan, 0, 0, 0, mr, &info);
    for (int k = 0; k < ROUNDS && rcvid > 0; k++) {
        uint64_t t0 = bench_rdtsc();
        for (uint64_t i = 0; i < calls && rcvid > 0; i++) {
            rcvid = cr_msg_reply_recv_mr(chan, (uint64_t)rcvid, 0, 0, mr, &info);
        }
        uint64_t per = (bench_rdtsc() - t0) / calls;
        best = per < best ? per : best;
        if (k + 1 < ROUNDS && rcvid > 0) {
            rcvid = cr_msg_reply_recv_mr(chan, (uint64_t)rcvid, 0, 0, mr, &info);
        }
    }
    if (rcvid > 0) {
        cr_msg_replyv(chan, (uint64_t)rcvid, 0, 0, 0);
    }
    if (rcvid > 0 && tl_wait(a.ntfn, NULL, 0, 2000) == 0) {
        bench_report_tsc(name, best);
    }
    tl_end(&t);
}

BENCH(ipc_fast)
{
    round_trip_regs("ipc_rt_0b_fast", 0, 2000);
    round_trip_regs("ipc_rt_32b_fast", 32, 2000);
    round_trip_regs_as("ipc_rt_0b_fast_as", 2000);
}

BENCH(ipc_rt)
{
    memset(client_buf, 1, sizeof(client_buf)); /* fault in nothing lazily: all mapped */
    round_trip("ipc_rt_0b", 0, 2000);
    round_trip("ipc_rt_64b", 64, 2000);
    round_trip("ipc_rt_4k", 4096, 500);
    round_trip("ipc_rt_64k", 64 * 1024, 50);
    round_trip_with("ipc_rt_64k_scattered", 64 * 1024, 50, client_iov, serve_iov, true);
    memcpy_figure("memcpy_64k", 64 * 1024);
    round_trip("ipc_rt_1m", BIG, 4);
    memcpy_figure("memcpy_1m", BIG);
}
