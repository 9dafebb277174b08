/* SPDX-License-Identifier: MIT */
/*
 * The clock calls (clock.c): reading the clocks and sleeping. Handlers take the Linux
 * call's six arguments and return its Linux result; the helpers are pure, for tests.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct linux_timespec;

long sys_clock_gettime(const long *a);
long sys_clock_getres(const long *a);
long sys_gettimeofday(const long *a);
long sys_time(const long *a);
long sys_nanosleep(const long *a);
long sys_clock_nanosleep(const long *a);

bool clock_is_supported(long clk);
long clock_deadline(uint64_t now, const struct linux_timespec *ts, bool absolute,
                    uint64_t *deadline);
struct linux_timespec clock_timespec(uint64_t ns);
