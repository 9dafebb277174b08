/* SPDX-License-Identifier: MIT */
/*
 * The process and memory managers (user/root/pm, docs/process.md), driven the way any
 * program drives them: requests on the root's own connection (pid 1). The programs run
 * are bin/ptest (native, tests/ptest) and, where built, the musl ones. Covered: spawn,
 * exit status and wait; a blank process built step by step with each step's error out of
 * order; demand-zero memory checked byte for byte; a fault ending a process; quota
 * exhaustion answered with ENOMEM to the asker alone; exec keeping the pid; kill; an fd
 * table shared by two processes that do not share an address space; every malformed
 * request; and many spawn/exit cycles returning every chunk to the pool.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/lib/print.h>
#include <courier/lib/string.h>
#include <courier/proto/mem.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

#include "pm/pm.h"
#include "procreq.h"
#include "testlib.h"

static bool
pm_up(void)
{
    return EXPECT_TRUE(pm_start());
}

TEST(proc_spawn_exit_status_and_wait)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "exit", "42", NULL };
    int64_t pid = procreq_spawn(argv, NULL);
    if (!EXPECT_TRUE(pid > 1)) {
        return;
    }
    int64_t status = -1;
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(42, status);
    /* Collected: nothing left to wait for. */
    EXPECT_ERR(-CR_ECHILD, procreq_wait(-1, &status));
    EXPECT_ERR(-CR_ECHILD, procreq_wait(pid, &status));
    static const char *const hello[] = { "bin/ptest", "hello", NULL };
    pid = procreq_spawn(hello, NULL);
    EXPECT_EQ(pid, procreq_wait(-1, &status));
    EXPECT_EQ(0, status);
}

TEST(proc_args_and_environment_reach_the_program)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "args", "x", "y", NULL };
    static const char *const envp[] = { "A=b", "COURIER_TEST=1", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, envp);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status);
    static const char *const noenv[] = { "A=b", NULL };
    pid = procreq_spawn(argv, noenv);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(1, status);
}

