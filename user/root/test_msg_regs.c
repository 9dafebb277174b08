/* SPDX-License-Identifier: MIT */
/*
 * Register messages (msg_send_regs, msg_reply_recv_regs) and the fast path: a register
 * server thread answering register clients (the fast path), and every mixed pair — a
 * register client with a memory server, a memory client with a register server — with
 * partial lengths, truncation both ways, msg_read/msg_write on a register client, pulses
 * into registers, and each documented error. The results must not depend on which path
 * the kernel took.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

enum {
    BADGE = 0x5a,
    ROUNDS = 50,
};

/* A register server: answers each message with status send_len + 1000 and every word
 * of the message plus one, replying reply_len bytes of that. */
struct rserver {
    cr_cptr_t chan;
    uint64_t reply_len;
    volatile uint64_t served;
    volatile uint64_t badge, send_len, client_reply_len, copied;
    volatile uint64_t mr[4]; /* the last message as received */
    volatile int64_t last;   /* the call's last return */
};

static struct rserver rs;

static void
reg_server(struct tl_thread *th)
{
    uint64_t mr[4] = { 0 };
    struct cr_msg_info info = { 0 };
    int64_t rcvid = cr_msg_reply_recv_mr(rs.chan, 0, 0, 0, mr, &info);
    while (rcvid > 0) {
        rs.badge = info.badge;
        rs.send_len = info.send_len;
        rs.client_reply_len = info.reply_len;
        rs.copied = info.copied;
        for (int i = 0; i < 4; i++) {
            rs.mr[i] = mr[i];
            mr[i] += 1;
        }
        rs.served++;
        rcvid = cr_msg_reply_recv_mr(rs.chan, (uint64_t)rcvid, info.send_len + 1000,
                                     rs.reply_len, mr, &info);
    }
    rs.last = rcvid;
    (void)th;
}

