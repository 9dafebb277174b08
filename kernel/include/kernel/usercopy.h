/* SPDX-License-Identifier: MIT */
/*
 * The only way the kernel touches user memory. Copies walk the target address space's
 * page tables and go through the kernel's direct map, never through user addresses, so
 * a bad pointer is an -EFAULT and not a kernel fault, and SMAP needs no exceptions.
 */
#pragma once

#include <kernel/tcb.h>
#include <kernel/types.h>
#include <arch/mmu.h>
#include <courier/abi/types.h>

bool usercopy_translate(struct tcb *t, uint64_t va, bool write, paddr_t *pa);
int usercopy_probe(struct tcb *t, uaddr_t ua, size_t n, bool write);
int copy_from_user_walk(struct tcb *t, void *dst, uaddr_t src, size_t n);
int copy_to_user_walk(struct tcb *t, uaddr_t dst, const void *src, size_t n);

/*
 * The common case of a small copy, without a call or a loop: n bytes (1..4 KiB) at ua
 * lie in the page t's cache holds (usercopy_translate), which it found in address space
 * pml4 under mapping generation gen, where t runs now (pml4 = tcb_vspace_root(t), gen =
 * arch_mmu_generation(): callers that have them at hand, such as the copier, pass them).
 * If so, true with *k the kernel's view of ua; false to take the general way. (A flag and
 * not a NULL pointer, so that callers test the conditions only.) For a t without a
 * VSpace, pml4 is the kernel's tables, and the answer is still copy_from_user's: the
 * cache holds only pages usercopy_translate found there, after the same range check,
 * and user space is whole pages.
 */
static inline bool
usercopy_cached_in(struct tcb *t, const void *pml4, uint64_t gen, uint64_t ua, size_t n,
                   bool write, void **k)
{
    uint64_t off = ua & (CR_PAGE_SIZE - 1);
    if (n == 0 || off + n > CR_PAGE_SIZE || ua - off != t->xlat_va || t->xlat_gen != gen ||
        (write && !t->xlat_write) || t->xlat_pml4 != pml4) {
        return false;
    }
    *k = phys_to_virt(t->xlat_pa + off);
    return true;
}

/*
 * usercopy_cached_in for t's VSpace now, found here; false for a t without one (the
 * general way finds the kernel's tables, a call). The same test written out: calling
 * usercopy_cached_in made the message calls' small copies slower (GCC orders the tests
 * worse), and this one is on every message call's path.
 */
static inline bool
usercopy_cached(struct tcb *t, uint64_t ua, size_t n, bool write, void **k)
{
    const struct cap *vs = &t->slots[TCB_SLOT_VSPACE].cap;
    uint64_t off = ua & (CR_PAGE_SIZE - 1);
    if (n == 0 || off + n > CR_PAGE_SIZE || ua - off != t->xlat_va ||
        t->xlat_gen != arch_mmu_generation() || (write && !t->xlat_write) ||
        vs->type != CR_OBJ_VSPACE || phys_to_virt(vs->obj) != t->xlat_pml4) {
        return false;
    }
    *k = phys_to_virt(t->xlat_pa + off);
    return true;
}

/*
 * Copies n bytes from t's user address src into dst. Errors: -EFAULT (any byte not
 * mapped readable in t's address space, or outside user space). dst may be partly
 * written on failure. Inline for the bytes t's cache holds, so that the small fixed-size
 * reads of every message call (an iov entry, a struct cr_msg_recv) take no call.
 */
static inline int
copy_from_user(struct tcb *t, void *dst, uaddr_t src, size_t n)
{
    void *k;
    if (usercopy_cached(t, src.addr, n, false, &k)) {
        __builtin_memcpy(dst, k, n); /* a few moves for a constant n, else memcpy */
        return 0;
    }
    return copy_from_user_walk(t, dst, src, n);
}

/*
 * Copies n bytes to t's user address dst. Errors: -EFAULT (any byte not mapped
 * writable). Checks every page before writing, so a failed copy writes nothing. Inline
 * for the bytes t's cache holds (a struct cr_msg_info, say), like copy_from_user.
 */
static inline int
copy_to_user(struct tcb *t, uaddr_t dst, const void *src, size_t n)
{
    void *k;
    if (usercopy_cached(t, dst.addr, n, true, &k)) {
        __builtin_memcpy(k, src, n);
        return 0;
    }
    return copy_to_user_walk(t, dst, src, n);
}
