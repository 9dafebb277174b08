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
 * Register messages (msg_send_regs, msg_reply_recv_regs; docs/ipc.md): up to
 * CR_MSG_REG_BYTES (courier/abi/msg.h) of message travel in the message registers
 * MR0..MR3 = r15, r14, r13, r12; byte i of the message is byte i % 8 (little-endian) of
 * MR(i / 8). A call that receives into them also returns, besides rax:
 *   rdi badge, rsi send_len, rdx reply_len, r10 bytes copied, r8 capabilities received
 * (the fields of struct cr_msg_info). Message bytes beyond those copied keep their values.
 *
 * The kernel never trusts rsp or any register: values are checked before use.
 */
#pragma once

#define CR_SYSCALL_ARGS_MAX 6
