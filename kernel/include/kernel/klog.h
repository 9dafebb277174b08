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

/* Prints why a user request was rejected, in debug builds only. */
#define user_error(...)                    \
    do {                                   \
        if (CONFIG_USER_ERRORS) {          \
            kprintf("user error: ");       \
            kprintf(__VA_ARGS__);          \
            kprintf("\n");                 \
        }                                  \
    } while (0)
