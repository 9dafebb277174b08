/* SPDX-License-Identifier: MIT */
/*
 * System tests of synchronous message passing (docs/ipc.md), part one: reply tables and
 * channel_bind with their errors; the argument errors of the seven calls; round trips
 * with badges and statuses; vectored messages at odd sizes and alignments, up to
 * CR_IOV_MAX entries; truncation both ways with msg_read and msg_write filling the gaps;
 * a hundred clients held open at once and answered out of order. Part two, the ways an
 * exchange goes wrong, is test_ipc_errors.c; the big message test_ipc_big.c; the fuzzer
 * test_ipc_fuzz.c.
 *
 * The shape of most tests: the root server is the server, at TL_SRV_PRIO, and every client
 * is a helper thread at TL_PRIO above it, so starting a client runs it at once until it
 * blocks in msg_sendv (queued or in its reply slot), and a reply runs it at once until it
 * finishes. The root only receives when a client is known to be queued, so no receive
 * here can block; calls that might block on a wrong kernel are made in a helper thread
 * (struct tl_prober) with a bounded wait.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

#define ROOT CR_CAP_ROOT_CNODE
#define RW (CR_RIGHT_READ | CR_RIGHT_WRITE)
/* A fresh 512 GiB slot of the root's address space (PML4 entry 5), empty between tests.
 * Not entry 6: the process manager keeps its scratch window there (pm/vm.c SCRATCH_VA)
 * once any test has started it. */
#define IPC_REGION 0x28000000000ull
#define KERNEL_ADDR 0xffff800000000000ull
#define NONCANON_ADDR 0x0000800000000000ull

/* ---- data ---- */

/* Byte i of pattern `seed`: depends on the position, so a shifted copy never matches. */
static uint8_t
pat(uint32_t seed, uint64_t i)
{
    return (uint8_t)(seed * 0x9du + i * 131u + (i >> 8) * 7u + (i >> 16));
}

static void
fill(void *p, uint64_t n, uint32_t seed, uint64_t start)
{
    uint8_t *b = p;
    for (uint64_t i = 0; i < n; i++) {
        b[i] = pat(seed, start + i);
    }
}

/* True if p[0..n) is pattern `seed` from position start. */
static bool
matches(const void *p, uint64_t n, uint32_t seed, uint64_t start)
{
    const uint8_t *b = p;
    for (uint64_t i = 0; i < n; i++) {
        if (b[i] != pat(seed, start + i)) {
            return false;
        }
    }
    return true;
}

/* ---- objects and binding ---- */

TEST(ipc_reply_table_sizes)
{
    struct tl t;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t s = tl_slot(&t);
    if (CR_REPLY_MIN_BITS > 0) {
        EXPECT_ERR(-CR_EINVAL,
                   cr_untyped_retype(t.ut, CR_OBJ_REPLY_TABLE, CR_REPLY_MIN_BITS - 1, ROOT, s, 1));
    }
    EXPECT_ERR(-CR_EINVAL,
               cr_untyped_retype(t.ut, CR_OBJ_REPLY_TABLE, CR_REPLY_MAX_BITS + 1, ROOT, s, 1));
    EXPECT_ERR(-CR_EINVAL, cr_untyped_retype(t.ut, CR_OBJ_REPLY_TABLE, 64, ROOT, s, 1));
    EXPECT_EQ(tl_type(s), CR_OBJ_NULL);
    cr_cptr_t small = tl_new(&t, CR_OBJ_REPLY_TABLE, CR_REPLY_MIN_BITS);
    cr_cptr_t big = tl_new(&t, CR_OBJ_REPLY_TABLE, CR_REPLY_MAX_BITS);
    EXPECT_EQ(tl_type(small), CR_OBJ_REPLY_TABLE);
    EXPECT_EQ(tl_type(big), CR_OBJ_REPLY_TABLE);
    /* 2^12 slots of 64 bytes: 256 KiB of the 1 MiB arena; three more do not fit. */
    cr_cptr_t more = tl_slots(&t, 3);
    EXPECT_ERR(-CR_ENOMEM,
               cr_untyped_retype(t.ut, CR_OBJ_REPLY_TABLE, CR_REPLY_MAX_BITS, ROOT, more, 3));
    tl_end(&t);
}

