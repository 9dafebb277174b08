/* SPDX-License-Identifier: MIT */
/*
 * System tests of faults: a thread with a fault channel that touches an unmapped page,
 * executes ud2, divides by zero, runs a privileged instruction or makes a foreign
 * (Linux-numbered) system call is stopped, and fault_recv on the channel reports the kind,
 * vector, address, rip, rsp and the thread's fault badge. The handler then fixes things up
 * (maps the page, moves rip past the instruction, supplies a result) and resumes it. With
 * an upcall entry, a foreign call runs the upcall handler on the thread's own stack
 * instead, and upcall_return resumes the call with the handler's result. The kernel keeps
 * running through all of it.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/bootinfo.h>
#include <courier/abi/caps.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

#define FAULT_BADGE 0xbad9e00dull
#define LINUX_GETPID 39
#define PF_PRESENT 1u
#define PF_WRITE 2u
#define PF_USER 4u

/* A thread with a fault channel and a done notification (both in the arena). */
struct fthread {
    struct tl_thread th;
    cr_cptr_t chan;
    cr_cptr_t done;
};

static bool
fthread_new(struct tl *t, struct fthread *f, tl_thread_fn fn)
{
    f->chan = tl_new(t, CR_OBJ_CHANNEL, 0);
    f->done = tl_new(t, CR_OBJ_NOTIFICATION, 0);
    if (f->done == 0 || !tl_thread_new(t, &f->th, fn, TL_PRIO)) {
        return false;
    }
    f->th.done = f->done;
    return EXPECT_OK(
               cr_tcb_configure(f->th.tcb, CR_CAP_ROOT_CNODE, CR_CAP_ROOT_VSPACE, f->chan, 0)) &&
           EXPECT_OK(cr_tcb_set_fault_badge(f->th.tcb, FAULT_BADGE));
}

/* Waits for f's fault and checks the parts every fault shares. */
static bool
expect_fault(struct fthread *f, struct cr_fault_msg *m, uint32_t kind, uint32_t vector,
             uint64_t rip)
{
    memset(m, 0, sizeof(*m));
    if (!EXPECT_OK(tl_fault_wait(f->chan, m, 0, 0))) {
        return false;
    }
    bool ok = EXPECT_EQ(m->kind, kind);
    ok &= EXPECT_EQ(m->vector, vector);
    ok &= EXPECT_EQ(m->badge, FAULT_BADGE);
    ok &= EXPECT_EQ(m->rip, rip);
    ok &= EXPECT_TRUE(m->rsp < f->th.stack_top && m->rsp > f->th.stack_top - 4 * CR_PAGE_SIZE);
    /* Only one message per fault. */
    struct cr_fault_msg again;
    ok &= EXPECT_ERR(-CR_EAGAIN, cr_fault_recv(f->chan, CR_UPTR(&again), 1));
    return ok;
}

/* Moves f's thread to `rip` and resumes it. */
static void
resume_at(struct fthread *f, uint64_t rip)
{
    struct cr_regs r;
    if (EXPECT_OK(cr_tcb_read_regs(f->th.tcb, CR_UPTR(&r)))) {
        r.rip = rip;
        EXPECT_OK(cr_tcb_write_regs(f->th.tcb, CR_UPTR(&r), CR_REGS_RESUME));
    }
}

static void
load_arg(struct tl_thread *th)
{
    th->out[0] = tf_load((const volatile uint64_t *)(uintptr_t)th->arg[0]);
}

