/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for libposix, so that tests/musl/musl_test.c can run on the host Linux:
 * the entry points docs/musl.md asks libposix for, each done with Linux's own system
 * calls. They are the only trapping instructions the test program may hold, which
 * tools/musl-test.sh checks in its disassembly, and each one counts itself in
 * host_posix_calls (and a cancellable call also in host_posix_cp_calls), so that the
 * test can see libc's calls come through here.
 *
 * Simplification: __courier_syscall_cp looks at the cancel flag only where musl's
 * __syscall_cp_asm already did, before the call; a cancel request that arrives while
 * the call blocks is not seen. The test cancels no blocked thread.
 */
#include <bits/syscall.h>

    .bss
    .align 8
    .global host_posix_calls
host_posix_calls:
    .zero 8
    .global host_posix_cp_calls
host_posix_cp_calls:
    .zero 8

    .text

/* long __courier_syscall(long n, long a, long b, long c, long d, long e, long f):
 * the C arguments moved to Linux's system call registers. */
    .global __courier_syscall
    .type __courier_syscall, @function
__courier_syscall:
    lock incq host_posix_calls(%rip)
    mov %rdi, %rax
    mov %rsi, %rdi
    mov %rdx, %rsi
    mov %rcx, %rdx
    mov %r8, %r10
    mov %r9, %r8
    mov 8(%rsp), %r9
    cmp $SYS_rt_sigreturn, %eax
    je 1f
    syscall
    ret
1:  /* Linux takes the signal frame from rsp, which must be the frame __restore_rt
     * passed (now in rdi): the call does not return. */
    mov %rdi, %rsp
    syscall
    hlt
    .size __courier_syscall, . - __courier_syscall

/* long __courier_syscall_cp(volatile int *cancel, long n, long a, ..., long f). */
    .global __courier_syscall_cp
    .type __courier_syscall_cp, @function
__courier_syscall_cp:
    lock incq host_posix_calls(%rip)
    lock incq host_posix_cp_calls(%rip)
    mov %rsi, %rax
    mov %rdx, %rdi
    mov %rcx, %rsi
    mov %r8, %rdx
    mov %r9, %r10
    mov 8(%rsp), %r8
    mov 16(%rsp), %r9
    syscall
    ret
    .size __courier_syscall_cp, . - __courier_syscall_cp

/* int __courier_clone(int (*func)(void *), void *stack, int flags, void *arg,
 *                     pid_t *ptid, void *tls, pid_t *ctid):
 * Linux's clone(flags, stack, ptid, ctid, tls). The child starts on `stack` with arg
 * on top of it, pops it into rdi, calls func and exits with its result. */
    .global __courier_clone
    .type __courier_clone, @function
__courier_clone:
    lock incq host_posix_calls(%rip)
    and $-16, %rsi
    sub $8, %rsi
    mov %rcx, (%rsi)            /* arg, for the child to pop */
    mov %rdi, %r11
    mov %rdx, %rdi              /* flags */
    mov %r8, %rdx               /* ptid */
    mov %r9, %r8                /* tls */
    mov 8(%rsp), %r10           /* ctid */
    mov %r11, %r9               /* func, in a register the call keeps */
    mov $SYS_clone, %eax
    syscall
    test %eax, %eax
    jnz 1f
    xor %ebp, %ebp              /* the child: the end of frame-pointer chains */
    pop %rdi                    /* arg; rsp is now 16-byte aligned */
    call *%r9
    mov %eax, %edi
    mov $SYS_exit, %eax
    syscall
    hlt
1:  ret                         /* the parent: the child's id, or -errno */
    .size __courier_clone, . - __courier_clone

/* _Noreturn void __courier_unmapself(void *base, size_t size): munmap, then exit,
 * with no stack in between (the stack is in the unmapped range). */
    .global __courier_unmapself
    .type __courier_unmapself, @function
__courier_unmapself:
    lock incq host_posix_calls(%rip)
    mov $SYS_munmap, %eax
    syscall
    xor %edi, %edi
    mov $SYS_exit, %eax
    syscall
    hlt
    .size __courier_unmapself, . - __courier_unmapself

    .section .note.GNU-stack, "", @progbits