TEST(ipc_bind_errors)
{
    struct tl t;
    struct tl_prober p;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t chan2 = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t chan3 = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t rt = tl_new(&t, CR_OBJ_REPLY_TABLE, 2);
    cr_cptr_t rt2 = tl_new(&t, CR_OBJ_REPLY_TABLE, 1);
    cr_cptr_t rt3 = tl_new(&t, CR_OBJ_REPLY_TABLE, 1);
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t empty = tl_slot(&t);
    cr_cptr_t conn3 = chan3 != 0 ? tl_mint(&t, chan3, CR_RIGHT_WRITE, 3) : 0;
    if (n == 0 || conn3 == 0 || !tl_prober_init(&t, &p)) {
        goto out;
    }
    EXPECT_ERR(-CR_EWRONGTYPE, cr_channel_bind(n, rt, 0));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_channel_bind(rt, chan, 0));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_channel_bind(chan, n, 0));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_channel_bind(chan, chan2, 0));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_channel_bind(chan, ROOT, 0));
    EXPECT_ERR(-CR_ENOCAP, cr_channel_bind(empty, rt, 0));
    EXPECT_ERR(-CR_ENOCAP, cr_channel_bind(chan, empty, 0));
    EXPECT_ERR(-CR_EBADCAP, cr_channel_bind(chan, 1ull << 62, 0));
    /* flags: only the known ones (CR_CHANNEL_UNBLOCK) */
    EXPECT_ERR(-CR_EINVAL, cr_channel_bind(chan, rt, ~(uint64_t)CR_CHANNEL_UNBLOCK));
    EXPECT_ERR(-CR_EINVAL, cr_channel_bind(chan, rt, 1ull << 63));
    /* None of the failures bound anything. */
    EXPECT_OK(cr_channel_bind(chan, rt, 0));
    EXPECT_ERR(-CR_EBUSY, cr_channel_bind(chan, rt, 0));
    EXPECT_ERR(-CR_EBUSY, cr_channel_bind(chan, rt2, 0));
    EXPECT_ERR(-CR_EBUSY, cr_channel_bind(chan2, rt, 0));
    EXPECT_OK(cr_channel_bind(chan2, rt2, 0));
    /* An unbound channel takes no messages, either way. */
    char b[8];
    struct cr_iov iov = { CR_UPTR(b), sizeof(b) };
    struct cr_msg_info info;
    EXPECT_ERR(-CR_EINVAL,
               tl_probe(&p, CR_SYS_msg_sendv, conn3, CR_UPTR(&iov), 1, CR_UPTR(&iov), 1));
    EXPECT_ERR(-CR_EINVAL,
               tl_probe(&p, CR_SYS_msg_receivev, chan3, CR_UPTR(&iov), 1, CR_UPTR(&info), 0));
    EXPECT_ERR(-CR_EINVAL, cr_msg_replyv(chan3, 1ull << 32 | 1, 0, 0, 0));
    /* A table whose last capability goes unbinds its channel, which can be bound again;
     * a channel that goes frees its table for another channel. */
    EXPECT_OK(cr_cap_delete(ROOT, rt2));
    EXPECT_OK(cr_channel_bind(chan2, rt3, 0));
    EXPECT_OK(cr_cap_delete(ROOT, chan2));
    EXPECT_OK(cr_channel_bind(chan3, rt3, 0));
    EXPECT_ERR(-CR_EBUSY, cr_channel_bind(chan3, rt3, 0));
out:
    tl_end(&t);
}

/* ---- argument errors of the seven calls ---- */