TEST(fault_page_then_map_and_resume)
{
    struct tl t;
    struct fthread f;
    if (!tl_begin(&t)) {
        return;
    }
    uint64_t va = tl_va(&t, 1);
    if (va == 0 || !fthread_new(&t, &f, load_arg)) {
        goto out;
    }
    f.th.arg[0] = va + 0x18;
    if (!tl_thread_start(&f.th)) {
        goto out;
    }
    struct cr_fault_msg m;
    if (!expect_fault(&f, &m, CR_FAULT_PAGE, 14, TL_ADDR(tf_load_insn))) {
        goto out;
    }
    EXPECT_EQ(m.addr, va + 0x18);
    EXPECT_EQ(m.code & (PF_PRESENT | PF_WRITE | PF_USER), PF_USER);
    /* Map a page there and let the thread retry the load. */
    cr_cptr_t fr = tl_new(&t, CR_OBJ_FRAME, 12);
    if (!EXPECT_OK(tl_map_at(fr, va, CR_RIGHT_READ | CR_RIGHT_WRITE))) {
        goto out;
    }
    ((volatile uint64_t *)(uintptr_t)va)[3] = 0x5555aaaa;
    EXPECT_EQ(f.th.finished, 0);
    EXPECT_OK(cr_tcb_resume(f.th.tcb));
    EXPECT_OK(tl_wait(f.done, NULL, 0, 0));
    EXPECT_EQ(f.th.out[0], 0x5555aaaa);
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}

static void
store_arg(struct tl_thread *th)
{
    tf_store((volatile uint64_t *)(uintptr_t)th->arg[0], th->arg[1]);
}

TEST(fault_page_write_to_readonly)
{
    struct tl t;
    struct fthread f;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t fr;
    volatile uint64_t *p = tl_map(&t, CR_RIGHT_READ, &fr);
    if (p == NULL || !fthread_new(&t, &f, store_arg)) {
        goto out;
    }
    f.th.arg[0] = (uint64_t)(uintptr_t)p;
    f.th.arg[1] = 77;
    if (!tl_thread_start(&f.th)) {
        goto out;
    }
    struct cr_fault_msg m;
    if (expect_fault(&f, &m, CR_FAULT_PAGE, 14, TL_ADDR(tf_store_insn))) {
        EXPECT_EQ(m.addr, (uint64_t)(uintptr_t)p);
        EXPECT_EQ(m.code & (PF_PRESENT | PF_WRITE | PF_USER), PF_PRESENT | PF_WRITE | PF_USER);
    }
    /* Resuming without a fix faults again at the same place. */
    EXPECT_OK(cr_tcb_resume(f.th.tcb));
    if (expect_fault(&f, &m, CR_FAULT_PAGE, 14, TL_ADDR(tf_store_insn))) {
        EXPECT_EQ(m.addr, (uint64_t)(uintptr_t)p);
    }
    /* Now make it writable. */
    EXPECT_OK(cr_vspace_remap(fr, CR_RIGHT_READ | CR_RIGHT_WRITE));
    EXPECT_OK(cr_tcb_resume(f.th.tcb));
    EXPECT_OK(tl_wait(f.done, NULL, 0, 0));
    EXPECT_EQ(p[0], 77);
out:
    tl_end(&t);
}

static void
do_ud2(struct tl_thread *th)
{
    tf_ud2();
    th->out[0] = 1;
}

static void
do_div0(struct tl_thread *th)
{
    tf_div0();
    th->out[0] = 1;
}

static void
do_hlt(struct tl_thread *th)
{
    tf_hlt();
    th->out[0] = 1;
}

static void
do_cli(struct tl_thread *th)
{
    tf_cli();
    th->out[0] = 1;
}

/* Runs fn in a faulting thread, checks the fault, skips the instruction, sees it finish. */
static void
fault_and_skip(tl_thread_fn fn, uint32_t kind, uint32_t vector, char *insn, char *next)
{
    struct tl t;
    struct fthread f;
    if (!tl_begin(&t)) {
        return;
    }
    if (!fthread_new(&t, &f, fn) || !tl_thread_start(&f.th)) {
        goto out;
    }
    struct cr_fault_msg m;
    if (!expect_fault(&f, &m, kind, vector, TL_ADDR(insn))) {
        goto out;
    }
    EXPECT_EQ(m.addr, 0);
    /* The faulting instruction is retried on a plain resume. */
    EXPECT_OK(cr_tcb_resume(f.th.tcb));
    if (!expect_fault(&f, &m, kind, vector, TL_ADDR(insn))) {
        goto out;
    }
    resume_at(&f, TL_ADDR(next));
    EXPECT_OK(tl_wait(f.done, NULL, 0, 0));
    EXPECT_EQ(f.th.out[0], 1);
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}

TEST(fault_ud2)
{
    fault_and_skip(do_ud2, CR_FAULT_UD, 6, tf_ud2_insn, tf_ud2_next);
}

