/* SPDX-License-Identifier: MIT */
/*
 * The only way the kernel touches user memory. Copies walk the target address space's
 * page tables and go through the kernel's direct map, never through user addresses, so
 * a bad pointer is an -EFAULT and not a kernel fault, and SMAP needs no exceptions.
 */
#pragma once

#include <kernel/types.h>

struct tcb;

bool usercopy_translate(struct tcb *t, uint64_t va, bool write, paddr_t *pa);
int usercopy_probe(struct tcb *t, uaddr_t ua, size_t n, bool write);
int copy_from_user(struct tcb *t, void *dst, uaddr_t src, size_t n);
int copy_to_user(struct tcb *t, uaddr_t dst, const void *src, size_t n);