TEST(proc_blank_process_built_step_by_step)
{
    if (!pm_up()) {
        return;
    }
    int64_t pid = procreq_op(PROC_CREATE, 0, 0, 0, 0);
    if (!EXPECT_TRUE(pid > 1)) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "exit", "5", NULL };
    static const char *const nofile[] = { "bin/nothing", NULL };
    static const char *const notelf[] = { "etc/motd", NULL };
    struct proc_load_rep lr = { 0, 0 };
    /* Out of order: no address space yet. */
    EXPECT_ERR(-CR_ENOCTX, procreq_op(PROC_THREAD_NEW, 0, pid, 0x400000, 0x1000));
    EXPECT_ERR(-CR_ENOCTX, procreq_image(PROC_LOAD, pid, argv, NULL, &lr, sizeof(lr)));
    EXPECT_ERR(-CR_ENOCTX, procreq_op(PROC_AS_SHARE, 0, pid, 1, 0)); /* the root has none */
    EXPECT_OK(procreq_op(PROC_AS_NEW, 0, pid, 0, 0));
    EXPECT_ERR(-CR_EEXIST, procreq_op(PROC_AS_NEW, 0, pid, 0, 0));
    EXPECT_ERR(-CR_ENOENT, procreq_image(PROC_LOAD, pid, nofile, NULL, &lr, sizeof(lr)));
    EXPECT_ERR(-CR_ENOEXEC, procreq_image(PROC_LOAD, pid, notelf, NULL, &lr, sizeof(lr)));
    /* A load that fails half-way (arguments too big for the stack, found last) leaves
     * nothing behind: the next load works. */
    static char huge[4000]; /* 4 x 4,000 bytes: the request fits, the stack does not */
    memset(huge, 'x', sizeof(huge) - 1);
    static const char *const big[] = { "bin/ptest", huge, huge, huge, huge, NULL };
    EXPECT_ERR(-CR_E2BIG, procreq_image(PROC_LOAD, pid, big, NULL, &lr, sizeof(lr)));
    EXPECT_OK(procreq_image(PROC_LOAD, pid, argv, NULL, &lr, sizeof(lr)));
    EXPECT_TRUE(lr.entry >= 0x400000 && lr.sp > 0x7f0000000000ull && lr.sp % 16 == 0);
    /* No fd table yet. */
    EXPECT_ERR(-CR_ENOCTX, procreq_op(PROC_THREAD_NEW, 0, pid, (int64_t)lr.entry, (int64_t)lr.sp));
    EXPECT_ERR(-CR_ENOCTX, procreq_op(PROC_FDS_SHARE, 0, pid, 1, 0));
    EXPECT_OK(procreq_op(PROC_FDS_NEW, 0, pid, 0, 0));
    EXPECT_ERR(-CR_EEXIST, procreq_op(PROC_FDS_NEW, 0, pid, 0, 0));
    EXPECT_OK(procreq_op(PROC_CRED_SET, 0, pid, 1000, 1000));
    /* The namespace context object (empty until the pathname manager). */
    EXPECT_ERR(-CR_ENOCTX, procreq_op(PROC_NS_SHARE, 0, pid, 1, 0)); /* the root has none */
    EXPECT_OK(procreq_op(PROC_NS_NEW, 0, pid, 0, 0));
    EXPECT_ERR(-CR_EEXIST, procreq_op(PROC_NS_NEW, 0, pid, 0, 0));
    int64_t tid = procreq_op(PROC_THREAD_NEW, 0, pid, (int64_t)lr.entry, (int64_t)lr.sp);
    EXPECT_TRUE(tid > 0);
    /* Started: no longer blank. */
    EXPECT_ERR(-CR_EBUSY, procreq_op(PROC_AS_NEW, 0, pid, 0, 0));
    EXPECT_ERR(-CR_EBUSY, procreq_image(PROC_LOAD, pid, argv, NULL, &lr, sizeof(lr)));
    EXPECT_ERR(-CR_EBUSY, procreq_op(PROC_CRED_SET, 0, pid, 0, 0));
    EXPECT_ERR(-CR_EBUSY, procreq_op(PROC_NS_NEW, 0, pid, 0, 0));
    int64_t status = -1;
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(5, status);
    /* Gone: every op on it says ESRCH. */
    EXPECT_ERR(-CR_ESRCH, procreq_op(PROC_AS_NEW, 0, pid, 0, 0));
    EXPECT_ERR(-CR_ESRCH, procreq_op(PROC_KILL, 0, pid, 0, 0));
    EXPECT_ERR(-CR_ESRCH, procreq_op(PROC_AS_NEW, 0, 999999, 0, 0));
    /* A blank child that is never started is killed and collected like any other. */
    pid = procreq_op(PROC_CREATE, 0, 0, 0, 0);
    EXPECT_OK(procreq_op(PROC_KILL, 0, pid, 0, 0));
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(256 + 9, status);
}

TEST(proc_bad_requests_are_refused)
{
    if (!pm_up()) {
        return;
    }
    struct proto_hdr h = { PROC_CREATE, 0, 0 };
    EXPECT_ERR(-CR_EINVAL, procreq_call(&h, 4, NULL, 0, NULL, 0)); /* shorter than a header */
    EXPECT_ERR(-CR_EINVAL, procreq_call(&h, sizeof(h), NULL, 0, NULL, 0));
    EXPECT_ERR(-CR_ENOSYS, procreq_op(PROC_OP_END, 0, 0, 0, 0));
    EXPECT_ERR(-CR_ENOSYS, procreq_op(0x7777, 0, 0, 0, 0));
    /* An image request whose strings do not match its counts or length. */
    struct proc_image_req q = { { PROC_SPAWN, 0, 5 }, 0, 0, 0 };
    EXPECT_ERR(-CR_EINVAL, procreq_call(&q, sizeof(q), "ab\0cd", 5, NULL, 0)); /* extra bytes */
    EXPECT_ERR(-CR_EINVAL, procreq_call(&q, sizeof(q), "abcde", 5, NULL, 0));  /* no NUL */
    q.hdr.len = 9;
    EXPECT_ERR(-CR_EINVAL, procreq_call(&q, sizeof(q), "abcde", 5, NULL, 0)); /* len disagrees */
    q = (struct proc_image_req){ { PROC_SPAWN, 0, 3 }, 0, 5000, 0 };
    EXPECT_ERR(-CR_E2BIG, procreq_call(&q, sizeof(q), "ab", 3, NULL, 0));
    /* The root is nobody's child; pid 1 cannot be killed. */
    EXPECT_ERR(-CR_EPERM, procreq_op(PROC_KILL, 0, 1, 0, 0));
    EXPECT_ERR(-CR_EPERM, procreq_op(PROC_AS_NEW, 0, 1, 0, 0));
    /* The root has no address space: memory requests say so. */
    struct mem_req m = { { MEM_MAP_ANON, 0, 0 }, { 0, 4096, MEM_READ } };
    EXPECT_ERR(-CR_ENOCTX, procreq_call(&m, sizeof(m), NULL, 0, NULL, 0));
    m.hdr.flags = 0x80;
    EXPECT_ERR(-CR_EINVAL, procreq_call(&m, sizeof(m), NULL, 0, NULL, 0));
    EXPECT_ERR(-CR_EINVAL, procreq_call(&m, 16, NULL, 0, NULL, 0));
    /* Flags are reserved for every other memory request (checked before anything). */
    static const uint16_t ops[] = { MEM_UNMAP, MEM_PROTECT, MEM_BRK, MEM_INFO, MEM_SHM_NEW };
    for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        m = (struct mem_req){ { ops[i], MEM_F_POPULATE, 0 }, { 0, 4096, MEM_READ } };
        EXPECT_ERR(-CR_EINVAL, procreq_call(&m, sizeof(m), NULL, 0, NULL, 0));
    }
    int64_t status;
    EXPECT_ERR(-CR_ECHILD, procreq_wait(-1, &status));
}

