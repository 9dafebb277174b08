/* SPDX-License-Identifier: MIT */
/*
 * Address spaces shared between processes (PROC_AS_SHARE, docs/process.md): a shared
 * space lives in its owner's memory, so it ends with its owner's image — the sharers end
 * (256 + 9) when the owner exits or execs — and PROC_LOAD goes only into an empty space of
 * the child's own, so that a failed load can leave the space exactly as it was.
 */
#include "tests.h"

#include <courier/proto/proc.h>

#include "pm/pm.h"
#include "procreq.h"
#include "testlib.h"

enum {
    STATUS_KILLED = 256 + 9,
};

/* A blank child with an address space of its own holding argv's image; 0 on failure. */
static int64_t
loaded_child(const char *const *argv, struct proc_load_rep *lr)
{
    int64_t pid = procreq_op(PROC_CREATE, 0, 0, 0, 0);
    if (!EXPECT_TRUE(pid > 1) || !EXPECT_OK(procreq_op(PROC_AS_NEW, 0, pid, 0, 0)) ||
        !EXPECT_OK(procreq_image(PROC_LOAD, pid, argv, NULL, lr, sizeof(*lr)))) {
        return 0;
    }
    return pid;
}

/* Starts a loaded child at its entry, with a new fd table. */
static bool
start_child(int64_t pid, const struct proc_load_rep *lr)
{
    return EXPECT_OK(procreq_op(PROC_FDS_NEW, 0, pid, 0, 0)) &&
           EXPECT_TRUE(procreq_op(PROC_THREAD_NEW, 0, pid, (int64_t)lr->entry,
                                  (int64_t)lr->sp) > 0);
}

/* A blank child sharing from's address space; 0 on failure. */
static int64_t
sharer_of(int64_t from)
{
    int64_t pid = procreq_op(PROC_CREATE, 0, 0, 0, 0);
    if (!EXPECT_TRUE(pid > 1) || !EXPECT_OK(procreq_op(PROC_AS_SHARE, 0, pid, from, 0))) {
        return 0;
    }
    return pid;
}

/* Kills pid (a child) and collects it, whatever state it is in. */
static void
finish(int64_t pid)
{
    int64_t status;
    if (pid > 1) {
        procreq_op(PROC_KILL, 0, pid, 0, 0);
        procreq_wait(pid, &status);
    }
}

/* Expects pid to have ended already with `want`, and collects it. */
static void
expect_ended(int64_t pid, int64_t want)
{
    struct proc_wait_rep rep = { 0, -1 };
    struct proc_req q = { { PROC_WAIT, PROC_WNOHANG, 0 }, { pid, 0, 0 } };
    if (EXPECT_EQ(pid, procreq_call(&q, sizeof(q), NULL, 0, &rep, sizeof(rep)))) {
        EXPECT_EQ(want, rep.status);
    } else {
        finish(pid);
    }
}

TEST(proc_load_wants_an_empty_space_of_its_own)
{
    if (!EXPECT_TRUE(pm_start())) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "exit", "5", NULL };
    struct proc_load_rep lr;
    struct proc_load_rep again;
    int64_t a = loaded_child(argv, &lr);
    int64_t shared = sharer_of(a);
    int64_t copied = procreq_op(PROC_CREATE, 0, 0, 0, 0);
    if (a == 0 || shared == 0 || !EXPECT_OK(procreq_op(PROC_AS_COPY, 0, copied, a, 0))) {
        goto out;
    }
    /* Not empty, not the child's own, a copy (not empty): refused, nothing changed. */
    EXPECT_ERR(-CR_EEXIST, procreq_image(PROC_LOAD, a, argv, NULL, &again, sizeof(again)));
    EXPECT_ERR(-CR_ENOCTX, procreq_image(PROC_LOAD, shared, argv, NULL, &again, sizeof(again)));
    EXPECT_ERR(-CR_EEXIST, procreq_image(PROC_LOAD, copied, argv, NULL, &again, sizeof(again)));
    /* The first image still runs as loaded. */
    int64_t status = -1;
    finish(shared);
    shared = 0;
    if (start_child(a, &lr)) {
        EXPECT_EQ(a, procreq_wait(a, &status));
        EXPECT_EQ(5, status);
        a = 0;
    }
out:
    finish(a);
    finish(shared);
    finish(copied);
}

TEST(proc_shared_space_ends_with_its_owner)
{
    if (!EXPECT_TRUE(pm_start())) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "sleep", NULL };
    struct proc_load_rep lr;
    int64_t owner = loaded_child(argv, &lr);
    int64_t sharer = owner != 0 ? sharer_of(owner) : 0;
    if (sharer == 0 || !start_child(owner, &lr)) {
        finish(sharer);
        finish(owner);
        return;
    }
    int64_t status = -1;
    EXPECT_OK(procreq_op(PROC_KILL, 0, owner, 0, 0));
    EXPECT_EQ(owner, procreq_wait(owner, &status));
    EXPECT_EQ(STATUS_KILLED, status);
    expect_ended(sharer, STATUS_KILLED);
}

/*
 * The owner execs while a child shares its space: the old space goes with the old image,
 * so the sharer ends then (it used to keep a space whose objects were freed with the
 * owner's, and whose owner entry pointed at whatever process took that entry next).
 */
TEST(proc_shared_space_ends_with_its_owners_exec)
{
    if (!EXPECT_TRUE(pm_start())) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "exec", "bin/ptest", "hello", NULL };
    struct proc_load_rep lr;
    int64_t owner = loaded_child(argv, &lr);
    int64_t sharer = owner != 0 ? sharer_of(owner) : 0;
    if (sharer == 0 || !start_child(owner, &lr)) {
        finish(sharer);
        finish(owner);
        return;
    }
    int64_t status = -1;
    EXPECT_EQ(owner, procreq_wait(owner, &status));
    EXPECT_EQ(0, status); /* the new image said hello */
    expect_ended(sharer, STATUS_KILLED);
}

/*
 * A process sharing a space writes a copy-on-write page of it (the owner has made a
 * copy of the space): the page is copied for the space, at the owner's charge, as for
 * the owner's own write (it used to end the writer with SIGSEGV).
 */
TEST(proc_sharer_writes_a_copy_on_write_page)
{
    if (!EXPECT_TRUE(pm_start())) {
        return;
    }
    static const char *const argv[] = { "bin/ptest", "sharewrite", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    EXPECT_EQ(pid, procreq_wait(pid, &status));
    EXPECT_EQ(0, status); /* 32: the writer died of SIGSEGV; see ptest.c */
}
