/* SPDX-License-Identifier: MIT */
/*
 * Requests to Courier's servers. The process, memory and file protocols share one request
 * shape, a struct proto_hdr and three 64-bit numbers (struct proc_req, mem_req, io_req,
 * 32 bytes: CR_MSG_REG_BYTES), so one helper builds all of them. request_regs sends one
 * in the message registers (cr_msg_send_mr, the kernel's fast path when the server waits)
 * and copies the reply's bytes out of the registers; request_sendv sends it as the first
 * buffer of a vectored message, followed by the caller's data buffers, with the reply
 * into the caller's buffers. Both return what the kernel returns: the server's status
 * (>= 0) or -errno from errors.def, which the caller maps to Linux's (errmap.c).
 *
 * Neither touches the thread pointer or any global, so both serve calls made before
 * musl has set up TLS and calls made from signal handlers.
 */
#include "request.h"

#include <stddef.h>

#include <courier/abi/errors.h>
#include <courier/proto/io.h>
#include <courier/proto/mem.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

/* The one shape behind struct proc_req, mem_req and io_req. */
struct request_req {
    struct proto_hdr hdr;
    uint64_t a[3];
};
_Static_assert(sizeof(struct request_req) == CR_MSG_REG_BYTES, "fits the message registers");
_Static_assert(sizeof(struct proc_req) == sizeof(struct request_req) &&
                   offsetof(struct proc_req, a) == offsetof(struct request_req, a),
               "proc_req has the common shape");
_Static_assert(sizeof(struct mem_req) == sizeof(struct request_req) &&
                   offsetof(struct mem_req, a) == offsetof(struct request_req, a),
               "mem_req has the common shape");
_Static_assert(sizeof(struct io_req) == sizeof(struct request_req) &&
                   offsetof(struct io_req, a) == offsetof(struct request_req, a),
               "io_req has the common shape");

/* A request as the message registers hold it (C11 allows reading the other member). */
union request_mr {
    struct request_req req;
    uint64_t mr[CR_MSG_REGS];
    uint8_t bytes[CR_MSG_REG_BYTES];
};

/*
 * Sends the request {op, flags 0, len 0, args} on conn in the message registers and
 * copies the first rep_len (<= CR_MSG_REG_BYTES) bytes of the reply into rep. Bytes the
 * server did not send keep the request's bytes there (the registers are the reply
 * buffer), so a caller reads only what the op's reply defines. Returns the reply status
 * or -errno (the errors of msg_send_regs, and the server's). Blocks until the server
 * answers.
 */
int64_t
request_regs(uint64_t conn, uint16_t op, struct request_args args, void *rep, size_t rep_len)
{
    union request_mr m = { .req = { .hdr = { .op = op }, .a = { args.a[0], args.a[1],
                                                                 args.a[2] } } };
    uint8_t *out = rep;

    if (rep_len > CR_MSG_REG_BYTES) {
        rep_len = CR_MSG_REG_BYTES;
    }
    int64_t rc = cr_msg_send_mr(conn, m.mr, CR_MSG_REG_BYTES, rep_len);
    /* At most 32 bytes. */
    for (size_t i = 0; i < rep_len; i++) {
        out[i] = m.bytes[i];
    }
    return rc;
}

enum {
    REQUEST_MAX_DATA = 32, /* data buffers one request_sendv carries (stack: 16 B each) */
};

/*
 * Sends the request {op, len = data_len, args} followed by the ndata (<=
 * REQUEST_MAX_DATA) buffers of data, whose lengths add up to data_len, on conn, with
 * the reply going into the nriov buffers of riov (which may be a program's own iovec
 * array: struct iovec has struct cr_iov's layout). Returns the reply status or -errno
 * (the errors of msg_sendv, and the server's); -EINVAL for ndata > REQUEST_MAX_DATA or
 * data_len >= 2^32 (proto_hdr.len is 32 bits). Blocks until the server answers.
 */
int64_t
request_sendv(uint64_t conn, uint16_t op, struct request_args args, const struct cr_iov *data,
              size_t ndata, uint64_t data_len, const struct cr_iov *riov, size_t nriov)
{
    struct request_req req = { .hdr = { .op = op, .len = (uint32_t)data_len },
                               .a = { args.a[0], args.a[1], args.a[2] } };
    struct cr_iov siov[1 + REQUEST_MAX_DATA];

    if (ndata > REQUEST_MAX_DATA || data_len > UINT32_MAX) {
        return -CR_EINVAL;
    }
    siov[0] = (struct cr_iov){ .base = CR_UPTR(&req), .len = sizeof(req) };
    for (size_t i = 0; i < ndata; i++) {
        siov[1 + i] = data[i];
    }
    return cr_msg_sendv(conn, CR_UPTR(siov), 1 + ndata, CR_UPTR(riov), nriov);
}