TEST(proc_demand_zero_memory_and_heap)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "zero", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status);
}

TEST(proc_program_cannot_forge_its_fault_badge)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "forge", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status);
}

TEST(proc_copy_on_write_pages_checked_byte_for_byte)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "fork", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status); /* 10/11: the child saw wrong bytes; 25: the parent did */
    /* The parent ends first: its frames are copied for the child, which checks them. */
    static const char *const orphan[] = { "bin/ptest", "orphan", NULL };
    pid = procreq_spawn(orphan, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status);
    int64_t child = procreq_wait(-1, &status); /* the orphan came to the root */
    EXPECT_TRUE(child > pid);
    EXPECT_EQ(0, status);
    /* Errors: copy from a process without a space, into one that has one. */
    int64_t blank = procreq_op(PROC_CREATE, 0, 0, 0, 0);
    EXPECT_ERR(-CR_ENOCTX, procreq_op(PROC_AS_COPY, 0, blank, 1, 0));
    EXPECT_OK(procreq_op(PROC_AS_NEW, 0, blank, 0, 0));
    EXPECT_ERR(-CR_EEXIST, procreq_op(PROC_AS_COPY, 0, blank, blank, 0));
    EXPECT_ERR(-CR_ESRCH, procreq_op(PROC_AS_COPY, 0, 999999, 1, 0));
    EXPECT_OK(procreq_op(PROC_KILL, 0, blank, 0, 0));
    EXPECT_EQ(blank, procreq_wait(blank, &status));
}

