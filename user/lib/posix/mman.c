/* SPDX-License-Identifier: MIT */
/*
 * The memory calls, served by the root server's memory manager through the connection in
 * CR_SLOT_MEM (courier/proto/mem.h), one register request each (two for a MAP_FIXED
 * mmap: unmap, then map). The arguments are checked first by memargs.c, so a refused call
 * sends nothing. The memory manager keeps the program break and the mappings; libposix
 * keeps no state, so these calls work before TLS exists (musl's start-up maps its TLS
 * block with mmap when it is large).
 *
 * The manager's answers become Linux's: ENOENT from MEM_PROTECT (part of the range is
 * not mapped) is ENOMEM, as Linux says; EEXIST from a MAP_FIXED_NOREPLACE mapping and
 * ENOMEM, EINVAL pass as they are.
 */
#include "mman.h"

#include <stddef.h>
#include <courier/proto/mem.h>

#include "errmap.h"
#include "linux.h"
#include "memargs.h"
#include "request.h"

static int64_t
mman_request(uint16_t op, uint64_t a0, uint64_t a1, uint64_t a2)
{
    return request_regs(CR_SLOT_MEM, op, (struct request_args){ { a0, a1, a2 } }, NULL, 0);
}

/*
 * brk(addr): moves the program break to addr (0 asks where it is) and returns the break
 * now, which is unchanged when it cannot move: the Linux contract, which MEM_BRK follows.
 * A failed request returns its -errno, which is never a break, so musl's malloc sees
 * that the break did not move.
 */
long
sys_brk(const long *a)
{
    return errmap_linux(mman_request(MEM_BRK, (uint64_t)a[0], 0, 0));
}

/*
 * mmap(addr, len, prot, flags, fd, off): private anonymous memory, zero-filled on first
 * touch. Returns its address, or the errors of memargs_mmap, or the memory manager's:
 * -ENOMEM (no room or quota), -EEXIST (MAP_FIXED_NOREPLACE over a mapping), -EINVAL (a
 * protection it refuses, such as write with execute).
 */
long
sys_mmap(const long *a)
{
    struct memargs m;
    long rc = memargs_mmap((uint64_t)a[0], (uint64_t)a[1], (uint64_t)a[2], (uint64_t)a[3],
                           (uint64_t)a[5], &m);

    if (rc < 0) {
        return rc;
    }
    if (m.replace) {
        rc = errmap_linux(mman_request(MEM_UNMAP, m.addr, m.len, 0));
        if (rc < 0) {
            return rc;
        }
    }
    return errmap_linux(mman_request(MEM_MAP_ANON, m.addr, m.len, m.prot));
}

/*
 * munmap(addr, len): unmaps every page of the range; holes are fine. Returns 0, the
 * errors of memargs_munmap, or the memory manager's.
 */
long
sys_munmap(const long *a)
{
    struct memargs m;
    long rc = memargs_munmap((uint64_t)a[0], (uint64_t)a[1], &m);

    if (rc < 0) {
        return rc;
    }
    rc = errmap_linux(mman_request(MEM_UNMAP, m.addr, m.len, 0));
    return rc < 0 ? rc : 0;
}

/*
 * mprotect(addr, len, prot): changes the protection of every page of the range. Returns
 * 0, the errors of memargs_mprotect, -ENOMEM if a page of the range is not mapped, or
 * the memory manager's other errors.
 */
long
sys_mprotect(const long *a)
{
    struct memargs m;
    long rc = memargs_mprotect((uint64_t)a[0], (uint64_t)a[1], (uint64_t)a[2], &m);

    if (rc < 0 || m.len == 0) {
        return rc;
    }
    rc = errmap_linux(mman_request(MEM_PROTECT, m.addr, m.len, m.prot));
    if (rc == -LINUX_ENOENT) {
        return -LINUX_ENOMEM;
    }
    return rc < 0 ? rc : 0;
}