static bool
start_reg_server(struct tl *t, struct tl_thread *srv, cr_cptr_t *conn)
{
    rs = (struct rserver){ .reply_len = 32 };
    rs.chan = tl_new(t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t table = tl_new(t, CR_OBJ_REPLY_TABLE, 2);
    *conn = rs.chan != 0 ? tl_mint(t, rs.chan, CR_RIGHT_WRITE, BADGE) : 0;
    if (*conn == 0 || table == 0 || !EXPECT_OK(cr_channel_bind(rs.chan, table, 0)) ||
        !tl_thread_new(t, srv, reg_server, TL_PRIO) || !tl_thread_start(srv)) {
        return false;
    }
    tl_pause(TL_PRIO - 1, 2); /* it waits in its receive */
    return true;
}

TEST(msg_regs_fast_round_trips)
{
    struct tl t;
    struct tl_thread srv;
    cr_cptr_t conn;
    if (!tl_begin(&t)) {
        return;
    }
    if (!start_reg_server(&t, &srv, &conn)) {
        goto out;
    }
    for (uint64_t i = 0; i < ROUNDS; i++) {
        uint64_t mr[4] = { i, i << 8, i << 16, ~i };
        int64_t r = cr_msg_send_mr(conn, mr, 32, 32);
        if (!EXPECT_EQ(1032, r) || !EXPECT_EQ(i + 1, mr[0]) || !EXPECT_EQ((i << 8) + 1, mr[1]) ||
            !EXPECT_EQ((i << 16) + 1, mr[2]) || !EXPECT_EQ(~i + 1, mr[3])) {
            break;
        }
    }
    EXPECT_EQ(ROUNDS, rs.served);
    EXPECT_EQ(BADGE, rs.badge);
    EXPECT_EQ(32, rs.send_len);
    EXPECT_EQ(32, rs.client_reply_len);
    EXPECT_EQ(32, rs.copied);
out:
    tl_end(&t);
}

TEST(msg_regs_partial_lengths_keep_the_other_bytes)
{
    struct tl t;
    struct tl_thread srv;
    cr_cptr_t conn;
    if (!tl_begin(&t)) {
        return;
    }
    if (!start_reg_server(&t, &srv, &conn)) {
        goto out;
    }
    /* 12 bytes out: the server sees MR0 and the low half of MR1. It replies 20 bytes
     * into a 9-byte reply buffer: MR0 and the low byte of MR1 change, nothing else. */
    uint64_t mr[4] = { 0x1111111111111111, 0x2222222222222222, 0x3333333333333333,
                       0x4444444444444444 };
    EXPECT_EQ(1012, cr_msg_send_mr(conn, mr, 12, 9));
    EXPECT_EQ(12, rs.send_len);
    EXPECT_EQ(9, rs.client_reply_len);
    EXPECT_EQ(12, rs.copied);
    EXPECT_EQ(0x1111111111111111, rs.mr[0]);
    EXPECT_EQ(0x22222222, rs.mr[1] & 0xffffffff);
    EXPECT_EQ(0x1111111111111112, mr[0]);
    EXPECT_EQ(0x2222222222222200 | ((rs.mr[1] + 1) & 0xff), mr[1]);
    EXPECT_EQ(0x3333333333333333, mr[2]);
    EXPECT_EQ(0x4444444444444444, mr[3]);
    /* Nothing each way. */
    uint64_t z[4] = { 7, 7, 7, 7 };
    EXPECT_EQ(1000, cr_msg_send_mr(conn, z, 0, 0));
    EXPECT_EQ(0, rs.send_len);
    EXPECT_EQ(0, rs.copied);
    EXPECT_EQ(7, z[0]);
    EXPECT_EQ(7, z[3]);
    /* The server replies fewer bytes than the client can take: the rest stays. */
    rs.reply_len = 3;
    uint64_t m3[4] = { 0x88776655443322ff, 5, 6, 7 };
    EXPECT_EQ(1032, cr_msg_send_mr(conn, m3, 32, 32));
    EXPECT_EQ(0x8877665544332300, m3[0]);
    EXPECT_EQ(5, m3[1]);
out:
    tl_end(&t);
}

/* A register client that records its result and reply. */
static void
reg_client(struct tl_thread *th)
{
    uint64_t mr[4] = { th->arg[1], th->arg[2], th->arg[3], 0x0badc0de };
    int64_t r = cr_msg_send_mr(th->arg[0], mr, 32, 32);
    for (int i = 0; i < 4; i++) {
        th->out[1 + i] = mr[i];
    }
    th->out[0] = (uint64_t)r;
}

TEST(msg_regs_client_with_a_memory_server)
{
    struct tl t;
    struct tl_thread c;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 2);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, BADGE) : 0;
    if (conn == 0 || table == 0 || !EXPECT_OK(cr_channel_bind(chan, table, 0)) ||
        !tl_thread_new(&t, &c, reg_client, TL_PRIO)) {
        goto out;
    }
    c.arg[0] = conn;
    c.arg[1] = 0x0706050403020100;
    c.arg[2] = 0x0f0e0d0c0b0a0908;
    c.arg[3] = 0x1716151413121110;
    tl_thread_start(&c);
    /* A receive into memory sees the 32 bytes in order; split over two buffers. */
    uint8_t a[5];
    uint8_t b[40];
    struct cr_iov iov[2] = { { CR_UPTR(a), sizeof(a) }, { CR_UPTR(b), sizeof(b) } };
    struct cr_msg_info info = { 0 };
    EXPECT_OK(cr_timeout_set(tl_now_ns() + (uint64_t)TL_TIMEOUT_MS * 1000000u));
    int64_t rcvid = cr_msg_receivev(chan, CR_UPTR(iov), 2, CR_UPTR(&info));
    if (!EXPECT_TRUE(rcvid > 0)) {
        goto out;
    }
    EXPECT_EQ(32, info.send_len);
    EXPECT_EQ(32, info.reply_len);
    EXPECT_EQ(32, info.copied);
    EXPECT_EQ(BADGE, info.badge);
    EXPECT_EQ(0, a[0]);
    EXPECT_EQ(4, a[4]);
    EXPECT_EQ(5, b[0]);
    EXPECT_EQ(0x17, b[18]);
    EXPECT_EQ(0xde, b[19]);
    /* msg_read at an odd offset reads the message as sent. */
    uint8_t r[8] = { 0 };
    struct cr_iov riov[1] = { { CR_UPTR(r), sizeof(r) } };
    EXPECT_EQ(8, cr_msg_read(chan, (uint64_t)rcvid, 3, CR_UPTR(riov), 1));
    EXPECT_EQ(3, r[0]);
    EXPECT_EQ(10, r[7]);
    EXPECT_EQ(3, cr_msg_read(chan, (uint64_t)rcvid, 29, CR_UPTR(riov), 1));
    /* msg_write into the client's registers, then a reply over part of them: the
     * write lands in MR3, the reply in MR0..MR1; the read still sees the message. */
    uint64_t w = 0xfeedfacecafebeef;
    struct cr_iov wiov[1] = { { CR_UPTR(&w), sizeof(w) } };
    EXPECT_EQ(8, cr_msg_write(chan, (uint64_t)rcvid, 24, CR_UPTR(wiov), 1));
    EXPECT_EQ(0, cr_msg_write(chan, (uint64_t)rcvid, 32, CR_UPTR(wiov), 1));
    EXPECT_EQ(8, cr_msg_read(chan, (uint64_t)rcvid, 24, CR_UPTR(riov), 1));
    EXPECT_EQ(0xde, r[0]);
    uint64_t rep[2] = { 111, 222 };
    EXPECT_OK(tl_reply1(chan, (uint64_t)rcvid, 5, rep, sizeof(rep)));
    EXPECT_TRUE(tl_wait_word(&c.finished, 1, TL_PRIO - 1, TL_TIMEOUT_MS));
    EXPECT_EQ(5, c.out[0]);
    EXPECT_EQ(111, c.out[1]);
    EXPECT_EQ(222, c.out[2]);
    EXPECT_EQ(0x1716151413121110, c.out[3]);
    EXPECT_EQ(0xfeedfacecafebeef, c.out[4]);
