/* SPDX-License-Identifier: MIT */
/*
 * Kernel exit with hostile register state. A thread whose rip is set to a non-canonical
 * address (through tcb_write_regs, as upcall_return could also do) must not make the
 * kernel's own iretq or sysretq fault in ring 0 (the Intel sysret pitfall and its iretq
 * cousin): the thread gets a general-protection fault at that rip instead. A kernel-half
 * (canonical) rip faults in user mode as a page fault. The kernel keeps running.
 * Then the register contract of every kind of return from a system call.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "regcheck.h"
#include "testlib.h"

static void
spin(struct tl_thread *th)
{
    (void)th;
    for (;;) {
        cr_yield();
    }
}

static void
rip_faults(uint64_t rip, uint32_t kind)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    if (chan == 0 || !tl_thread_new(&t, &th, spin, TL_PRIO) ||
        !EXPECT_OK(cr_tcb_configure(th.tcb, CR_CAP_ROOT_CNODE, CR_CAP_ROOT_VSPACE, chan, 0))) {
        tl_end(&t);
        return;
    }
    struct cr_regs r;
    memset(&r, 0, sizeof(r));
    r.rip = rip;
    r.rsp = th.stack_top;
    EXPECT_OK(cr_tcb_write_regs(th.tcb, CR_UPTR(&r), CR_REGS_RESUME));
    struct cr_fault_msg m;
    memset(&m, 0, sizeof(m));
    if (EXPECT_OK(tl_fault_wait(chan, &m, 0, 0))) {
        EXPECT_EQ(kind, m.kind);
        EXPECT_EQ(rip, m.rip);
    }
    EXPECT_OK(cr_null()); /* still alive */
    tl_end(&t);
}

TEST(entry_noncanonical_rip_faults_in_user)
{
    rip_faults(0x0000800000000000ull, CR_FAULT_GP);
    rip_faults(0x8000000000000000ull, CR_FAULT_GP);
}

TEST(entry_kernel_rip_faults_in_user)
{
    rip_faults(0xffffffff80100000ull, CR_FAULT_PAGE);
}

/*
 * The register contract around a system call, register by register (regcheck_call):
 * after the lean return (the null call), after a call that blocked and came back through
 * a switch, on both sides of the IPC fast path's switches, and after a register receive
 * that wrote the message registers without blocking. Each register must hold either the
 * caller's own value or what the ABI says the call leaves there — never a kernel value.
 */
enum {
    PAT = 0x5a5a000000000000ull, /* register i gets PAT + i (no valid pointer) */
    ENTRY_BADGE = 0x77,
};

static void
fill(struct regcheck_set *in, int64_t call)
{
    uint64_t *w = (uint64_t *)in;
    for (unsigned i = 0; i < 15; i++) {
        w[i] = PAT + i;
    }
    in->rax = (uint64_t)call;
}

/* Every register is in's except those in `set` (bits by struct position), which
 * must equal `want`; rcx the return address, r11 and rflags the caller's rflags. */
static void
expect_regs(const struct regcheck_set *in, const struct regcheck_set *out, uint32_t set,
            const struct regcheck_set *want)
{
    const uint64_t *a = (const uint64_t *)in;
    const uint64_t *b = (const uint64_t *)out;
    const uint64_t *w = (const uint64_t *)want;
    for (unsigned i = 0; i < 15; i++) {
        if (i == 2 || i == 10) {
            continue; /* rcx, r11 */
        }
        uint64_t expect = (set & (1u << i)) != 0 ? w[i] : a[i];
        if (expect != b[i]) {
            TEST_FAIL("register %u (rax rbx rcx rdx rsi rdi rbp r8..r15): %lx, want %lx", i,
                      b[i], expect);
        }
    }
    EXPECT_EQ(out->rip, out->rcx);
    EXPECT_EQ(out->rflags_in, out->r11);
    EXPECT_EQ(out->rflags_in, out->rflags);
    EXPECT_EQ(out->rsp_in, out->rsp);
}

enum {
    R_RAX = 1u << 0,
    R_RDX = 1u << 3,
    R_RSI = 1u << 4,
    R_RDI = 1u << 5,
    R_R8 = 1u << 7,
    R_R10 = 1u << 9,
    R_MRS = 0xfu << 11, /* r12..r15 */
};

