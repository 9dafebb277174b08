/* SPDX-License-Identifier: MIT */
/*
 * A send that finds a server thread waiting in a memory receive does that receive itself
 * (docs/ipc.md, "How a message moves": msg_receive_direct): it copies the message into
 * the server's buffers and writes its info, and the server's call returns the rcvid
 * without running again. When that cannot finish (the server's info or buffers went bad
 * while it waited, the client's buffers are bad), the server's call runs again and ends
 * as any receive would. These tests check both: the bytes and the description a waiting
 * server gets, and each error landing on the side whose memory is bad.
 *
 * The root drops to TL_SRV_PRIO, below the server thread and the client threads, so
 * starting one runs it until it blocks; the root itself is a client in two tests.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

#define RW (CR_RIGHT_READ | CR_RIGHT_WRITE)

enum {
    SERVER_PRIO = 120,
    CLIENT_PRIO = 110,
    BADGE = 0x5d,
};

/* The waiting server: one receive into arg[1] (an iov array of arg[2] entries) with
 * info at arg[3]; out[0] = the result; a message gets a reply of its first 8 bytes with
 * status 9. */
static void
server(struct tl_thread *th)
{
    cr_cptr_t chan = th->arg[0];
    struct cr_msg_info *info = (struct cr_msg_info *)(uintptr_t)th->arg[3];
    int64_t r = cr_msg_receivev(chan, th->arg[1], th->arg[2], th->arg[3]);
    th->out[0] = (uint64_t)r;
    if (r > 0) {
        th->out[1] = info->badge;
        th->out[2] = info->send_len;
        th->out[3] = info->reply_len;
        th->out[4] = info->copied;
        const struct cr_iov *iov = (const struct cr_iov *)(uintptr_t)th->arg[1];
        struct cr_iov a = { iov[0].base, 8 };
        th->out[5] = (uint64_t)cr_msg_replyv(chan, (uint64_t)r, 9, CR_UPTR(&a), 1);
    }
}

static uint8_t
pat(uint64_t i)
{
    return (uint8_t)(i * 13u + (i >> 8) + 1);
}

static bool
start_server(struct tl *t, struct tl_thread *s, cr_cptr_t chan, struct cr_iov *iov,
             uint32_t n, struct cr_msg_info *info)
{
    if (!tl_thread_new(t, s, server, SERVER_PRIO)) {
        return false;
    }
    s->arg[0] = chan;
    s->arg[1] = CR_UPTR(iov);
    s->arg[2] = n;
    s->arg[3] = CR_UPTR(info);
    return tl_thread_start(s);
}

/* The root sends 30,000 bytes in three pieces to a server already waiting with two
 * buffers: everything arrives, described, and the reply comes back. */
