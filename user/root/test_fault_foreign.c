/* SPDX-License-Identifier: MIT */
/*
 * System tests of faults, part two: foreign (Linux-numbered) system calls. Without an
 * upcall entry the call stops the thread and is reported on its fault channel, and the
 * handler supplies the result. With one, the upcall handler runs on the thread's own stack
 * instead, and upcall_return resumes the call with the handler's result; a stack that
 * cannot take the upcall frame makes it a fault again. The fault tests' thread is in
 * test_fault.h.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/caps.h>
#include <courier/sys.h>

#include "test_fault.h"
#include "testlib.h"

#define LINUX_GETPID 39

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
    if (!fthread_expect_fault(&f, &m, CR_FAULT_FOREIGN, 0, TL_ADDR(tf_foreign_next))) {
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
        if (fthread_expect_fault(&f, &m, CR_FAULT_FOREIGN, 0, TL_ADDR(tf_foreign_next))) {
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
