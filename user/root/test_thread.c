/* SPDX-License-Identifier: MIT */
/*
 * System tests of threads in the root server's own address space: a TCB made by retype,
 * configured with the root CNode and VSpace, started at a C function, observed through
 * shared memory and notifications; suspend and resume; scheduling (a higher priority
 * preempts at once, a lower one waits, equal round-robin priorities take turns on yield,
 * mcp limits); and CSpaces of two levels built from a second CNode.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/caps.h>
#include <courier/sys.h>

#include "testlib.h"

#define ROOT CR_CAP_ROOT_CNODE

/* ---- a thread runs ---- */

static void
set_marker(struct tl_thread *th)
{
    th->out[0] = th->arg[0] + 1;
}

TEST(thread_runs_and_signals)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (n == 0 || !tl_thread_new(&t, &th, set_marker, TL_PRIO)) {
        goto out;
    }
    th.arg[0] = 0xabc;
    th.done = n;
    /* The thread is lower priority: nothing happens until the root blocks. */
    if (!tl_thread_start(&th)) {
        goto out;
    }
    EXPECT_EQ(th.out[0], 0);
    uint64_t w = 0;
    EXPECT_OK(cr_notify_wait(n, CR_UPTR(&w)));
    EXPECT_EQ(w, 1);
    EXPECT_EQ(th.out[0], 0xabd);
    EXPECT_EQ(th.finished, 1);
out:
    tl_end(&t);
}

static void
count_forever(struct tl_thread *th)
{
    for (;;) {
        th->out[0]++;
        cr_yield();
    }
}

TEST(thread_suspend_resume)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    if (!tl_thread_new(&t, &th, count_forever, TL_PRIO) || !tl_thread_start(&th)) {
        goto out;
    }
    tl_pause(TL_PRIO, 5);
    EXPECT_TRUE(th.out[0] > 0);
    EXPECT_OK(cr_tcb_suspend(th.tcb));
    uint64_t c1 = th.out[0];
    tl_pause(TL_PRIO, 5);
    EXPECT_EQ(th.out[0], c1);
    /* Suspending twice is fine; resuming continues where it stopped. */
    EXPECT_OK(cr_tcb_suspend(th.tcb));
    EXPECT_OK(cr_tcb_resume(th.tcb));
    tl_pause(TL_PRIO, 5);
    EXPECT_TRUE(th.out[0] > c1);
    /* Resuming a running thread changes nothing. */
    EXPECT_OK(cr_tcb_resume(th.tcb));
    EXPECT_OK(cr_tcb_suspend(th.tcb));
out:
    tl_end(&t);
}

TEST(thread_unconfigured_cannot_run)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t tcb = tl_new(&t, CR_OBJ_TCB, 0);
    struct cr_regs r = { .rip = TL_ADDR(tf_ud2) };
    EXPECT_ERR(-CR_EINVAL, cr_tcb_resume(tcb));
    EXPECT_ERR(-CR_EINVAL, cr_tcb_write_regs(tcb, CR_UPTR(&r), CR_REGS_RESUME));
    EXPECT_OK(cr_tcb_write_regs(tcb, CR_UPTR(&r), 0));
    EXPECT_OK(cr_tcb_suspend(tcb));
    /* configure: wrong types, empty, reserved */
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t e = tl_slot(&t);
    EXPECT_ERR(-CR_EWRONGTYPE, cr_tcb_configure(tcb, n, CR_CAP_ROOT_VSPACE, 0, 0));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_tcb_configure(tcb, ROOT, ROOT, 0, 0));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_tcb_configure(tcb, ROOT, CR_CAP_ROOT_VSPACE, n, 0));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_tcb_configure(n, ROOT, CR_CAP_ROOT_VSPACE, 0, 0));
    EXPECT_ERR(-CR_ENOCAP, cr_tcb_configure(tcb, e, CR_CAP_ROOT_VSPACE, 0, 0));
    EXPECT_ERR(-CR_EBADCAP, cr_tcb_configure(tcb, ROOT, 1ull << 62, 0, 0));
    EXPECT_ERR(-CR_EINVAL, cr_tcb_configure(tcb, ROOT, CR_CAP_ROOT_VSPACE, 0, 1));
    /* A TCB capability without GRANT may neither configure nor set the fault badge (the
     * process manager gives programs their own TCB that way). */
    cr_cptr_t weak = tl_copy(&t, tcb, CR_RIGHT_READ | CR_RIGHT_WRITE);
    EXPECT_ERR(-CR_EPERM, cr_tcb_configure(weak, ROOT, CR_CAP_ROOT_VSPACE, 0, 0));
    EXPECT_ERR(-CR_EPERM, cr_tcb_set_fault_badge(weak, 5));
    EXPECT_OK(cr_tcb_set_fault_badge(tcb, 5));
    /* None of those configured it. */
    EXPECT_ERR(-CR_EINVAL, cr_tcb_resume(tcb));
    EXPECT_OK(cr_tcb_configure(tcb, ROOT, CR_CAP_ROOT_VSPACE, 0, 0));
    EXPECT_OK(cr_tcb_suspend(tcb));
    tl_end(&t);
}

