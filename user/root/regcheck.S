/* SPDX-License-Identifier: MIT */
/*
 * regcheck_syscall(rax): executes `syscall` with rax as given and every other
 * general-purpose register (rsp and rbp included) holding a distinct pattern, then returns
 * a mask of enum regcheck_bit (regcheck.h) naming each register that did not come back as
 * it went in. abi/arch/x86_64/regs.h promises that only rax, rcx and r11 change, and a
 * kernel bug here (a leaked scratch register, a restored-from-wrong-frame rbp) corrupts
 * compiled code in ways no C-level test sees. Restores the callee-saved registers and rsp
 * even if the kernel did not. Not reentrant: rsp is kept in a static word across the trap.
 */
    .macro CHECK reg, pattern, bit
    movabsq $\pattern, %r11
    cmpq %r11, \reg
    je 1f
    orl $\bit, %ecx
1:
    .endm

    .text
    .globl regcheck_syscall
    .type regcheck_syscall, @function
regcheck_syscall:
    pushq %rbp
    movq %rsp, %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    pushq %rbp
    movq %rsp, saved_rsp(%rip)

    movq %rdi, %rax
    movabsq $0x1111111111110001, %rbx
    movabsq $0x2222222222220002, %rdx
    movabsq $0x3333333333330003, %rsi
    movabsq $0x4444444444440004, %rdi
    movabsq $0x5555555555550005, %rbp
    movabsq $0x6666666666660006, %r8
    movabsq $0x7777777777770007, %r9
    movabsq $0x8888888888880008, %r10
    movabsq $0x9999999999990009, %r12
    movabsq $0xaaaaaaaaaaaa000a, %r13
    movabsq $0xbbbbbbbbbbbb000b, %r14
    movabsq $0xcccccccccccc000c, %r15
    syscall

    xorl %ecx, %ecx
    CHECK %rbx, 0x1111111111110001, 0x1
    CHECK %rdx, 0x2222222222220002, 0x2
    CHECK %rsi, 0x3333333333330003, 0x4
    CHECK %rdi, 0x4444444444440004, 0x8
    CHECK %rbp, 0x5555555555550005, 0x10
    CHECK %r8, 0x6666666666660006, 0x20
    CHECK %r9, 0x7777777777770007, 0x40
    CHECK %r10, 0x8888888888880008, 0x80
    CHECK %r12, 0x9999999999990009, 0x100
    CHECK %r13, 0xaaaaaaaaaaaa000a, 0x200
    CHECK %r14, 0xbbbbbbbbbbbb000b, 0x400
    CHECK %r15, 0xcccccccccccc000c, 0x800
    cmpq saved_rsp(%rip), %rsp
    je 2f
    orl $0x1000, %ecx
    movq saved_rsp(%rip), %rsp
2:
    pushfq
    popq %r11
    testl $0x400, %r11d
    jz 3f
    orl $0x2000, %ecx
    cld
3:
    movl %ecx, %eax
    popq %rbp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size regcheck_syscall, . - regcheck_syscall

    .bss
    .balign 8
saved_rsp:
    .quad 0

    .section .note.GNU-stack, "", @progbits
