/* SPDX-License-Identifier: MIT */
/*
 * System-call dispatch. rax < 0 is native call -rax, looked up in the table generated
 * from syscalls.def (each entry unpacks the argument words into the handler's real
 * prototype, so a handler with the wrong signature does not compile). rax >= 0 is a
 * foreign call: redirected to the thread's upcall entry with its registers saved in a
 * frame on its own stack, or reported to its fault channel when it has no upcall.
 * A handler returning -ERESTART was preempted; the thread re-executes the call; one
 * returning -EJUSTRETURN has set the registers itself.
 */
#include <kernel/syscall.h>
#include <kernel/cpu.h>
#include <kernel/errors.h>
#include <kernel/sched.h>
#include <kernel/tcb.h>
#include <kernel/usercopy.h>
#include <arch/cpu.h>
#include <courier/abi/syscall_nr.h>

/*
 * Each call's entry gets the six argument registers as syscall_entry left them (rdi rsi
 * rdx, r10 moved to rcx, r8 r9: the C convention's argument registers) and passes on
 * those its handler takes: a jump, with the arguments already in place. The handler's
 * prototype comes from syscalls.def (syscall.h), so one defined with another does not
 * compile.
 */
#define SYS_ARGS_0
#define SYS_ARGS_1 a0
#define SYS_ARGS_2 a0, a1
#define SYS_ARGS_3 a0, a1, a2
#define SYS_ARGS_4 a0, a1, a2, a3
#define SYS_ARGS_5 a0, a1, a2, a3, a4
#define SYS_ARGS_6 a0, a1, a2, a3, a4, a5

