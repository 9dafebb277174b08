/* SPDX-License-Identifier: MIT */
/*
 * Entry of ptest: the process manager starts it with the Linux initial stack (argc,
 * argv, envp, auxv at rsp), which ptest_main reads through its argument.
 */
    .text
    .globl _start
    .type _start, @function
_start:
    movq %rsp, %rdi
    xorl %ebp, %ebp
    andq $-16, %rsp
    call ptest_main
    ud2
    .size _start, . - _start

/* The Courier note (user/lib/posix/note.S): ptest makes no Linux system calls. */
    .section .note.courier, "a", @note
    .balign 4
    .long 8
    .long 4
    .long 1
    .asciz "Courier"
    .long 1

    .section .note.GNU-stack, "", @progbits