TEST(msg_send_completes_a_waiting_servers_receive)
{
    struct tl t;
    struct tl_thread s;
    if (!tl_begin(&t)) {
        return;
    }
    tl_root_prio(TL_SRV_PRIO); /* below the server and the clients (tl_end restores it) */
    cr_cptr_t table;
    cr_cptr_t chan = tl_ipc_channel(&t, 1, &table);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, BADGE) : 0;
    uint8_t *mem = tl_pages(&t, 20, RW);
    if (conn == 0 || mem == NULL) {
        goto out;
    }
    uint8_t *src = mem;              /* pages 0..7 */
    uint8_t *dst = mem + 8 * 4096;   /* pages 8..18 */
    uint8_t *misc = mem + 19 * 4096; /* iov arrays, info, reply */
    for (uint64_t i = 0; i < 8 * 4096; i++) {
        src[i] = pat(i);
    }
    memset(dst, '-', 11 * 4096);
    struct cr_iov *rv = (struct cr_iov *)(void *)misc;
    rv[0] = (struct cr_iov){ CR_UPTR(dst + 1), 5 };
    rv[1] = (struct cr_iov){ CR_UPTR(dst + 4097), 40000 };
    struct cr_msg_info *info = (struct cr_msg_info *)(void *)(misc + 256);
    if (!start_server(&t, &s, chan, rv, 2, info) || !EXPECT_EQ(s.finished, 0)) {
        goto out;
    }
    struct cr_iov sv[3] = { { CR_UPTR(src + 3), 7 }, { CR_UPTR(src + 100), 29000 },
                            { CR_UPTR(src + 29100), 993 } };
    uint8_t *reply = misc + 512;
    memset(reply, '.', 16);
    struct cr_iov pv[1] = { { CR_UPTR(reply), 16 } };
    EXPECT_EQ(9, cr_msg_sendv(conn, CR_UPTR(sv), 3, CR_UPTR(pv), 1));
    if (!EXPECT_TRUE(tl_wait_word(&s.finished, 1, 0, TL_TIMEOUT_MS)) ||
        !EXPECT_TRUE((int64_t)s.out[0] > 0)) {
        goto out;
    }
    EXPECT_EQ(s.out[1], BADGE);
    EXPECT_EQ(s.out[2], 30000);
    EXPECT_EQ(s.out[3], 16);
    EXPECT_EQ(s.out[4], 30000);
    EXPECT_EQ(s.out[5], 0);
    EXPECT_EQ(info->rcvid, s.out[0]);
    /* The message: 7 bytes from src + 3, 29000 from src + 100, 993 from src + 29100. */
    uint64_t k = 0;
    bool same = true;
    for (uint64_t i = 0; i < 30000; i++) {
        uint64_t from = i < 7 ? 3 + i : i < 29007 ? 100 + (i - 7) : 29100 + (i - 29007);
        uint8_t got = i < 5 ? dst[1 + i] : dst[4097 + (i - 5)];
        same = same && got == pat(from);
        k++;
    }
    EXPECT_TRUE(same);
    EXPECT_EQ(k, 30000);
    EXPECT_EQ(dst[0], '-');
    EXPECT_TRUE(tl_all_bytes(dst + 6, 4091, '-'));
    EXPECT_TRUE(tl_all_bytes(dst + 4097 + 29995, 11 * 4096 - 4097 - 29995, '-'));
    /* The reply: the server's first 8 bytes (5 of the message, then its own '-'). */
    EXPECT_EQ(0, memcmp(reply, dst + 1, 8));
    EXPECT_TRUE(tl_all_bytes(reply + 8, 8, '.'));
out:
    tl_end(&t);
}

/* A client thread's message for the waiting server: arg[0] conn, arg[1] the buffer,
 * arg[2] its length; out[0] the result. */
static void
client(struct tl_thread *th)
{
    struct cr_iov sv = { th->arg[1], th->arg[2] };
    th->out[0] = (uint64_t)cr_msg_sendv(th->arg[0], CR_UPTR(&sv), 1, 0, 0);
}

/* The server's info page is unmapped while it waits: the message is copied, the info
 * cannot be written, so the server's call fails with EFAULT and the client waits on the
 * queue for another receive, which gets the whole message. */