TEST(fault_divide_by_zero)
{
    fault_and_skip(do_div0, CR_FAULT_DIV, 0, tf_div0_insn, tf_div0_next);
}

TEST(fault_privileged_hlt)
{
    fault_and_skip(do_hlt, CR_FAULT_GP, 13, tf_hlt_insn, tf_hlt_next);
}

TEST(fault_privileged_cli)
{
    fault_and_skip(do_cli, CR_FAULT_GP, 13, tf_cli_insn, tf_cli_next);
}

static void
do_foreign(struct tl_thread *th)
{
    th->out[0] = (uint64_t)tf_foreign(LINUX_GETPID, 0x77);
}

TEST(fault_foreign_syscall_without_upcall)
{
    struct tl t;
    struct fthread f;
    if (!tl_begin(&t)) {
        return;
    }
    if (!fthread_new(&t, &f, do_foreign) || !tl_thread_start(&f.th)) {
        goto out;
    }
    struct cr_fault_msg m;
    /* The reported rip is where the thread continues: after the syscall instruction. */
    if (!expect_fault(&f, &m, CR_FAULT_FOREIGN, 0, TL_ADDR(tf_foreign_next))) {
        goto out;
    }
    EXPECT_EQ(m.code, LINUX_GETPID);
    /* Emulate the call: supply its result in rax and resume. */
    struct cr_regs r;
    if (EXPECT_OK(cr_tcb_read_regs(f.th.tcb, CR_UPTR(&r)))) {
        EXPECT_EQ(r.rax, LINUX_GETPID);
        EXPECT_EQ(r.rdi, 0x77);
        EXPECT_EQ(r.rip, TL_ADDR(tf_foreign_next));
        r.rax = 4321;
        EXPECT_OK(cr_tcb_write_regs(f.th.tcb, CR_UPTR(&r), CR_REGS_RESUME));
    }
    EXPECT_OK(tl_wait(f.done, NULL, 0, 0));
    EXPECT_EQ(f.th.out[0], 4321);
out:
    tl_end(&t);
}

/* The thread whose upcall runs (one at a time: the handler finds it here). */
static struct tl_thread *upcall_thread;

static void
upcall_handler(struct cr_upcall_frame *frame)
{
    struct tl_thread *th = upcall_thread;
    uint64_t sp;
    __asm__ volatile("movq %%rsp, %0" : "=r"(sp));
    th->out[1] = frame->regs.rax;
    th->out[2] = frame->regs.rdi;
    th->out[3] = frame->magic;
    th->out[4] = (uint64_t)(uintptr_t)frame;
    th->out[5] = frame->regs.rsp;
    th->out[6] = sp;
    /* Bad frames are refused and the handler goes on. */
    struct cr_upcall_frame copy = *frame;
    copy.magic ^= 1;
    int64_t bad = cr_upcall_return(CR_UPTR(&copy));
    int64_t fault = cr_upcall_return(0);
    th->out[7] = (uint64_t)(bad == -CR_EINVAL && fault == -CR_EFAULT);
    frame->regs.rax = 1234;
    cr_upcall_return(CR_UPTR(frame));
    th->out[7] = 0xdead; /* not reached */
    for (;;) {
        cr_tcb_suspend(th->self);
    }
}

