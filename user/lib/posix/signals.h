/* SPDX-License-Identifier: MIT */
/*
 * The signal calls (signals.c): actions and the mask, kept but not yet acted on.
 * Handlers take the Linux call's six arguments and return its Linux result.
 */
#pragma once

long sys_rt_sigaction(const long *a);
long sys_rt_sigprocmask(const long *a);