TEST(ipc_call_argument_errors)
{
    struct tl t;
    struct tl_prober p;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t rt = 0;
    cr_cptr_t chan = tl_ipc_channel(&t, 2, &rt);
    cr_cptr_t wconn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    cr_cptr_t rconn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_READ, 2) : 0;
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t empty = tl_slot(&t);
    uint8_t *ro = tl_pages(&t, 1, CR_RIGHT_READ);
    uint64_t hole = tl_va(&t, 1);
    uint8_t *buf = tl_pages(&t, 1, RW);
    if (rconn == 0 || n == 0 || ro == NULL || hole == 0 || buf == NULL || !tl_prober_init(&t, &p)) {
        goto out;
    }
    struct cr_iov *iov = (struct cr_iov *)(void *)buf;
    iov[0] = (struct cr_iov){ CR_UPTR(buf + 2048), 16 };
    iov[1] = (struct cr_iov){ CR_UPTR(buf + 3072), 16 };
    /* Wrapping entries: one that runs past the top of the address space, and two whose
     * lengths add up past 2^64. */
    iov[2] = (struct cr_iov){ ~0ull - 15, 32 };
    iov[3] = (struct cr_iov){ CR_UPTR(buf), 1ull << 63 };
    iov[4] = (struct cr_iov){ CR_UPTR(buf), 1ull << 63 };
    uint64_t good = CR_UPTR(&iov[0]);
    uint64_t info = CR_UPTR(buf + 1024);

    /* msg_sendv */
    EXPECT_ERR(-CR_EPERM, tl_probe(&p, CR_SYS_msg_sendv, rconn, good, 1, good + 16, 1));
    EXPECT_ERR(-CR_EINVAL, tl_probe(&p, CR_SYS_msg_sendv, wconn, good, CR_IOV_MAX + 1, good, 1));
    EXPECT_ERR(-CR_EINVAL, tl_probe(&p, CR_SYS_msg_sendv, wconn, good, 1, good, CR_IOV_MAX + 1));
    EXPECT_ERR(-CR_EINVAL, tl_probe(&p, CR_SYS_msg_sendv, wconn, good, ~0ull, good, 1));
    EXPECT_ERR(-CR_EINVAL, tl_probe(&p, CR_SYS_msg_sendv, wconn, good, 1, good, 1ull << 32));
    EXPECT_ERR(-CR_EWRONGTYPE, tl_probe(&p, CR_SYS_msg_sendv, n, good, 1, good, 1));
    EXPECT_ERR(-CR_EWRONGTYPE, tl_probe(&p, CR_SYS_msg_sendv, rt, good, 1, good, 1));
    EXPECT_ERR(-CR_ENOCAP, tl_probe(&p, CR_SYS_msg_sendv, empty, good, 1, good, 1));
    EXPECT_ERR(-CR_EBADCAP, tl_probe(&p, CR_SYS_msg_sendv, 1ull << 62, good, 1, good, 1));
    EXPECT_ERR(-CR_EFAULT, tl_probe(&p, CR_SYS_msg_sendv, wconn, hole, 1, good, 1));
    EXPECT_ERR(-CR_EFAULT, tl_probe(&p, CR_SYS_msg_sendv, wconn, good, 1, hole, 1));
    EXPECT_ERR(-CR_EFAULT, tl_probe(&p, CR_SYS_msg_sendv, wconn, KERNEL_ADDR, 1, good, 1));
    EXPECT_ERR(-CR_EFAULT, tl_probe(&p, CR_SYS_msg_sendv, wconn, good, 1, NONCANON_ADDR, 1));
    /* the array's second entry is in the hole */
    EXPECT_ERR(-CR_EFAULT, tl_probe(&p, CR_SYS_msg_sendv, wconn, hole - 16, 2, good, 1));
    EXPECT_ERR(-CR_EINVAL, tl_probe(&p, CR_SYS_msg_sendv, wconn, CR_UPTR(&iov[2]), 1, good, 1));
    EXPECT_ERR(-CR_EINVAL, tl_probe(&p, CR_SYS_msg_sendv, wconn, CR_UPTR(&iov[3]), 2, good, 1));
    EXPECT_ERR(-CR_EINVAL, tl_probe(&p, CR_SYS_msg_sendv, wconn, good, 1, CR_UPTR(&iov[3]), 2));

    /* msg_receivev (nothing is queued, so a call that passed its checks would block) */
    EXPECT_ERR(-CR_EPERM, tl_probe(&p, CR_SYS_msg_receivev, wconn, good, 1, info, 0));
    EXPECT_ERR(-CR_EINVAL, tl_probe(&p, CR_SYS_msg_receivev, chan, good, CR_IOV_MAX + 1, info, 0));
    EXPECT_ERR(-CR_EINVAL, tl_probe(&p, CR_SYS_msg_receivev, chan, good, ~0ull, info, 0));
    EXPECT_ERR(-CR_EWRONGTYPE, tl_probe(&p, CR_SYS_msg_receivev, n, good, 1, info, 0));
    EXPECT_ERR(-CR_ENOCAP, tl_probe(&p, CR_SYS_msg_receivev, empty, good, 1, info, 0));
    EXPECT_ERR(-CR_EFAULT, tl_probe(&p, CR_SYS_msg_receivev, chan, good, 1, hole, 0));
    EXPECT_ERR(-CR_EFAULT, tl_probe(&p, CR_SYS_msg_receivev, chan, good, 1, CR_UPTR(ro), 0));
    EXPECT_ERR(-CR_EFAULT, tl_probe(&p, CR_SYS_msg_receivev, chan, good, 1, KERNEL_ADDR, 0));
    EXPECT_ERR(-CR_EFAULT, tl_probe(&p, CR_SYS_msg_receivev, chan, good, 1, hole - 8, 0));

    /* The server's calls need the READ right: a client's connection cannot answer,
     * read or write anyone's exchange. */
    uint64_t rcvid = 1ull << 32 | 1;
    EXPECT_ERR(-CR_EPERM, cr_msg_replyv(wconn, rcvid, 0, good, 1));
    EXPECT_ERR(-CR_EPERM, cr_msg_error(wconn, rcvid, 1));
    EXPECT_ERR(-CR_EPERM, cr_msg_read(wconn, rcvid, 0, good, 1));
    EXPECT_ERR(-CR_EPERM, cr_msg_write(wconn, rcvid, 0, good, 1));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_msg_replyv(n, rcvid, 0, good, 1));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_msg_error(n, rcvid, 1));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_msg_read(n, rcvid, 0, good, 1));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_msg_write(rt, rcvid, 0, good, 1));
    EXPECT_ERR(-CR_ENOCAP, cr_msg_replyv(empty, rcvid, 0, good, 1));
    EXPECT_ERR(-CR_ENOCAP, cr_msg_error(empty, rcvid, 1));
    EXPECT_ERR(-CR_ENOCAP, cr_msg_read(empty, rcvid, 0, good, 1));
    EXPECT_ERR(-CR_ENOCAP, cr_msg_write(empty, rcvid, 0, good, 1));
    /* and with no exchange open, every rcvid is dead */
    EXPECT_ERR(-CR_ESRCH, cr_msg_replyv(chan, rcvid, 0, good, 1));
    EXPECT_ERR(-CR_ESRCH, cr_msg_error(chan, rcvid, 1));
    EXPECT_ERR(-CR_ESRCH, cr_msg_read(chan, rcvid, 0, good, 1));
    EXPECT_ERR(-CR_ESRCH, cr_msg_write(chan, rcvid, 0, good, 1));
out:
    tl_end(&t);
}

/* ---- round trips ---- */

TEST(ipc_hello_round_trip)
{
    struct tl t;
    struct tl_thread th;
    struct tl_thread th2;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 0x77) : 0;
    if (conn == 0) {
        goto out;
    }
    static const char hello[] = "hello";
    char reply[16];
    memset(reply, '.', sizeof(reply));
    struct cr_iov siov = { CR_UPTR(hello), 5 };
    struct cr_iov riov = { CR_UPTR(reply), sizeof(reply) };
    struct tl_call c = { conn, CR_UPTR(&siov), 1, CR_UPTR(&riov), 1 };
    if (!tl_call_start(&t, &th, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th))) {
        goto out;
    }
    char buf[64];
    memset(buf, '#', sizeof(buf));
    struct cr_msg_info info;
    int64_t rcvid = tl_recv1(chan, buf, sizeof(buf), &info);
    if (!EXPECT_TRUE(rcvid > 0)) {
        goto out;
    }
    EXPECT_EQ(info.rcvid, (uint64_t)rcvid);
    EXPECT_EQ(info.badge, 0x77);
    EXPECT_EQ(info.send_len, 5);
    EXPECT_EQ(info.reply_len, sizeof(reply));
    EXPECT_EQ(info.copied, 5);
    EXPECT_EQ(memcmp(buf, "hello", 5), 0);
    EXPECT_TRUE(tl_all_bytes(buf + 5, sizeof(buf) - 5, '#'));
    /* A table of 4 slots: indices 1..3 (slot 0 is the header). */
    EXPECT_TRUE(CR_RCVID_INDEX(rcvid) >= 1 && CR_RCVID_INDEX(rcvid) <= 3);
    EXPECT_TRUE(tl_call_blocked(&th)); /* REPLY-blocked now */
    EXPECT_OK(tl_reply1(chan, (uint64_t)rcvid, 42, "world!", 6));
    if (EXPECT_RESULT(&th, 42)) {
        EXPECT_EQ(memcmp(reply, "world!", 6), 0);
        EXPECT_TRUE(tl_all_bytes(reply + 6, sizeof(reply) - 6, '.'));
    }
    /* Again, with the largest status: a fresh rcvid (the slot's generation moved on). */
    if (!tl_call_start(&t, &th2, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th2))) {
        goto out;
    }
    int64_t rcvid2 = tl_recv1(chan, buf, sizeof(buf), &info);
    if (EXPECT_TRUE(rcvid2 > 0)) {
        EXPECT_TRUE(rcvid2 != rcvid);
        EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid2, INT64_MAX, 0, 0));
        EXPECT_RESULT(&th2, INT64_MAX);
    }
