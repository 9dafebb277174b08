/* SPDX-License-Identifier: MIT */
/*
 * System tests of a thread's registers through its TCB: read/write round trip, the
 * sanitising of rflags (no IOPL, interrupts always on), the rules about the caller's own
 * TCB and bad pointers, thread-local storage (tcb_set_tls and %fs), and write_regs
 * pulling a thread out of a blocking call.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/bootinfo.h>
#include <courier/abi/caps.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

#define RFLAGS_IOPL 0x3000ull
#define RFLAGS_IF 0x200ull

static void
fill_regs(struct cr_regs *r)
{
    uint64_t *w = (uint64_t *)r;
    for (unsigned i = 0; i < sizeof(*r) / 8; i++) {
        w[i] = 0x0000100000000000ull + i * 0x1111;
    }
    r->rip = TL_ADDR(tf_ud2);
    r->rflags = 0x2 | 0x1 | 0x80 | 0x40; /* CF, SF, ZF */
}

TEST(regs_write_read_round_trip)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t tcb = tl_new(&t, CR_OBJ_TCB, 0);
    struct cr_regs in;
    struct cr_regs back;
    fill_regs(&in);
    if (!EXPECT_OK(cr_tcb_write_regs(tcb, CR_UPTR(&in), 0))) {
        goto out;
    }
    memset(&back, 0x5a, sizeof(back));
    if (!EXPECT_OK(cr_tcb_read_regs(tcb, CR_UPTR(&back)))) {
        goto out;
    }
    EXPECT_EQ(back.rip, in.rip);
    EXPECT_EQ(back.rsp, in.rsp);
    EXPECT_EQ(back.rax, in.rax);
    EXPECT_EQ(back.rbx, in.rbx);
    EXPECT_EQ(back.rcx, in.rcx);
    EXPECT_EQ(back.rdx, in.rdx);
    EXPECT_EQ(back.rsi, in.rsi);
    EXPECT_EQ(back.rdi, in.rdi);
    EXPECT_EQ(back.rbp, in.rbp);
    EXPECT_EQ(back.r8, in.r8);
    EXPECT_EQ(back.r9, in.r9);
    EXPECT_EQ(back.r10, in.r10);
    EXPECT_EQ(back.r11, in.r11);
    EXPECT_EQ(back.r12, in.r12);
    EXPECT_EQ(back.r13, in.r13);
    EXPECT_EQ(back.r14, in.r14);
    EXPECT_EQ(back.r15, in.r15);
    EXPECT_EQ(back.fs_base, in.fs_base);
    EXPECT_EQ(back.rflags & 0xc1, 0xc1);
    EXPECT_TRUE((back.rflags & RFLAGS_IF) != 0);
    /* A second write replaces everything. */
    struct cr_regs zero = { 0 };
    EXPECT_OK(cr_tcb_write_regs(tcb, CR_UPTR(&zero), 0));
    EXPECT_OK(cr_tcb_read_regs(tcb, CR_UPTR(&back)));
    EXPECT_EQ(back.rip, 0);
    EXPECT_EQ(back.r15, 0);
    EXPECT_EQ(back.rflags & ~0x202ull, 0);
out:
    tl_end(&t);
}

TEST(regs_rflags_sanitised)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t tcb = tl_new(&t, CR_OBJ_TCB, 0);
    struct cr_regs r = { .rip = TL_ADDR(tf_ud2) };
    /* IOPL 3, IF clear, NT, RF, VM, VIF, VIP: none may reach the thread. */
    r.rflags =
        RFLAGS_IOPL | 0x4000 | 0x10000 | 0x20000 | 0x80000 | 0x100000 | 0xffffffff00000000ull;
    EXPECT_OK(cr_tcb_write_regs(tcb, CR_UPTR(&r), 0));
    struct cr_regs back;
    EXPECT_OK(cr_tcb_read_regs(tcb, CR_UPTR(&back)));
    EXPECT_EQ(back.rflags & RFLAGS_IOPL, 0);
    EXPECT_TRUE((back.rflags & RFLAGS_IF) != 0);
    EXPECT_EQ(back.rflags & (0x4000 | 0x10000 | 0x20000 | 0x80000 | 0x100000), 0);
    EXPECT_EQ(back.rflags >> 32, 0);
    tl_end(&t);
}

