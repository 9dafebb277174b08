/* SPDX-License-Identifier: MIT */
/*
 * The IPC copier: moves bytes from one thread's iov list to another's, directly between
 * their frames through the direct map (no kernel buffer), preemptibly. See docs/ipc.md.
 */
#pragma once

#include <kernel/types.h>

struct tcb;

/*
 * One side of a copy: whose address space, which iov array, where in it to start. With
 * kbuf set the side is instead kbuf_len bytes of kernel memory: the message registers of
 * a thread that called msg_send_regs or msg_reply_recv_regs (its saved context), so the
 * same copier serves register messages and memory messages in every combination.
 */
struct ipc_side {
    struct tcb *t;
    uint64_t iov;    /* user address of the struct cr_iov array */
    uint32_t n;      /* entries */
    uint64_t offset; /* bytes of the list to skip first */
    void *kbuf;      /* kernel buffer instead of an iov list, or NULL */
    uint64_t kbuf_len;
};

enum ipc_fault_side {
    IPC_FAULT_NONE = 0,
    IPC_FAULT_SRC = 1,
    IPC_FAULT_DST = 2,
};

enum {
    IPC_COPY_CHUNK = 16 * 1024, /* bytes between preemption checks */
    IPC_COPY_AHEAD = 64 * 1024, /* bytes a side's frames are looked at ahead of the copy
                                 * (bounds the entries read between two checks) */
};

int ipc_copy(const struct ipc_side *src, const struct ipc_side *dst, uint64_t *done,
             int *fault_side);
int ipc_iov_total(struct tcb *t, uint64_t iov, uint32_t n, uint64_t *total);
int ipc_copy_out(struct tcb *t, uint64_t iov, uint32_t n, const void *buf, uint64_t len,
                 uint64_t *copied);
