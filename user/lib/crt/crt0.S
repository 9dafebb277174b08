/* SPDX-License-Identifier: MIT */
/*
 * Program entry for every Courier user program. The kernel (root server) or the parent
 * (everyone else) starts the first thread here with two words in rdi and rsi and a stack
 * in rsp; no other register is promised. _start makes the stack what the SysV ABI expects
 * at a call (16-byte aligned), zeroes rbp so frame-pointer backtraces end here, and calls
 * cr_main(rdi, rsi). If cr_main returns, its result goes to cr_exit (weak default in
 * exit.c), which does not return; ud2 catches one that does.
 *
 * Nothing here zeroes .bss or runs constructors: the ELF loader zeroes every byte between
 * a segment's file size and memory size, and Courier programs have no constructors.
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .cfi_startproc
    .cfi_undefined rip
    xorl %ebp, %ebp
    andq $-16, %rsp
    call cr_main
    movl %eax, %edi
    call cr_exit
    ud2
    .cfi_endproc
    .size _start, . - _start

/* The Courier note (user/lib/posix/note.S): a native program makes no Linux system calls,
 * so the process manager loads no Linux personality into it. */
    .section .note.courier, "a", @note
    .balign 4
    .long 8
    .long 4
    .long 1
    .asciz "Courier"
    .long 1

    .section .note.GNU-stack, "", @progbits