#define CR_SYSCALL(name, num, argc)                                                        \
    static int64_t call_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,         \
                               uint64_t a4, uint64_t a5)                                    \
    {                                                                                      \
        (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;                        \
        return sys_##name(SYS_ARGS_##argc);                                                \
    }
#include <courier/abi/syscalls.def>
#undef CR_SYSCALL

typedef int64_t (*syscall_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/* Numbers are 1..N with no gap (the hot path calls any entry in range without a check). */
enum {
#define CR_SYSCALL(name, num, argc) +1
    SYSCALL_DEFINED = 0
#include <courier/abi/syscalls.def>
#undef CR_SYSCALL
};

/*
 * Call num at [SYSCALL_DEFINED - num]: user code passes -num in rax, so the hot path
 * indexes with rax itself (syscall_handler), with no negation.
 */
static const syscall_fn syscall_table[SYSCALL_DEFINED] = {
#define CR_SYSCALL(name, num, argc) [SYSCALL_DEFINED - (num)] = call_##name,
#include <courier/abi/syscalls.def>
#undef CR_SYSCALL
};

/* True if nr (rax at entry) names a native call: -SYSCALL_DEFINED <= nr <= -1. */
static inline bool
syscall_is_native(int64_t nr)
{
    return (uint64_t)nr >= 0 - (uint64_t)SYSCALL_DEFINED;
}

/* The handler of native call nr (syscall_is_native). */
static inline syscall_fn
syscall_handler(int64_t nr)
{
    return (syscall_table + SYSCALL_DEFINED)[nr];
}

enum {
    UPCALL_RED_ZONE = 128, /* SysV ABI red zone below the user's rsp */
};

static void
foreign_call(struct tcb *t, const struct cr_regs *r)
{
    if (t->upcall_entry == 0) {
        tcb_deliver_fault(t, CR_FAULT_FOREIGN, 0, r->rax, 0);
        return;
    }
    struct cr_upcall_frame f = { .regs = *r, .magic = CR_UPCALL_MAGIC };
    uint64_t sp = ALIGN_DOWN(r->rsp - UPCALL_RED_ZONE - sizeof(f), 16);
    if (r->rsp < UPCALL_RED_ZONE + sizeof(f) + CR_USER_MIN ||
        copy_to_user(t, uaddr(sp), &f, sizeof(f)) != 0) {
        tcb_deliver_fault(t, CR_FAULT_FOREIGN, 0, r->rax, sp);
        return;
    }
    struct cr_regs n = *r;
    n.rip = t->upcall_entry;
    n.rsp = sp - 8; /* as if called: rsp + 8 is 16-byte aligned */
    n.rdi = sp;
    arch_context_set_regs(&t->ctx, &n);
}

/* A result below -EJUSTRETURN, or -ERESTART: the thread executes its call again. */
static NOINLINE void
finish_low(struct tcb *t, int64_t rc)
{
    if (rc == -ERESTART) {
        arch_context_restart_syscall(&t->ctx, (uint64_t)arch_syscall_kept_number(&t->ctx));
    } else {
        arch_context_set_result(&t->ctx, rc);
    }
}

/*
 * Stores the handler's result; -EJUSTRETURN (the handler set the registers itself: the
 * blocking calls and the fast path) leaves them. One test for a plain result.
 */
static inline void
finish(struct tcb *t, int64_t rc)
{
    if (UNLIKELY(rc <= -ERESTART)) {
        if (rc != -EJUSTRETURN) {
            finish_low(t, rc);
        }
        return;
    }
    arch_context_set_result(&t->ctx, rc);
}
_Static_assert(EJUSTRETURN == ERESTART + 1, "finish's two codes are the lowest");

/* The calls off the hot path: foreign, unknown, or with a timeout set for them. */
static NOINLINE void
dispatch_slow(struct tcb *t, int64_t nr)
{
    if (nr >= 0) {
        struct cr_regs r;
        arch_context_get_regs(&t->ctx, &r);
        foreign_call(t, &r);
        return;
    }
    if (!syscall_is_native(nr)) {
        arch_context_set_result(&t->ctx, -CR_ENOSYS); /* INT64_MIN too */
        return;
    }
    /* A timeout applies to this one call (timeout_set itself may set the next one). */
    t->timeout_call = t->timeout_next;
    t->timeout_next = 0;
    arch_syscall_keep_number(&t->ctx, nr);
    const struct arch_context *c = &t->ctx;
    int64_t rc = syscall_handler(nr)(arch_syscall_arg(c, 0), arch_syscall_arg(c, 1),
                                     arch_syscall_arg(c, 2), arch_syscall_arg(c, 3),
                                     arch_syscall_arg(c, 4), arch_syscall_arg(c, 5));
    if (t->timeout_call != 0) {
        if (rc == -ERESTART) {
            t->timeout_next = t->timeout_call; /* the restarted call keeps its timeout */
        }
        t->timeout_call = 0;
    }
    finish(t, rc);
}

/*
 * Entry from user mode through syscall (entry.S; the running thread's context holds every
 * register, and a0..a5 are the argument registers, still as the caller set them). Runs
 * the call: the handler gets its arguments and its result goes into rax; the
 * register-message handlers are the IPC fast path (kernel/ipc/fastpath.c), which leaves
 * straight into the other thread when it applies. Then, when the caller
 * goes back with nothing to decide, returns its context for the lean return; otherwise
 * never returns (sched_exit_to_user). O(1) here.
 *
 * Nothing to decide: c->exit_slow clear. Whatever would make the lean return wrong sets
 * it (cpu.h): a reschedule due or another thread current (the scheduler), the caller
 * blocked or stopped (sched_remove, before any change from READY), its context
 * rewritten (CTX_IRET) or its message registers written (arch_context_set_regs,
 * arch_context_mrs_written), a VSpace capability leaving a slot or a thread given
 * another VSpace (the caller's may no longer be the one loaded). rip needs no check: a
 * syscall's own rip is below CR_USER_MAX (nothing is mapped above it), and whatever
 * writes another makes the context CTX_IRET. One test per call instead of one per reason.
 */
struct arch_context *
syscall_user(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct cpu *c = this_cpu();
    struct tcb *t = c->current;
    int64_t nr = arch_syscall_number(&t->ctx);
    if (UNLIKELY(!syscall_is_native(nr) || t->timeout_next != 0)) {
        dispatch_slow(t, nr);
    } else {
        arch_syscall_keep_number(&t->ctx, nr); /* nr need not live across the call */
        int64_t rc = syscall_handler(nr)(a0, a1, a2, a3, a4, a5);
        finish(t, rc);
    }
    if (LIKELY(!c->exit_slow)) {
        return &t->ctx;
    }
    sched_exit_to_user();
}
