/* SPDX-License-Identifier: MIT */
/*
 * x86_64 system-call register convention (the one place it is written down).
 *
 *   instruction  syscall
 *   rax          call number: -N for native call N of syscalls.def; >= 0 is a foreign
 *                (Linux-numbered) call, redirected to the thread's upcall or fault channel
 *   arguments    rdi, rsi, rdx, r10, r8, r9 (in that order, as Linux)
 *   result       rax: 0 or a value (ioport_in) on success, -errno on failure (errors.def)
 *   clobbered    rcx and r11 (by the syscall instruction itself); all others preserved
 *
 * The kernel never trusts rsp or any register: values are checked before use.
 */
#pragma once

#define CR_SYSCALL_ARGS_MAX 6
