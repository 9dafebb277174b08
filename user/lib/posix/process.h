/* SPDX-License-Identifier: MIT */
/*
 * The process calls (process.c): ids, exit and wait as requests to the process manager,
 * and the credentials, which do not exist yet. Handlers take the Linux call's six
 * arguments and return its Linux result.
 */
#pragma once

#include <stdint.h>

long sys_getpid(const long *a);
long sys_getppid(const long *a);
long sys_exit_group(const long *a);
long sys_wait4(const long *a);
long sys_getuid(const long *a);
long sys_geteuid(const long *a);
long sys_getgid(const long *a);
long sys_getegid(const long *a);

long process_getpid(void);
_Noreturn void process_exit(int code);
long process_wstatus(int64_t status);
