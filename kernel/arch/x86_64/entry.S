/* SPDX-License-Identifier: MIT */
/*
 * Kernel entry and exit. The kernel has one stack per CPU and keeps no state on it
 * between entries (seL4's model): every entry saves the user registers into the
 * current thread's struct arch_context and every exit restores some thread's context.
 *
 * From user mode the CPU pushes its interrupt frame at TSS.rsp0, which points just past
 * the current context, so the frame lands in the TCB; the stub pushes the vector and
 * the general registers below it, then switches to the kernel stack and calls C.
 * syscall stores the same registers there by hand (CPU_CTX_TOP, below). An interrupt
 * while the kernel itself runs (the idle loop, or a preemption window) arrives on the
 * kernel stack and goes to trap_kernel().
 *
 * struct arch_context offsets (machine.h): r15 0 ... rax 112, vector 120, error 128,
 * rip 136, cs 144, rflags 152, rsp 160, ss 168, fs_base 176, restore_full 184.
 */
#define CPU_SCRATCH 8
#define CPU_CTX_TOP 16
#define CPU_KSTACK_TOP 24
#define CTX_R15 0
#define CTX_R14 8
#define CTX_R13 16
#define CTX_R12 24
#define CTX_R11 32
#define CTX_R10 40
#define CTX_R9 48
#define CTX_R8 56
#define CTX_RBP 64
#define CTX_RDI 72
#define CTX_RSI 80
#define CTX_RDX 88
#define CTX_RCX 96
#define CTX_RBX 104
#define CTX_RAX 112
#define CTX_RIP 136
#define CTX_RFLAGS 152
#define CTX_RSP 160
#define CTX_RESTORE 184

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

/*
 * syscall: rcx = user rip, r11 = user rflags, interrupts masked by FMASK.
 *
 * Every general register goes into the thread's context, so the context is complete for
 * the whole call (a switch, tcb_read_regs, the register messages and foreign calls read
 * it). CPU_CTX_TOP points at the context's ss slot: the two pushes store rsp and rflags,
 * and everything else is stored relative to rflags (offsets CTX_x - CTX_RFLAGS). cs and
 * ss are the user selectors in every context already (set at creation, forced by
 * arch_context_set_regs, pushed by the CPU on a trap), and vector and error mean nothing
 * for a system call, so they are not written. Nor are rcx and r11: the CPU copied them
 * into rip and rflags, which are stored, and sysretq loads them from there again
 * (arch_context_get_regs and an iretq exit read them there too). restore_full is
 * CTX_LEAN already: every exit leaves it so (arch_exit_to_user) and a trap sets it.
 *
 * The lean return: syscall_user returns (with the context in rax) only when the thread
 * that entered goes back to user mode with nothing changed but what a call may change
 * (syscall_user says when). rbx, rbp and r12-r15 are callee-saved in C, so they hold the
 * thread's own values again and are not reloaded; every other register is reloaded
 * from the context, so no kernel value reaches user mode. Any other exit runs
 * sched_exit_to_user, which restores the whole context of whatever thread runs next.
 */
    .global syscall_entry
syscall_entry:
    swapgs
    mov %rsp, %gs:CPU_SCRATCH
    mov %gs:CPU_CTX_TOP, %rsp
    push %gs:CPU_SCRATCH                    /* rsp */
    push %r11                               /* rflags */
    mov %rcx, CTX_RIP - CTX_RFLAGS(%rsp)
    mov %rax, CTX_RAX - CTX_RFLAGS(%rsp)
    mov %rbx, CTX_RBX - CTX_RFLAGS(%rsp)
    mov %rdx, CTX_RDX - CTX_RFLAGS(%rsp)
    mov %rsi, CTX_RSI - CTX_RFLAGS(%rsp)
    mov %rdi, CTX_RDI - CTX_RFLAGS(%rsp)
    mov %rbp, CTX_RBP - CTX_RFLAGS(%rsp)
    mov %r8, CTX_R8 - CTX_RFLAGS(%rsp)
    mov %r9, CTX_R9 - CTX_RFLAGS(%rsp)
    mov %r10, CTX_R10 - CTX_RFLAGS(%rsp)
    mov %r12, CTX_R12 - CTX_RFLAGS(%rsp)
    mov %r13, CTX_R13 - CTX_RFLAGS(%rsp)
    mov %r14, CTX_R14 - CTX_RFLAGS(%rsp)
    mov %r15, CTX_R15 - CTX_RFLAGS(%rsp)
    mov %gs:CPU_KSTACK_TOP, %rsp
    mov %r10, %rcx                          /* the arguments, as C takes them */
    call syscall_user                       /* api/syscall.c: returns only to leave lean */
    mov CTX_RDI(%rax), %rdi
    mov CTX_RSI(%rax), %rsi
    mov CTX_RDX(%rax), %rdx
    mov CTX_R8(%rax), %r8
    mov CTX_R9(%rax), %r9
    mov CTX_R10(%rax), %r10
    mov CTX_RIP(%rax), %rcx                 /* checked below USER_TOP by syscall_user */
    mov CTX_RFLAGS(%rax), %r11
    mov CTX_RSP(%rax), %rsp                 /* no kernel stack from here on */
    mov CTX_RAX(%rax), %rax
    swapgs
    sysretq

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

