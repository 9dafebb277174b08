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

/*
 * regcheck_call(in, out): loads every general-purpose register but rsp from `in` (struct
 * regcheck_set, regcheck.h: rax is the call number, the others arguments, message
 * registers or patterns), executes `syscall`, and stores every register as it came back
 * into `out`, with rsp, rflags and the syscall's own return address, and rsp and rflags
 * as they were just before the syscall. So a test can compare each register with what
 * the ABI says the call leaves there. Reentrant (two threads may be inside it at once:
 * a client and its server); `out` is kept on the stack, so rsp must come back intact.
 */
    .set RS_RAX, 0
    .set RS_RBX, 8
    .set RS_RCX, 16
    .set RS_RDX, 24
    .set RS_RSI, 32
    .set RS_RDI, 40
    .set RS_RBP, 48
    .set RS_R8, 56
    .set RS_R9, 64
    .set RS_R10, 72
    .set RS_R11, 80
    .set RS_R12, 88
    .set RS_R13, 96
    .set RS_R14, 104
    .set RS_R15, 112
    .set RS_RSP, 120
    .set RS_RFLAGS, 128
    .set RS_RIP, 136
    .set RS_RSP_IN, 144
    .set RS_RFLAGS_IN, 152

    .text
    .globl regcheck_call
    .type regcheck_call, @function
regcheck_call:
    pushq %rbp
    movq %rsp, %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    pushq %rsi                  /* out, at 8(%rsp) */
    pushq %rdi                  /* in, at 0(%rsp) */
    movq %rsp, RS_RSP_IN(%rsi)
    pushfq
    popq %rax
    movq %rax, RS_RFLAGS_IN(%rsi)
    movq RS_RAX(%rdi), %rax
    movq RS_RBX(%rdi), %rbx
    movq RS_RCX(%rdi), %rcx
    movq RS_RDX(%rdi), %rdx
    movq RS_RSI(%rdi), %rsi
    movq RS_RBP(%rdi), %rbp
    movq RS_R8(%rdi), %r8
    movq RS_R9(%rdi), %r9
    movq RS_R10(%rdi), %r10
    movq RS_R11(%rdi), %r11
    movq RS_R12(%rdi), %r12
    movq RS_R13(%rdi), %r13
    movq RS_R14(%rdi), %r14
    movq RS_R15(%rdi), %r15
    movq RS_RDI(%rdi), %rdi
    syscall
1:
    xchgq %rdi, 8(%rsp)         /* rdi = out; the returned rdi on the stack */
    movq %rax, RS_RAX(%rdi)
    movq %rbx, RS_RBX(%rdi)
    movq %rcx, RS_RCX(%rdi)
    movq %rdx, RS_RDX(%rdi)
    movq %rsi, RS_RSI(%rdi)
    movq %rbp, RS_RBP(%rdi)
    movq %r8, RS_R8(%rdi)
    movq %r9, RS_R9(%rdi)
    movq %r10, RS_R10(%rdi)
    movq %r11, RS_R11(%rdi)
    movq %r12, RS_R12(%rdi)
    movq %r13, RS_R13(%rdi)
    movq %r14, RS_R14(%rdi)
    movq %r15, RS_R15(%rdi)
    movq 8(%rsp), %rax
    movq %rax, RS_RDI(%rdi)
    movq %rsp, RS_RSP(%rdi)
    pushfq
    popq %rax
    movq %rax, RS_RFLAGS(%rdi)
    leaq 1b(%rip), %rax
    movq %rax, RS_RIP(%rdi)
    cld
    addq $16, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size regcheck_call, . - regcheck_call

    .bss
    .balign 8
saved_rsp:
    .quad 0

    .section .note.GNU-stack, "", @progbits
