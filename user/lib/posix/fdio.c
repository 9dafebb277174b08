/* SPDX-License-Identifier: MIT */
/*
 * The calls on file descriptors. Descriptor n is the connection in CR_SLOT_FD(n) of the
 * process's CSpace, so there is no table to look in: a request goes straight to the
 * server behind the slot, and an empty slot (ENOCAP) is EBADF (errmap_fd). The data
 * never passes through a buffer of ours: a write's bytes are the second buffer of the
 * message, after the 32-byte struct io_req, and a read's reply goes straight into the
 * program's buffers, so the kernel copies once, between the program and the server.
 *
 * Limits, as Linux's: one call moves at most LINUX_MAX_RW_COUNT bytes (a larger count
 * moves that many, and the program sees a short count), and readv and writev take at
 * most LINUX_IOV_MAX entries. A writev of more than REQUEST_MAX_DATA entries goes as
 * several requests, one after another, and stops at the first short or failed one: its
 * parts may then interleave with another thread's writes to the same file, which Linux
 * avoids only for pipes and only up to PIPE_BUF.
 *
 * Not yet here: close, lseek, fstat, open and the rest (ENOSYS from the dispatcher): they
 * need an fd table in the process manager, and paths need the VFS.
 */
#include "fdio.h"

#include <stddef.h>
#include <stdint.h>

#include <courier/proto/io.h>
#include <courier/sys.h>

#include "errmap.h"
#include "linux.h"
#include "request.h"

/* readv passes the program's iovec array to the kernel as its reply buffers. */
_Static_assert(sizeof(struct linux_iovec) == sizeof(struct cr_iov) &&
                   offsetof(struct linux_iovec, base) == offsetof(struct cr_iov, base) &&
                   offsetof(struct linux_iovec, len) == offsetof(struct cr_iov, len),
               "struct iovec has struct cr_iov's layout");

enum {
    FDIO_BATCH = 32, /* writev entries per request: request_sendv's REQUEST_MAX_DATA */
};

/* The connection slot of descriptor a (Linux reads it as an unsigned int). */
static long
fdio_slot(long a, uint64_t *slot)
{
    uint32_t fd = (uint32_t)a;

    if (fd >= CR_FD_MAX) {
        return -LINUX_EBADF;
    }
    *slot = CR_SLOT_FD(fd);
    return 0;
}

/*
 * The total length of a readv or writev array, capped at LINUX_MAX_RW_COUNT. Reads
 * every entry once (at most LINUX_IOV_MAX). Returns 0, or -EINVAL for more than
 * LINUX_IOV_MAX entries or an entry longer than SSIZE_MAX.
 */
static long
fdio_iov_total(const struct linux_iovec *iov, uint64_t cnt, uint64_t *total)
{
    uint64_t sum = 0;

    if (cnt > LINUX_IOV_MAX) {
        return -LINUX_EINVAL;
    }
    for (uint64_t i = 0; i < cnt; i++) {
        if (iov[i].len > INT64_MAX) {
            return -LINUX_EINVAL;
        }
        sum += iov[i].len < LINUX_MAX_RW_COUNT - sum ? iov[i].len : LINUX_MAX_RW_COUNT - sum;
    }
    *total = sum;
    return 0;
}

/*
 * A transfer's reply status as a Linux result: an error mapped by errmap_fd, or a count,
 * never more than the max bytes asked for (a server that claims more is not believed).
 */
static long
fdio_result(int64_t rc, uint64_t max)
{
    if (rc < 0) {
        return errmap_fd(rc);
    }
    return (uint64_t)rc < max ? (long)rc : (long)max;
}

/* count as Linux moves it: at most LINUX_MAX_RW_COUNT; -EINVAL if it is negative. */
static long
fdio_count(long a, uint64_t *count)
{
    if (a < 0) {
        return -LINUX_EINVAL;
    }
    *count = (uint64_t)a < LINUX_MAX_RW_COUNT ? (uint64_t)a : LINUX_MAX_RW_COUNT;
    return 0;
}

/*
 * read(fd, buf, count): IO_READ with a[0] = count; the reply data goes into buf.
 * Returns the bytes read (0 at end of file), or -EBADF (fd not open), -EINVAL (count
 * negative), -EFAULT (buf not writable), or the server's error (-ENOSYS from a server
 * that does not read).
 */
long
sys_read(const long *a)
{
    uint64_t slot;
    uint64_t count;
    long rc = fdio_slot(a[0], &slot);

    if (rc == 0) {
        rc = fdio_count(a[2], &count);
    }
    if (rc < 0) {
        return rc;
    }
    struct cr_iov riov = { .base = (uint64_t)a[1], .len = count };
    return fdio_result(request_sendv(slot, IO_READ, (struct request_args){ { count, 0, 0 } },
                                     NULL, 0, 0, &riov, 1),
                       count);
}

