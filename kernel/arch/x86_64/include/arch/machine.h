/* SPDX-License-Identifier: MIT */
/*
 * x86_64 definitions behind the arch contract: the saved user context, the FPU save
 * area, address-space constants and control-register bits. Generic code sees the struct
 * names only through the arch contract headers and never reads their fields.
 */
#pragma once

#include <kernel/types.h>

#define KERNEL_VBASE 0xffffffff80000000ull
#define PHYS_MAP_BASE 0xffff800000000000ull
#define PHYS_MAP_MAX (512ull << 30) /* one PDPT's worth of direct map */
#define USER_TOP 0x0000800000000000ull

/*
 * A cache of one 4 KiB-page table for arch_mmu_translate_cached and arch_mmu_span (zero
 * it before first use). It names the address space and the mapping generation it was
 * filled under and is used only while both still hold, so it may be kept across kernel
 * calls (a TCB keeps the copier's).
 */
struct arch_xlat {
    uint64_t *pt;  /* the 4 KiB-page table of span, or NULL */
    uint64_t span; /* va >> 21 it translates */
    uint64_t gen;  /* arch_mmu_generation() when filled */
    void *pml4;    /* the address space it belongs to */
    bool upper_w;  /* the levels above allow writing */
};

/* GDT selectors. User selectors are ordered for sysret (STAR): data, then code. */
enum {
    SEL_KCODE = 0x08,
    SEL_KDATA = 0x10,
    SEL_UDATA = 0x1b, /* 0x18 | RPL 3 */
    SEL_UCODE = 0x23, /* 0x20 | RPL 3 */
    SEL_TSS = 0x28,
};

/*
 * Saved user state, laid out as the entry stubs push it: general registers, then
 * vector and error code, then the hardware interrupt frame. TSS.rsp0 points just past
 * the end of the current thread's context, so the CPU pushes its frame straight into
 * the TCB (no copy). Field order is fixed by entry.S.
 */
struct arch_context {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector; /* VEC_SYSCALL for a system call */
    uint64_t error;
    uint64_t rip, cs, rflags, rsp, ss;
    uint64_t fs_base;
    uint64_t restore_full; /* enum ctx_restore: how the next return to user mode works */
};

/*
 * How a context goes back to user mode (restore_full). A system call starts in
 * CTX_LEAN; whatever writes more than rax, rip and the argument/result registers
 * rdi rsi rdx r10 r8 r9 of the running thread's context must move it on, because the
 * lean return (entry.S) reloads only those and takes rbx, rbp and r12-r15 from the CPU.
 */
enum ctx_restore {
    CTX_LEAN = 0,   /* entered by syscall: syscall_user may take the lean sysretq */
    CTX_IRET = 1,   /* rewritten or entered by a trap: iretq, every register from here */
    CTX_RELOAD = 2, /* entered by syscall, message registers written: sysretq after
                     * reloading every register from here */
};
_Static_assert(__builtin_offsetof(struct arch_context, r12) == 24,
               "message registers MR0..MR3 = r15..r12 are contiguous");

#define VEC_SYSCALL 0x100ull

/* The legacy FXSAVE area: 512 bytes, 16-byte aligned. */
struct arch_fpu {
    uint8_t area[512];
} __attribute__((aligned(16)));

/* RFLAGS bits. */
enum {
    RFLAGS_CF = 1u << 0,
    RFLAGS_FIXED = 1u << 1,
    RFLAGS_TF = 1u << 8,
    RFLAGS_IF = 1u << 9,
    RFLAGS_DF = 1u << 10,
    RFLAGS_IOPL = 3u << 12,
    RFLAGS_NT = 1u << 14,
    RFLAGS_RF = 1u << 16,
    RFLAGS_VM = 1u << 17,
    RFLAGS_AC = 1u << 18,
    RFLAGS_ID = 1u << 21,
    /* What user code may set: arithmetic flags, DF, TF, AC, ID. Never IF-off or IOPL. */
    RFLAGS_USER_MASK = 0x0cd5u | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_ID,
};

static inline bool
arch_is_canonical_user(uint64_t va)
{
    return (va >> 47) == 0; /* va < USER_TOP in one shift, no 64-bit constant */
}
_Static_assert(USER_TOP == 1ull << 47, "arch_is_canonical_user");

/*
 * False if returning to ctx would fault in ring 0: iretq (like sysretq) raises #GP
 * before the privilege change when rip is not canonical, in kernel mode on real CPUs.
 */
static inline bool
arch_context_can_enter(const struct arch_context *ctx)
{
    return arch_is_canonical_user(ctx->rip) || ctx->rip >= 0xffff800000000000ull;
}

/*
 * Copies n bytes from *src to *dst and moves both pointers past them: memcpy without the
 * call, for the copier's loop, which then keeps its registers. Words first, then the
 * tail, as memcpy does (string.c).
 */
static inline void
arch_copy_forward(uint8_t **dst, const uint8_t **src, size_t n)
{
    size_t words = n / 8;
    size_t tail = n % 8;
    __asm__ volatile("rep movsq" : "+D"(*dst), "+S"(*src), "+c"(words) : : "memory");
    __asm__ volatile("rep movsb" : "+D"(*dst), "+S"(*src), "+c"(tail) : : "memory");
}

/*
 * Lets pending interrupts in for one instruction at a preemption point: sti takes effect
 * after the next instruction, so an interrupt can arrive after the nop and no later.
 * Inline: a long copy asks every 16 KiB.
 */
static inline void
arch_preempt_window(void)
{
    __asm__ volatile("sti\n\tnop\n\tcli" : : : "memory");
}

/* System-call number and arguments as saved at entry (regs.h: rdi rsi rdx r10 r8 r9). */
static inline int64_t
arch_syscall_number(const struct arch_context *ctx)
{
    return (int64_t)ctx->rax;
}

/*
 * Keeps a system call's number for its restart, where the trap error code goes (a call
 * has none): the handler may have changed rax, and a register costs the dispatcher more.
 */
static inline void
arch_syscall_keep_number(struct arch_context *ctx, int64_t nr)
{
    ctx->error = (uint64_t)nr;
}

/* The number arch_syscall_keep_number kept. */
static inline int64_t
arch_syscall_kept_number(const struct arch_context *ctx)
{
    return (int64_t)ctx->error;
}

/* The message registers MR0..MR3 (r15, r14, r13, r12: contiguous in the context). */
static inline uint64_t *
arch_context_msg_regs(struct arch_context *ctx)
{
    return &ctx->r15;
}

/* The kernel wrote ctx's message registers (r12-r15) while its thread may be running. */
void arch_context_mrs_written(struct arch_context *ctx);

/* Sets the system-call return value. */
static inline void
arch_context_set_result(struct arch_context *ctx, int64_t v)
{
    ctx->rax = (uint64_t)v;
}

/* The extra results of a register receive: r[0..4] into rdi, rsi, rdx, r10, r8. */
static inline void
arch_context_set_results(struct arch_context *ctx, const uint64_t r[5])
{
    ctx->rdi = r[0];
    ctx->rsi = r[1];
    ctx->rdx = r[2];
    ctx->r10 = r[3];
    ctx->r8 = r[4];
}

/* System-call argument i (0..5), as saved at entry. */
static inline uint64_t
arch_syscall_arg(const struct arch_context *ctx, unsigned i)
{
    switch (i) {
    case 0:
        return ctx->rdi;
    case 1:
        return ctx->rsi;
    case 2:
        return ctx->rdx;
    case 3:
        return ctx->r10;
    case 4:
        return ctx->r8;
    default:
        return ctx->r9;
    }
}

