/* SPDX-License-Identifier: MIT */
/*
 * The default exit policy of the C runtime, weak so that a program can replace it (the
 * root server powers the machine off instead). The kernel has no "exit" call: a thread
 * ends when whoever holds its TCB capability suspends or deletes it. Until the process
 * manager provides that, a program that returns from cr_main flushes its output and gives
 * the CPU away forever.
 */
#include <courier/lib/crt.h>

#include <courier/lib/print.h>
#include <courier/sys.h>

/* Default cr_exit: flushes console output, then yields forever. Never returns. */
__attribute__((weak)) _Noreturn void
cr_exit(int code)
{
    (void)code;
    cr_flush_output();
    for (;;) {
        cr_yield();
    }
}