TEST(msg_direct_receive_with_bad_info_fails_the_server_only)
{
    struct tl t;
    struct tl_thread s;
    struct tl_thread c;
    if (!tl_begin(&t)) {
        return;
    }
    tl_root_prio(TL_SRV_PRIO); /* below the server and the clients (tl_end restores it) */
    cr_cptr_t chan = tl_ipc_channel(&t, 1, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, BADGE) : 0;
    cr_cptr_t info_frame;
    uint8_t *mem = tl_pages(&t, 2, RW);
    uint8_t *info_page = tl_map(&t, RW, &info_frame);
    if (conn == 0 || mem == NULL || info_page == NULL) {
        goto out;
    }
    for (uint64_t i = 0; i < 100; i++) {
        mem[i] = pat(i);
    }
    struct cr_iov *rv = (struct cr_iov *)(void *)(mem + 4096);
    rv[0] = (struct cr_iov){ CR_UPTR(mem + 4096 + 64), 200 };
    if (!start_server(&t, &s, chan, rv, 1, (struct cr_msg_info *)(void *)info_page) ||
        !EXPECT_OK(cr_vspace_unmap(info_frame)) || !tl_thread_new(&t, &c, client, CLIENT_PRIO)) {
        goto out;
    }
    c.arg[0] = conn;
    c.arg[1] = CR_UPTR(mem);
    c.arg[2] = 100;
    if (!tl_thread_start(&c) || !EXPECT_TRUE(tl_wait_word(&s.finished, 1, 0, TL_TIMEOUT_MS))) {
        goto out;
    }
    EXPECT_ERR(-CR_EFAULT, (int64_t)s.out[0]);
    EXPECT_EQ(c.finished, 0); /* still queued */
    uint8_t buf[128];
    struct cr_msg_info info;
    int64_t rcvid = tl_recv1(chan, buf, sizeof(buf), &info);
    if (EXPECT_TRUE(rcvid > 0)) {
        EXPECT_EQ(info.copied, 100);
        EXPECT_EQ(0, memcmp(buf, mem, 100));
        EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid, 3, 0, 0));
        if (EXPECT_TRUE(tl_wait_word(&c.finished, 1, 0, TL_TIMEOUT_MS))) {
            EXPECT_EQ(c.out[0], 3);
        }
    }
out:
    tl_end(&t);
}

/* The client's buffer is unmapped: its send fails with EFAULT, and the waiting server,
 * unharmed, goes on waiting and receives the next message. */
TEST(msg_direct_receive_with_bad_client_buffer_fails_the_client_only)
{
    struct tl t;
    struct tl_thread s;
    struct tl_thread c;
    if (!tl_begin(&t)) {
        return;
    }
    tl_root_prio(TL_SRV_PRIO); /* below the server and the clients (tl_end restores it) */
    cr_cptr_t chan = tl_ipc_channel(&t, 1, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, BADGE) : 0;
    cr_cptr_t gone_frame;
    uint8_t *mem = tl_pages(&t, 1, RW);
    uint8_t *gone = tl_map(&t, RW, &gone_frame);
    if (conn == 0 || mem == NULL || gone == NULL || !EXPECT_OK(cr_vspace_unmap(gone_frame))) {
        goto out;
    }
    struct cr_iov *rv = (struct cr_iov *)(void *)mem;
    rv[0] = (struct cr_iov){ CR_UPTR(mem + 64), 200 };
    struct cr_msg_info *info = (struct cr_msg_info *)(void *)(mem + 512);
    if (!start_server(&t, &s, chan, rv, 1, info) || !tl_thread_new(&t, &c, client, CLIENT_PRIO)) {
        goto out;
    }
    c.arg[0] = conn;
    c.arg[1] = CR_UPTR(gone);
    c.arg[2] = 100;
    if (!tl_thread_start(&c) || !EXPECT_TRUE(tl_wait_word(&c.finished, 1, 0, TL_TIMEOUT_MS))) {
        goto out;
    }
    EXPECT_ERR(-CR_EFAULT, (int64_t)c.out[0]);
    EXPECT_EQ(s.finished, 0); /* still waiting */
    static const char hi[] = "hello, server";
    struct cr_iov sv = { CR_UPTR(hi), sizeof(hi) };
    EXPECT_EQ(9, cr_msg_sendv(conn, CR_UPTR(&sv), 1, 0, 0));
    if (EXPECT_TRUE(tl_wait_word(&s.finished, 1, 0, TL_TIMEOUT_MS))) {
        EXPECT_TRUE((int64_t)s.out[0] > 0);
        EXPECT_EQ(s.out[4], sizeof(hi));
        EXPECT_EQ(0, memcmp(mem + 64, hi, sizeof(hi)));
    }
out:
    tl_end(&t);
}

