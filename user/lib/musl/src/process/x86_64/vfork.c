/* SPDX-License-Identifier: MIT */
/*
 * Courier's vfork for musl (replaces musl's src/process/x86_64/vfork.s, which traps
 * with the return address kept in a register, because parent and child share one
 * stack). A dispatcher call cannot return twice on a shared stack: the child's calls
 * would overwrite the frame the parent returns through. So vfork is fork, as POSIX
 * allows and as musl does on targets without a vfork of their own. It is _Fork, the
 * fork that runs no atfork handlers, as vfork runs none; it reaches the dispatcher as
 * SYS_fork.
 */
#include <unistd.h>

/* fork(2) without atfork handlers. Returns 0 in the child and the child's pid in the
 * parent, or -1 with errno set. */
pid_t
vfork(void)
{
    return _Fork();
}
