/* SPDX-License-Identifier: MIT */
/*
 * The ChaCha20 block function (RFC 8439, section 2.3), for random numbers: the root
 * server's generator (user/root/pm/random.c) draws AT_RANDOM bytes from it. Pure logic
 * (user/lib/c/chacha20.c), tested on the host against the RFC's vector.
 */
#pragma once

#include <stdint.h>

enum {
    CHACHA20_BLOCK = 64, /* bytes of key stream per block */
};

/* The 64-byte key stream block for a 256-bit key, a 96-bit nonce and a block counter. */
void chacha20_block(const uint32_t key[8], const uint32_t nonce[3], uint32_t counter,
                    uint8_t out[CHACHA20_BLOCK]);
