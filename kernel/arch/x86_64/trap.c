/* SPDX-License-Identifier: MIT */
/*
 * Exception, interrupt and system-call dispatch on x86_64. From user mode: exceptions
 * become fault messages for the thread's handler (tcb_deliver_fault), device interrupts
 * go to irq.c, the timer to the scheduler, syscalls to api/syscall.c; every path ends in
 * sched_exit_to_user(). In kernel mode only interrupts are expected (idle loop or a
 * preemption window); an exception there is a kernel bug and panics with the frame.
 */
#include <arch/cpu.h>
#include <arch/irq.h>
#include <arch/timer.h>
#include <kernel/cpu.h>
#include <kernel/irq.h>
#include <kernel/klog.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/tcb.h>

static const char *const exception_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection",
    "page fault", "reserved", "x87 FP", "alignment check", "machine check", "SIMD FP",
    "virtualization", "control protection",
};

static uint64_t
read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

/* Returns the name of exception vector v. */
const char *x86_exception_name(unsigned v);

const char *
x86_exception_name(unsigned v)
{
    if (v < 32 && exception_names[v] != NULL) {
        return exception_names[v];
    }
    return "exception";
}

static void
handle_interrupt(unsigned vec)
{
    if (vec == TIMER_VECTOR) {
        arch_timer_eoi();
        sched_timer_tick();
    } else if (vec >= IRQ_VECTOR_BASE && vec < IRQ_VECTOR_BASE + arch_irq_lines()) {
        irq_handle(vec - IRQ_VECTOR_BASE);
    } else if (vec == SPURIOUS_VECTOR) {
        /* No EOI for spurious interrupts. */
    } else if (vec >= IRQ_VECTOR_BASE) {
        arch_timer_eoi(); /* stray vector, e.g. from the masked legacy PIC */
    }
}

static void
user_exception(struct tcb *t, struct arch_context *ctx)
{
    unsigned vec = (unsigned)ctx->vector;
    unsigned kind;
    uint64_t addr = 0;
    switch (vec) {
    case 0:
        kind = CR_FAULT_DIV;
        break;
    case 1:
    case 3:
        kind = CR_FAULT_DEBUG;
        break;
    case 6:
        kind = CR_FAULT_UD;
        break;
    case 13:
        kind = CR_FAULT_GP;
        break;
    case 14:
        kind = CR_FAULT_PAGE;
        addr = read_cr2();
        break;
    case 16:
    case 19:
        kind = CR_FAULT_FPU;
        break;
    default:
        kind = CR_FAULT_OTHER;
        break;
    }
    tcb_deliver_fault(t, kind, vec, ctx->error, addr);
}

/* Entry from user mode for exceptions and interrupts. Never returns. */
void trap_user(struct arch_context *ctx) NORETURN;

void
trap_user(struct arch_context *ctx)
{
    struct tcb *t = sched_current();
    KASSERT(t != NULL && ctx == &t->ctx);
    ctx->restore_full = CTX_IRET;
    unsigned vec = (unsigned)ctx->vector;
    if (vec == 2 || vec == 18) {
        panic_with_frame(ctx, "%s from user mode", x86_exception_name(vec));
    }
    if (vec < 32) {
        user_exception(t, ctx);
    } else {
        handle_interrupt(vec);
    }
    sched_exit_to_user();
}

/*
 * Entry for interrupts and exceptions taken in kernel mode. Returns only when the
 * interrupt hit a preemption window; from the idle loop it goes on to the scheduler.
 */
void trap_kernel(struct arch_context *frame);

void
trap_kernel(struct arch_context *frame)
{
    unsigned vec = (unsigned)frame->vector;
    if (vec < 32) {
        uint64_t cr2 = vec == 14 ? read_cr2() : 0;
        panic_with_frame(frame, "kernel %s (error %lx, cr2 %lx)", x86_exception_name(vec),
                         frame->error, cr2);
    }
    handle_interrupt(vec);
    struct cpu *c = this_cpu();
    if (c->in_preempt_window) {
        return;
    }
    sched_exit_to_user();
}