/* ---- scheduling ---- */

static volatile uint64_t sched_log[64];
static volatile uint64_t sched_pos;

static void
log_once(struct tl_thread *th)
{
    sched_log[sched_pos++] = th->arg[0];
}

TEST(sched_higher_priority_preempts)
{
    struct tl t;
    struct tl_thread hi;
    struct tl_thread lo;
    if (!tl_begin(&t)) {
        return;
    }
    sched_pos = 0;
    if (!tl_thread_new(&t, &hi, log_once, 200) || !tl_thread_new(&t, &lo, log_once, 10)) {
        goto out;
    }
    hi.arg[0] = 'H';
    lo.arg[0] = 'L';
    tl_root_prio(50);
    sched_log[sched_pos++] = 'a';
    tl_thread_start(&hi); /* runs before this call even returns to us */
    sched_log[sched_pos++] = 'b';
    tl_thread_start(&lo); /* waits: the root is above it */
    sched_log[sched_pos++] = 'c';
    /* Let L run: drop below it; it finishes and suspends itself. */
    EXPECT_TRUE(tl_wait_word(&lo.finished, 1, 5, 0));
    sched_log[sched_pos++] = 'd';
    tl_root_prio(TL_ROOT_PRIO);
    static const char want[] = "aHbcLd";
    EXPECT_EQ(sched_pos, 6);
    for (unsigned i = 0; i < 6 && i < sched_pos; i++) {
        if (!EXPECT_EQ(sched_log[i], (uint64_t)want[i])) {
            TEST_FAIL("at %u", i);
            break;
        }
    }
    EXPECT_EQ(hi.finished, 1);
out:
    tl_end(&t);
}

static void
log_and_yield(struct tl_thread *th)
{
    for (unsigned i = 0; i < 10; i++) {
        sched_log[sched_pos++] = th->arg[0];
        cr_yield();
    }
}

TEST(sched_round_robin_yield)
{
    struct tl t;
    struct tl_thread a;
    struct tl_thread b;
    if (!tl_begin(&t)) {
        return;
    }
    sched_pos = 0;
    if (!tl_thread_new(&t, &a, log_and_yield, 60) || !tl_thread_new(&t, &b, log_and_yield, 60)) {
        goto out;
    }
    a.arg[0] = 'A';
    b.arg[0] = 'B';
    tl_thread_start(&a);
    tl_thread_start(&b);
    /* The root joins the same priority and yields too; only A and B write. */
    EXPECT_TRUE(tl_wait_word(&sched_pos, 20, 60, 0));
    EXPECT_EQ(sched_pos, 20);
    for (unsigned i = 0; i < 20 && i < sched_pos; i++) {
        if (!EXPECT_EQ(sched_log[i], (uint64_t)(i % 2 == 0 ? 'A' : 'B'))) {
            TEST_FAIL("at %u", i);
            break;
        }
    }
out:
    tl_end(&t);
}

static void
fifo_log_and_yield(struct tl_thread *th)
{
    if (cr_tcb_set_priority(th->self, 60, CR_SCHED_FIFO) != 0) {
        return;
    }
    log_and_yield(th);
}

/* FIFO threads (no slice timer: the yield's own direct switch) of one priority, the
 * root below them: each yield sends the caller behind both others. */