/*
 * write(fd, buf, count): IO_WRITE with the count bytes at buf after the request.
 * Returns the bytes written, or -EBADF, -EINVAL (count negative), -EFAULT (buf not
 * readable), or the server's error.
 */
long
sys_write(const long *a)
{
    uint64_t slot;
    uint64_t count;
    long rc = fdio_slot(a[0], &slot);

    if (rc == 0) {
        rc = fdio_count(a[2], &count);
    }
    if (rc < 0) {
        return rc;
    }
    struct cr_iov data = { .base = (uint64_t)a[1], .len = count };
    return fdio_result(request_sendv(slot, IO_WRITE, (struct request_args){ { 0, 0, 0 } },
                                     &data, 1, count, NULL, 0),
                       count);
}

/*
 * readv(fd, iov, cnt): one IO_READ for the total length, with the program's iovec array
 * as the reply buffers. Returns the bytes read, or -EBADF, -EINVAL (cnt over
 * LINUX_IOV_MAX, an entry over SSIZE_MAX), -EFAULT, or the server's error.
 */
long
sys_readv(const long *a)
{
    const struct linux_iovec *iov = (const struct linux_iovec *)(uintptr_t)a[1];
    uint64_t cnt = (uint64_t)a[2];
    uint64_t slot;
    uint64_t total;
    long rc = fdio_slot(a[0], &slot);

    if (rc == 0) {
        rc = fdio_iov_total(iov, cnt, &total);
    }
    if (rc < 0) {
        return rc;
    }
    return fdio_result(request_sendv(slot, IO_READ, (struct request_args){ { total, 0, 0 } },
                                     NULL, 0, 0, (const struct cr_iov *)iov, cnt),
                       total);
}

/*
 * writev(fd, iov, cnt): IO_WRITE requests of up to FDIO_BATCH entries each, until all
 * is written, one is short, or one fails. Returns the bytes written, or, if nothing was,
 * -EBADF, -EINVAL (as readv), -EFAULT, or the server's error. Nothing is sent when the
 * entries hold no bytes at all, and 0 is returned, as Linux does.
 */
long
sys_writev(const long *a)
{
    const struct linux_iovec *iov = (const struct linux_iovec *)(uintptr_t)a[1];
    uint64_t cnt = (uint64_t)a[2];
    uint64_t slot;
    uint64_t total;
    uint64_t done = 0;
    long rc = fdio_slot(a[0], &slot);

    if (rc == 0) {
        rc = fdio_iov_total(iov, cnt, &total);
    }
    if (rc < 0) {
        return rc;
    }
    /* Each round takes up to FDIO_BATCH entries: at most LINUX_IOV_MAX / FDIO_BATCH. */
    for (uint64_t i = 0; i < cnt && done < total;) {
        struct cr_iov batch[FDIO_BATCH];
        size_t n = 0;
        uint64_t len = 0;
        for (; i < cnt && n < FDIO_BATCH; i++, n++) {
            uint64_t left = total - done - len;
            uint64_t take = iov[i].len < left ? iov[i].len : left;
            batch[n] = (struct cr_iov){ .base = iov[i].base, .len = take };
            len += take;
        }
        if (len == 0) {
            continue; /* only empty entries: nothing to send */
        }
        int64_t sent = request_sendv(slot, IO_WRITE, (struct request_args){ { 0, 0, 0 } },
                                     batch, n, len, NULL, 0);
        if (sent < 0) {
            return done > 0 ? (long)done : errmap_fd(sent);
        }
        done += (uint64_t)fdio_result(sent, len);
        if ((uint64_t)sent < len) {
            break;
        }
    }
    return (long)done;
}

/*
 * ioctl(fd, request, arg): TIOCGWINSZ only, as IO_IOCTL with the reply's struct
 * io_winsize copied to arg. Returns 0, or -EBADF, -EFAULT (arg is NULL), -ENOTTY (any
 * other request, or a file that is not a terminal), or the server's error.
 */
long
sys_ioctl(const long *a)
{
    uint64_t slot;
    long rc = fdio_slot(a[0], &slot);

    if (rc < 0) {
        return rc;
    }
    if ((uint32_t)a[1] != LINUX_TIOCGWINSZ) {
        return -LINUX_ENOTTY;
    }
    struct linux_winsize *ws = (struct linux_winsize *)(uintptr_t)a[2];
    struct io_winsize rep = { 0 };
    if (ws == NULL) {
        return -LINUX_EFAULT;
    }
    rc = errmap_fd(request_regs(slot, IO_IOCTL, (struct request_args){ { IO_TIOCGWINSZ, 0, 0 } },
                                &rep, sizeof(rep)));
    if (rc < 0) {
        return rc;
    }
    *ws = (struct linux_winsize){ .ws_row = rep.rows, .ws_col = rep.cols,
                                  .ws_xpixel = rep.xpixel, .ws_ypixel = rep.ypixel };
    return 0;
}
