/* SPDX-License-Identifier: MIT */
/*
 * System tests of faults, part one: a thread with a fault channel that touches an unmapped
 * or read-only page, executes ud2, divides by zero, runs a privileged instruction, hits
 * int3, int $0x80, an x87 exception, a non-canonical stack or a single-step trap is
 * stopped, and fault_recv on the channel reports the kind, vector, address, rip, rsp and
 * the thread's fault badge. The handler then fixes things up (maps the page, moves rip
 * past the instruction) and resumes it. The kernel keeps running through all of it. This
 * file also defines the fault tests' thread (test_fault.h); foreign system calls and
 * upcalls are in test_fault_foreign.c, fault_recv itself and the fault channel in
 * test_fault_recv.c.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/caps.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "test_fault.h"
#include "testlib.h"

#define PF_PRESENT 1u
#define PF_WRITE 2u
#define PF_USER 4u

/* Makes f: its channel and notification in t's arena, its thread of fn at TL_PRIO. */
bool
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

/* Waits for f's fault and checks the parts every fault shares; false if one differs. */
bool
fthread_expect_fault(struct fthread *f, struct cr_fault_msg *m, uint32_t kind, uint32_t vector,
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
void
fthread_resume_at(struct fthread *f, uint64_t rip)
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
    if (!fthread_expect_fault(&f, &m, CR_FAULT_PAGE, 14, TL_ADDR(tf_load_insn))) {
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
    if (fthread_expect_fault(&f, &m, CR_FAULT_PAGE, 14, TL_ADDR(tf_store_insn))) {
        EXPECT_EQ(m.addr, (uint64_t)(uintptr_t)p);
        EXPECT_EQ(m.code & (PF_PRESENT | PF_WRITE | PF_USER), PF_PRESENT | PF_WRITE | PF_USER);
    }
    /* Resuming without a fix faults again at the same place. */
    EXPECT_OK(cr_tcb_resume(f.th.tcb));
    if (fthread_expect_fault(&f, &m, CR_FAULT_PAGE, 14, TL_ADDR(tf_store_insn))) {
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

/* Thread bodies that fault at tf_ud2_insn and tf_div0_insn; resumed past it, out[0] = 1. */
void
fthread_do_ud2(struct tl_thread *th)
{
    tf_ud2();
    th->out[0] = 1;
}

void
fthread_do_div0(struct tl_thread *th)
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
    if (!fthread_expect_fault(&f, &m, kind, vector, TL_ADDR(insn))) {
        goto out;
    }
    EXPECT_EQ(m.addr, 0);
    /* The faulting instruction is retried on a plain resume. */
    EXPECT_OK(cr_tcb_resume(f.th.tcb));
    if (!fthread_expect_fault(&f, &m, kind, vector, TL_ADDR(insn))) {
        goto out;
    }
    fthread_resume_at(&f, TL_ADDR(next));
    EXPECT_OK(tl_wait(f.done, NULL, 0, 0));
    EXPECT_EQ(f.th.out[0], 1);
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}

TEST(fault_ud2)
{
    fault_and_skip(fthread_do_ud2, CR_FAULT_UD, 6, tf_ud2_insn, tf_ud2_next);
}

TEST(fault_divide_by_zero)
{
    fault_and_skip(fthread_do_div0, CR_FAULT_DIV, 0, tf_div0_insn, tf_div0_next);
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
    if (fthread_expect_fault(&f, &m, CR_FAULT_GP, 13, TL_ADDR(insn))) {
        EXPECT_EQ(m.code & 7, 2);
        EXPECT_TRUE(m.code != 2);
        fthread_resume_at(&f, TL_ADDR(next));
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
    if (fthread_expect_fault(&f, &m, CR_FAULT_DEBUG, 3, TL_ADDR(tf_int3_next))) {
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
    fthread_resume_at(&f, TL_ADDR(tf_bad_stack_next));
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