TEST(proc_parent_gets_a_pulse_when_a_child_ends)
{
    struct tl t;
    if (!pm_up() || !tl_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_new(&t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t pq = tl_new(&t, CR_OBJ_PULSE_QUEUE, 2);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 7) : 0;
    cr_cptr_t ntfn = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    if (conn == 0 || pq == 0 || ntfn == 0 || !EXPECT_OK(cr_channel_bind(chan, pq, 0))) {
        goto out;
    }
    struct proc_req q = { { PROC_NOTIFY, 0, 0 }, { 0, 0, 0 } };
    /* Not a channel: refused, and nothing set. */
    EXPECT_OK(cr_msg_caps(CR_UPTR(&ntfn), 1, 0, 0, 0));
    EXPECT_ERR(-CR_EINVAL, procreq_call(&q, sizeof(q), NULL, 0, NULL, 0));
    EXPECT_OK(cr_msg_caps(CR_UPTR(&conn), 1, 0, 0, 0));
    EXPECT_OK(procreq_call(&q, sizeof(q), NULL, 0, NULL, 0));
    /* A refused request leaves the connection set before in place: the pulse comes. */
    EXPECT_OK(cr_msg_caps(CR_UPTR(&ntfn), 1, 0, 0, 0));
    EXPECT_ERR(-CR_EINVAL, procreq_call(&q, sizeof(q), NULL, 0, NULL, 0));
    static const char *const argv[] = { "bin/ptest", "exit", "3", NULL };
    int64_t pid = procreq_spawn(argv, NULL);
    struct cr_pulse p = { 0 };
    struct cr_iov iov = { CR_UPTR(&p), sizeof(p) };
    struct cr_msg_info info;
    EXPECT_OK(cr_timeout_set(tl_now_ns() + (uint64_t)TL_TIMEOUT_MS * 1000000u));
    EXPECT_EQ(0, cr_msg_receivev(chan, CR_UPTR(&iov), 1, CR_UPTR(&info)));
    EXPECT_EQ(PROC_PULSE_CHILD, p.code);
    EXPECT_EQ((uint64_t)pid, p.value);
    EXPECT_EQ(7, p.badge);
    int64_t status = -1;
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(3, status);
    /* Without a capability: no more pulses. */
    EXPECT_OK(procreq_call(&q, sizeof(q), NULL, 0, NULL, 0));
    pid = procreq_spawn(argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_OK(cr_timeout_set(tl_now_ns() + 2000000));
    EXPECT_ERR(-CR_ETIMEDOUT, cr_msg_receivev(chan, CR_UPTR(&iov), 1, CR_UPTR(&info)));
out:
    tl_end(&t);
}

TEST(proc_shared_memory_objects)
{
    if (!pm_up()) {
        return;
    }
    struct pm_stats before;
    struct pm_stats after;
    pm_stats(&before);
    static const char *const argv[] = { "bin/ptest", "shm", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status); /* 30..39: which check failed (tests/ptest/ptest.c) */
    pm_stats(&after);
    EXPECT_EQ(before.chunks_free, after.chunks_free); /* the object's memory came back */
}

TEST(proc_fault_ends_the_process)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "fault", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(256 + 11, status);
    /* Read-only data mapped from the boot image, made writable: the writer gets a copy;
     * the image (and every other process running the program) keeps the original. */
    static const char *const rw[] = { "bin/ptest", "rowrite", NULL };
    static const char *const rc[] = { "bin/ptest", "rocheck", NULL };
    pid = procreq_spawn(rw, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status);
    pid = procreq_spawn(rc, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status);
    static const char *const none[] = { "bin/ptest", "none", NULL };
    pid = procreq_spawn(none, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(256 + 11, status); /* a PROT_NONE page read after it was touched */
}

TEST(proc_quota_enomem_goes_to_the_asker_only)
{
    if (!pm_up()) {
        return;
    }
    static const char *const hog[] = { "bin/ptest", "quota", NULL };
    static const char *const other[] = { "bin/ptest", "zero", NULL };
    int64_t s1 = -1;
    int64_t s2 = -1;
    int64_t p1 = procreq_spawn(hog, NULL);
    int64_t p2 = procreq_spawn(other, NULL);
    EXPECT_EQ(p1, procreq_wait(p1, &s1));
    EXPECT_EQ(p2, procreq_wait(p2, &s2));
    EXPECT_EQ(0, s1); /* it saw ENOMEM and went on */
    EXPECT_EQ(0, s2);
}

TEST(proc_exec_keeps_the_pid)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "exec", "bin/ptest", "zero", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status); /* "zero" ran in the same process: 3 would mean exec failed */
    /* Every thread goes: a process with two threads execs a program that sleeps; the list
     * then shows one thread, running the new image. */
    static const char *const two[] = { "bin/ptest", "threads", "bin/ptest", "sleep", NULL };
    pid = procreq_spawn(two, NULL);
    tl_pause(TL_PRIO - 1, 5);
    static struct proc_info list[64];
    struct proc_req lq = { { PROC_LIST, 0, 0 }, { pid, 0, 0 } };
    int64_t n = procreq_call(&lq, sizeof(lq), NULL, 0, list, sizeof(list));
    EXPECT_TRUE(n >= 1 && list[0].pid == pid && list[0].threads == 1 &&
                list[0].state == PROC_S_RUNNING);
    EXPECT_OK(procreq_op(PROC_KILL, 0, pid, 0, 0));
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(256 + 9, status); /* killed while sleeping: not 2/3/4 (an exec failure) */
    static const char *const bad[] = { "bin/ptest", "exec", "bin/nothing", "x", NULL };
    pid = procreq_spawn(bad, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(3, status); /* exec failed with the old image intact */
}

TEST(proc_kill_and_wait_nohang)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "sleep", NULL };
    int64_t pid = procreq_spawn(argv, NULL);
    int64_t status = -1;
    tl_pause(TL_PRIO - 1, 2);
    struct proc_req q = { { PROC_WAIT, PROC_WNOHANG, 0 }, { pid, 0, 0 } };
    EXPECT_EQ(0, procreq_call(&q, sizeof(q), NULL, 0, NULL, 0));
    EXPECT_OK(procreq_op(PROC_KILL, 0, pid, 0, 0));
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(256 + 9, status);
}

