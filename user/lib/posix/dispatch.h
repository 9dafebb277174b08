/* SPDX-License-Identifier: MIT */
/*
 * libposix's entry points (dispatch.c and thread.c): the four functions musl's patched
 * code calls instead of trapping (docs/musl.md states their contract), and the table
 * lookup behind the first two. These four are the only symbols libposix.a exports.
 */
#pragma once

#include <stddef.h>

/* A Linux call's handler: its six arguments (rdi, rsi, rdx, r10, r8, r9) in order. */
typedef long (*dispatch_fn)(const long *a);

dispatch_fn dispatch_lookup(long n);

long __courier_syscall(long n, long a, long b, long c, long d, long e, long f);
long __courier_syscall_cp(volatile int *cancel, long n, long a, long b, long c, long d, long e,
                          long f);
int __courier_clone(int (*func)(void *), void *stack, int flags, void *arg, int *ptid, void *tls,
                    int *ctid);
_Noreturn void __courier_unmapself(void *base, size_t size);