static void
report_iopl(struct tl_thread *th)
{
    uint64_t f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    th->out[0] = f;
}

TEST(regs_rflags_sanitised_running)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (n == 0 || !tl_thread_new(&t, &th, report_iopl, TL_PRIO) || !tl_thread_prepare(&th)) {
        goto out;
    }
    th.done = n;
    struct cr_regs r;
    EXPECT_OK(cr_tcb_read_regs(th.tcb, CR_UPTR(&r)));
    r.rflags = RFLAGS_IOPL | 0x2;
    EXPECT_OK(cr_tcb_write_regs(th.tcb, CR_UPTR(&r), CR_REGS_RESUME));
    EXPECT_OK(tl_wait(n, NULL, 0, 0));
    EXPECT_EQ(th.out[0] & RFLAGS_IOPL, 0);
    EXPECT_TRUE((th.out[0] & RFLAGS_IF) != 0);
out:
    tl_end(&t);
}

TEST(regs_own_tcb_einval)
{
    struct cr_regs r;
    EXPECT_OK(cr_tcb_read_regs(CR_CAP_ROOT_TCB, CR_UPTR(&r)));
    EXPECT_ERR(-CR_EINVAL, cr_tcb_write_regs(CR_CAP_ROOT_TCB, CR_UPTR(&r), 0));
    EXPECT_ERR(-CR_EINVAL, cr_tcb_write_regs(CR_CAP_ROOT_TCB, CR_UPTR(&r), CR_REGS_RESUME));
    EXPECT_ERR(-CR_EINVAL, cr_tcb_write_regs(CR_CAP_ROOT_TCB, 0, 0));
}

TEST(regs_bad_pointer_efault)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t tcb = tl_new(&t, CR_OBJ_TCB, 0);
    uint64_t hole = tl_va(&t, 1);
    static const uint64_t bad[] = {
        0, 8, 0xffff800000000000ull, 0x0000800000000000ull, CR_USER_MAX - 16, ~0ull - 100
    };
    struct cr_regs r = { .rip = 0x1234 };
    EXPECT_OK(cr_tcb_write_regs(tcb, CR_UPTR(&r), 0));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        EXPECT_ERR(-CR_EFAULT, cr_tcb_write_regs(tcb, bad[i], 0));
        EXPECT_ERR(-CR_EFAULT, cr_tcb_read_regs(tcb, bad[i]));
    }
    EXPECT_ERR(-CR_EFAULT, cr_tcb_write_regs(tcb, hole, 0));
    EXPECT_ERR(-CR_EFAULT, cr_tcb_read_regs(tcb, hole));
    /* Readable but not writable: fine to write from, not to read into. */
    EXPECT_ERR(-CR_EFAULT, cr_tcb_read_regs(tcb, CR_BOOTINFO_VADDR));
    /* Straddling into the hole. */
    EXPECT_ERR(-CR_EFAULT, cr_tcb_read_regs(tcb, hole - 8));
    /* Unknown flags. */
    EXPECT_ERR(-CR_EINVAL, cr_tcb_write_regs(tcb, CR_UPTR(&r), 2));
    /* None of the failures changed the registers. */
    struct cr_regs back;
    EXPECT_OK(cr_tcb_read_regs(tcb, CR_UPTR(&back)));
    EXPECT_EQ(back.rip, 0x1234);
    tl_end(&t);
}

static uint64_t tls_block[4] = { 0xfeedfacecafebeefull, 2, 3, 4 };

static void
read_tls(struct tl_thread *th)
{
    th->out[0] = tf_read_fs0();
}