TEST(proc_fd_table_shared_address_space_not)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "hello", NULL };
    int64_t a = procreq_op(PROC_CREATE, 0, 0, 0, 0);
    int64_t b = procreq_op(PROC_CREATE, 0, 0, 0, 0);
    struct proc_load_rep la;
    struct proc_load_rep lb;
    EXPECT_OK(procreq_op(PROC_AS_NEW, 0, a, 0, 0));
    EXPECT_OK(procreq_op(PROC_AS_NEW, 0, b, 0, 0));
    EXPECT_OK(procreq_op(PROC_FDS_NEW, 0, a, 0, 0));
    EXPECT_OK(procreq_op(PROC_FDS_SHARE, 0, b, a, 0));
    EXPECT_OK(procreq_op(PROC_NS_NEW, 0, a, 0, 0));
    EXPECT_OK(procreq_op(PROC_NS_SHARE, 0, b, a, 0));
    EXPECT_OK(procreq_image(PROC_LOAD, a, argv, NULL, &la, sizeof(la)));
    EXPECT_OK(procreq_image(PROC_LOAD, b, argv, NULL, &lb, sizeof(lb)));
    struct pm_proc *pa = pm_proc_get(a);
    struct pm_proc *pb = pm_proc_get(b);
    if (EXPECT_TRUE(pa != NULL && pb != NULL)) {
        EXPECT_TRUE(pa->fds == pb->fds && pa->fds->refs == 2);
        EXPECT_TRUE(pa->ns == pb->ns && pa->ns->refs == 2);
        EXPECT_TRUE(pa->as != pb->as);
    }
    EXPECT_TRUE(procreq_op(PROC_THREAD_NEW, 0, a, (int64_t)la.entry, (int64_t)la.sp) > 0);
    EXPECT_TRUE(procreq_op(PROC_THREAD_NEW, 0, b, (int64_t)lb.entry, (int64_t)lb.sp) > 0);
    int64_t s = -1;
    EXPECT_EQ(a, procreq_wait(a, &s));
    EXPECT_EQ(0, s);
    EXPECT_EQ(b, procreq_wait(b, &s));
    EXPECT_EQ(0, s);
}

TEST(proc_list_shows_the_processes)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "sleep", NULL };
    int64_t pid = procreq_spawn(argv, NULL);
    static struct proc_info list[64];
    struct proc_req q = { { PROC_LIST, 0, 0 }, { 0, 0, 0 } };
    int64_t n = procreq_call(&q, sizeof(q), NULL, 0, list, sizeof(list));
    bool root = false;
    bool child = false;
    for (int64_t i = 0; i < n && i < 64; i++) {
        root = root || (list[i].pid == 1 && strcmp(list[i].name, "root") == 0);
        child = child || (list[i].pid == pid && list[i].ppid == 1 &&
                          strcmp(list[i].name, "ptest") == 0 && list[i].threads == 1 &&
                          list[i].pages > 0);
    }
    EXPECT_TRUE(root);
    EXPECT_TRUE(child);
    int64_t s;
    procreq_op(PROC_KILL, 0, pid, 0, 0);
    EXPECT_EQ(pid, procreq_wait(pid, &s));
}

enum {
    CYCLES = 10000,
};

