/* SPDX-License-Identifier: MIT */
/*
 * System tests of synchronous message passing (docs/ipc.md), part one: reply tables and
 * channel_bind with their errors; the argument errors of the seven calls; round trips
 * with statuses; vectored messages at odd sizes and alignments, up to CR_IOV_MAX entries.
 * How a server answers (truncation with msg_read and msg_write, badges, a hundred
 * clients) is test_ipc_answer.c; the ways an exchange goes wrong test_ipc_errors.c and
 * test_ipc_errors_blocked.c; the big message test_ipc_big.c; the fuzzer test_ipc_fuzz.c.
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

#include "test_ipc.h"
#include "testlib.h"

#define ROOT CR_CAP_ROOT_CNODE
#define RW (CR_RIGHT_READ | CR_RIGHT_WRITE)
#define KERNEL_ADDR 0xffff800000000000ull
#define NONCANON_ADDR 0x0000800000000000ull

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
