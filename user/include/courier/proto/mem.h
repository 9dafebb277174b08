/* SPDX-License-Identifier: MIT */
/*
 * The memory-manager protocol (docs/memory.md): a program to the root server's memory
 * manager, through the connection in CR_SLOT_MEM (badge: the caller's pid). Every request
 * fits the message registers (struct mem_req, 32 bytes) and acts on the caller's own
 * address space. Anonymous memory is zero-filled on first touch: the root server is the
 * pager of every process. Every page is charged to the process that made the address
 * space, against its quota (ENOMEM when used up, to it alone while the pool lasts); a
 * frame shared copy-on-write stays charged to the process it was made for.
 *
 * Errors every op may give: ENOSYS, EINVAL (bad length, alignment, range, protection or
 * flags), ENOCTX (the caller has no address space: pid 1). Per op, as listed.
 */
#pragma once

#include <courier/proto/proto.h>

enum mem_op {
    MEM_MAP_ANON = MEM_PROTO_BASE, /* addr (0: anywhere; else exactly there), len, prot
                                    * -> address. EEXIST (overlaps a mapping), ENOSPC
                                    * (256 regions), ENOMEM (with MEM_F_POPULATE) */
    MEM_UNMAP,   /* addr, len: pages in the range are freed; holes are fine. ENOSPC (a
                  * region split in two needs a free region entry; nothing changed) */
    MEM_PROTECT, /* addr, len, prot: every page of the range must lie in a mapping,
                  * touched or not (ENOENT); each keeps its kind. ENOSPC (fewer than two
                  * free region entries; nothing changed) */
    MEM_BRK,     /* new end (0: ask) -> the end now (unchanged if it cannot move) */
    MEM_INFO,    /* -> pages charged, as the status; no reply data (mem_info_rep is not
                  * sent) */
    MEM_SHM_NEW, /* len: a shared memory object of len bytes (rounded up to pages, at most
                  * 4 MiB), zeroed -> 0, and its handle as the one capability of the reply
                  * (set a window with msg_caps first). EINVAL (len), ENOMEM */
    MEM_SHM_MAP, /* addr (0: anywhere), prot, with a handle attached (msg_caps): the whole
                  * object mapped -> address. EINVAL (no handle, or not one of ours),
                  * ESRCH (the object has ended), EEXIST, ENOCTX */
    MEM_SHM_CLOSE, /* with a handle: the object ends once nothing maps it (also when its
                    * maker ends). EINVAL, ESRCH */
    MEM_OP_END,
};

/* MEM_MAP_ANON flags (in hdr.flags). */
enum mem_flags {
    MEM_F_POPULATE = 1u << 0, /* allocate every page now: ENOMEM (and nothing mapped) if
                               * they cannot all be made: the address space's 8192 pages
                               * (usually first), its resources, the quota or the pool */
};

/* prot bits, as PROT_READ/WRITE/EXEC. W and X together are refused (EINVAL). */
enum mem_prot {
    MEM_READ = 1u << 0,
    MEM_WRITE = 1u << 1,
    MEM_EXEC = 1u << 2,
};

struct mem_req {
    struct proto_hdr hdr;
    uint64_t a[3];
};
_Static_assert(sizeof(struct mem_req) == 32, "fits the message registers");

/* Not sent yet: MEM_INFO answers with the pages as its status. */
struct mem_info_rep {
    uint64_t pages; /* charged now */
    uint64_t quota; /* most it may be charged */
};
