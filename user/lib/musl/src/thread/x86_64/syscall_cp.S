/* SPDX-License-Identifier: MIT */
/*
 * Courier's cancellable system call for musl (replaces musl's
 * src/thread/x86_64/syscall_cp.s, which traps). musl's __syscall_cp_c calls
 * __syscall_cp_asm(&self->cancel, n, a, b, c, d, e, f) for every call that is a
 * cancellation point. musl's cancel signal handler moves a thread interrupted between
 * __cp_begin and __cp_end to __cp_cancel, so that a cancel request that arrives before
 * the call starts acts at once. On Linux that window ends at the trap, which the kernel
 * interrupts with EINTR; here it ends when the call enters libposix, so libposix's
 * __courier_syscall_cp, given the cancel flag, must close the rest of the window: see
 * docs/musl.md.
 */
    .text
    .global __cp_begin
    .hidden __cp_begin
    .global __cp_end
    .hidden __cp_end
    .global __cp_cancel
    .hidden __cp_cancel
    .hidden __cancel
    .global __syscall_cp_asm
    .hidden __syscall_cp_asm
    .type __syscall_cp_asm, @function
__syscall_cp_asm:
__cp_begin:
    mov (%rdi), %eax            /* self->cancel */
    test %eax, %eax
    jnz __cp_cancel
    /* A tail call with the same eight arguments (e and f on the stack). */
    jmp __courier_syscall_cp
__cp_end:
__cp_cancel:
    jmp __cancel
    .size __syscall_cp_asm, . - __syscall_cp_asm
