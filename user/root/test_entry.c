/* SPDX-License-Identifier: MIT */
/*
 * Kernel exit with hostile register state. A thread whose rip is set to a non-canonical
 * address (through tcb_write_regs, as upcall_return could also do) must not make the
 * kernel's own iretq or sysretq fault in ring 0 (the Intel sysret pitfall and its iretq
 * cousin): the thread gets a general-protection fault at that rip instead. A kernel-half
 * (canonical) rip faults in user mode as a page fault. The kernel keeps running.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

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
