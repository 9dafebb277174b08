/* SPDX-License-Identifier: MIT */
/*
 * The Linux personality's entry (docs/posix.md, "Unmodified programs"): the process
 * manager loads this blob into a program that was not built with libposix and makes
 * __courier_upcall every thread's upcall entry, so each Linux `syscall` the program makes
 * arrives here through the kernel's foreign-call redirect (docs/abi.md §5) with rdi = the
 * frame holding the registers at the call. It runs libposix's dispatcher on them, puts
 * the result in the frame's rax and returns to the program with upcall_return.
 *
 * struct cr_regs offsets (abi/caps.h): rax 24, rdx 48, rsi 56, rdi 64, r8 80, r9 88,
 * r10 96. The kernel enters with rsp = frame - 8 (as if called); rbx is free here because
 * the frame holds the program's value and upcall_return restores it.
 */
    .text
    .globl __courier_upcall
    .type __courier_upcall, @function
__courier_upcall:
    movq %rdi, %rbx
    movq 24(%rbx), %rdi         /* n: the Linux call number */
    movq 64(%rbx), %rsi         /* a: rdi */
    movq 56(%rbx), %rdx         /* b: rsi */
    movq 48(%rbx), %rcx         /* c: rdx */
    movq 96(%rbx), %r8          /* d: r10 */
    movq 80(%rbx), %r9          /* e: r8 */
    pushq 88(%rbx)              /* f: r9, on the stack; rsp is now 16-byte aligned */
    call __courier_syscall
    movq %rax, 24(%rbx)
    movq %rbx, %rdi
    movq $-20, %rax             /* upcall_return (syscalls.def: 20) */
    syscall
    ud2                         /* upcall_return does not come back */
    .size __courier_upcall, . - __courier_upcall

    .section .note.GNU-stack, "", @progbits