out:
    tl_end(&t);
}

TEST(ipc_empty_message)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 1, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 5) : 0;
    if (conn == 0) {
        goto out;
    }
    /* No buffers at all (the arrays are not even read). */
    struct tl_call c = { conn, 0, 0, 0, 0 };
    if (!tl_call_start(&t, &th, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th))) {
        goto out;
    }
    char buf[8];
    memset(buf, '#', sizeof(buf));
    struct cr_msg_info info;
    int64_t rcvid = tl_recv1(chan, buf, sizeof(buf), &info);
    if (EXPECT_TRUE(rcvid > 0)) {
        EXPECT_EQ(info.send_len, 0);
        EXPECT_EQ(info.reply_len, 0);
        EXPECT_EQ(info.copied, 0);
        EXPECT_EQ(info.badge, 5);
        EXPECT_TRUE(tl_all_bytes(buf, sizeof(buf), '#'));
        struct cr_iov iov = { CR_UPTR(buf), sizeof(buf) };
        EXPECT_EQ(cr_msg_read(chan, (uint64_t)rcvid, 0, CR_UPTR(&iov), 1), 0);
        EXPECT_EQ(cr_msg_write(chan, (uint64_t)rcvid, 0, CR_UPTR(&iov), 1), 0);
        /* A reply with data to a client with no reply buffer: nothing to copy. */
        EXPECT_OK(tl_reply1(chan, (uint64_t)rcvid, 0, "xyz", 3));
        EXPECT_RESULT(&th, 0);
    }
out:
    tl_end(&t);
}

/* Client sends 4 pieces (one empty) at odd places; the root takes them in 2. */
TEST(ipc_vectored_odd_sizes)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 9) : 0;
    uint8_t *sp = tl_pages(&t, 3, RW); /* client's send buffers */
    uint8_t *cr = tl_pages(&t, 1, RW); /* client's reply buffers and iov arrays */
    uint8_t *rp = tl_pages(&t, 3, RW); /* server's buffers */
    if (conn == 0 || sp == NULL || cr == NULL || rp == NULL) {
        goto out;
    }
    memset(sp, 0xcc, 3 * CR_PAGE_SIZE);
    struct {
        uint64_t off, len;
    } sparts[4] = { { 3, 13 }, { 4091, 4099 }, { 100, 0 }, { 3 * CR_PAGE_SIZE - 7, 7 } };
    struct cr_iov *siov = (struct cr_iov *)(void *)(cr + 2048);
    uint64_t total = 0;
    for (unsigned i = 0; i < 4; i++) {
        fill(sp + sparts[i].off, sparts[i].len, 1, total);
        siov[i] = (struct cr_iov){ CR_UPTR(sp + sparts[i].off), sparts[i].len };
        total += sparts[i].len;
    }
    EXPECT_EQ(total, 4119);
    /* Client reply buffers: 100 bytes at an odd address, 1000 more. */
    memset(cr, '.', 2048);
    struct cr_iov *riov = siov + 4;
    riov[0] = (struct cr_iov){ CR_UPTR(cr + 1), 100 };
    riov[1] = (struct cr_iov){ CR_UPTR(cr + 333), 1000 };
    struct tl_call c = { conn, CR_UPTR(siov), 4, CR_UPTR(riov), 2 };
    if (!tl_call_start(&t, &th, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th))) {
        goto out;
    }
    memset(rp, 0xee, 3 * CR_PAGE_SIZE);
    struct cr_iov rv[2] = { { CR_UPTR(rp + 1), 1001 }, { CR_UPTR(rp + 4000), 5000 } };
    struct cr_msg_info info;
    int64_t rcvid = cr_msg_receivev(chan, CR_UPTR(rv), 2, CR_UPTR(&info));
    if (!EXPECT_TRUE(rcvid > 0)) {
        goto out;
    }
    EXPECT_EQ(info.send_len, 4119);
    EXPECT_EQ(info.copied, 4119);
    EXPECT_EQ(info.reply_len, 1100);
    EXPECT_EQ(info.badge, 9);
    EXPECT_TRUE(matches(rp + 1, 1001, 1, 0));
    EXPECT_TRUE(matches(rp + 4000, 4119 - 1001, 1, 1001));
    EXPECT_EQ(rp[0], 0xee);
    EXPECT_TRUE(tl_all_bytes(rp + 1002, 4000 - 1002, 0xee));
    EXPECT_TRUE(tl_all_bytes(rp + 4000 + 3118, 3 * CR_PAGE_SIZE - 4000 - 3118, 0xee));
    /* The send buffers are untouched. */
    EXPECT_TRUE(matches(sp + 4091, 4099, 1, 13));
    /* Reply in 3 pieces (5, 300, 1) into the client's 2 (100, 1000): 306 bytes. */
    fill(rp, 5, 2, 0);
    fill(rp + 5000, 300, 2, 5);
    fill(rp + 3 * CR_PAGE_SIZE - 1, 1, 2, 305);
    struct cr_iov pv[3] = { { CR_UPTR(rp), 5 },
                            { CR_UPTR(rp + 5000), 300 },
                            { CR_UPTR(rp + 3 * CR_PAGE_SIZE - 1), 1 } };
    EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid, 17, CR_UPTR(pv), 3));
    if (EXPECT_RESULT(&th, 17)) {
        EXPECT_EQ(cr[0], '.');
        EXPECT_TRUE(matches(cr + 1, 100, 2, 0));
        EXPECT_TRUE(tl_all_bytes(cr + 101, 333 - 101, '.'));
        EXPECT_TRUE(matches(cr + 333, 206, 2, 100));
        EXPECT_TRUE(tl_all_bytes(cr + 333 + 206, 2048 - 333 - 206, '.'));
    }
