/* SPDX-License-Identifier: MIT */
/*
 * Kernel entry and exit. The kernel has one stack per CPU and keeps no state on it
 * between entries (seL4's model): every entry saves the user registers into the
 * current thread's struct arch_context and every exit restores some thread's context.
 *
 * From user mode the CPU pushes its interrupt frame at TSS.rsp0, which points just past
 * the current context, so the frame lands in the TCB; the stub pushes the vector and
 * the general registers below it, then switches to the kernel stack and calls C.
 * syscall does the same by hand. An interrupt while the kernel itself runs (the idle
 * loop, or a preemption window) arrives on the kernel stack and goes to trap_kernel().
 *
 * struct arch_context offsets (machine.h): r15 0 ... rax 112, vector 120, error 128,
 * rip 136, cs 144, rflags 152, rsp 160, ss 168, fs_base 176, restore_full 184.
 */
#define CPU_SCRATCH 8
#define CPU_CTX_TOP 16
#define CPU_KSTACK_TOP 24
#define CTX_RIP 136
#define CTX_RFLAGS 152
#define CTX_RSP 160
#define VEC_SYSCALL 0x100
#define SEL_UDATA 0x1b
#define SEL_UCODE 0x23

.macro PUSH_GPRS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro POP_GPRS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

    .text
/* Exception and interrupt stubs: one per vector, all the same size (16 bytes). */
.altmacro
.macro STUB vec
    .balign 16
    .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || \
        (\vec == 29) || (\vec == 30)
    .else
    push $0
    .endif
    push $\vec
    jmp trap_common
.endm

    .balign 16
    .global isr_stubs
isr_stubs:
.set v, 0
.rept 256
    STUB %v
.set v, v + 1
.endr
.noaltmacro

trap_common:
    testb $3, 24(%rsp)          /* saved CS: from user mode? */
    jz trap_from_kernel
    PUSH_GPRS
    swapgs
    mov %rsp, %rdi              /* struct arch_context * */
    mov %gs:CPU_KSTACK_TOP, %rsp
    xor %ebp, %ebp
    call trap_user              /* never returns */
    ud2

trap_from_kernel:
    PUSH_GPRS
    mov %rsp, %rdi
    cld
    call trap_kernel            /* returns only from a preemption window */
    POP_GPRS
    add $16, %rsp
    iretq

/* syscall: rcx = user rip, r11 = user rflags, interrupts masked by FMASK. */
    .global syscall_entry
syscall_entry:
    swapgs
    mov %rsp, %gs:CPU_SCRATCH
    mov %gs:CPU_CTX_TOP, %rsp
    push $SEL_UDATA
    push %gs:CPU_SCRATCH
    push %r11
    push $SEL_UCODE
    push %rcx
    push $0
    push $VEC_SYSCALL
    PUSH_GPRS
    mov %rsp, %rdi
    mov %gs:CPU_KSTACK_TOP, %rsp
    xor %ebp, %ebp
    call syscall_user           /* never returns */
    ud2

/*
 * void arch_enter_user(struct arch_context *ctx, int full)
 * Restores ctx and leaves the kernel: sysretq when full == 0 (rcx and r11 are then
 * clobbered, as the ABI says), else iretq. The caller has checked rip is canonical.
 */
    .global arch_enter_user
arch_enter_user:
    mov %rdi, %rsp
    test %esi, %esi
    jnz 1f
    POP_GPRS
    mov 16(%rsp), %rcx          /* rip */
    mov 32(%rsp), %r11          /* rflags */
    mov 40(%rsp), %rsp          /* user rsp: no kernel stack from here on */
    swapgs
    sysretq
1:  POP_GPRS
    add $16, %rsp
    swapgs
    iretq

/* void arch_idle_loop(uint64_t stack_top): runs on a fresh kernel stack, IF on. */
    .global arch_idle_loop
arch_idle_loop:
    mov %rdi, %rsp
    xor %ebp, %ebp
2:  sti
    hlt
    cli
    jmp 2b

/* void arch_preempt_window(void): lets pending interrupts in for one instruction. */
    .global arch_preempt_window
arch_preempt_window:
    sti
    nop
    cli
    ret