TEST(fault_foreign_syscall_upcall)
{
    struct tl t;
    struct fthread f;
    if (!tl_begin(&t)) {
        return;
    }
    if (!fthread_new(&t, &f, do_foreign)) {
        goto out;
    }
    EXPECT_ERR(-CR_EINVAL, cr_tcb_set_upcall(f.th.tcb, 0xffff800000001000ull));
    EXPECT_ERR(-CR_EINVAL, cr_tcb_set_upcall(f.th.tcb, 0x10));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_tcb_set_upcall(f.chan, TL_ADDR(upcall_handler)));
    EXPECT_OK(cr_tcb_set_upcall(f.th.tcb, TL_ADDR(upcall_handler)));
    upcall_thread = &f.th;
    if (!tl_thread_start(&f.th)) {
        goto out;
    }
    EXPECT_OK(tl_wait(f.done, NULL, 0, 0));
    EXPECT_EQ(f.th.out[0], 1234);
    EXPECT_EQ(f.th.out[1], LINUX_GETPID);
    EXPECT_EQ(f.th.out[2], 0x77);
    EXPECT_EQ(f.th.out[3], CR_UPCALL_MAGIC);
    uint64_t frame = f.th.out[4];
    EXPECT_EQ(frame % 16, 0);
    /* The frame is below the thread's stack pointer and its red zone, on its stack. */
    EXPECT_TRUE(frame + sizeof(struct cr_upcall_frame) + 128 <= f.th.out[5]);
    EXPECT_TRUE(frame > f.th.stack_top - 4 * CR_PAGE_SIZE);
    EXPECT_TRUE(f.th.out[6] < frame);
    EXPECT_EQ(f.th.out[7], 1);
    /* No fault was reported. */
    struct cr_fault_msg m;
    EXPECT_ERR(-CR_EAGAIN, cr_fault_recv(f.chan, CR_UPTR(&m), 1));
    /* With the upcall cleared, the same call is a fault again. */
    EXPECT_OK(cr_tcb_set_upcall(f.th.tcb, 0));
    if (tl_thread_start(&f.th)) {
        if (expect_fault(&f, &m, CR_FAULT_FOREIGN, 0, TL_ADDR(tf_foreign_next))) {
            EXPECT_EQ(m.code, LINUX_GETPID);
        }
    }
out:
    upcall_thread = NULL;
    tl_end(&t);
}

TEST(fault_upcall_bad_stack_faults)
{
    struct tl t;
    struct fthread f;
    if (!tl_begin(&t)) {
        return;
    }
    if (!fthread_new(&t, &f, do_foreign)) {
        goto out;
    }
    EXPECT_OK(cr_tcb_set_upcall(f.th.tcb, TL_ADDR(upcall_handler)));
    upcall_thread = &f.th;
    /* Start with rsp in an unmapped hole: the frame cannot be pushed, so it is a fault. */
    uint64_t hole = tl_va(&t, 2) + 2 * CR_PAGE_SIZE - 64;
    if (!tl_thread_prepare(&f.th)) {
        goto out;
    }
    struct cr_regs r;
    EXPECT_OK(cr_tcb_read_regs(f.th.tcb, CR_UPTR(&r)));
    r.rip = TL_ADDR(tf_foreign);
    r.rdi = LINUX_GETPID;
    r.rsp = hole;
    EXPECT_OK(cr_tcb_write_regs(f.th.tcb, CR_UPTR(&r), CR_REGS_RESUME));
    struct cr_fault_msg m;
    if (EXPECT_OK(tl_fault_wait(f.chan, &m, 0, 0))) {
        EXPECT_EQ(m.kind, CR_FAULT_FOREIGN);
        EXPECT_EQ(m.code, LINUX_GETPID);
        EXPECT_EQ(f.th.out[1], 0);
    }
    EXPECT_EQ(cr_null(), 0);
out:
    upcall_thread = NULL;
    tl_end(&t);
}

TEST(fault_recv_errors)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ch = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t wr = ch != 0 ? tl_copy(&t, ch, CR_RIGHT_WRITE) : 0;
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    struct cr_fault_msg m;
    EXPECT_ERR(-CR_EAGAIN, cr_fault_recv(ch, CR_UPTR(&m), 1));
    EXPECT_ERR(-CR_EPERM, cr_fault_recv(wr, CR_UPTR(&m), 1));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_fault_recv(n, CR_UPTR(&m), 1));
    EXPECT_ERR(-CR_EINVAL, cr_fault_recv(ch, CR_UPTR(&m), 2));
    EXPECT_ERR(-CR_EINVAL, cr_fault_recv(ch, CR_UPTR(&m), ~0ull));
    EXPECT_ERR(-CR_EFAULT, cr_fault_recv(ch, 0, 1));
    EXPECT_ERR(-CR_EFAULT, cr_fault_recv(ch, CR_BOOTINFO_VADDR, 1));
    EXPECT_ERR(-CR_EFAULT, cr_fault_recv(ch, 0xffff800000000000ull, 0));
    EXPECT_ERR(-CR_ENOCAP, cr_fault_recv(tl_slot(&t), CR_UPTR(&m), 1));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_tcb_set_fault_badge(ch, 1));
    tl_end(&t);
}