TEST(sched_fifo_yield_goes_to_the_tail)
{
    struct tl t;
    struct tl_thread th[3];
    if (!tl_begin(&t)) {
        return;
    }
    sched_pos = 0;
    for (unsigned i = 0; i < 3; i++) {
        if (!tl_thread_new(&t, &th[i], fifo_log_and_yield, 60)) {
            goto out;
        }
        th[i].arg[0] = 'A' + i;
    }
    tl_root_prio(70); /* all three start before any runs */
    for (unsigned i = 0; i < 3; i++) {
        tl_thread_start(&th[i]);
    }
    EXPECT_TRUE(tl_wait_word(&sched_pos, 30, 5, 0));
    tl_root_prio(TL_ROOT_PRIO);
    EXPECT_EQ(sched_pos, 30);
    for (unsigned i = 0; i < 30 && i < sched_pos; i++) {
        if (!EXPECT_EQ(sched_log[i], (uint64_t)('A' + i % 3))) {
            TEST_FAIL("at %u", i);
            break;
        }
    }
out:
    tl_end(&t);
}

static void
try_priorities(struct tl_thread *th)
{
    th->out[0] = (uint64_t)cr_tcb_set_priority(th->self, 81, CR_SCHED_RR);
    th->out[1] = (uint64_t)cr_tcb_set_priority(th->self, 80, CR_SCHED_RR);
    th->out[2] = (uint64_t)cr_tcb_set_priority(th->self, 70, CR_SCHED_FIFO);
    th->out[3] = (uint64_t)cr_tcb_set_priority(th->self, 80, CR_SCHED_RR);
    th->out[4] = (uint64_t)cr_tcb_set_priority(CR_CAP_ROOT_TCB, 255, CR_SCHED_RR);
    th->out[5] = (uint64_t)cr_tcb_set_priority(th->self, 255, CR_SCHED_RR);
}

TEST(sched_priority_above_mcp)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    /* Setting priority 80 also gives the thread mcp 80. */
    if (n == 0 || !tl_thread_new(&t, &th, try_priorities, 80)) {
        goto out;
    }
    th.done = n;
    EXPECT_ERR(-CR_EINVAL, cr_tcb_set_priority(th.tcb, CR_NUM_PRIOS, CR_SCHED_RR));
    EXPECT_ERR(-CR_EINVAL, cr_tcb_set_priority(th.tcb, ~0ull, CR_SCHED_RR));
    EXPECT_ERR(-CR_EINVAL, cr_tcb_set_priority(th.tcb, 80, 2));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_tcb_set_priority(n, 80, CR_SCHED_RR));
    if (!tl_thread_start(&th)) {
        goto out;
    }
    EXPECT_OK(tl_wait(n, NULL, 60, 0));
    EXPECT_ERR(-CR_EPERM, (int64_t)th.out[0]);
    EXPECT_OK((int64_t)th.out[1]);
    EXPECT_OK((int64_t)th.out[2]);
    EXPECT_OK((int64_t)th.out[3]);
    EXPECT_ERR(-CR_EPERM, (int64_t)th.out[4]);
    EXPECT_ERR(-CR_EPERM, (int64_t)th.out[5]);
out:
    tl_end(&t);
}

/* ---- two-level CSpaces ---- */

/* cptrs in a CSpace whose root is the root CNode with 44 guard bits (56 bits in all). */
#define L1(slot) ((uint64_t)(slot) << 8)
#define L2(slot, idx) (((uint64_t)(slot) << 8) | (idx))

static void
two_level_probe(struct tl_thread *th)
{
    uint64_t second = th->arg[0];
    uint64_t first_ntfn = th->arg[1];
    struct cr_cap_info info;
    th->out[0] = (uint64_t)cr_cap_identify(L2(second, 5), CR_UPTR(&info));
    th->out[1] = info.type;
    th->out[2] = (uint64_t)cr_cap_identify(L2(second, 6), CR_UPTR(&info));
    th->out[3] = info.type;
    th->out[4] = (uint64_t)cr_cap_identify(L2(second, 0), CR_UPTR(&info));
    th->out[5] = (uint64_t)cr_notify_signal(L2(second, 5));
    th->out[6] = (uint64_t)cr_cap_identify(1ull << 60 | L2(second, 5), CR_UPTR(&info));
    th->out[7] = (uint64_t)cr_cap_identify(L1(first_ntfn), CR_UPTR(&info)) | (uint64_t)info.type
                                                                                 << 32;
}

