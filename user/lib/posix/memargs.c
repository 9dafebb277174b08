/* SPDX-License-Identifier: MIT */
/*
 * Argument checks of the memory calls, in the order Linux makes them (mm/mmap.c,
 * mm/mprotect.c), each refusal with Linux's errno, so a program sees the same answers.
 * What Courier does not offer yet is refused here too, and says so:
 *
 * - mmap maps only private anonymous memory. A file mapping (no MAP_ANONYMOUS) is ENODEV
 *   until files can be mapped; MAP_SHARED anonymous memory is EINVAL until fork exists,
 *   since only fork makes it differ from private memory and it must not silently become
 *   private then. MAP_32BIT, MAP_GROWSDOWN and MAP_HUGETLB ask for placement or page
 *   kinds the memory manager does not give: EINVAL. Other flags are hints Linux may
 *   ignore too (MAP_NORESERVE, MAP_POPULATE, MAP_STACK, MAP_LOCKED: nothing is ever paged
 *   out) and are ignored.
 * - Without MAP_FIXED or MAP_FIXED_NOREPLACE the address is a hint, and ignored: the
 *   memory manager picks the place. MAP_FIXED_NOREPLACE is exactly MEM_MAP_ANON at an
 *   address (EEXIST on overlap); MAP_FIXED is that after unmapping the range.
 * - mprotect's PROT_GROWSDOWN and PROT_GROWSUP (grow-down stacks) are EINVAL.
 *
 * Whether W and X together are allowed is the memory manager's rule (it refuses them),
 * not checked here.
 */
#include "memargs.h"

#include <courier/abi/types.h>
#include <courier/proto/mem.h>

#include "linux.h"

enum {
    MEMARGS_PAGE_MASK = LINUX_PAGE_SIZE - 1,
    MEMARGS_PROT_RWX = LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC,
    MEMARGS_MAP_REFUSED = LINUX_MAP_32BIT | LINUX_MAP_GROWSDOWN | LINUX_MAP_HUGETLB,
};

/* Linux's PROT_* bits as the memory manager's (the same values, named apart). */
static uint64_t
memargs_prot(uint64_t prot)
{
    return ((prot & LINUX_PROT_READ) ? MEM_READ : 0) |
           ((prot & LINUX_PROT_WRITE) ? MEM_WRITE : 0) | ((prot & LINUX_PROT_EXEC) ? MEM_EXEC : 0);
}

/* len rounded up to pages in *out; false if that passes the top of user memory. */
static bool
memargs_round(uint64_t len, uint64_t *out)
{
    if (len > CR_USER_MAX) {
        return false;
    }
    *out = (len + MEMARGS_PAGE_MASK) & ~(uint64_t)MEMARGS_PAGE_MASK;
    return true;
}

/*
 * Checks mmap(addr, len, prot, flags, fd, off) and fills *out. The fd is not looked at:
 * only anonymous mappings are served, and Linux ignores it for them. Returns 0, or:
 * -EINVAL: off not page-aligned; len 0; flags without exactly one mapping type, or
 * MAP_SHARED (or _VALIDATE) with MAP_ANONYMOUS; prot with bits besides READ, WRITE, EXEC;
 * MAP_32BIT, MAP_GROWSDOWN or MAP_HUGETLB; a fixed addr not page-aligned.
 * -ENODEV: no MAP_ANONYMOUS (a file mapping).
 * -ENOMEM: len rounded up passes the top of user memory, or a fixed [addr, addr + len)
 * does.
 * -EPERM: a fixed addr below CR_USER_MIN (page 0, as Linux's mmap_min_addr).
 */
long
memargs_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, uint64_t off,
             struct memargs *out)
{
    uint64_t type = flags & LINUX_MAP_TYPE;
    bool fixed = (flags & (LINUX_MAP_FIXED | LINUX_MAP_FIXED_NOREPLACE)) != 0;
    uint64_t rounded;

    if ((off & MEMARGS_PAGE_MASK) != 0 || len == 0) {
        return -LINUX_EINVAL;
    }
    if (type != LINUX_MAP_PRIVATE && type != LINUX_MAP_SHARED &&
        type != LINUX_MAP_SHARED_VALIDATE) {
        return -LINUX_EINVAL;
    }
    if ((flags & LINUX_MAP_ANONYMOUS) == 0) {
        return -LINUX_ENODEV;
    }
    if (type != LINUX_MAP_PRIVATE || (prot & ~(uint64_t)MEMARGS_PROT_RWX) != 0 ||
        (flags & MEMARGS_MAP_REFUSED) != 0) {
        return -LINUX_EINVAL;
    }
    if (!memargs_round(len, &rounded)) {
        return -LINUX_ENOMEM;
    }
    if (fixed) {
        if ((addr & MEMARGS_PAGE_MASK) != 0) {
            return -LINUX_EINVAL;
        }
        if (addr < CR_USER_MIN) {
            return -LINUX_EPERM;
        }
        if (addr > CR_USER_MAX - rounded) {
            return -LINUX_ENOMEM;
        }
    }
    *out = (struct memargs){
        .addr = fixed ? addr : 0,
        .len = rounded,
        .prot = memargs_prot(prot),
        /* MAP_FIXED_NOREPLACE wins over MAP_FIXED, as in Linux. */
        .replace = (flags & LINUX_MAP_FIXED_NOREPLACE) == 0 && fixed,
    };
    return 0;
}

/*
 * Checks munmap(addr, len) and fills *out. Returns 0, or -EINVAL: addr not page-aligned,
 * len 0, or [addr, addr + len rounded up) not inside user memory.
 */
long
memargs_munmap(uint64_t addr, uint64_t len, struct memargs *out)
{
    uint64_t rounded;

    if ((addr & MEMARGS_PAGE_MASK) != 0 || len == 0 || !memargs_round(len, &rounded) ||
        addr > CR_USER_MAX - rounded) {
        return -LINUX_EINVAL;
    }
    *out = (struct memargs){ .addr = addr, .len = rounded };
    return 0;
}

/*
 * Checks mprotect(addr, len, prot) and fills *out; out->len is 0 when there is nothing
 * to do (len 0, which Linux answers with success whatever prot is). Returns 0, or:
 * -EINVAL: addr not page-aligned; prot with bits besides READ, WRITE, EXEC (the
 * grow-down and grow-up bits included).
 * -ENOMEM: [addr, addr + len rounded up) passes the top of user memory.
 */
long
memargs_mprotect(uint64_t addr, uint64_t len, uint64_t prot, struct memargs *out)
{
    uint64_t rounded;

    if ((addr & MEMARGS_PAGE_MASK) != 0) {
        return -LINUX_EINVAL;
    }
    if (len == 0) {
        *out = (struct memargs){ .addr = addr };
        return 0;
    }
    if (!memargs_round(len, &rounded) || addr > CR_USER_MAX - rounded) {
        return -LINUX_ENOMEM;
    }
    if ((prot & ~(uint64_t)MEMARGS_PROT_RWX) != 0) {
        return -LINUX_EINVAL;
    }
    *out = (struct memargs){ .addr = addr, .len = rounded, .prot = memargs_prot(prot) };
    return 0;
}
