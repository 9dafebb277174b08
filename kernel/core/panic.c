/* SPDX-License-Identifier: MIT */
/*
 * Kernel panic: prints the reason, the registers of the frame that caused it (when
 * there is one), the faulting address and a symbolised backtrace, then halts. The test
 * runner looks for the "KERNEL PANIC" marker.
 */
#include <kernel/panic.h>
#include <kernel/klog.h>
#include <kernel/ksyms.h>
#include <arch/cpu.h>

static bool panicking;

static void NORETURN
halt_forever(void)
{
    for (;;) {
        __builtin_ia32_pause();
        arch_cpu_halt();
    }
}

static void
print_frame(const struct arch_context *c)
{
    kprintf("  rip %016lx  rsp %016lx  rflags %016lx\n", c->rip, c->rsp, c->rflags);
    kprintf("  rax %016lx  rbx %016lx  rcx %016lx\n", c->rax, c->rbx, c->rcx);
    kprintf("  rdx %016lx  rsi %016lx  rdi %016lx\n", c->rdx, c->rsi, c->rdi);
    kprintf("  rbp %016lx  r8  %016lx  r9  %016lx\n", c->rbp, c->r8, c->r9);
    kprintf("  r10 %016lx  r11 %016lx  r12 %016lx\n", c->r10, c->r11, c->r12);
    kprintf("  r13 %016lx  r14 %016lx  r15 %016lx\n", c->r13, c->r14, c->r15);
    kprintf("  cs %lx ss %lx vector %lu error %lx\n", c->cs, c->ss, c->vector, c->error);
    kprintf("  at ");
    ksyms_print(c->rip);
    kprintf("\n");
}

static void NORETURN
vpanic(const struct arch_context *frame, const char *fmt, va_list ap)
{
    if (panicking) {
        halt_forever();
    }
    panicking = true;
    klog_reclaim(); /* the console server's output may be cut: the panic goes first */
    kprintf("\nKERNEL PANIC: ");
    kvprintf(fmt, ap);
    kprintf("\n");
    if (frame != NULL) {
        print_frame(frame);
        arch_backtrace(frame->rbp);
    } else {
        arch_backtrace((uint64_t)__builtin_frame_address(0));
    }
    halt_forever();
}

/* Stops the system with a message and a backtrace of the caller. */
void
panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vpanic(NULL, fmt, ap);
}

/* Stops the system, printing the trap frame that caused it. */
void
panic_with_frame(const struct arch_context *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vpanic(ctx, fmt, ap);
}
