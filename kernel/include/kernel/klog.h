/* SPDX-License-Identifier: MIT */
/*
 * Kernel log: formatted output to the platform debug console. Also the one-line
 * rejection reasons of debug builds (user_error), as seL4's userError().
 */
#pragma once

#include <stdarg.h>
#include <kernel/types.h>

#define CONFIG_USER_ERRORS 0

void kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
void kvprintf(const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t n, const char *fmt, ...) PRINTF_LIKE(3, 4);
int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
void klog_putc(char c);

/* The debug console's device passes to user level (klog_release: the kernel goes quiet)
 * and back (klog_reclaim: a panic prints whatever the driver was doing). */
void klog_release(void);
bool klog_is_released(void);
void klog_reclaim(void);

/* Prints why a user request was rejected, in debug builds only. */
#define user_error(...)                    \
    do {                                   \
        if (CONFIG_USER_ERRORS) {          \
            kprintf("user error: ");       \
            kprintf(__VA_ARGS__);          \
            kprintf("\n");                 \
        }                                  \
    } while (0)