out:
    tl_end(&t);
}

/* A memory client sending 100 bytes and taking a 20-byte reply. */
static void
mem_client(struct tl_thread *th)
{
    uint8_t msg[100];
    for (int i = 0; i < 100; i++) {
        msg[i] = (uint8_t)(i + 1);
    }
    uint8_t reply[20];
    memset(reply, 0xaa, sizeof(reply));
    struct cr_iov s[1] = { { CR_UPTR(msg), sizeof(msg) } };
    struct cr_iov r[1] = { { CR_UPTR(reply), sizeof(reply) } };
    th->out[0] = (uint64_t)cr_msg_sendv(th->arg[0], CR_UPTR(s), 1, CR_UPTR(r), 1);
    memcpy((void *)&th->out[1], reply, sizeof(reply));
}

TEST(msg_regs_server_with_a_memory_client)
{
    struct tl t;
    struct tl_thread srv;
    struct tl_thread c;
    cr_cptr_t conn;
    if (!tl_begin(&t)) {
        return;
    }
    if (!start_reg_server(&t, &srv, &conn) || !tl_thread_new(&t, &c, mem_client, TL_PRIO)) {
        goto out;
    }
    c.arg[0] = conn;
    tl_thread_start(&c);
    EXPECT_TRUE(tl_wait_word(&c.finished, 1, TL_PRIO - 1, TL_TIMEOUT_MS));
    /* The server saw the first 32 of 100 bytes, and the client's 20-byte buffer. */
    EXPECT_EQ(1100, c.out[0]);
    EXPECT_EQ(100, rs.send_len);
    EXPECT_EQ(20, rs.client_reply_len);
    EXPECT_EQ(32, rs.copied);
    EXPECT_EQ(0x0807060504030201, rs.mr[0]);
    EXPECT_EQ(0x201f1e1d1c1b1a19, rs.mr[3]);
    /* The reply: 32 bytes offered, 20 taken, each word of the message plus one. */
    uint8_t reply[20];
    memcpy(reply, (const void *)&c.out[1], sizeof(reply));
    EXPECT_EQ(2, reply[0]);
    EXPECT_EQ(8, reply[7]);
    EXPECT_EQ(10, reply[8]);
    EXPECT_EQ(0x13, reply[18]);
out:
    tl_end(&t);
}

TEST(msg_regs_pulse_arrives_in_registers)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t pq = tl_new(&t, CR_OBJ_PULSE_QUEUE, 2);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, BADGE) : 0;
    if (conn == 0 || pq == 0 || !EXPECT_OK(cr_channel_bind(chan, pq, 0))) {
        goto out;
    }
    EXPECT_OK(cr_pulse_send(conn, 42, 0x1234567890));
    uint64_t mr[4] = { 0, 0, 0, 99 };
    struct cr_msg_info info = { 0 };
    EXPECT_EQ(0, cr_msg_reply_recv_mr(chan, 0, 0, 0, mr, &info));
    EXPECT_EQ(42, mr[0] & 0xffffffff);
    EXPECT_EQ(0x1234567890, mr[1]);
    EXPECT_EQ(BADGE, mr[2]);
    EXPECT_EQ(99, mr[3]);
    EXPECT_EQ(BADGE, info.badge);
    EXPECT_EQ(sizeof(struct cr_pulse), info.send_len);
    EXPECT_EQ(sizeof(struct cr_pulse), info.copied);
    /* Nothing queued, a past deadline: ETIMEDOUT rather than blocking. */
    EXPECT_OK(cr_timeout_set(1));
    EXPECT_ERR(-CR_ETIMEDOUT, cr_msg_reply_recv_mr(chan, 0, 0, 0, mr, &info));