TEST(cspace_two_level)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t c2 = tl_new(&t, CR_OBJ_CNODE, 8);
    cr_cptr_t g = tl_mint(&t, ROOT, CR_RIGHTS_ALL, 44);
    cr_cptr_t done = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t view = tl_slot(&t);
    if (c2 == 0 || g == 0 || done == 0 || !tl_thread_new(&t, &th, two_level_probe, TL_PRIO)) {
        goto out;
    }
    /* Retype straight into the second CNode by (cnode, index), and copy into it. */
    EXPECT_OK(cr_untyped_retype(t.ut, CR_OBJ_NOTIFICATION, 0, c2, 5, 1));
    EXPECT_OK(cr_untyped_retype(t.ut, CR_OBJ_TCB, 0, c2, 6, 1));
    EXPECT_ERR(-CR_ERANGE, cr_untyped_retype(t.ut, CR_OBJ_TCB, 0, c2, 256, 1));
    EXPECT_ERR(-CR_ERANGE, cr_untyped_retype(t.ut, CR_OBJ_TCB, 0, c2, 255, 2));
    EXPECT_ERR(-CR_EEXIST, cr_untyped_retype(t.ut, CR_OBJ_TCB, 0, c2, 4, 2));
    EXPECT_OK(cr_cap_copy(ROOT, view, c2, 5, CR_RIGHT_READ));

    /* The thread's CSpace root is the root CNode with a 44-bit guard. */
    EXPECT_OK(cr_tcb_configure(th.tcb, g, CR_CAP_ROOT_VSPACE, 0, 0));
    th.self = L1(th.tcb);
    th.done = L1(done);
    th.arg[0] = c2;
    th.arg[1] = done;
    if (!tl_thread_start(&th)) {
        goto out;
    }
    EXPECT_OK(tl_wait(done, NULL, 0, 0));
    EXPECT_OK((int64_t)th.out[0]);
    EXPECT_EQ(th.out[1], CR_OBJ_NOTIFICATION);
    EXPECT_OK((int64_t)th.out[2]);
    EXPECT_EQ(th.out[3], CR_OBJ_TCB);
    EXPECT_ERR(-CR_ENOCAP, (int64_t)th.out[4]);
    EXPECT_OK((int64_t)th.out[5]);
    EXPECT_ERR(-CR_EBADCAP, (int64_t)th.out[6]);
    EXPECT_EQ(th.out[7], (uint64_t)CR_OBJ_NOTIFICATION << 32);
    /* The signal went to the notification in the second CNode. */
    uint64_t w = 0;
    EXPECT_OK(cr_notify_poll(view, CR_UPTR(&w)));
    EXPECT_EQ(w, 1);
    /* From the root, (c2, index) names the slots; delete through it. */
    EXPECT_OK(cr_cap_delete(c2, 5));
    EXPECT_ERR(-CR_ENOCAP, cr_cap_revoke(c2, 5));
    EXPECT_OK(cr_cap_revoke(c2, 6));
out:
    tl_end(&t);
}

TEST(cspace_nested_cnode_delete_stops_thread)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t c2 = tl_new(&t, CR_OBJ_CNODE, 2);
    cr_cptr_t c3 = tl_new(&t, CR_OBJ_CNODE, 2);
    if (c3 == 0 || !tl_thread_new(&t, &th, count_forever, TL_PRIO) || !tl_thread_start(&th)) {
        goto out;
    }
    tl_pause(TL_PRIO, 2);
    EXPECT_TRUE(th.out[0] > 0);
    /* The only TCB capability goes into c3, c3 into c2: root slot c2 -> c3 -> TCB. */
    cr_cptr_t tcb = th.tcb;
    EXPECT_OK(cr_cap_move(c3, 1, ROOT, tcb));
    EXPECT_OK(cr_cap_move(c2, 2, ROOT, c3));
    tl_pause(TL_PRIO, 2);
    uint64_t before = th.out[0];
    tl_pause(TL_PRIO, 2);
    EXPECT_TRUE(th.out[0] > before); /* still running */
    /* Deleting the outer CNode destroys the inner one and the thread with it. */
    EXPECT_OK(cr_cap_delete(ROOT, c2));
    uint64_t after = th.out[0];
    tl_pause(TL_PRIO, 5);
    EXPECT_EQ(th.out[0], after);
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}

static void
guard_probe(struct tl_thread *th)
{
    struct cr_cap_info info;
    const uint64_t *q = (const uint64_t *)(uintptr_t)th->arg[0];
    for (unsigned i = 0; i < 6; i++) {
        info.type = 0;
        int64_t rc = cr_cap_identify(q[i], CR_UPTR(&info));
        th->out[i] = rc == 0 ? info.type : (uint64_t)rc;
    }
}

