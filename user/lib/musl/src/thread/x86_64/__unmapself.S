/* SPDX-License-Identifier: MIT */
/*
 * Courier's __unmapself for musl (replaces musl's src/thread/x86_64/__unmapself.s,
 * which traps). A detached thread that exits calls __unmapself(base, size) to unmap
 * its own stack and thread block and exit, with musl's thread-list lock held (the
 * exit's clear of ctid releases it). Once the stack is gone no C code can run on it,
 * so the whole job goes to libposix's __courier_unmapself, which never returns and
 * must switch to a stack of its own first: see docs/musl.md.
 */
    .text
    .global __unmapself
    .type __unmapself, @function
__unmapself:
    jmp __courier_unmapself     /* base in rdi, size in rsi, as they came */
    .size __unmapself, . - __unmapself