out:
    tl_end(&t);
}

/* CR_IOV_MAX entries each way, one byte each. */
TEST(ipc_vectored_iov_max)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 1, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    unsigned arr_pages = CR_IOV_MAX * sizeof(struct cr_iov) / CR_PAGE_SIZE;
    struct cr_iov *siov = (struct cr_iov *)(void *)tl_pages(&t, arr_pages, RW);
    struct cr_iov *riov = (struct cr_iov *)(void *)tl_pages(&t, arr_pages, RW);
    struct cr_iov *pv = (struct cr_iov *)(void *)tl_pages(&t, arr_pages, RW);
    uint8_t *data =
        tl_pages(&t, 4, RW); /* send bytes at stride 3; reply bytes from 8192, stride 2 */
    uint8_t *rp = tl_pages(&t, 1, RW);
    if (conn == 0 || siov == NULL || riov == NULL || pv == NULL || data == NULL || rp == NULL) {
        goto out;
    }
    memset(data, 0, 4 * CR_PAGE_SIZE);
    for (unsigned i = 0; i < CR_IOV_MAX; i++) {
        data[3 * i] = pat(3, i);
        siov[i] = (struct cr_iov){ CR_UPTR(data + 3 * i), 1 };
        riov[i] = (struct cr_iov){ CR_UPTR(data + 8192 + 2 * i), 1 };
    }
    struct tl_call c = { conn, CR_UPTR(siov), CR_IOV_MAX, CR_UPTR(riov), CR_IOV_MAX };
    if (!tl_call_start(&t, &th, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th))) {
        goto out;
    }
    struct cr_msg_info info;
    int64_t rcvid = tl_recv1(chan, rp, CR_PAGE_SIZE, &info);
    if (!EXPECT_TRUE(rcvid > 0)) {
        goto out;
    }
    EXPECT_EQ(info.send_len, CR_IOV_MAX);
    EXPECT_EQ(info.copied, CR_IOV_MAX);
    EXPECT_EQ(info.reply_len, CR_IOV_MAX);
    EXPECT_TRUE(matches(rp, CR_IOV_MAX, 3, 0));
    /* The reply: CR_IOV_MAX one-byte pieces, from the end of rp backwards. */
    fill(rp, CR_PAGE_SIZE, 4, 0);
    for (unsigned i = 0; i < CR_IOV_MAX; i++) {
        pv[i] = (struct cr_iov){ CR_UPTR(rp + CR_PAGE_SIZE - 1 - i), 1 };
    }
    EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid, 1, CR_UPTR(pv), CR_IOV_MAX));
    if (EXPECT_RESULT(&th, 1)) {
        bool ok = true;
        for (unsigned i = 0; i < CR_IOV_MAX && ok; i++) {
            ok = data[8192 + 2 * i] == pat(4, CR_PAGE_SIZE - 1 - i) && data[3 * i] == pat(3, i) &&
                 data[8192 + 2 * i + 1] == 0;
        }
        EXPECT_TRUE(ok);
    }
out:
    tl_end(&t);
}

/* ---- truncation ---- */

