/* SPDX-License-Identifier: MIT */
/*
 * The stdio subset of the interim C library (user/lib/c/print.c), under the standard names
 * so that code written against it keeps working with musl. printf, puts and putchar
 * write into one line buffer that is handed to a registered output function whenever a
 * line ends or the buffer fills. The program registers its console with cr_set_output;
 * until it does, output is dropped. Not thread-safe: a program with several threads that
 * print must serialise them itself.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/* Longest piece handed to the output function at once; longer lines are split. */
#define PRINT_LINE_MAX 256

/* Registers the function that receives output (NULL drops output). Flushes nothing. */
void cr_set_output(void (*write)(const char *s, size_t n));

/* Hands any buffered partial line to the output function. */
void cr_flush_output(void);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int puts(const char *s);
int putchar(int c);
