/* SPDX-License-Identifier: MIT */
/*
 * Thread register state on x86_64: building a fresh user context, reading and writing
 * it for tcb_read_regs/tcb_write_regs (with every value user code cannot be allowed to
 * set forced safe: segment selectors, IF on, IOPL 0), system-call result and restart,
 * and the exit to user mode. Exit uses sysretq only when the thread entered through
 * syscall and its registers were not changed since; rip is checked canonical first
 * (the Intel sysret #GP-in-ring-0 pitfall), otherwise iretq.
 */
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/tss.h>
#include <kernel/cpu.h>
#include <kernel/tcb.h>
#include <kernel/string.h>
#include <courier/abi/types.h>

/* The lean return does not check rip (syscall_user): a syscall instruction lies below
 * CR_USER_MAX, the end of what can be mapped, so the rip after it is in the user half. */
_Static_assert(CR_USER_MAX < USER_TOP, "a syscall's own rip is a user-half rip");

void x86_wrmsr(uint32_t msr, uint64_t v);
void arch_enter_user(struct arch_context *ctx, int full) NORETURN;

enum {
    MSR_FS_BASE = 0xc0000100,
};

static uint64_t loaded_fs_base;
/* The VSpace the last full return to user mode loaded (its capability's object): a lean
 * return keeps CR3, and whatever could make the running thread's another sets exit_slow. */
static uint64_t x86_exit_vspace = ~0ull; /* none yet: the first exit loads its VSpace */

/* Zeroes ctx and sets user segments and flags (IF on). rip/rsp are set later. */
void
arch_context_init_user(struct arch_context *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->cs = SEL_UCODE;
    ctx->ss = SEL_UDATA;
    ctx->rflags = RFLAGS_IF | RFLAGS_FIXED;
    ctx->restore_full = CTX_IRET;
}

/*
 * Copies the user-visible registers out of ctx. A context entered by syscall (not
 * CTX_IRET) keeps rcx and r11 only where the CPU put them, in rip and rflags (syscall_entry
 * does not store them twice); they are reported as the thread will see them after its
 * sysretq.
 */
void
arch_context_get_regs(const struct arch_context *ctx, struct cr_regs *r)
{
    bool by_syscall = ctx->restore_full != CTX_IRET;
    *r = (struct cr_regs){
        .rip = ctx->rip, .rsp = ctx->rsp, .rflags = ctx->rflags, .rax = ctx->rax,
        .rbx = ctx->rbx, .rcx = ctx->rcx, .rdx = ctx->rdx,       .rsi = ctx->rsi,
        .rdi = ctx->rdi, .rbp = ctx->rbp, .r8 = ctx->r8,         .r9 = ctx->r9,
        .r10 = ctx->r10, .r11 = ctx->r11, .r12 = ctx->r12,       .r13 = ctx->r13,
        .r14 = ctx->r14, .r15 = ctx->r15, .fs_base = ctx->fs_base,
    };
    if (by_syscall) {
        r->rcx = ctx->rip;
        r->r11 = ctx->rflags;
    }
}

/*
 * Loads user-chosen registers into ctx. Cannot fail: flags are masked to what user code
 * may set, fs_base is clamped to user space, and iretq is used on the way out. A
 * non-canonical rip never reaches iretq: sched_exit_to_user gives the thread a
 * CR_FAULT_GP instead (see arch_context_can_enter).
 */
void
arch_context_set_regs(struct arch_context *ctx, const struct cr_regs *r)
{
    ctx->rip = r->rip;
    ctx->rsp = r->rsp;
    ctx->rflags = (r->rflags & RFLAGS_USER_MASK) | RFLAGS_IF | RFLAGS_FIXED;
    ctx->rax = r->rax;
    ctx->rbx = r->rbx;
    ctx->rcx = r->rcx;
    ctx->rdx = r->rdx;
    ctx->rsi = r->rsi;
    ctx->rdi = r->rdi;
    ctx->rbp = r->rbp;
    ctx->r8 = r->r8;
    ctx->r9 = r->r9;
    ctx->r10 = r->r10;
    ctx->r11 = r->r11;
    ctx->r12 = r->r12;
    ctx->r13 = r->r13;
    ctx->r14 = r->r14;
    ctx->r15 = r->r15;
    ctx->fs_base = arch_is_canonical_user(r->fs_base) ? r->fs_base : 0;
    ctx->cs = SEL_UCODE;
    ctx->ss = SEL_UDATA;
    ctx->restore_full = CTX_IRET;
    this_cpu()->exit_slow = true; /* ctx may be the caller's: no lean return (cpu.h) */
}

