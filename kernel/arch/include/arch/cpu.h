/* SPDX-License-Identifier: MIT */
/*
 * Arch contract: processor setup, control registers the generic code needs, the idle
 * loop and the return to user mode. struct arch_cpu is the per-arch head of struct cpu.
 */
#pragma once

#include <kernel/types.h>
#include <arch/machine.h>
#include <courier/abi/caps.h>

struct arch_cpu {
    uint64_t self;       /* offset 0: address of this struct (GS base in the kernel) */
    uint64_t scratch;    /* offset 8: user rsp during syscall entry */
    uint64_t ctx_top;    /* offset 16: the current thread's saved ss (syscall_entry) */
    uint64_t kstack_top; /* offset 24: kernel stack top */
};

struct cpu;
struct tcb;

void arch_cpu_init(struct cpu *c);
uint64_t arch_cpu_read_cr3(void);
void arch_cpu_write_cr3(uint64_t v);
void arch_cpu_invlpg(vaddr_t va);
void arch_cpu_flush_tlb(void);
uint64_t arch_cpu_cycles(void);
bool arch_cpu_has_feature(const char *name);
unsigned arch_cpu_count(void);
void arch_cpu_idle(void) NORETURN;
void arch_cpu_halt(void);

/* Thread context hooks. */
void arch_context_init_user(struct arch_context *ctx);
void arch_context_get_regs(const struct arch_context *ctx, struct cr_regs *r);
void arch_context_set_regs(struct arch_context *ctx, const struct cr_regs *r);
void arch_context_restart_syscall(struct arch_context *ctx, uint64_t number);
void arch_context_cancel_restart(struct arch_context *ctx, int64_t result);
uint64_t arch_context_pc(const struct arch_context *ctx);
void arch_fpu_init_state(struct arch_fpu *f);
void arch_exit_to_user(struct tcb *t) NORETURN;
void arch_backtrace(uint64_t rbp);
