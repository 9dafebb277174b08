/* SPDX-License-Identifier: MIT */
/*
 * Courier's __set_thread_area for musl (replaces musl's
 * src/thread/x86_64/__set_thread_area.s, which traps): arch_prctl(ARCH_SET_FS, p) as a
 * dispatcher call. musl's __init_tls calls it once, for the first thread, before any
 * thread pointer exists (threads made later get theirs from clone's CLONE_SETTLS). So
 * the dispatcher must serve this call, and every call before it, without the thread
 * pointer: no TLS, no errno, no stack protector.
 */
#include "pthread_impl.h"
#include "syscall.h"

/* From Linux's asm/prctl.h, which musl does not install. */
#define ARCH_SET_FS 0x1002

/* Makes p the calling thread's FS base. Returns 0, or -errno from the dispatcher. */
int
__set_thread_area(void *p)
{
    return __syscall(SYS_arch_prctl, ARCH_SET_FS, p);
}
