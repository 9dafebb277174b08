/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting without I/O (user/lib/c/fmt.c). fmt_vformat is the engine: it
 * hands the formatted text, in pieces, to a caller-supplied emit function, so a caller can
 * format into a buffer (fmt_vsnprintf) or stream into a line buffer (printf, print.h) with no
 * length limit. Conversions: %d %i %u %x %X %o %p %s %c %%; length modifiers hh h l ll z j t;
 * flags - 0 + space #; width and precision, either may be *. No floating point. An unknown
 * conversion is copied to the output as written, so a bad format string is visible rather
 * than silently eaten.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/*
 * Formats `fmt` with the arguments in `ap`, calling emit(ctx, s, n) for each run of output
 * characters (n >= 1, s not NUL-terminated). Returns the number of characters emitted.
 */
int fmt_vformat(void (*emit)(void *ctx, const char *s, size_t n), void *ctx, const char *fmt,
                va_list ap);

/*
 * C99 vsnprintf/snprintf under the library's own names: write at most size - 1 characters
 * and a NUL into buf (nothing if size is 0) and return the length the full output would
 * have had. print.h offers them as vsnprintf and snprintf too.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
