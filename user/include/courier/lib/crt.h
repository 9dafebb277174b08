/* SPDX-License-Identifier: MIT */
/*
 * The program entry contract of Courier's C runtime (user/lib/crt/crt0.S). The kernel (for
 * the root server) or the parent (for every other program) starts the first thread at
 * _start with two words in rdi and rsi; _start aligns the stack, calls cr_main with them
 * and, if cr_main returns, calls cr_exit with its result. The library's cr_exit is weak:
 * a program that needs a different exit policy defines its own.
 */
#pragma once

#include <stdint.h>

/* The program's entry point, defined by every program. arg0/arg1 as the starter set them. */
int cr_main(uint64_t arg0, uint64_t arg1);

/* Ends the program. The default flushes output and yields forever. */
_Noreturn void cr_exit(int code);