TEST(fault_blocking_recv_wakes)
{
    struct tl t;
    struct fthread f;
    if (!tl_begin(&t)) {
        return;
    }
    if (!fthread_new(&t, &f, do_ud2) || !tl_thread_start(&f.th)) {
        goto out;
    }
    /* The root blocks in fault_recv; the thread (lower priority) then runs and faults. */
    struct cr_fault_msg m;
    memset(&m, 0, sizeof(m));
    EXPECT_OK(cr_fault_recv(f.chan, CR_UPTR(&m), 0));
    EXPECT_EQ(m.kind, CR_FAULT_UD);
    EXPECT_EQ(m.rip, TL_ADDR(tf_ud2_insn));
    EXPECT_EQ(m.badge, FAULT_BADGE);
out:
    tl_end(&t);
}

TEST(fault_two_threads_one_channel)
{
    struct tl t;
    struct fthread a;
    struct fthread b;
    if (!tl_begin(&t)) {
        return;
    }
    if (!fthread_new(&t, &a, do_ud2) || !fthread_new(&t, &b, do_div0)) {
        goto out;
    }
    /* Both report to a's channel, told apart by their badges. */
    EXPECT_OK(cr_tcb_configure(b.th.tcb, CR_CAP_ROOT_CNODE, CR_CAP_ROOT_VSPACE, a.chan, 0));
    EXPECT_OK(cr_tcb_set_fault_badge(a.th.tcb, 0xa));
    EXPECT_OK(cr_tcb_set_fault_badge(b.th.tcb, 0xb));
    tl_thread_start(&a.th);
    tl_thread_start(&b.th);
    tl_pause(TL_PRIO, 2);
    struct cr_fault_msg m1;
    struct cr_fault_msg m2;
    struct cr_fault_msg m3;
    EXPECT_OK(cr_fault_recv(a.chan, CR_UPTR(&m1), 1));
    EXPECT_OK(cr_fault_recv(a.chan, CR_UPTR(&m2), 1));
    EXPECT_ERR(-CR_EAGAIN, cr_fault_recv(a.chan, CR_UPTR(&m3), 1));
    EXPECT_EQ(m1.badge, 0xa);
    EXPECT_EQ(m1.kind, CR_FAULT_UD);
    EXPECT_EQ(m2.badge, 0xb);
    EXPECT_EQ(m2.kind, CR_FAULT_DIV);
out:
    tl_end(&t);
}

TEST(fault_without_channel_stops_thread)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    if (!tl_thread_new(&t, &th, do_ud2, TL_PRIO) || !tl_thread_start(&th)) {
        goto out;
    }
    /* No handler: the kernel logs the fault and leaves the thread suspended. */
    tl_pause(TL_PRIO, 2);
    EXPECT_EQ(th.out[0], 0);
    struct cr_regs r;
    EXPECT_OK(cr_tcb_read_regs(th.tcb, CR_UPTR(&r)));
    EXPECT_EQ(r.rip, TL_ADDR(tf_ud2_insn));
    /* And can be restarted past the fault by hand. */
    r.rip = TL_ADDR(tf_ud2_next);
    EXPECT_OK(cr_tcb_write_regs(th.tcb, CR_UPTR(&r), CR_REGS_RESUME));
    EXPECT_TRUE(tl_wait_word(&th.finished, 1, TL_PRIO, 0));
    EXPECT_EQ(th.out[0], 1);
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}

