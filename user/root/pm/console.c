/* SPDX-License-Identifier: MIT */
/*
 * The console server (proto/io.h): the serial console behind every process's fds 0, 1
 * and 2. Output goes to the UART the root server drives; a request carries its data
 * after the header (msg_read fetches what did not fit the receive buffer). TIOCGWINSZ
 * answers 24 x 80. Reading is not there yet: IO_READ gives ENOSYS.
 */
#include "pm.h"

#include <courier/abi/errors.h>
#include <courier/abi/msg.h>
#include <courier/proto/io.h>
#include <courier/sys.h>

#include "../uart.h"

enum {
    BUF = 4096,
};

static cr_cptr_t con_chan;

cr_cptr_t
pm_console_chan(void)
{
    return con_chan;
}

void pm_console_set_chan(cr_cptr_t chan);

void
pm_console_set_chan(cr_cptr_t chan)
{
    con_chan = chan;
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
    uart_write((const char *)buf + sizeof(*q), have);
    static uint8_t more[BUF];
    struct cr_iov iov = { CR_UPTR(more), sizeof(more) };
    /* Bounded by the request's length, BUF bytes a step. */
    for (uint64_t off = info->copied; off < info->send_len;) {
        int64_t n = cr_msg_read(con_chan, rcvid, off, CR_UPTR(&iov), 1);
        if (n <= 0) {
            return n < 0 ? n : -CR_EIO;
        }
        uart_write((const char *)more, (size_t)n);
        off += (uint64_t)n;
    }
    return (int64_t)total;
}

/* The console thread's loop: never returns. */
void pm_console_loop(void);

void
pm_console_loop(void)
{
    static uint8_t buf[BUF] __attribute__((aligned(8)));
    struct cr_iov iov = { CR_UPTR(buf), sizeof(buf) };
    struct cr_msg_info info;
    for (;;) {
        int64_t rcvid = cr_msg_receivev(con_chan, CR_UPTR(&iov), 1, CR_UPTR(&info));
        if (rcvid <= 0) {
            continue;
        }
        const struct io_req *q = (const void *)buf;
        int64_t rc;
        if (info.copied < sizeof(struct proto_hdr)) {
            rc = -CR_EINVAL;
        } else if (q->hdr.op == IO_WRITE && info.copied >= sizeof(*q)) {
            rc = do_write((uint64_t)rcvid, &info, buf);
        } else if (q->hdr.op == IO_IOCTL && info.copied >= sizeof(*q)) {
            if (q->a[0] != IO_TIOCGWINSZ) {
                rc = -CR_ENOTTY;
            } else {
                struct io_winsize ws = { 24, 80, 0, 0 };
                struct cr_iov r = { CR_UPTR(&ws), sizeof(ws) };
                cr_msg_replyv(con_chan, (uint64_t)rcvid, 0, CR_UPTR(&r), 1);
                continue;
            }
        } else if (q->hdr.op == IO_WRITE || q->hdr.op == IO_IOCTL) {
            rc = -CR_EINVAL;
        } else {
            rc = -CR_ENOSYS;
        }
        if (rc < 0) {
            cr_msg_error(con_chan, (uint64_t)rcvid, (uint64_t)-rc);
        } else {
            cr_msg_replyv(con_chan, (uint64_t)rcvid, (uint64_t)rc, 0, 0);
        }
    }
}