out:
    tl_end(&t);
}

TEST(msg_regs_errors)
{
    struct tl t;
    struct tl_thread c;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 2);
    cr_cptr_t ntfn = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, BADGE) : 0;
    cr_cptr_t ro = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_READ, 1) : 0;
    cr_cptr_t empty = tl_slot(&t);
    uint64_t mr[4] = { 1, 2, 3, 4 };
    struct cr_msg_info info = { 0 };
    if (conn == 0 || ro == 0 || table == 0 || ntfn == 0) {
        goto out;
    }
    /* No reply table bound yet. */
    EXPECT_ERR(-CR_EINVAL, cr_msg_send_mr(conn, mr, 8, 8));
    if (!EXPECT_OK(cr_channel_bind(chan, table, 0))) {
        goto out;
    }
    EXPECT_ERR(-CR_EBADCAP, cr_msg_send_mr(~0ull, mr, 8, 8));
    EXPECT_ERR(-CR_ENOCAP, cr_msg_send_mr(empty, mr, 8, 8));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_msg_send_mr(ntfn, mr, 8, 8));
    EXPECT_ERR(-CR_EPERM, cr_msg_send_mr(ro, mr, 8, 8));
    EXPECT_ERR(-CR_EINVAL, cr_msg_send_mr(conn, mr, 33, 8));
    EXPECT_ERR(-CR_EINVAL, cr_msg_send_mr(conn, mr, 8, 33));
    EXPECT_ERR(-CR_EINVAL, cr_msg_send_mr(conn, mr, ~0ull, 0));
    EXPECT_OK(cr_timeout_set(1));
    EXPECT_ERR(-CR_ETIMEDOUT, cr_msg_send_mr(conn, mr, 8, 8));
    EXPECT_EQ(1, mr[0]); /* nothing was sent, nothing changed */
    EXPECT_ERR(-CR_EBADCAP, cr_msg_reply_recv_mr(~0ull, 0, 0, 0, mr, &info));
    EXPECT_ERR(-CR_EPERM, cr_msg_reply_recv_mr(conn, 0, 0, 0, mr, &info));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_msg_reply_recv_mr(ntfn, 0, 0, 0, mr, &info));
    EXPECT_ERR(-CR_ESRCH, cr_msg_reply_recv_mr(chan, 0x100000001, 0, 0, mr, &info));
    /* With an open exchange: a bad reply length or status fails and leaves it open. */
    if (!tl_thread_new(&t, &c, reg_client, TL_PRIO)) {
        goto out;
    }
    c.arg[0] = conn;
    c.arg[1] = 1;
    tl_thread_start(&c);
    EXPECT_OK(cr_timeout_set(tl_now_ns() + (uint64_t)TL_TIMEOUT_MS * 1000000u));
    int64_t rcvid = cr_msg_reply_recv_mr(chan, 0, 0, 0, mr, &info);
    if (!EXPECT_TRUE(rcvid > 0)) {
        goto out;
    }
    EXPECT_EQ(1, mr[0]);
    EXPECT_ERR(-CR_EINVAL, cr_msg_reply_recv_mr(chan, (uint64_t)rcvid, 0, 33, mr, &info));
    EXPECT_ERR(-CR_EINVAL, cr_msg_reply_recv_mr(chan, (uint64_t)rcvid, (uint64_t)-1, 8, mr,
                                                &info));
    EXPECT_EQ(0, c.finished);
    /* A good reply; the receive half then times out, but the reply stands. */
    mr[0] = 77;
    EXPECT_OK(cr_timeout_set(1));
    EXPECT_ERR(-CR_ETIMEDOUT, cr_msg_reply_recv_mr(chan, (uint64_t)rcvid, 3, 8, mr, &info));
    EXPECT_TRUE(tl_wait_word(&c.finished, 1, TL_PRIO - 1, TL_TIMEOUT_MS));
    EXPECT_EQ(3, c.out[0]);
    EXPECT_EQ(77, c.out[1]);
    EXPECT_ERR(-CR_ESRCH, cr_msg_reply_recv_mr(chan, (uint64_t)rcvid, 0, 0, mr, &info));
out:
    tl_end(&t);
}