TEST(ipc_truncation_and_msg_read)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    uint8_t *cp = tl_pages(&t, 1, RW); /* client */
    uint8_t *sp = tl_pages(&t, 1, RW); /* server */
    if (conn == 0 || cp == NULL || sp == NULL) {
        goto out;
    }
    /* 300 bytes in pieces of 100, 150, 50; the reply buffers are 7 + 13 bytes with
     * guard bytes around them. */
    memset(cp, '.', CR_PAGE_SIZE);
    fill(cp + 0, 100, 5, 0);
    fill(cp + 500, 150, 5, 100);
    fill(cp + 1001, 50, 5, 250);
    struct cr_iov *siov = (struct cr_iov *)(void *)(cp + 2048);
    siov[0] = (struct cr_iov){ CR_UPTR(cp + 0), 100 };
    siov[1] = (struct cr_iov){ CR_UPTR(cp + 500), 150 };
    siov[2] = (struct cr_iov){ CR_UPTR(cp + 1001), 50 };
    struct cr_iov *riov = siov + 3;
    riov[0] = (struct cr_iov){ CR_UPTR(cp + 1500), 7 };
    riov[1] = (struct cr_iov){ CR_UPTR(cp + 1600), 13 };
    struct tl_call c = { conn, CR_UPTR(siov), 3, CR_UPTR(riov), 2 };
    if (!tl_call_start(&t, &th, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th))) {
        goto out;
    }
    memset(sp, '#', CR_PAGE_SIZE);
    struct cr_iov rv[2] = { { CR_UPTR(sp + 10), 50 }, { CR_UPTR(sp + 100), 30 } };
    struct cr_msg_info info;
    int64_t r = cr_msg_receivev(chan, CR_UPTR(rv), 2, CR_UPTR(&info));
    if (!EXPECT_TRUE(r > 0)) {
        goto out;
    }
    uint64_t rcvid = (uint64_t)r;
    EXPECT_EQ(info.send_len, 300);
    EXPECT_EQ(info.copied, 80);
    EXPECT_EQ(info.reply_len, 20);
    EXPECT_TRUE(matches(sp + 10, 50, 5, 0));
    EXPECT_TRUE(matches(sp + 100, 30, 5, 50));
    EXPECT_TRUE(tl_all_bytes(sp + 60, 40, '#'));
    EXPECT_TRUE(tl_all_bytes(sp + 130, 100, '#'));
    /* The rest with msg_read, at offsets that cross the client's pieces and ours. */
    memset(sp, '#', CR_PAGE_SIZE);
    struct cr_iov mv[2] = { { CR_UPTR(sp + 1), 11 }, { CR_UPTR(sp + 200), 100 } };
    EXPECT_EQ(cr_msg_read(chan, rcvid, 77, CR_UPTR(mv), 2), 111);
    EXPECT_TRUE(matches(sp + 1, 11, 5, 77));
    EXPECT_TRUE(matches(sp + 200, 100, 5, 88));
    EXPECT_EQ(sp[0], '#');
    EXPECT_EQ(sp[12], '#');
    EXPECT_EQ(sp[300], '#');
    struct cr_iov one = { CR_UPTR(sp + 1000), 60 };
    EXPECT_EQ(cr_msg_read(chan, rcvid, 249, CR_UPTR(&one), 1), 51);
    EXPECT_TRUE(matches(sp + 1000, 51, 5, 249));
    EXPECT_TRUE(tl_all_bytes(sp + 1051, 9, '#'));
    EXPECT_EQ(cr_msg_read(chan, rcvid, 299, CR_UPTR(&one), 1), 1);
    EXPECT_TRUE(matches(sp + 1000, 1, 5, 299));
    EXPECT_EQ(cr_msg_read(chan, rcvid, 300, CR_UPTR(&one), 1), 0);
    EXPECT_EQ(cr_msg_read(chan, rcvid, 1000, CR_UPTR(&one), 1), 0);
    EXPECT_EQ(cr_msg_read(chan, rcvid, ~0ull, CR_UPTR(&one), 1), 0);
    EXPECT_EQ(cr_msg_read(chan, rcvid, 0, CR_UPTR(&one), 0), 0);
    EXPECT_ERR(-CR_EINVAL, cr_msg_read(chan, rcvid, 0, CR_UPTR(&one), CR_IOV_MAX + 1));
    /* The whole message again from 0, in one piece. */
    struct cr_iov whole = { CR_UPTR(sp + 2048), 1000 };
    EXPECT_EQ(cr_msg_read(chan, rcvid, 0, CR_UPTR(&whole), 1), 300);
    EXPECT_TRUE(matches(sp + 2048, 300, 5, 0));
    /* A 100-byte reply into 20 bytes: the client gets what fits, nothing past it. */
    fill(sp, 60, 6, 0);
    fill(sp + 3000, 40, 6, 60);
    struct cr_iov pv[2] = { { CR_UPTR(sp), 60 }, { CR_UPTR(sp + 3000), 40 } };
    EXPECT_TRUE(tl_call_blocked(&th));
    EXPECT_OK(cr_msg_replyv(chan, rcvid, 5, CR_UPTR(pv), 2));
    if (EXPECT_RESULT(&th, 5)) {
        EXPECT_TRUE(matches(cp + 1500, 7, 6, 0));
        EXPECT_TRUE(matches(cp + 1600, 13, 6, 7));
        EXPECT_TRUE(tl_all_bytes(cp + 1507, 93, '.'));
        EXPECT_TRUE(tl_all_bytes(cp + 1613, 2048 - 1613, '.'));
        EXPECT_EQ(cp[1499], '.');
    }
out:
    tl_end(&t);
}

/* msg_write at offsets (crossing the client's pieces, cut at the end), then a reply
 * with no data keeps it; a reply with data overwrites from offset 0. */
