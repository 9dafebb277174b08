/* SPDX-License-Identifier: MIT */
/*
 * Courier's signal return for musl (replaces musl's src/signal/x86_64/restore.s,
 * which traps with rt_sigreturn). sigaction gives __restore_rt to the kernel side as
 * the restorer of every handler; a handler returns into it, with rsp just above the
 * return address that brought it here, that is at the ucontext_t of a Linux
 * rt_sigframe. Linux's rt_sigreturn finds the frame from the trapping rsp; a
 * dispatcher call has a stack of its own, so the frame's address is passed as the
 * first argument: __courier_syscall(SYS_rt_sigreturn, frame, ...), which never
 * returns (the other arguments are undefined).
 */
#include <bits/syscall.h>

    .text
    /* As in musl: a byte before the symbol, so that a return address minus one, which
     * unwinders look up, does not land in the function before. */
    nop
    .global __restore_rt
    .hidden __restore_rt
    .type __restore_rt, @function
__restore_rt:
    mov %rsp, %rsi              /* the frame */
    mov $SYS_rt_sigreturn, %edi
    and $-16, %rsp              /* the ABI's alignment at a call */
    call __courier_syscall
    hlt                         /* not reached; faults if it is */
    .size __restore_rt, . - __restore_rt
