/* SPDX-License-Identifier: MIT */
/*
 * panic() and KASSERT(). KASSERT is for kernel invariants only: user input never
 * reaches a KASSERT (STYLE §6).
 */
#pragma once

#include <kernel/types.h>

struct arch_context;

void panic(const char *fmt, ...) NORETURN PRINTF_LIKE(1, 2);
void panic_with_frame(const struct arch_context *ctx, const char *fmt, ...) NORETURN
    PRINTF_LIKE(2, 3);

#define KASSERT(x)                                                           \
    do {                                                                     \
        if (UNLIKELY(!(x))) {                                                \
            panic("assertion failed: %s at %s:%d", #x, __FILE__, __LINE__); \
        }                                                                    \
    } while (0)