TEST(ipc_msg_write_then_reply)
{
    struct tl t;
    struct tl_thread th;
    struct tl_thread th2;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 2, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    uint8_t *cp = tl_pages(&t, 1, RW);
    if (conn == 0 || cp == NULL) {
        goto out;
    }
    memset(cp, 'x', 256);
    struct cr_iov *riov = (struct cr_iov *)(void *)(cp + 1024);
    riov[0] = (struct cr_iov){ CR_UPTR(cp + 0), 12 };
    riov[1] = (struct cr_iov){ CR_UPTR(cp + 100), 20 };
    struct cr_iov *siov = riov + 2;
    siov[0] = (struct cr_iov){ CR_UPTR("w"), 1 };
    struct tl_call c = { conn, CR_UPTR(siov), 1, CR_UPTR(riov), 2 };
    if (!tl_call_start(&t, &th, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th))) {
        goto out;
    }
    char buf[8];
    struct cr_msg_info info;
    int64_t r = tl_recv1(chan, buf, sizeof(buf), &info);
    if (!EXPECT_TRUE(r > 0)) {
        goto out;
    }
    EXPECT_EQ(info.reply_len, 32);
    struct cr_iov w1 = { CR_UPTR("ABCDE"), 5 };
    struct cr_iov w2 = { CR_UPTR("12345"), 5 };
    EXPECT_EQ(cr_msg_write(chan, (uint64_t)r, 10, CR_UPTR(&w1), 1), 5);
    EXPECT_EQ(cr_msg_write(chan, (uint64_t)r, 30, CR_UPTR(&w2), 1), 2);
    EXPECT_EQ(cr_msg_write(chan, (uint64_t)r, 32, CR_UPTR(&w2), 1), 0);
    EXPECT_EQ(cr_msg_write(chan, (uint64_t)r, ~0ull, CR_UPTR(&w2), 1), 0);
    EXPECT_ERR(-CR_EINVAL, cr_msg_write(chan, (uint64_t)r, 0, CR_UPTR(&w2), CR_IOV_MAX + 1));
    EXPECT_TRUE(tl_call_blocked(&th));
    EXPECT_OK(cr_msg_replyv(chan, (uint64_t)r, 6, 0, 0));
    if (EXPECT_RESULT(&th, 6)) {
        /* client bytes 0..11 are cp[0..12), 12..31 are cp[100..120) */
        EXPECT_EQ(memcmp(cp, "xxxxxxxxxxAB", 12), 0);
        EXPECT_EQ(memcmp(cp + 100, "CDExxxxxxxxxxxxxxx12", 20), 0);
        EXPECT_TRUE(tl_all_bytes(cp + 12, 88, 'x'));
        EXPECT_TRUE(tl_all_bytes(cp + 120, 136, 'x'));
    }
    memset(cp, 'x', 256);
    if (!tl_call_start(&t, &th2, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th2))) {
        goto out;
    }
    r = tl_recv1(chan, buf, sizeof(buf), &info);
    if (!EXPECT_TRUE(r > 0)) {
        goto out;
    }
    EXPECT_EQ(cr_msg_write(chan, (uint64_t)r, 10, CR_UPTR(&w1), 1), 5);
    EXPECT_OK(tl_reply1(chan, (uint64_t)r, 7, "zz", 2));
    if (EXPECT_RESULT(&th2, 7)) {
        EXPECT_EQ(memcmp(cp, "zzxxxxxxxxAB", 12), 0);
        EXPECT_EQ(memcmp(cp + 100, "CDExxxxxxxxxxxxxxxxx", 20), 0);
    }
out:
    tl_end(&t);
}

/* ---- badges ---- */

TEST(ipc_badges)
{
    struct tl t;
    struct tl_thread th[4];
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 3, NULL);
    if (chan == 0) {
        goto out;
    }
    static const uint64_t badges[4] = { 0, 1, 0xdeadbeefcafeull, 0x7fffffffffffffffull };
    cr_cptr_t conns[4];
    conns[0] = tl_copy(&t, chan, CR_RIGHT_WRITE); /* unbadged */
    for (unsigned i = 1; i < 4; i++) {
        conns[i] = tl_mint(&t, chan, CR_RIGHT_WRITE, badges[i]);
    }
    struct cr_iov siov[4];
    struct tl_call c[4];
    for (unsigned i = 0; i < 4; i++) {
        if (conns[i] == 0) {
            goto out;
        }
        siov[i] = (struct cr_iov){ CR_UPTR(&badges[i]), 8 };
        c[i] = (struct tl_call){ conns[i], CR_UPTR(&siov[i]), 1, 0, 0 };
        if (!tl_call_start(&t, &th[i], &c[i], TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th[i]))) {
            goto out;
        }
    }
    /* The channel's own capability (what the server holds) has no badge either. */
    for (unsigned i = 0; i < 4; i++) {
        uint64_t said = 0;
        struct cr_msg_info info;
        int64_t r = tl_recv1(chan, &said, 8, &info);
        if (!EXPECT_TRUE(r > 0)) {
            goto out;
        }
        EXPECT_EQ(info.badge, said);
        EXPECT_EQ(info.copied, 8);
        EXPECT_OK(cr_msg_replyv(chan, (uint64_t)r, i, 0, 0));
    }
    for (unsigned i = 0; i < 4; i++) {
        EXPECT_TRUE(tl_call_done(&th[i]));
    }
out:
    tl_end(&t);
}

/* ---- a hundred clients ---- */

enum {
    MANY = 100,
    MANY_TABLE_BITS = 7, /* 127 exchanges */
};
#define MANY_MAGIC 0x6d616e79636c6e74ull

struct many_msg {
    uint64_t idx;
    uint64_t magic;
    char text[16];
};

static void
many_client(struct tl_thread *th)
{
    uint64_t i = th->arg[1];
    struct many_msg m = { i, MANY_MAGIC ^ i, "many clients" };
    uint64_t reply[2] = { 0, 0 };
    struct cr_iov s = { CR_UPTR(&m), sizeof(m) };
    struct cr_iov r = { CR_UPTR(reply), sizeof(reply) };
    th->out[1] = 1;
    th->out[0] = (uint64_t)cr_msg_sendv(th->arg[0], CR_UPTR(&s), 1, CR_UPTR(&r), 1);
    th->out[2] = reply[0];
    th->out[3] = reply[1];
}

/*
 * n threads with one-page stacks (tl_thread_new's 4 pages and guard each would not fit
 * the test window): TCBs from the arena's untyped, stacks from stack_ut, mapped in
 * IPC_REGION with an unmapped guard page below each. Not started.
 */
