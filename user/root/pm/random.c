/* SPDX-License-Identifier: MIT */
/*
 * The root server's random numbers (the 16 AT_RANDOM bytes of every program it loads,
 * from which a C library takes its stack canary and pointer guard): ChaCha20 as a
 * generator with fast key erasure — each block's first 32 bytes become the next key, so
 * what was handed out cannot be recomputed from a later state — keyed from the CPU's
 * RDRAND where it has one, and from the time stamp counter and the clock. Every draw
 * stirs the counter of the moment, and RDRAND's output where there is one, into the key.
 *
 * Where the CPU lacks RDRAND (QEMU's qemu64 model, as `make bench` and the ISO test run),
 * the only entropy is in the timing of the draws; under `-icount` that is deterministic,
 * so the bytes are unpredictable only to the extent the TSC is. Manager threads only.
 */
#include "pm.h"

#include <stdbool.h>

#include <courier/lib/chacha20.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

enum {
    RDRAND_TRIES = 10, /* Intel's advice for a transient underflow */
    KEY_BYTES = 32,
};

static struct {
    bool seeded;
    bool rdrand;
    unsigned stir_at; /* next key word to stir into */
    uint32_t key[8];
    uint32_t counter;
} rng;

static uint64_t
rdtsc(void)
{
    uint32_t lo;
    uint32_t hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static bool
cpu_has_rdrand(void)
{
    uint32_t a = 1;
    uint32_t b;
    uint32_t c = 0;
    uint32_t d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return (c >> 30) & 1;
}

/* One 64-bit word from RDRAND; false if it kept failing. */
static bool
rdrand64(uint64_t *v)
{
    for (int i = 0; i < RDRAND_TRIES; i++) {
        unsigned char ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
        if (ok) {
            return true;
        }
    }
    return false;
}

/* XORs v into the next two key words. */
static void
stir(uint64_t v)
{
    rng.key[rng.stir_at++ % 8] ^= (uint32_t)v;
    rng.key[rng.stir_at++ % 8] ^= (uint32_t)(v >> 32);
}

/* Stirs in what this moment offers: the counter, and RDRAND where there is one. */
static void
stir_now(void)
{
    uint64_t r;
    stir(rdtsc());
    if (rng.rdrand && rdrand64(&r)) {
        stir(r);
    }
}

static void
seed(void)
{
    rng.rdrand = cpu_has_rdrand();
    uint64_t now = 0;
    cr_clock_get(CR_UPTR(&now));
    stir(now);
    for (unsigned i = 0; i < 4; i++) {
        stir_now();
    }
    rng.seeded = true;
}

/* Fills out[0..n) with random bytes. */
void
pm_random(void *out, size_t n)
{
    if (!rng.seeded) {
        seed();
    }
    stir_now();
    static const uint32_t nonce[3];
    uint8_t *o = out;
    /* Bounded by n: 32 bytes a block. */
    while (n > 0) {
        uint8_t blk[CHACHA20_BLOCK];
        chacha20_block(rng.key, nonce, rng.counter++, blk);
        memcpy(rng.key, blk, KEY_BYTES);
        size_t k = n < CHACHA20_BLOCK - KEY_BYTES ? n : CHACHA20_BLOCK - KEY_BYTES;
        memcpy(o, blk + KEY_BYTES, k);
        memset(blk, 0, sizeof(blk));
        o += k;
        n -= k;
    }
}
