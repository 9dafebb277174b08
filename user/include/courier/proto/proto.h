/* SPDX-License-Identifier: MIT */
/*
 * What every message protocol shares (STYLE §8): the header that starts each request, the
 * op ranges that keep protocols apart, and the well-known capability slots through which
 * a process reaches the system's servers. One header per protocol beside this one:
 * proc.h (process manager), mem.h (memory manager), io.h (a server's files: the console
 * now, every file later).
 *
 * A request is a struct <proto>_<op>_req starting with struct proto_hdr, sent with
 * msg_sendv or, when it fits CR_MSG_REG_BYTES, msg_send_regs; variable-length data (a
 * path, file data) travels as further iov entries after the fixed struct, and `len`
 * counts it. The reply status is the op's result (>= 0) or -errno from errors.def; data
 * comes back in the reply buffers (a struct <proto>_<op>_rep where there is one). A server
 * answers an op outside its range, or a request shorter than its struct, with ENOSYS or
 * EINVAL and changes nothing.
 */
#pragma once

#include <courier/abi/types.h>

struct proto_hdr {
    uint16_t op;    /* <PROTO>_<OP> */
    uint16_t flags; /* op-specific, 0 unless the op says otherwise */
    uint32_t len;   /* bytes of variable data after the fixed request */
};
_Static_assert(sizeof(struct proto_hdr) == 8, "protocol ABI");

/* Op ranges: each protocol owns 0x100 ops, so a misrouted request fails with ENOSYS. */
enum proto_base {
    PROC_PROTO_BASE = 0x0100,
    MEM_PROTO_BASE = 0x0200,
    IO_PROTO_BASE = 0x0300,
};

/*
 * Capability slots the process manager fills in every process's CSpace (a one-level
 * CNode, so a slot index is the cptr). Slot 0 is never used. A program finds its servers
 * here; file descriptors are connections at CR_SLOT_FD(fd).
 */
enum proto_slot {
    CR_SLOT_SELF_TCB = 1,  /* the first thread's TCB, without GRANT (no reconfiguring) */
    CR_SLOT_PROC = 2,      /* connection to the process manager (badge: the pid) */
    CR_SLOT_MEM = 3,       /* connection to the memory manager (badge: the pid) */
    CR_SLOT_NTFN = 4,      /* a notification of its own (sleeping, waiting) */
    CR_SLOT_CSPACE = 5,    /* its CSpace CNode itself: for msg_caps receive windows and
                            * capability operations on its own slots */
    CR_SLOT_FD_BASE = 32,  /* fd n is the connection in slot CR_SLOT_FD_BASE + n */
    CR_FD_MAX = 192,       /* file descriptors per fd table (the CSpace has 256 slots) */
    CR_SLOT_FREE = CR_SLOT_FD_BASE + CR_FD_MAX, /* first slot the program may use */
};

#define CR_SLOT_FD(fd) ((uint64_t)CR_SLOT_FD_BASE + (uint64_t)(fd))