TEST(entry_registers_after_the_lean_return)
{
    struct regcheck_set in, out, want = { 0 };
    fill(&in, -(int64_t)CR_SYS_null);
    regcheck_call(&in, &out);
    expect_regs(&in, &out, R_RAX, &want);
    /* 0, or EBUSY once the console server owns the serial port (klog_release). */
    want.rax = (uint64_t)cr_debug_putc('\n');
    fill(&in, -(int64_t)CR_SYS_debug_putc);
    in.rdi = '\n';
    regcheck_call(&in, &out);
    expect_regs(&in, &out, R_RAX, &want);
}

static cr_cptr_t entry_ntfn;

static void
signaller(struct tl_thread *th)
{
    cr_notify_signal(entry_ntfn);
    (void)th;
}

TEST(entry_registers_after_a_blocking_call)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    entry_ntfn = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (entry_ntfn == 0 || !tl_thread_new(&t, &th, signaller, TL_PRIO) ||
        !tl_thread_start(&th)) {
        goto out;
    }
    /* The root outranks the signaller: it blocks, the signaller runs and wakes it. */
    volatile uint64_t bits = 0;
    struct regcheck_set in, out, want = { 0 };
    fill(&in, -(int64_t)CR_SYS_notify_wait);
    in.rdi = entry_ntfn;
    in.rsi = CR_UPTR(&bits);
    regcheck_call(&in, &out);
    expect_regs(&in, &out, R_RAX, &want);
    EXPECT_EQ(1, bits); /* an unbadged signal sets bit 0 */
out:
    tl_end(&t);
}

static struct {
    cr_cptr_t chan;
    struct regcheck_set in, out; /* the server's first receive */
    volatile uint64_t received;
} fs;

/* Receives one register message (its registers checked by the test), then answers it
 * with MR words PAT + 100.. and status 7, and blocks in its next receive for good. */
static void
fast_server(struct tl_thread *th)
{
    fill(&fs.in, -(int64_t)CR_SYS_msg_reply_recv_regs);
    fs.in.rdi = fs.chan;
    fs.in.rsi = 0;
    fs.in.rdx = 0;
    fs.in.r10 = 0;
    regcheck_call(&fs.in, &fs.out);
    fs.received = 1;
    struct regcheck_set in, out;
    fill(&in, -(int64_t)CR_SYS_msg_reply_recv_regs);
    in.rdi = fs.chan;
    in.rsi = fs.out.rax;
    in.rdx = 7;
    in.r10 = 32;
    in.r15 = PAT + 100;
    in.r14 = PAT + 101;
    in.r13 = PAT + 102;
    in.r12 = PAT + 103;
    regcheck_call(&in, &out);
    (void)th;
}

TEST(entry_registers_around_fast_path_switches)
{
    struct tl t;
    struct tl_thread srv;
    if (!tl_begin(&t)) {
        return;
    }
    fs.chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    fs.received = 0;
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 2);
    cr_cptr_t conn = fs.chan != 0 ? tl_mint(&t, fs.chan, CR_RIGHT_WRITE, ENTRY_BADGE) : 0;
    if (conn == 0 || table == 0 || !EXPECT_OK(cr_channel_bind(fs.chan, table, 0)) ||
        !tl_thread_new(&t, &srv, fast_server, TL_PRIO) || !tl_thread_start(&srv)) {
        goto out;
    }
    tl_pause(TL_PRIO - 1, 2); /* it waits in its receive */
    struct regcheck_set in, out, want = { 0 };
    fill(&in, -(int64_t)CR_SYS_msg_send_regs);
    in.rdi = conn;
    in.rsi = 32;
    in.rdx = 32;
    regcheck_call(&in, &out);
    /* The client: the status in rax, the reply in MR0..MR3, everything else its own. */
    want.rax = 7;
    want.r15 = PAT + 100;
    want.r14 = PAT + 101;
    want.r13 = PAT + 102;
    want.r12 = PAT + 103;
    expect_regs(&in, &out, R_RAX | R_MRS, &want);
    /* The server, completed by the client's send: rcvid, badge, lengths, copied, no
     * capabilities, and the message in MR0..MR3. */
    if (EXPECT_EQ(1, fs.received)) {
        struct regcheck_set w = { 0 };
        w.rax = fs.out.rax;
        w.rdi = ENTRY_BADGE;
        w.rsi = 32;
        w.rdx = 32;
        w.r10 = 32;
        w.r8 = 0;
        w.r15 = in.r15;
        w.r14 = in.r14;
        w.r13 = in.r13;
        w.r12 = in.r12;
        EXPECT_TRUE((int64_t)fs.out.rax > 0);
        expect_regs(&fs.in, &fs.out, R_RAX | R_RDI | R_RSI | R_RDX | R_R10 | R_R8 | R_MRS, &w);
    }
