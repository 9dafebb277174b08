/* SPDX-License-Identifier: MIT */
/*
 * The thread calls (thread.c): the thread pointer, thread ids, a thread's exit, yield,
 * and musl's clone and unmapself hooks. Handlers take the Linux call's six arguments
 * and return its Linux result.
 */
#pragma once

long sys_arch_prctl(const long *a);
long sys_set_tid_address(const long *a);
long sys_gettid(const long *a);
long sys_exit(const long *a);
long sys_sched_yield(const long *a);
