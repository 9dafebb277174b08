/* SPDX-License-Identifier: MIT */
/*
 * The console server's loop and request side (proto/io.h, proto/console.h,
 * docs/console.md): IO_WRITE goes to the UART (a request carries its data after the
 * header; msg_read fetches what did not fit the receive buffer), IO_IOCTL TIOCGWINSZ
 * answers 24 x 80, CON_STATS the counters, IO_READ is checked here and served by input.c,
 * which also serves every pulse (COM1's interrupt). One request at a time; every request
 * gets exactly one reply, an IO_READ possibly later.
 */
#include "console.h"

#include <courier/abi/errors.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/lib/uart.h>
#include <courier/proto/io.h>
#include <courier/sys.h>

enum {
    BUF = 4096,
};

/* What a handler returns when it has answered the request itself, or keeps it open. */
static const int64_t CON_ANSWERED = INT64_MAX;

static cr_cptr_t con_chan;
static uint64_t written; /* bytes IO_WRITE put out */

static void
out(const char *s, size_t n)
{
    uart_write(s, n);
    written += n;
}

static int64_t
do_write(uint64_t rcvid, const struct cr_msg_info *info, const uint8_t *buf)
{
    const struct io_req *q = (const void *)buf;
    uint64_t total = info->send_len - sizeof(*q);
    if (q->hdr.len != total) {
        return -CR_EINVAL;
    }
    uint64_t have = info->copied - sizeof(*q);
    out((const char *)buf + sizeof(*q), have);
    static uint8_t more[BUF];
    struct cr_iov iov = { CR_UPTR(more), sizeof(more) };
    /* Bounded by the request's length, BUF bytes a step. */
    for (uint64_t off = info->copied; off < info->send_len;) {
        int64_t n = cr_msg_read(con_chan, rcvid, off, CR_UPTR(&iov), 1);
        if (n <= 0) {
            return n < 0 ? n : -CR_EIO;
        }
        out((const char *)more, (size_t)n);
        off += (uint64_t)n;
    }
    return (int64_t)total;
}

/*
 * IO_READ: a[0] = the most bytes wanted. EINVAL if data follows the request (hdr.len) or
 * a[0] exceeds the client's reply buffers, because bytes taken from the ring that do not
 * fit would be lost; a[0] = 0 reads nothing and returns 0 at once.
 */
static int64_t
do_read(uint64_t rcvid, const struct cr_msg_info *info, const struct io_req *q)
{
    if (q->hdr.len != 0 || info->send_len != sizeof(*q) || q->a[0] > info->reply_len) {
        return -CR_EINVAL;
    }
    if (q->a[0] == 0) {
        return 0;
    }
    int rc = con_input_read(rcvid, q->a[0]);
    return rc < 0 ? rc : CON_ANSWERED;
}

static int64_t
do_ioctl(uint64_t rcvid, const struct io_req *q)
{
    if (q->a[0] != IO_TIOCGWINSZ) {
        return -CR_ENOTTY;
    }
    struct io_winsize ws = { 24, 80, 0, 0 };
    struct cr_iov r = { CR_UPTR(&ws), sizeof(ws) };
    cr_msg_replyv(con_chan, rcvid, 0, CR_UPTR(&r), 1);
    return CON_ANSWERED;
}

/* CON_STATS: the counters, as the reply's data. */
static int64_t
do_stats(uint64_t rcvid)
{
    struct con_stats st;
    memset(&st, 0, sizeof(st));
    con_input_stats(&st);
    st.written = written;
    struct cr_iov r = { CR_UPTR(&st), sizeof(st) };
    cr_msg_replyv(con_chan, rcvid, 0, CR_UPTR(&r), 1);
    return CON_ANSWERED;
}

/* Checks the request's length and op and runs it; returns its status, -error or
 * CON_ANSWERED. */
static int64_t
dispatch(uint64_t rcvid, const struct cr_msg_info *info, const uint8_t *buf)
{
    const struct io_req *q = (const void *)buf;
    if (info->copied < sizeof(struct proto_hdr)) {
        return -CR_EINVAL;
    }
    if (q->hdr.op == CON_STATS) {
        return info->send_len == sizeof(struct proto_hdr) ? do_stats(rcvid) : -CR_EINVAL;
    }
    if (q->hdr.op != IO_WRITE && q->hdr.op != IO_READ && q->hdr.op != IO_IOCTL) {
        return -CR_ENOSYS;
    }
    if (info->copied < sizeof(*q)) {
        return -CR_EINVAL;
    }
    switch (q->hdr.op) {
    case IO_WRITE:
        return do_write(rcvid, info, buf);
    case IO_READ:
        return do_read(rcvid, info, q);
    default:
        return do_ioctl(rcvid, q);
    }
}

/* Serves the console channel `chan` for good. */
_Noreturn void
con_serve(cr_cptr_t chan)
{
    con_chan = chan;
    static uint8_t buf[BUF] __attribute__((aligned(8)));
    struct cr_iov iov = { CR_UPTR(buf), sizeof(buf) };
    struct cr_msg_info info;
    for (;;) {
        int64_t rcvid = cr_msg_receivev(con_chan, CR_UPTR(&iov), 1, CR_UPTR(&info));
        if (rcvid == 0) {
            con_input_pulse();
            continue;
        }
        if (rcvid < 0) {
            continue;
        }
        int64_t rc = dispatch((uint64_t)rcvid, &info, buf);
        if (rc == CON_ANSWERED) {
            continue;
        }
        if (rc < 0) {
            cr_msg_error(con_chan, (uint64_t)rcvid, (uint64_t)-rc);
        } else {
            cr_msg_replyv(con_chan, (uint64_t)rcvid, (uint64_t)rc, 0, 0);
        }
    }
}