TEST(proc_spawn_exit_cycles_return_all_memory)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "exit", "0", NULL };
    struct pm_stats before;
    struct pm_stats after;
    pm_stats(&before);
    for (int i = 0; i < CYCLES; i++) {
        int64_t s = -1;
        int64_t pid = procreq_spawn(argv, NULL);
        if (!EXPECT_TRUE(pid > 0) || !EXPECT_EQ(pid, procreq_wait(pid, &s)) || !EXPECT_EQ(0, s)) {
            break;
        }
    }
    pm_stats(&after);
    printf("proc: %d spawn/exit cycles: pool %llu of %llu chunks free before, %llu after\n",
           CYCLES, (unsigned long long)before.chunks_free,
           (unsigned long long)before.chunks_total, (unsigned long long)after.chunks_free);
    EXPECT_EQ(before.chunks_free, after.chunks_free);
    EXPECT_EQ(before.procs, after.procs);
}

TEST(proc_musl_programs_run)
{
    if (!pm_up()) {
        return;
    }
    /* The test program: printf, malloc up to mmap sizes, qsort, argv and the
     * environment, clocks, nanosleep, and an unimplemented call answered ENOSYS. */
    static const char *const argv[] = { "bin/musltest", "alpha", "beta gamma", NULL };
    static const char *const envp[] = { "COURIER_TEST=1", "PATH=/bin", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, envp);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status);
    static const char *const code[] = { "bin/exitcode", "77", NULL };
    pid = procreq_spawn(code, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(77, status);
    static const char *const hello[] = { "bin/hello", "one", NULL };
    pid = procreq_spawn(hello, envp);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status);
}

TEST(proc_unmodified_linux_binary_runs_through_the_personality)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/linuxhello", "unmodified", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(3, status); /* 3 + the checks that failed inside */
}

/*
 * Random requests from the root (pid 1) to the managers: random ops around both ranges,
 * random lengths (including shorter than their struct and longer than the data), random
 * arguments and random image data. PROC_WAIT always carries WNOHANG and PROC_EXIT is left
 * out (the root may not exit: EPERM is checked above). Every answer must be a status or
 * a documented error, and afterwards the managers must still spawn and reap a program;
 * blank children the fuzz made are killed and collected.
 */
/* Credentials: uid 0 gives any ids; a process with others can give only its own. */
TEST(proc_credentials_only_root_gives_other_ids)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "cred", "1000", "100", NULL };
    struct proc_load_rep lr;
    int64_t pid = procreq_op(PROC_CREATE, 0, 0, 0, 0);
    EXPECT_OK(procreq_op(PROC_AS_NEW, 0, pid, 0, 0));
    EXPECT_OK(procreq_image(PROC_LOAD, pid, argv, NULL, &lr, sizeof(lr)));
    EXPECT_OK(procreq_op(PROC_FDS_NEW, 0, pid, 0, 0));
    EXPECT_ERR(-CR_EINVAL, procreq_op(PROC_CRED_SET, 0, pid, -1, 100));
    EXPECT_ERR(-CR_EINVAL, procreq_op(PROC_CRED_SET, 0, pid, 1000, 1ll << 32));
    EXPECT_OK(procreq_op(PROC_CRED_SET, 0, pid, 1000, 100));
    EXPECT_TRUE(procreq_op(PROC_THREAD_NEW, 0, pid, (int64_t)lr.entry, (int64_t)lr.sp) > 0);
    int64_t status = -1;
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status); /* else the number of the check ptest saw fail */
}

/* An orphan that had ended before its parent comes to the root like any other. */
TEST(proc_ended_orphan_comes_to_the_root)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "zombie", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status);
    /* Already a zombie: no wait. Before, it was freed with its parent, status lost. */
    EXPECT_TRUE(procreq_op(PROC_WAIT, PROC_WNOHANG, -1, 0, 0) > pid);
    EXPECT_ERR(-CR_ECHILD, procreq_op(PROC_WAIT, PROC_WNOHANG, -1, 0, 0));
}

/* Every program gets its own AT_RANDOM bytes: 8 in a row do not all start alike. */
TEST(proc_at_random_differs_between_programs)
{
    if (!pm_up()) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "random", NULL };
    int64_t first = -1;
    bool differ = false;
    for (int i = 0; i < 8; i++) {
        int64_t status = -1;
        int64_t pid = procreq_spawn(argv, NULL);
        EXPECT_EQ(pid, procreq_wait(pid, &status));
        EXPECT_TRUE(status >= 0 && status < 256);
        differ = differ || (first >= 0 && status != first);
        first = status;
    }
    EXPECT_TRUE(differ);
}
