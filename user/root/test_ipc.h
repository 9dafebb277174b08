/* SPDX-License-Identifier: MIT */
/*
 * The IPC tests' data patterns (test_ipc.c, test_ipc_answer.c): pattern `seed` gives
 * every byte position its own value, so a message copied to the wrong offset, short or
 * from the wrong buffer never matches.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Byte i of pattern `seed`: depends on the position, so a shifted copy never matches. */
static inline uint8_t
pat(uint32_t seed, uint64_t i)
{
    return (uint8_t)(seed * 0x9du + i * 131u + (i >> 8) * 7u + (i >> 16));
}

static inline void
fill(void *p, uint64_t n, uint32_t seed, uint64_t start)
{
    uint8_t *b = p;
    for (uint64_t i = 0; i < n; i++) {
        b[i] = pat(seed, start + i);
    }
}

/* True if p[0..n) is pattern `seed` from position start. */
static inline bool
matches(const void *p, uint64_t n, uint32_t seed, uint64_t start)
{
    const uint8_t *b = p;
    for (uint64_t i = 0; i < n; i++) {
        if (b[i] != pat(seed, start + i)) {
            return false;
        }
    }
    return true;
}
