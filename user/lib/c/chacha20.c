/* SPDX-License-Identifier: MIT */
/*
 * ChaCha20's block function, written from RFC 8439 section 2.3: a 4 x 4 state of 32-bit
 * words (four constants, the key, the counter and the nonce), 20 rounds of quarter
 * rounds — ten column rounds each followed by a diagonal round — and the original state
 * added back, serialised little-endian.
 */
#include <courier/lib/chacha20.h>

static uint32_t
rotl(uint32_t v, unsigned n)
{
    return (v << n) | (v >> (32 - n));
}

static void
quarter(uint32_t *s, unsigned a, unsigned b, unsigned c, unsigned d)
{
    s[a] += s[b];
    s[d] = rotl(s[d] ^ s[a], 16);
    s[c] += s[d];
    s[b] = rotl(s[b] ^ s[c], 12);
    s[a] += s[b];
    s[d] = rotl(s[d] ^ s[a], 8);
    s[c] += s[d];
    s[b] = rotl(s[b] ^ s[c], 7);
}

void
chacha20_block(const uint32_t key[8], const uint32_t nonce[3], uint32_t counter,
               uint8_t out[CHACHA20_BLOCK])
{
    uint32_t init[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 }; /* "expand 32-byte k" */
    for (unsigned i = 0; i < 8; i++) {
        init[4 + i] = key[i];
    }
    init[12] = counter;
    init[13] = nonce[0];
    init[14] = nonce[1];
    init[15] = nonce[2];
    uint32_t s[16];
    for (unsigned i = 0; i < 16; i++) {
        s[i] = init[i];
    }
    for (unsigned r = 0; r < 10; r++) {
        quarter(s, 0, 4, 8, 12);
        quarter(s, 1, 5, 9, 13);
        quarter(s, 2, 6, 10, 14);
        quarter(s, 3, 7, 11, 15);
        quarter(s, 0, 5, 10, 15);
        quarter(s, 1, 6, 11, 12);
        quarter(s, 2, 7, 8, 13);
        quarter(s, 3, 4, 9, 14);
    }
    for (unsigned i = 0; i < 16; i++) {
        uint32_t w = s[i] + init[i];
        out[4 * i] = (uint8_t)w;
        out[4 * i + 1] = (uint8_t)(w >> 8);
        out[4 * i + 2] = (uint8_t)(w >> 16);
        out[4 * i + 3] = (uint8_t)(w >> 24);
    }
}
