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

#define SYS_ARG(c, i) arch_syscall_arg(c, i)
#define SYS_CALL_0(f, c) f()
#define SYS_CALL_1(f, c) f(SYS_ARG(c, 0))
#define SYS_CALL_2(f, c) f(SYS_ARG(c, 0), SYS_ARG(c, 1))
#define SYS_CALL_3(f, c) f(SYS_ARG(c, 0), SYS_ARG(c, 1), SYS_ARG(c, 2))
#define SYS_CALL_4(f, c) f(SYS_ARG(c, 0), SYS_ARG(c, 1), SYS_ARG(c, 2), SYS_ARG(c, 3))
#define SYS_CALL_5(f, c) \
    f(SYS_ARG(c, 0), SYS_ARG(c, 1), SYS_ARG(c, 2), SYS_ARG(c, 3), SYS_ARG(c, 4))
#define SYS_CALL_6(f, c) \
    f(SYS_ARG(c, 0), SYS_ARG(c, 1), SYS_ARG(c, 2), SYS_ARG(c, 3), SYS_ARG(c, 4), SYS_ARG(c, 5))

/* Each entry reads only the argument registers its handler takes. */
#define CR_SYSCALL(name, num, argc)                                 \
    static int64_t call_##name(const struct arch_context *c)        \
    {                                                               \
        (void)c;                                                    \
        return SYS_CALL_##argc(sys_##name, c);                      \
    }
#include <courier/abi/syscalls.def>
#undef CR_SYSCALL

typedef int64_t (*syscall_fn)(const struct arch_context *ctx);

static const syscall_fn syscall_table[] = {
#define CR_SYSCALL(name, num, argc) [num] = call_##name,
#include <courier/abi/syscalls.def>
#undef CR_SYSCALL
};

/* Numbers are 1..N with no gap (the hot path calls any entry in range without a check). */
enum {
#define CR_SYSCALL(name, num, argc) +1
    SYSCALL_DEFINED = 0
#include <courier/abi/syscalls.def>
#undef CR_SYSCALL
};
_Static_assert(SYSCALL_DEFINED == ARRAY_SIZE(syscall_table) - 1, "syscalls.def has a gap");

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

/* Stores the handler's result, or makes the thread execute call nr again (-ERESTART). */
static inline void
finish(struct tcb *t, int64_t nr, int64_t rc)
{
    if (UNLIKELY(rc <= -ERESTART && rc >= -EJUSTRETURN)) {
        if (rc == -ERESTART) {
            arch_context_restart_syscall(&t->ctx, (uint64_t)nr);
        }
        return;
    }
    arch_context_set_result(&t->ctx, rc);
}

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
    uint64_t num = 0 - (uint64_t)nr;
    if (num >= ARRAY_SIZE(syscall_table)) {
        arch_context_set_result(&t->ctx, -CR_ENOSYS); /* INT64_MIN too */
        return;
    }
    /* A timeout applies to this one call (timeout_set itself may set the next one). */
    t->timeout_call = t->timeout_next;
    t->timeout_next = 0;
    int64_t rc = syscall_table[num](&t->ctx);
    if (t->timeout_call != 0) {
        if (rc == -ERESTART) {
            t->timeout_next = t->timeout_call; /* the restarted call keeps its timeout */
        }
        t->timeout_call = 0;
    }
    finish(t, nr, rc);
}

/*
 * Entry from user mode through syscall (entry.S; the running thread's context holds every
 * register). Runs the call: the handler gets its argument registers and its result goes
 * into rax; the register-message handlers try the IPC fast path first
 * (kernel/ipc/fastpath.c), after which another thread is current. Then, when the caller
 * goes back with nothing to decide — still current and ready, no reschedule due, and what
 * arch_syscall_lean_ok asks — returns its context for the lean return; otherwise never
 * returns (sched_exit_to_user). O(1) here.
 */
struct arch_context *
syscall_user(void)
{
    struct cpu *c = this_cpu();
    struct tcb *t = c->current;
    int64_t nr = arch_syscall_number(&t->ctx);
    uint64_t num = 0 - (uint64_t)nr;
    if (UNLIKELY(num - 1 >= ARRAY_SIZE(syscall_table) - 1 || t->timeout_next != 0)) {
        dispatch_slow(t, nr);
    } else {
        finish(t, nr, syscall_table[num](&t->ctx));
    }
    if (LIKELY(c->current == t && !c->resched && t->state == TS_READY &&
               arch_syscall_lean_ok(&t->ctx, tcb_vspace_id(t)))) {
        return &t->ctx;
    }
    sched_exit_to_user();
}