TEST(cspace_second_level_guard)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t c2 = tl_new(&t, CR_OBJ_CNODE, 4);
    cr_cptr_t c3 = tl_new(&t, CR_OBJ_CNODE, 8);
    /* c2 again, behind a 4-bit guard of 5; c3 behind 4 guard bits: 12 > the 8 left. */
    cr_cptr_t c2g = c2 != 0 ? tl_mint(&t, c2, CR_RIGHTS_ALL, (5u << 6) | 4) : 0;
    cr_cptr_t c3g = c3 != 0 ? tl_mint(&t, c3, CR_RIGHTS_ALL, 4) : 0;
    cr_cptr_t g = tl_mint(&t, ROOT, CR_RIGHTS_ALL, 44);
    cr_cptr_t done = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (c2g == 0 || c3g == 0 || g == 0 || done == 0 ||
        !tl_thread_new(&t, &th, guard_probe, TL_PRIO)) {
        goto out;
    }
    EXPECT_OK(cr_untyped_retype(t.ut, CR_OBJ_NOTIFICATION, 0, c2, 3, 1));
    EXPECT_OK(cr_untyped_retype(t.ut, CR_OBJ_CHANNEL, 0, c3, 5, 1));
    uint64_t q[6] = {
        L1(c2g) | 0x53, /* guard 5, index 3 */
        L1(c2g) | 0x43, /* guard 4: mismatch */
        L1(c2) | 0x3f,  /* no guard: index 3, the last 4 bits are left over and ignored */
        L1(c2) | 0x30,  L1(c3g) | 5, /* guard + radix need 12 bits, 8 are left */
        L1(c3) | 5,                  /* radix 8 exactly */
    };
    EXPECT_OK(cr_tcb_configure(th.tcb, g, CR_CAP_ROOT_VSPACE, 0, 0));
    th.self = L1(th.tcb);
    th.done = L1(done);
    th.arg[0] = (uint64_t)(uintptr_t)q;
    if (!tl_thread_start(&th)) {
        goto out;
    }
    EXPECT_OK(tl_wait(done, NULL, 0, 0));
    EXPECT_EQ(th.out[0], CR_OBJ_NOTIFICATION);
    EXPECT_ERR(-CR_EBADCAP, (int64_t)th.out[1]);
    EXPECT_EQ(th.out[2], CR_OBJ_NOTIFICATION);
    EXPECT_EQ(th.out[3], CR_OBJ_NOTIFICATION);
    EXPECT_ERR(-CR_EBADCAP, (int64_t)th.out[4]);
    EXPECT_EQ(th.out[5], CR_OBJ_CHANNEL);
out:
    tl_end(&t);
}

TEST(cspace_cnode_cycles_cleaned_by_revoke)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ut2 = tl_ut(&t);
    cr_cptr_t a = ut2 != 0 ? tl_new_from(&t, ut2, CR_OBJ_CNODE, 2) : 0;
    cr_cptr_t b = ut2 != 0 ? tl_new_from(&t, ut2, CR_OBJ_CNODE, 2) : 0;
    cr_cptr_t c = ut2 != 0 ? tl_new_from(&t, ut2, CR_OBJ_CNODE, 2) : 0;
    cr_cptr_t full = tl_slot(&t);
    if (a == 0 || b == 0 || c == 0) {
        goto out;
    }
    /* a holds itself; b and c hold each other; each holds a notification and a TCB. */
    EXPECT_OK(cr_cap_copy(a, 0, ROOT, a, CR_RIGHTS_ALL));
    EXPECT_OK(cr_cap_copy(b, 0, ROOT, c, CR_RIGHTS_ALL));
    EXPECT_OK(cr_cap_copy(c, 0, ROOT, b, CR_RIGHTS_ALL));
    cr_cptr_t cn[3] = { a, b, c };
    for (unsigned i = 0; i < 3; i++) {
        EXPECT_OK(cr_untyped_retype(ut2, CR_OBJ_NOTIFICATION, 0, cn[i], 1, 1));
        EXPECT_OK(cr_untyped_retype(ut2, CR_OBJ_TCB, 0, cn[i], 2, 1));
    }
    /* Drop the root's capabilities: the cycles are unreachable now. */
    for (unsigned i = 0; i < 3; i++) {
        EXPECT_OK(cr_cap_delete(ROOT, cn[i]));
    }
    EXPECT_EQ(cr_null(), 0);
    /* Revoking the untyped destroys them all: it then hands out its whole size again. */
    EXPECT_OK(cr_cap_revoke(ROOT, ut2));
    EXPECT_OK(cr_untyped_retype(ut2, CR_OBJ_UNTYPED, TL_UT_BITS, ROOT, full, 1));