TEST(fault_channel_deleted_while_queued)
{
    struct tl t;
    struct fthread f;
    if (!tl_begin(&t)) {
        return;
    }
    if (!fthread_new(&t, &f, do_ud2) || !tl_thread_start(&f.th)) {
        goto out;
    }
    tl_pause(TL_PRIO, 2);
    /* The fault is queued on the channel; the channel goes away (the TCB holds a copy, so
     * delete that first by reconfiguring without a fault channel). */
    EXPECT_OK(cr_tcb_configure(f.th.tcb, CR_CAP_ROOT_CNODE, CR_CAP_ROOT_VSPACE, 0, 0));
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, f.chan));
    EXPECT_EQ(cr_null(), 0);
    /* The thread stays stopped and can still be restarted past the fault. */
    EXPECT_EQ(f.th.out[0], 0);
    resume_at(&f, TL_ADDR(tf_ud2_next));
    EXPECT_OK(tl_wait(f.done, NULL, 0, 0));
    EXPECT_EQ(f.th.out[0], 1);
out:
    tl_end(&t);
}

/* ---- other exceptions ---- */

static void
do_int3(struct tl_thread *th)
{
    tf_int3();
    th->out[0] = 1;
}

static void
do_int80(struct tl_thread *th)
{
    tf_int80();
    th->out[0] = 1;
}

static void
do_x87_div0(struct tl_thread *th)
{
    tf_x87_div0();
    th->out[0] = 1;
}

static void
do_bad_stack(struct tl_thread *th)
{
    tf_bad_stack();
    th->out[0] = 1;
}

/*
 * A software interrupt other than int3 (here int $0x80, Linux's old system-call gate) from
 * user mode: those IDT gates are kernel-only (DPL 0), so it arrives as #GP with an error
 * code that names the IDT entry (bit 1 set; the index scaling differs between CPUs and
 * emulators, so only the flag bits are checked), at the instruction itself. Skipping it
 * resumes the thread.
 */
static void
soft_int_is_gp(tl_thread_fn fn, char *insn, char *next)
{
    struct tl t;
    struct fthread f;
    if (!tl_begin(&t)) {
        return;
    }
    if (!fthread_new(&t, &f, fn) || !tl_thread_start(&f.th)) {
        goto out;
    }
    struct cr_fault_msg m;
    if (expect_fault(&f, &m, CR_FAULT_GP, 13, TL_ADDR(insn))) {
        EXPECT_EQ(m.code & 7, 2);
        EXPECT_TRUE(m.code != 2);
        resume_at(&f, TL_ADDR(next));
        EXPECT_OK(tl_wait(f.done, NULL, 0, 0));
        EXPECT_EQ(f.th.out[0], 1);
    }
out:
    tl_end(&t);
}

TEST(fault_int3_is_breakpoint)
{
    struct tl t;
    struct fthread f;
    if (!tl_begin(&t)) {
        return;
    }
    if (!fthread_new(&t, &f, do_int3) || !tl_thread_start(&f.th)) {
        goto out;
    }
    struct cr_fault_msg m;
    /* A trap: the reported rip is already past the int3; resuming there goes on. */
    if (expect_fault(&f, &m, CR_FAULT_DEBUG, 3, TL_ADDR(tf_int3_next))) {
        EXPECT_OK(cr_tcb_resume(f.th.tcb));
        EXPECT_OK(tl_wait(f.done, NULL, 0, 0));
        EXPECT_EQ(f.th.out[0], 1);
    }
out:
    tl_end(&t);
}

TEST(fault_int80_is_gp)
{
    soft_int_is_gp(do_int80, tf_int80_insn, tf_int80_next);
}

TEST(fault_x87_exception)
{
    fault_and_skip(do_x87_div0, CR_FAULT_FPU, 16, tf_x87_div0_insn, tf_x87_div0_next);
}

TEST(fault_noncanonical_stack)
{
    struct tl t;
    struct fthread f;
    if (!tl_begin(&t)) {
        return;
    }
    if (!fthread_new(&t, &f, do_bad_stack) || !tl_thread_start(&f.th)) {
        goto out;
    }
    struct cr_fault_msg m;
    memset(&m, 0, sizeof(m));
    /* A push through a non-canonical rsp is a stack fault (#SS), or #GP on some CPUs. */
    if (EXPECT_OK(tl_fault_wait(f.chan, &m, 0, 0))) {
        EXPECT_TRUE((m.kind == CR_FAULT_OTHER && m.vector == 12) ||
                    (m.kind == CR_FAULT_GP && m.vector == 13));
        EXPECT_EQ(m.rip, TL_ADDR(tf_bad_stack_insn));
        EXPECT_EQ(m.rsp, 0x0000800000000040ull);
        EXPECT_EQ(m.badge, FAULT_BADGE);
    }
    /* Resumed past the push with rsp still non-canonical: the next instruction repairs it.
     * The kernel must get back to user mode with that rsp without tripping itself. */
    resume_at(&f, TL_ADDR(tf_bad_stack_next));
    EXPECT_OK(tl_wait(f.done, NULL, 0, 0));
    EXPECT_EQ(f.th.out[0], 1);
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}

