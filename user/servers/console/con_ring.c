/* SPDX-License-Identifier: MIT */
/*
 * The console's input ring: bytes in arrival order, at most CON_RING_SIZE of them. A byte
 * that finds the ring full is dropped and counted, never the oldest: what a reader gets is
 * always a prefix of what arrived, with a gap at the end rather than in the middle. Taking
 * is two steps, so that bytes leave the ring only once a reply carrying them has gone out:
 * con_ring_peek describes the first n bytes as one or two spans (two when they wrap past
 * the end of the buffer), and con_ring_consume drops them.
 */
#include "con_ring.h"

/* Empties the ring and clears its drop count. */
void
con_ring_init(struct con_ring *r)
{
    r->head = 0;
    r->count = 0;
    r->dropped = 0;
}

/* Appends b; returns false (and counts the byte as dropped) when the ring is full. */
bool
con_ring_put(struct con_ring *r, uint8_t b)
{
    if (r->count == CON_RING_SIZE) {
        r->dropped++;
        return false;
    }
    r->buf[(r->head + r->count) & (CON_RING_SIZE - 1)] = b;
    r->count++;
    return true;
}

/* The bytes held. */
size_t
con_ring_count(const struct con_ring *r)
{
    return r->count;
}

/*
 * Describes the first min(n, count) bytes in span[0] and, when they wrap, span[1];
 * returns the number of spans used (0 when n or the ring is 0). Changes nothing.
 */
unsigned
con_ring_peek(const struct con_ring *r, size_t n, struct con_span span[2])
{
    if (n > r->count) {
        n = r->count;
    }
    if (n == 0) {
        return 0;
    }
    size_t first = CON_RING_SIZE - r->head;
    if (n <= first) {
        span[0] = (struct con_span){ &r->buf[r->head], n };
        return 1;
    }
    span[0] = (struct con_span){ &r->buf[r->head], first };
    span[1] = (struct con_span){ &r->buf[0], n - first };
    return 2;
}

/* Drops the first min(n, count) bytes. */
void
con_ring_consume(struct con_ring *r, size_t n)
{
    if (n > r->count) {
        n = r->count;
    }
    r->head = (uint32_t)((r->head + n) & (CON_RING_SIZE - 1));
    r->count -= (uint32_t)n;
}