out:
    tl_end(&t);
}

#define CHAIN 300

TEST(cspace_deep_chain_delete)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t ut2 = tl_ut(&t);
    cr_cptr_t s = tl_slots(&t, CHAIN);
    cr_cptr_t full = tl_slot(&t);
    if (ut2 == 0 || s == 0 || !tl_thread_new(&t, &th, count_forever, TL_PRIO) ||
        !EXPECT_OK(cr_untyped_retype(ut2, CR_OBJ_CNODE, 1, ROOT, s, CHAIN))) {
        goto out;
    }
    if (!tl_thread_start(&th)) {
        goto out;
    }
    /* The thread's only TCB capability goes to the innermost CNode, each CNode into the
     * one before it: root slot s -> c0 -> c1 -> ... -> c299 -> TCB. */
    EXPECT_OK(cr_cap_move(s + CHAIN - 1, 1, ROOT, th.tcb));
    for (unsigned i = CHAIN - 1; i >= 1; i--) {
        if (!EXPECT_OK(cr_cap_move(s + i - 1, 0, ROOT, s + i))) {
            goto out;
        }
    }
    tl_pause(TL_PRIO, 2);
    uint64_t before = th.out[0];
    tl_pause(TL_PRIO, 2);
    EXPECT_TRUE(th.out[0] > before);
    EXPECT_OK(cr_cap_delete(ROOT, s));
    uint64_t after = th.out[0];
    tl_pause(TL_PRIO, 3);
    EXPECT_EQ(th.out[0], after);
    /* Every CNode is gone: the untyped has no children left and starts over. */
    EXPECT_OK(cr_untyped_retype(ut2, CR_OBJ_UNTYPED, TL_UT_BITS, ROOT, full, 1));
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}

/* Runs in a thread whose CSpace root is the guarded CNode C (cptr = index into C). */
static void
reconfigure_self(struct tl_thread *th)
{
    /* C[1]: its own TCB; C[3]: another CNode; C[2]: a VSpace. */
    th->out[0] = (uint64_t)cr_tcb_configure(1, 3, 2, 0, 0);
}

TEST(tcb_configure_destroying_its_sources_is_erevoked)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t c = tl_new(&t, CR_OBJ_CNODE, 4);
    cr_cptr_t d = tl_new(&t, CR_OBJ_CNODE, 2);
    cr_cptr_t cm = tl_slot(&t);
    if (c == 0 || d == 0 || cm == 0 || !tl_thread_new(&t, &th, reconfigure_self, TL_PRIO)) {
        goto out;
    }
    /* C, guarded so a whole 64-bit cptr is one index: guard bits 60 of value 0. */
    EXPECT_OK(cr_cap_mint(CR_CAP_ROOT_CNODE, cm, CR_CAP_ROOT_CNODE, c, CR_RIGHTS_ALL, 60));
    EXPECT_OK(cr_cap_copy(c, 1, CR_CAP_ROOT_CNODE, th.tcb, CR_RIGHTS_ALL));
    EXPECT_OK(cr_cap_copy(c, 2, CR_CAP_ROOT_CNODE, CR_CAP_ROOT_VSPACE, CR_RIGHTS_ALL));
    EXPECT_OK(cr_cap_copy(c, 3, CR_CAP_ROOT_CNODE, d, CR_RIGHTS_ALL));
    EXPECT_OK(cr_tcb_configure(th.tcb, cm, CR_CAP_ROOT_VSPACE, 0, 0));
    /* Now the thread's own CSpace-root copy is the last capability to C. */
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, cm));
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, c));
    if (!tl_thread_start(&th)) {
        goto out;
    }
    /* Replacing its CSpace root destroys C and the capabilities the call named: the
     * call fails with EREVOKED and installs nothing. Without an address space the
     * thread then faults and stops, so its result is read from its registers. */
    struct cr_regs r;
    uint64_t deadline = tl_now_ns() + TL_TIMEOUT_MS * 1000000ull;
    do {
        tl_pause(TL_PRIO, 1);
        EXPECT_OK(cr_tcb_read_regs(th.tcb, CR_UPTR(&r)));
    } while (r.rax != (uint64_t)-CR_EREVOKED && tl_now_ns() < deadline);
    EXPECT_EQ((uint64_t)-CR_EREVOKED, r.rax);
    EXPECT_ERR(-CR_ENOCAP, cr_cap_identify(c, CR_UPTR(&r)));
    EXPECT_OK(cr_null());
out:
    tl_end(&t);
}