static void
single_step_victim(struct tl_thread *th)
{
    th->out[0] = 1;
}

TEST(fault_single_step_trap)
{
    struct tl t;
    struct fthread f;
    if (!tl_begin(&t)) {
        return;
    }
    if (!fthread_new(&t, &f, single_step_victim) || !tl_thread_prepare(&f.th)) {
        goto out;
    }
    /* TF is a flag user code may set: one instruction, then a debug trap. */
    struct cr_regs r;
    EXPECT_OK(cr_tcb_read_regs(f.th.tcb, CR_UPTR(&r)));
    r.rflags |= 0x100;
    EXPECT_OK(cr_tcb_write_regs(f.th.tcb, CR_UPTR(&r), CR_REGS_RESUME));
    struct cr_fault_msg m;
    if (EXPECT_OK(tl_fault_wait(f.chan, &m, 0, 0))) {
        EXPECT_EQ(m.kind, CR_FAULT_DEBUG);
        EXPECT_EQ(m.vector, 1);
        EXPECT_TRUE(m.rip > TL_ADDR(single_step_victim));
        EXPECT_EQ(m.badge, FAULT_BADGE);
    }
    /* Clear TF and let it finish. */
    EXPECT_OK(cr_tcb_read_regs(f.th.tcb, CR_UPTR(&r)));
    r.rflags &= ~0x100ull;
    EXPECT_OK(cr_tcb_write_regs(f.th.tcb, CR_UPTR(&r), CR_REGS_RESUME));
    EXPECT_OK(tl_wait(f.done, NULL, 0, 0));
    EXPECT_EQ(f.th.out[0], 1);
out:
    tl_end(&t);
}

static void
delete_slot(struct tl_thread *th)
{
    th->out[0] = (uint64_t)cr_cap_delete(CR_CAP_ROOT_CNODE, th->arg[0]);
}

TEST(fault_recv_channel_deleted_erevoked)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ch = tl_new(&t, CR_OBJ_CHANNEL, 0);
    if (ch == 0 || !tl_thread_new(&t, &th, delete_slot, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = ch;
    if (!tl_thread_start(&th)) {
        goto out;
    }
    /* The root blocks; the helper (lower priority) runs and deletes the channel. */
    struct cr_fault_msg m;
    EXPECT_ERR(-CR_EREVOKED, cr_fault_recv(ch, CR_UPTR(&m), 0));
    EXPECT_TRUE(tl_wait_word(&th.finished, 1, TL_PRIO, 0));
    EXPECT_OK((int64_t)th.out[0]);
    EXPECT_EQ(tl_type(ch), CR_OBJ_NULL);
out:
    tl_end(&t);
}

static void
recv_once(struct tl_thread *th)
{
    struct cr_fault_msg m;
    th->out[0] = 1;
    th->out[1] = (uint64_t)cr_fault_recv(th->arg[0], CR_UPTR(&m), 0);
}

TEST(fault_recv_suspended_receiver_returns_eintr)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ch = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t d = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (d == 0 || !tl_thread_new(&t, &th, recv_once, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = ch;
    th.done = d;
    if (!tl_thread_start(&th) || !EXPECT_TRUE(tl_wait_word(&th.out[0], 1, TL_PRIO, 0))) {
        goto out;
    }
    tl_pause(TL_PRIO, 1);
    EXPECT_OK(cr_tcb_suspend(th.tcb));
    EXPECT_OK(cr_tcb_resume(th.tcb));
    EXPECT_OK(tl_wait(d, NULL, 0, 0));
    EXPECT_ERR(-CR_EINTR, (int64_t)th.out[1]);
out:
    tl_end(&t);
}