TEST(regs_tls_fs_base)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (n == 0 || !tl_thread_new(&t, &th, read_tls, TL_PRIO)) {
        goto out;
    }
    th.done = n;
    EXPECT_ERR(-CR_EINVAL, cr_tcb_set_tls(th.tcb, CR_USER_MAX));
    EXPECT_ERR(-CR_EINVAL, cr_tcb_set_tls(th.tcb, 0xffff800000000000ull));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_tcb_set_tls(n, TL_ADDR(tls_block)));
    EXPECT_OK(cr_tcb_set_tls(th.tcb, TL_ADDR(tls_block)));
    struct cr_regs r;
    EXPECT_OK(cr_tcb_read_regs(th.tcb, CR_UPTR(&r)));
    EXPECT_EQ(r.fs_base, TL_ADDR(tls_block));
    if (!tl_thread_start(&th)) { /* keeps fs_base */
        goto out;
    }
    EXPECT_OK(tl_wait(n, NULL, 0, 0));
    EXPECT_EQ(th.out[0], 0xfeedfacecafebeefull);
    /* And the root's own %fs is untouched by the switch back. */
    struct cr_regs mine;
    EXPECT_OK(cr_tcb_read_regs(CR_CAP_ROOT_TCB, CR_UPTR(&mine)));
    EXPECT_TRUE(mine.fs_base != TL_ADDR(tls_block));
out:
    tl_end(&t);
}

static void
wait_then_mark(struct tl_thread *th)
{
    uint64_t w = 0;
    th->out[0] = 1;
    th->out[1] = (uint64_t)cr_notify_wait(th->arg[0], CR_UPTR(&w));
    th->out[2] = 1; /* never reached: write_regs abandons the wait */
}

static void
second_entry(struct tl_thread *th)
{
    th->out[3] = 0x5ec0;
}

TEST(regs_write_abandons_blocking_call)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t d = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (d == 0 || !tl_thread_new(&t, &th, wait_then_mark, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = n;
    th.done = d;
    if (!tl_thread_start(&th) || !EXPECT_TRUE(tl_wait_word(&th.out[0], 1, TL_PRIO, 0))) {
        goto out;
    }
    tl_pause(TL_PRIO, 1); /* let it block */
    th.fn = second_entry;
    if (!tl_thread_start(&th)) {
        goto out;
    }
    EXPECT_OK(tl_wait(d, NULL, 0, 0));
    EXPECT_EQ(th.out[3], 0x5ec0);
    EXPECT_EQ(th.out[2], 0);
    /* It is no longer a waiter: a signal stays pending in the word. */
    EXPECT_OK(cr_notify_signal(n));
    uint64_t w = 0;
    EXPECT_OK(cr_notify_poll(n, CR_UPTR(&w)));
    EXPECT_EQ(w, 1);
out:
    tl_end(&t);
}

/*
 * A thread blocked in a system call reports rcx and r11 as its sysretq will leave them:
 * its return address and its rflags (syscall_entry keeps them only in rip and rflags).
 */
TEST(regs_of_a_thread_blocked_in_a_call)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t d = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (d == 0 || !tl_thread_new(&t, &th, wait_then_mark, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = n;
    th.done = d;
    if (!tl_thread_start(&th) || !EXPECT_TRUE(tl_wait_word(&th.out[0], 1, TL_PRIO, 0))) {
        goto out;
    }
    tl_pause(TL_PRIO, 1); /* let it block */
    struct cr_regs r;
    if (EXPECT_OK(cr_tcb_read_regs(th.tcb, CR_UPTR(&r)))) {
        EXPECT_TRUE(r.rip != 0);
        EXPECT_EQ(r.rcx, r.rip);
        EXPECT_EQ(r.r11, r.rflags);
        EXPECT_TRUE((r.rflags & RFLAGS_IF) != 0);
    }
    /* The wait ends normally and the thread finishes. */
    EXPECT_OK(cr_notify_signal(n));
    EXPECT_OK(tl_wait(d, NULL, 0, 0));
    EXPECT_EQ(th.out[1], 0);
    EXPECT_EQ(th.out[2], 1);
out:
    tl_end(&t);
}