/* The kernel wrote ctx's message registers (r12-r15), which the lean return does not
 * reload: ctx may be the running thread's. */
void
arch_context_mrs_written(struct arch_context *ctx)
{
    if (ctx->restore_full == CTX_LEAN) {
        ctx->restore_full = CTX_RELOAD;
    }
    this_cpu()->exit_slow = true;
}

/* Makes the thread re-execute its syscall instruction with rax = number. */
void
arch_context_restart_syscall(struct arch_context *ctx, uint64_t number)
{
    ctx->rip -= 2; /* syscall is 0f 05 */
    ctx->rax = number;
}

/* Undoes arch_context_restart_syscall: the call returns `result` instead of running again. */
void
arch_context_cancel_restart(struct arch_context *ctx, int64_t result)
{
    ctx->rip += 2;
    ctx->rax = (uint64_t)result;
}

/* Returns the user program counter. */
uint64_t
arch_context_pc(const struct arch_context *ctx)
{
    return ctx->rip;
}

/* The VSpace and TLS base of t, when they are not the ones loaded. Returns t. */
static NOINLINE struct tcb *
exit_load(struct tcb *t)
{
    if (tcb_vspace_id(t) != x86_exit_vspace) {
        /* Another VSpace (the same one is still loaded: only a full exit changes this
         * record, and a VSpace that dies in a call leaves its thread's slot empty). */
        arch_mmu_switch(tcb_vspace_root(t), tcb_vspace_asid(t));
        x86_exit_vspace = tcb_vspace_id(t);
    }
    if (t->ctx.fs_base != loaded_fs_base) {
        x86_wrmsr(MSR_FS_BASE, t->ctx.fs_base);
        loaded_fs_base = t->ctx.fs_base;
    }
    return t;
}

/*
 * Leaves the kernel into thread t: address space, TLS base, FPU, the entry pointers, then
 * sysretq, or iretq for a context rewritten or entered by a trap (CTX_IRET). A context
 * that is not CTX_IRET was entered by syscall with nothing since but what a call may
 * change (its rip moved by a restart at most), so its rip is the user-half one after a
 * syscall instruction (below CR_USER_MAX): sysretq cannot #GP in ring 0 (the Intel
 * pitfall). An iretq to a canonical kernel-half rip is harmless: the fetch page-faults
 * in user mode (a non-canonical one never gets here: arch_context_can_enter). The
 * helpers it calls hand t back, so nothing is kept in a saved register on this path.
 */
void
arch_exit_to_user(struct tcb *t)
{
    struct cpu *c = this_cpu();
    if (UNLIKELY(tcb_vspace_id(t) != x86_exit_vspace || t->ctx.fs_base != loaded_fs_base)) {
        t = exit_load(t);
    }
    if (c->fpu_owner != t) {
        /* fxsave64/fxrstor64 inline (as x86_fpu_save/restore in cpu.c): every switch. */
        if (c->fpu_owner != NULL) {
            __asm__ volatile("fxsave64 %0" : "=m"(c->fpu_owner->fpu));
        }
        __asm__ volatile("fxrstor64 %0" : : "m"(t->fpu));
        c->fpu_owner = t;
    }
    struct arch_context *ctx = &t->ctx;
    /* The next entry: a trap's frame lands just past ctx (fs_base is the first field
     * after the frame), syscall_entry stores below ss (it pushes rsp and rflags there). */
    x86_tss.rsp[0] = (uint64_t)&ctx->fs_base;
    c->arch.ctx_top = (uint64_t)&ctx->ss;
    int full = ctx->restore_full == CTX_IRET;
    /* The next entry by syscall finds its context lean (a trap marks it CTX_IRET), and
     * the lean-return test finds nothing pending from before. */
    ctx->restore_full = CTX_LEAN;
    c->exit_slow = false;
    arch_enter_user(ctx, full);
}
