/* SPDX-License-Identifier: MIT */
/*
 * Requests to Courier's servers (request.c): the two shapes every libposix call uses. A
 * request that is only numbers (struct proc_req, mem_req, io_req: a header and three
 * words, 32 bytes) travels in the message registers; one with data (a write's bytes, a
 * read's buffer) is a vectored message whose first part is that same 32-byte request.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <courier/abi/msg.h>

/* The three numbers of a register request, as the op's comment in its proto header says. */
struct request_args {
    uint64_t a[3];
};

int64_t request_regs(uint64_t conn, uint16_t op, struct request_args args, void *rep,
                     size_t rep_len);
int64_t request_sendv(uint64_t conn, uint16_t op, struct request_args args,
                      const struct cr_iov *data, size_t ndata, uint64_t data_len,
                      const struct cr_iov *riov, size_t nriov);
