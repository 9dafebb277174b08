/* SPDX-License-Identifier: MIT */
/*
 * Assembly pieces of the system tests: the return path of testlib helper threads,
 * one-instruction probes with a global label on the instruction (so a test can check
 * the rip a fault reports, and resume a thread past it), and a position-independent code
 * blob that the address-space test copies into a second VSpace.
 */
#define CR_SYSCALL(name, num, argc) .equ SYS_##name, num;
#define TL_AS_NTFN_SLOT 1 /* TL_AS_NTFN of testlib.h */
#include <courier/abi/syscalls.def>
#undef CR_SYSCALL

    .macro FUNC name
    .globl \name
    .type \name, @function
\name:
    .endm

    .macro LABEL name
    .globl \name
\name:
    .endm

    .text

/* A helper thread's fn returned here; [rsp] is its struct tl_thread. */
FUNC tl_thread_return
    movq (%rsp), %rdi
    andq $-16, %rsp
    call tl_thread_exit
    ud2
    .size tl_thread_return, . - tl_thread_return

/* uint64_t tf_load(const volatile uint64_t *p) */
FUNC tf_load
LABEL tf_load_insn
    movq (%rdi), %rax
    ret
    .size tf_load, . - tf_load

/* void tf_store(volatile uint64_t *p, uint64_t v) */
FUNC tf_store
LABEL tf_store_insn
    movq %rsi, (%rdi)
    ret
    .size tf_store, . - tf_store

/* void tf_ud2(void) */
FUNC tf_ud2
LABEL tf_ud2_insn
    ud2
LABEL tf_ud2_next
    ret
    .size tf_ud2, . - tf_ud2

/* uint64_t tf_div0(void): divides 1 by 0 */
FUNC tf_div0
    xorl %ecx, %ecx
    movl $1, %eax
    xorl %edx, %edx
LABEL tf_div0_insn
    divq %rcx
LABEL tf_div0_next
    ret
    .size tf_div0, . - tf_div0

/* void tf_hlt(void) */
FUNC tf_hlt
LABEL tf_hlt_insn
    hlt
LABEL tf_hlt_next
    ret
    .size tf_hlt, . - tf_hlt

/* void tf_cli(void) */
FUNC tf_cli
LABEL tf_cli_insn
    cli
LABEL tf_cli_next
    ret
    .size tf_cli, . - tf_cli

/* int64_t tf_foreign(int64_t nr, uint64_t a0): syscall with rax = nr, rdi = a0 */
FUNC tf_foreign
    movq %rdi, %rax
    movq %rsi, %rdi
LABEL tf_foreign_insn
    syscall
LABEL tf_foreign_next
    ret
    .size tf_foreign, . - tf_foreign

/* uint64_t tf_read_fs0(void): the word at %fs:0 */
FUNC tf_read_fs0
    movq %fs:0, %rax
    ret
    .size tf_read_fs0, . - tf_read_fs0

/* void tf_int3(void): a breakpoint (a trap: the reported rip is the next instruction) */
FUNC tf_int3
LABEL tf_int3_insn
    int3
LABEL tf_int3_next
    ret
    .size tf_int3, . - tf_int3

/* void tf_int80(void): a software interrupt through a kernel-only gate */
FUNC tf_int80
LABEL tf_int80_insn
    int $0x80
LABEL tf_int80_next
    ret
    .size tf_int80, . - tf_int80

/* void tf_x87_div0(void): 1.0 / 0.0 on the x87 with ZM unmasked; reported at fwait */
FUNC tf_x87_div0
    subq $8, %rsp
    fninit
    fnstcw (%rsp)
    andw $~0x4, (%rsp)
    fldcw (%rsp)
    fldz
    fld1
    fdiv %st(1), %st
LABEL tf_x87_div0_insn
    fwait
LABEL tf_x87_div0_next
    fninit
    addq $8, %rsp
    ret
    .size tf_x87_div0, . - tf_x87_div0

/* void tf_bad_stack(void): a push through a non-canonical rsp (stack fault); rsp is
 * kept in rbx, so a handler can put it back. */
FUNC tf_bad_stack
    pushq %rbx
    movq %rsp, %rbx
    movabsq $0x0000800000000040, %rsp
LABEL tf_bad_stack_insn
    pushq %rax
LABEL tf_bad_stack_next
    movq %rbx, %rsp
    popq %rbx
    ret
    .size tf_bad_stack, . - tf_bad_stack

/*
 * The code blob for a second address space, position independent. On entry: rdi = the
 * address of a counter (a u64; the word after it receives the signal's result), rsi = a
 * notification cptr, rdx = how many increments (>= 1), r10 = the thread's own TCB cptr
 * (0: none). Adds rdx to the counter one at a time, signals the notification, stores the
 * result, then suspends itself (or yields forever).
 */
    .globl as_blob_start
    .globl as_blob_end
as_blob_start:
1:  incq (%rdi)
    decq %rdx
    jnz 1b
    movq %rdi, %r12
    movq %rsi, %rdi
    movq $-SYS_notify_signal, %rax
    syscall
    movq %rax, 8(%r12)
2:  testq %r10, %r10
    jz 3f
    movq %r10, %rdi
    movq $-SYS_tcb_suspend, %rax
    syscall
3:  movq $-SYS_yield, %rax
    syscall
    jmp 2b

/*
 * A second entry of the blob (at as_blob_call - as_blob_start): a register client. On
 * entry as above but rdi = a connection cptr: rdx empty msg_send_regs calls on it (the
 * count in rbx and the connection in rbp, which a call leaves alone), then the signal and
 * the end as above.
 */
    .globl as_blob_call
as_blob_call:
    movq %rdi, %rbp
    movq %rdx, %rbx
4:  movq %rbp, %rdi
    xorl %esi, %esi
    xorl %edx, %edx
    movq $-SYS_msg_send_regs, %rax
    syscall
    decq %rbx
    jnz 4b
    movq $TL_AS_NTFN_SLOT, %rdi
    movq $-SYS_notify_signal, %rax
    syscall
    jmp 2b
as_blob_end:

    .section .note.GNU-stack, "", @progbits
