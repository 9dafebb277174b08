/* SPDX-License-Identifier: MIT */
/*
 * Random requests to every server the root runs or starts (DESIGN §8: malformed messages
 * to every server get an error reply and change nothing): the process and memory
 * managers, and the console server. Each request gets an answer — a status or an error
 * that errors.def documents — and the server goes on serving afterwards. The generator is
 * seeded with a constant, so a failure reproduces.
 */
#include "tests.h"

#include <courier/abi/msg.h>
#include <courier/lib/print.h>
#include <courier/lib/string.h>
#include <courier/proto/console.h>
#include <courier/proto/io.h>
#include <courier/proto/mem.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

#include "pm/pm.h"
#include "procreq.h"
#include "slot.h"
#include "testlib.h"

static bool
pm_up(void)
{
    return EXPECT_TRUE(pm_start());
}

TEST(proc_fuzz_random_requests)
{
    if (!pm_up()) {
        return;
    }
    EXPECT_ERR(-CR_EPERM, procreq_op(PROC_EXIT, 0, 0, 0, 0));
    uint64_t seed = 0x5eed1234;
    static uint8_t data[512];
    for (int i = 0; i < 3000; i++) {
        uint8_t req[40];
        for (unsigned j = 0; j < sizeof(req); j++) {
            req[j] = (uint8_t)tl_rand(&seed);
        }
        struct proto_hdr *h = (struct proto_hdr *)req;
        uint64_t r = tl_rand(&seed);
        h->op = (uint16_t)((r & 1 ? PROC_PROTO_BASE : MEM_PROTO_BASE) + (r >> 8) % 24);
        if (h->op == PROC_EXIT) {
            continue;
        }
        if (h->op == PROC_WAIT) {
            h->flags = PROC_WNOHANG;
        }
        if (r & 2) {
            h->len = (uint32_t)((r >> 16) % sizeof(data));
        }
        for (unsigned j = 0; j < sizeof(data); j++) {
            data[j] = (r & 4) ? (uint8_t)tl_rand(&seed) : (uint8_t)('a' + j % 3);
        }
        size_t len = (size_t)((r >> 32) % (sizeof(req) + 1));
        size_t dlen = (r & 8) ? (size_t)((r >> 40) % sizeof(data)) : 0;
        int64_t rc = procreq_call(req, len, data, dlen, NULL, 0);
        if (!EXPECT_TRUE(rc >= 0 || tl_is_documented(rc))) {
            break;
        }
    }
    /* Still serving: a program runs and is reaped; leftovers are collected. */
    static const char *const argv[] = { "bin/ptest", "exit", "0", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status);
    static struct proc_info list[64];
    struct proc_req q = { { PROC_LIST, 0, 0 }, { 2, 0, 0 } };
    int64_t n = procreq_call(&q, sizeof(q), NULL, 0, list, sizeof(list));
    for (int64_t i = 0; i < n && i < 64; i++) {
        if (list[i].ppid == 1) {
            procreq_op(PROC_KILL, 0, list[i].pid, 0, 0);
            procreq_wait(list[i].pid, &status);
        }
    }
    EXPECT_ERR(-CR_ECHILD, procreq_wait(-1, &status));
}

enum {
    CON_FUZZ_CALLS = 2000,
    CON_FUZZ_DEADLINE_NS = 20000000, /* 20 ms: a read with no input waits that long */
};

/*
 * The console server: random ops of its range (and CON_STATS), random lengths, random
 * header fields and arguments, data of 'z's ended by a newline (so the serial log stays
 * readable line by line). Every call has a deadline: an IO_READ waits for input that never
 * comes and ends with ETIMEDOUT, leaving a reader the console finds dead later. Then the
 * console still answers and a program still writes through it.
 */
TEST(console_fuzz_random_requests)
{
    struct tl t;
    if (!pm_up() || !tl_begin(&t)) {
        return;
    }
    cr_cptr_t conn = tl_mint(&t, pm_console_chan(), CR_RIGHT_WRITE, 1);
    if (conn == 0) {
        tl_end(&t);
        return;
    }
    uint64_t seed = 0xc0501e;
    static uint8_t reply[512];
    static char data[17];
    for (int i = 0; i < CON_FUZZ_CALLS; i++) {
        struct io_req q;
        uint8_t *raw = (uint8_t *)&q;
        for (unsigned j = 0; j < sizeof(q); j++) {
            raw[j] = (uint8_t)tl_rand(&seed);
        }
        uint64_t r = tl_rand(&seed);
        q.hdr.op = (r & 7) == 0 ? CON_STATS : (uint16_t)(IO_PROTO_BASE + (r >> 8) % 6);
        if (r & 16) {
            q.hdr.len = (uint32_t)((r >> 16) % sizeof(data));
        }
        if (r & 32) {
            q.a[0] = (r >> 24) % 64; /* plausible read sizes, sometimes past the reply */
        }
        size_t len = (r & 64) ? sizeof(q) : (size_t)((r >> 32) % (sizeof(q) + 1));
        size_t dlen = (r & 128) ? (size_t)((r >> 40) % sizeof(data)) : 0;
        memset(data, 'z', sizeof(data));
        if (dlen > 0) {
            data[dlen - 1] = '\n';
        }
        size_t rlen = (size_t)((r >> 48) % sizeof(reply));
        struct cr_iov s[2] = { { CR_UPTR(&q), len }, { CR_UPTR(data), dlen } };
        struct cr_iov ri = { CR_UPTR(reply), rlen };
        cr_timeout_set(tl_now_ns() + CON_FUZZ_DEADLINE_NS);
        int64_t rc = cr_msg_sendv(conn, CR_UPTR(s), dlen != 0 ? 2 : 1, CR_UPTR(&ri), 1);
        if (!EXPECT_TRUE(rc >= 0 || tl_is_documented(rc))) {
            break;
        }
    }
    cr_flush_output();
    printf("\n"); /* ends a write the fuzzer left without its newline */
    struct con_stats st;
    struct proto_hdr sq = { CON_STATS, 0, 0 };
    struct cr_iov si = { CR_UPTR(&sq), sizeof(sq) };
    struct cr_iov ri = { CR_UPTR(&st), sizeof(st) };
    EXPECT_OK(cr_msg_sendv(conn, CR_UPTR(&si), 1, CR_UPTR(&ri), 1));
    static const char *const argv[] = { "bin/ptest", "hello", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status);
    tl_end(&t);
}
