/* SPDX-License-Identifier: MIT */
/*
 * Kernel error codes: the ABI's (errors.def) plus internal ones that never reach user
 * space. ERESTART means "preempted at a preemption point, progress saved in the
 * object; re-execute the call" — the dispatcher rewinds the thread to its syscall.
 * EJUSTRETURN means "the call set the thread's registers itself (upcall_return), or
 * another thread runs now (the IPC fast path): leave rax alone" (the BSD name).
 */
#pragma once

#include <courier/abi/errors.h>

enum {
    ERESTART = 4096,
    EJUSTRETURN = 4097,
};
