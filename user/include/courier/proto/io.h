/* SPDX-License-Identifier: MIT */
/*
 * The file protocol (DESIGN §6): a client to the server behind one of its file
 * descriptors, directly (the connection in CR_SLOT_FD(fd)), never through the root. The
 * console server is the first such server; every file server later speaks the same ops.
 *
 * Errors every op may give: ENOSYS (an op the server does not do), EINVAL, EBADF (the
 * connection's badge names no open file). Per op, as listed.
 */
#pragma once

#include <courier/proto/proto.h>

enum io_op {
    IO_WRITE = IO_PROTO_BASE, /* len bytes follow -> bytes written */
    IO_READ,                  /* a[0] = most bytes -> bytes read, data in the reply;
                               * waits for at least one byte (a[0] = 0: returns 0).
                               * EINVAL: a[0] > the reply buffers, or data follows;
                               * EAGAIN: the file's readers queue is full; EIO: the
                               * file has no input */
    IO_IOCTL,                 /* a[0] = request (IO_TIOCGWINSZ ...) -> 0; data in the
                               * reply. ENOTTY for a request the file does not know */
    IO_OP_END,
};

/* Terminal requests, as Linux numbers them. */
enum io_ioctl {
    IO_TIOCGWINSZ = 0x5413, /* reply: struct io_winsize */
};

struct io_req {
    struct proto_hdr hdr;
    uint64_t a[3];
};
_Static_assert(sizeof(struct io_req) == 32, "fits the message registers");

struct io_winsize {
    uint16_t rows;
    uint16_t cols;
    uint16_t xpixel;
    uint16_t ypixel;
};
_Static_assert(sizeof(struct io_winsize) == 8, "as Linux's struct winsize");