out:
    tl_end(&t);
}

static void
queued_client(struct tl_thread *th)
{
    uint64_t mr[4] = { PAT + 200, PAT + 201, PAT + 202, PAT + 203 };
    th->out[0] = (uint64_t)cr_msg_send_mr(th->arg[0], mr, 32, 16);
    th->out[1] = mr[0];
    th->out[2] = mr[1];
}

TEST(entry_registers_after_a_register_receive_that_did_not_block)
{
    struct tl t;
    struct tl_thread cl;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t table = tl_new(&t, CR_OBJ_REPLY_TABLE, 2);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, ENTRY_BADGE) : 0;
    if (conn == 0 || table == 0 || !EXPECT_OK(cr_channel_bind(chan, table, 0)) ||
        !tl_thread_new(&t, &cl, queued_client, TL_PRIO)) {
        goto out;
    }
    cl.arg[0] = conn;
    if (!tl_thread_start(&cl)) {
        goto out;
    }
    tl_pause(TL_PRIO - 1, 2); /* it is queued: no server waits */
    /* The receive finds it at once and writes the message into the root's own message
     * registers while the root keeps running: they must come back written. */
    struct regcheck_set in, out, want = { 0 };
    fill(&in, -(int64_t)CR_SYS_msg_reply_recv_regs);
    in.rdi = chan;
    in.rsi = 0;
    in.rdx = 0;
    in.r10 = 0;
    regcheck_call(&in, &out);
    EXPECT_TRUE((int64_t)out.rax > 0);
    want.rax = out.rax;
    want.rdi = ENTRY_BADGE;
    want.rsi = 32;
    want.rdx = 16;
    want.r10 = 32;
    want.r8 = 0;
    want.r15 = PAT + 200;
    want.r14 = PAT + 201;
    want.r13 = PAT + 202;
    want.r12 = PAT + 203;
    expect_regs(&in, &out, R_RAX | R_RDI | R_RSI | R_RDX | R_R10 | R_R8 | R_MRS, &want);
    if ((int64_t)out.rax > 0) {
        EXPECT_OK(cr_msg_error(chan, out.rax, CR_EIO));
        tl_pause(TL_PRIO - 1, 2);
        EXPECT_ERR(-CR_EIO, (int64_t)cl.out[0]);
    }
out:
    tl_end(&t);
}

static void
leave_own_vspace(struct tl_thread *th)
{
    /* arg[0]: a fresh, empty VSpace; arg[1]: the fault channel. */
    th->out[0] =
        (uint64_t)cr_tcb_configure(th->self, CR_CAP_ROOT_CNODE, th->arg[0], th->arg[1], 0);
    th->out[1] = 1; /* only reached if the call returned into the old address space */
}

/*
 * A call that changes its caller's own VSpace must not take the lean return (which keeps
 * CR3): the thread comes back in the new, empty address space and faults fetching its
 * next instruction, as it did before the lean return existed.
 */
TEST(entry_own_vspace_change_takes_effect_on_return)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t vs = tl_new(&t, CR_OBJ_VSPACE, 0);
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    if (vs == 0 || chan == 0 || !tl_thread_new(&t, &th, leave_own_vspace, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = vs;
    th.arg[1] = chan;
    if (!tl_thread_start(&th)) {
        goto out;
    }
    struct cr_fault_msg m;
    memset(&m, 0, sizeof(m));
    if (EXPECT_OK(tl_fault_wait(chan, &m, 0, 0))) {
        EXPECT_EQ(CR_FAULT_PAGE, m.kind);
        EXPECT_EQ(m.rip, m.addr); /* the instruction fetch after the syscall */
    }
    EXPECT_EQ(0, th.out[1]);
    EXPECT_OK(cr_null()); /* still alive */
out:
    tl_end(&t);
}
