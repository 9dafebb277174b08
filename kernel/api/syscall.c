/* SPDX-License-Identifier: MIT */
/*
 * System-call dispatch. rax < 0 is native call -rax, looked up in the table generated
 * from syscalls.def (each entry unpacks the argument words into the handler's real
 * prototype, so a handler with the wrong signature does not compile). rax >= 0 is a
 * foreign call: redirected to the thread's upcall entry with its registers saved in a
 * frame on its own stack, or reported to its fault channel when it has no upcall.
 * A handler returning -ERESTART was preempted; the thread re-executes the call.
 */
#include <kernel/syscall.h>
#include <kernel/errors.h>
#include <kernel/sched.h>
#include <kernel/tcb.h>
#include <kernel/usercopy.h>
#include <arch/cpu.h>
#include <courier/abi/syscall_nr.h>

#define SYS_CALL_0(f, a) f()
#define SYS_CALL_1(f, a) f(a[0])
#define SYS_CALL_2(f, a) f(a[0], a[1])
#define SYS_CALL_3(f, a) f(a[0], a[1], a[2])
#define SYS_CALL_4(f, a) f(a[0], a[1], a[2], a[3])
#define SYS_CALL_5(f, a) f(a[0], a[1], a[2], a[3], a[4])
#define SYS_CALL_6(f, a) f(a[0], a[1], a[2], a[3], a[4], a[5])

#define CR_SYSCALL(name, num, argc)                    \
    static int64_t call_##name(const uint64_t *a)      \
    {                                                  \
        (void)a;                                       \
        return SYS_CALL_##argc(sys_##name, a);         \
    }
#include <courier/abi/syscalls.def>
#undef CR_SYSCALL

typedef int64_t (*syscall_fn)(const uint64_t *args);

static const syscall_fn syscall_table[] = {
#define CR_SYSCALL(name, num, argc) [num] = call_##name,
#include <courier/abi/syscalls.def>
#undef CR_SYSCALL
};

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

/* Runs the system call thread t just made (t is the current thread). */
void
syscall_dispatch(struct tcb *t)
{
    int64_t nr = arch_syscall_number(&t->ctx);
    if (nr >= 0) {
        struct cr_regs r;
        arch_context_get_regs(&t->ctx, &r);
        foreign_call(t, &r);
        return;
    }
    uint64_t num = 0 - (uint64_t)nr;
    if ((num == CR_SYS_msg_send_regs || num == CR_SYS_msg_reply_recv_regs) &&
        ipc_fastpath(t, num)) {
        return; /* done; another thread is current now (kernel/ipc/fastpath.c) */
    }
    int64_t rc;
    /* A timeout applies to this one call (timeout_set itself may set the next one). */
    if (UNLIKELY(t->timeout_next != 0)) {
        t->timeout_call = t->timeout_next;
        t->timeout_next = 0;
    }
    if (LIKELY(num < ARRAY_SIZE(syscall_table) && syscall_table[num] != NULL)) {
        uint64_t args[6];
        arch_syscall_args(&t->ctx, args);
        rc = syscall_table[num](args);
    } else {
        rc = -CR_ENOSYS;
    }
    if (UNLIKELY(t->timeout_call != 0)) {
        if (rc == -ERESTART) {
            t->timeout_next = t->timeout_call; /* the restarted call keeps its timeout */
        }
        t->timeout_call = 0;
    }
    if (num == CR_SYS_upcall_return && rc == 0) {
        return; /* the whole context, rax included, was restored from the frame */
    }
    if (rc == -ERESTART) {
        arch_context_restart_syscall(&t->ctx, (uint64_t)nr);
        return;
    }
    arch_context_set_result(&t->ctx, rc);
}
