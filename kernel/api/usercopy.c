/* SPDX-License-Identifier: MIT */
/*
 * Copies between kernel memory and a thread's user memory, page by page through the
 * direct map after a page-table walk (arch_mmu_translate). Cost: O(n / 4 KiB) walks;
 * callers bound n (the largest is a struct of a few hundred bytes).
 */
#include <kernel/usercopy.h>
#include <kernel/errors.h>
#include <kernel/string.h>
#include <kernel/tcb.h>
#include <arch/mmu.h>

/*
 * Translates user address va of thread t (writable if `write`), through a one-entry
 * cache in the TCB: the hot pages (the thread's stack, its message buffers) are walked
 * once, not on every access. The cache is keyed by address space and page and dropped
 * whenever any mapping is removed or reduced (arch_mmu_generation). False if va is not
 * mapped so (not user-accessible, or not writable when asked).
 */
bool
usercopy_translate(struct tcb *t, uint64_t va, bool write, paddr_t *pa)
{
    void *pml4 = tcb_vspace_root(t);
    uint64_t page = va & ~(CR_PAGE_SIZE - 1);
    if (t->xlat_gen == arch_mmu_generation() && t->xlat_pml4 == pml4 && t->xlat_va == page &&
        (!write || t->xlat_write)) {
        *pa = t->xlat_pa + (va - page);
        return true;
    }
    bool writable;
    if (!arch_mmu_translate(pml4, va, pa, &writable) || (write && !writable)) {
        return false;
    }
    t->xlat_gen = arch_mmu_generation();
    t->xlat_pml4 = pml4;
    t->xlat_va = page;
    t->xlat_pa = *pa - (va - page);
    t->xlat_write = writable;
    return true;
}

static int
user_copy(struct tcb *t, uint64_t ua, void *kbuf, size_t n, bool to_user)
{
    if (n == 0) {
        return 0;
    }
    if (ua < CR_USER_MIN || ua + n < ua || ua + n > CR_USER_MAX) {
        return -CR_EFAULT;
    }
    uint8_t *k = kbuf;
    while (n > 0) {
        paddr_t pa;
        if (!usercopy_translate(t, ua, to_user, &pa)) {
            return -CR_EFAULT;
        }
        size_t chunk = MIN(n, CR_PAGE_SIZE - (ua & (CR_PAGE_SIZE - 1)));
        if (to_user) {
            memcpy(phys_to_virt(pa), k, chunk);
        } else {
            memcpy(k, phys_to_virt(pa), chunk);
        }
        ua += chunk;
        k += chunk;
        n -= chunk;
    }
    return 0;
}

/*
 * copy_from_user (usercopy.h) when t's cache does not hold the bytes: the same copy,
 * translating page by page. Errors: -EFAULT (any byte not mapped readable in t's address
 * space, or outside user space). dst may be partly written on failure.
 */
int
copy_from_user_walk(struct tcb *t, void *dst, uaddr_t src, size_t n)
{
    return user_copy(t, src.addr, dst, n, false);
}

/*
 * Checks that the n bytes at t's user address ua could be copied to (write) or from
 * without copying anything. Errors: -EFAULT (any byte not mapped so, or outside user
 * space). O(n / 4 KiB) translations; none when t's cache holds the page.
 */
int
usercopy_probe(struct tcb *t, uaddr_t ua, size_t n, bool write)
{
    uint64_t a = ua.addr;
    void *k;
    if (n == 0 || usercopy_cached(t, a, n, write, &k)) {
        return 0;
    }
    if (a < CR_USER_MIN || a + n < a || a + n > CR_USER_MAX) {
        return -CR_EFAULT;
    }
    /* Bounded by the caller's n: a page at a time. */
    for (uint64_t p = ALIGN_DOWN(a, CR_PAGE_SIZE); p < a + n; p += CR_PAGE_SIZE) {
        paddr_t pa;
        if (!usercopy_translate(t, p, write, &pa)) {
            return -CR_EFAULT;
        }
    }
    return 0;
}

/*
 * copy_to_user (usercopy.h) when t's cache does not hold the bytes: the same copy,
 * translating page by page. Errors: -EFAULT (any byte not mapped writable). Checks every
 * page before writing, so a failed copy writes nothing.
 */
int
copy_to_user_walk(struct tcb *t, uaddr_t dst, const void *src, size_t n)
{
    /* Probe first so a failure leaves user memory untouched; a copy within one page
     * needs no probe (its one translation is the probe). */
    uint64_t ua = dst.addr;
    if (n != 0 && (ua & (CR_PAGE_SIZE - 1)) + n <= CR_PAGE_SIZE) {
        return user_copy(t, ua, (void *)src, n, true);
    }
    int rc = usercopy_probe(t, dst, n, true);
    return rc != 0 ? rc : user_copy(t, ua, (void *)src, n, true);
}