static bool
light_threads(struct tl *t, struct tl_thread *th, unsigned n, tl_thread_fn fn, unsigned prio,
              cr_cptr_t stack_ut)
{
    if (tl_map_tables(t, CR_CAP_ROOT_VSPACE, IPC_REGION) == 0) {
        return false;
    }
    cr_cptr_t tcbs = tl_slots(t, n);
    cr_cptr_t frames = tl_slots(t, n);
    if (tcbs == 0 || frames == 0 ||
        !EXPECT_OK(cr_untyped_retype(t->ut, CR_OBJ_TCB, 0, ROOT, tcbs, n)) ||
        !EXPECT_OK(cr_untyped_retype(stack_ut, CR_OBJ_FRAME, CR_PAGE_BITS, ROOT, frames, n))) {
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        uint64_t va = IPC_REGION + (2 * (uint64_t)i + 1) * CR_PAGE_SIZE;
        memset(&th[i], 0, sizeof(th[i]));
        th[i].fn = fn;
        th[i].tcb = tcbs + i;
        th[i].self = tcbs + i;
        th[i].stack_top = va + CR_PAGE_SIZE;
        if (!EXPECT_OK(tl_map_at(frames + i, va, RW)) ||
            !EXPECT_OK(cr_tcb_configure(tcbs + i, ROOT, CR_CAP_ROOT_VSPACE, 0, 0)) ||
            !EXPECT_OK(cr_tcb_set_priority(tcbs + i, prio, CR_SCHED_RR))) {
            return false;
        }
    }
    return true;
}

TEST(ipc_hundred_clients_out_of_order)
{
    static struct tl_thread th[MANY];
    static uint64_t rcvids[MANY];
    static uint64_t order[MANY];
    struct tl t;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t stack_ut = tl_ut(&t);
    cr_cptr_t chan = tl_ipc_channel(&t, MANY_TABLE_BITS, NULL);
    cr_cptr_t conns = tl_slots(&t, MANY);
    if (stack_ut == 0 || chan == 0 || conns == 0 ||
        !light_threads(&t, th, MANY, many_client, TL_PRIO, stack_ut)) {
        goto out;
    }
    for (unsigned i = 0; i < MANY; i++) {
        if (!EXPECT_OK(cr_cap_mint(ROOT, conns + i, ROOT, chan, CR_RIGHT_WRITE, i + 1))) {
            goto out;
        }
        th[i].arg[0] = conns + i;
        th[i].arg[1] = i;
        if (!tl_thread_start(&th[i]) || !EXPECT_TRUE(tl_call_blocked(&th[i]))) {
            goto out;
        }
    }
    /* Receive all of them before answering any. */
    bool fifo = true;
    for (unsigned k = 0; k < MANY; k++) {
        struct many_msg m;
        memset(&m, 0, sizeof(m));
        struct cr_msg_info info;
        int64_t r = tl_recv1(chan, &m, sizeof(m), &info);
        if (!EXPECT_TRUE(r > 0) || !EXPECT_TRUE(m.idx < MANY)) {
            goto out;
        }
        EXPECT_EQ(info.badge, m.idx + 1);
        EXPECT_EQ(m.magic, MANY_MAGIC ^ m.idx);
        EXPECT_EQ(memcmp(m.text, "many clients", 13), 0);
        EXPECT_EQ(info.send_len, sizeof(m));
        EXPECT_EQ(info.copied, sizeof(m));
        EXPECT_EQ(info.reply_len, 16);
        EXPECT_TRUE(CR_RCVID_INDEX(r) >= 1 && CR_RCVID_INDEX(r) < (1u << MANY_TABLE_BITS));
        fifo = fifo && m.idx == k; /* equal priorities: first come, first served */
        rcvids[m.idx] = (uint64_t)r;
        order[k] = m.idx;
    }
    EXPECT_TRUE(fifo);
    for (unsigned i = 0; i < MANY; i++) {
        EXPECT_TRUE(tl_call_blocked(&th[i]));
        for (unsigned j = 0; j < i; j++) {
            if (rcvids[i] == rcvids[j]) {
                TEST_FAIL("clients %u and %u share rcvid %#llx", j, i,
                          (unsigned long long)rcvids[i]);
            }
        }
    }
    /* Answer in a shuffled order; each reply carries its own client's index. */
    uint64_t seed = 0x1234567887654321ull;
    for (unsigned i = MANY - 1; i > 0; i--) {
        unsigned j = (unsigned)(tl_rand(&seed) % (i + 1));
        uint64_t x = order[i];
        order[i] = order[j];
        order[j] = x;
    }
    for (unsigned k = 0; k < MANY; k++) {
        uint64_t i = order[k];
        uint64_t data[2] = { i ^ 0x5555555555555555ull, ~i };
        EXPECT_OK(tl_reply1(chan, rcvids[i], 1000 + i, data, sizeof(data)));
    }
    for (unsigned i = 0; i < MANY; i++) {
        if (!EXPECT_TRUE(tl_call_done(&th[i]))) {
            break;
        }
        EXPECT_EQ(th[i].out[0], 1000 + i);
        EXPECT_EQ(th[i].out[2], i ^ 0x5555555555555555ull);
        EXPECT_EQ(th[i].out[3], ~(uint64_t)i);
    }
    for (unsigned i = 0; i < MANY; i += 7) {
        EXPECT_ERR(-CR_ESRCH, cr_msg_replyv(chan, rcvids[i], 0, 0, 0));
    }
out:
    tl_end(&t);
}