enum {
    LONG_PAGES = 32, /* 128 KiB messages: eight preemption checks each */
    LONG_MSGS = 64,
};

/* The long-message server: LONG_MSGS receives into arg[1]; out[0] counts the messages
 * that arrived whole (message i is pattern i), out[1] counts receives that failed. */
static void
long_server(struct tl_thread *th)
{
    uint8_t *buf = (uint8_t *)(uintptr_t)th->arg[1];
    struct cr_iov iov = { CR_UPTR(buf), LONG_PAGES * 4096 };
    struct cr_msg_info info;
    for (uint64_t i = 0; i < LONG_MSGS; i++) {
        int64_t r = cr_msg_receivev(th->arg[0], CR_UPTR(&iov), 1, CR_UPTR(&info));
        if (r <= 0) {
            th->out[1]++;
            continue;
        }
        bool whole = info.copied == LONG_PAGES * 4096;
        for (uint64_t k = 0; whole && k < LONG_PAGES * 4096; k += 61) {
            whole = buf[k] == (uint8_t)(pat(k) + i);
        }
        th->out[0] += whole;
        cr_msg_replyv(th->arg[0], (uint64_t)r, 0, 0, 0);
    }
}

/* The long-message client: LONG_MSGS sends of pattern i from arg[1]. */
static void
long_client(struct tl_thread *th)
{
    uint8_t *buf = (uint8_t *)(uintptr_t)th->arg[1];
    struct cr_iov iov = { CR_UPTR(buf), LONG_PAGES * 4096 };
    for (uint64_t i = 0; i < LONG_MSGS; i++) {
        for (uint64_t k = 0; k < LONG_PAGES * 4096; k++) {
            buf[k] = (uint8_t)(pat(k) + i);
        }
        th->out[0] += cr_msg_sendv(th->arg[0], CR_UPTR(&iov), 1, 0, 0) == 0;
    }
}

/* Long messages to a waiting server while the root wakes from short timed waits above
 * both: a wake-up due while a send copies stops the copy at its next check, and the
 * server's call finishes it. However the wake-ups fall, every message arrives whole. */
TEST(msg_direct_receive_preempted_is_finished_by_the_server)
{
    struct tl t;
    struct tl_thread s;
    struct tl_thread c;
    if (!tl_begin(&t)) {
        return;
    }
    tl_root_prio(TL_SRV_PRIO);
    cr_cptr_t chan = tl_ipc_channel(&t, 1, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, BADGE) : 0;
    cr_cptr_t ntfn = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    uint8_t *sbuf = tl_pages(&t, LONG_PAGES, RW);
    uint8_t *cbuf = tl_pages(&t, LONG_PAGES, RW);
    if (conn == 0 || ntfn == 0 || sbuf == NULL || cbuf == NULL ||
        !tl_thread_new(&t, &s, long_server, 40) || !tl_thread_new(&t, &c, long_client, 30)) {
        goto out;
    }
    s.arg[0] = chan;
    s.arg[1] = CR_UPTR(sbuf);
    c.arg[0] = conn;
    c.arg[1] = CR_UPTR(cbuf);
    tl_root_prio(200);
    if (!tl_thread_start(&s) || !tl_thread_start(&c)) {
        goto out;
    }
    uint64_t end = tl_now_ns() + 20 * (uint64_t)TL_TIMEOUT_MS * 1000000ull;
    while (!c.finished && tl_now_ns() < end) {
        uint64_t bits;
        cr_timeout_set(tl_now_ns() + 20000);
        cr_notify_wait(ntfn, CR_UPTR(&bits));
    }
    if (EXPECT_TRUE(tl_wait_word(&s.finished, 1, 0, TL_TIMEOUT_MS))) {
        EXPECT_EQ(c.out[0], LONG_MSGS);
        EXPECT_EQ(s.out[0], LONG_MSGS);
        EXPECT_EQ(s.out[1], 0);
    }
out:
    tl_end(&t);
}
