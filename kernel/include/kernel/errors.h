/* SPDX-License-Identifier: MIT */
/*
 * Kernel error codes: the ABI's (errors.def) plus internal ones that never reach user
 * space. ERESTART means "preempted at a preemption point, progress saved in the
 * object; re-execute the call" — the dispatcher rewinds the thread to its syscall.
 */
#pragma once

#include <courier/abi/errors.h>

enum {
    ERESTART = 4096,
};
