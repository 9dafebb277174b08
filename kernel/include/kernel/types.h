/* SPDX-License-Identifier: MIT */
/*
 * Kernel-wide scalar types. uaddr_t is a user address wrapped in a struct so that
 * dereferencing it does not compile: user memory is reached only through usercopy.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;
typedef uint64_t vaddr_t;
typedef int64_t ssize_t;
typedef uint64_t word_t;

typedef struct {
    uint64_t addr;
} uaddr_t;

static inline uaddr_t
uaddr(uint64_t a)
{
    return (uaddr_t){ a };
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((uint64_t)(a) - 1)) == 0)
#define BIT(n) (1ull << (n))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define container_of(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))
#define NORETURN __attribute__((noreturn))
#define NOINLINE __attribute__((noinline)) /* keeps a cold path out of a hot caller */
#define ALWAYS_INLINE inline __attribute__((always_inline)) /* a hot path GCC would call */
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define UNUSED __attribute__((unused))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
