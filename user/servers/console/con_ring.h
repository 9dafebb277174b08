/* SPDX-License-Identifier: MIT */
/*
 * The console's input ring (con_ring.c): a bounded FIFO of received bytes between the
 * receive interrupt, which appends, and the readers, which take from the front. Pure
 * logic, host-tested in test/con_ring_test.c. Owner: the console thread.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    /* Bytes the ring holds: far more than a typed line or a pasted screenful, and one page
     * of the root's memory. A power of two, so positions wrap with a mask. */
    CON_RING_SIZE = 4096,
};

struct con_ring {
    uint8_t buf[CON_RING_SIZE];
    uint32_t head;    /* position of the oldest byte, 0 .. CON_RING_SIZE - 1 */
    uint32_t count;   /* bytes held, 0 .. CON_RING_SIZE */
    uint64_t dropped; /* bytes refused because the ring was full */
};

/* A run of bytes inside the ring: what con_ring_peek hands out. */
struct con_span {
    const uint8_t *p;
    size_t len;
};

void con_ring_init(struct con_ring *r);
bool con_ring_put(struct con_ring *r, uint8_t b);
size_t con_ring_count(const struct con_ring *r);
unsigned con_ring_peek(const struct con_ring *r, size_t n, struct con_span span[2]);
void con_ring_consume(struct con_ring *r, size_t n);
