/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the console's input ring (user/servers/console/con_ring.c): bytes come out in
 * arrival order, a full ring drops the newest byte and counts it, peeking changes nothing,
 * and a run that wraps past the end of the buffer is described as exactly two spans whose
 * lengths add up. Each bound is checked on both sides (full, one short of full).
 */
/* test-sources: user/servers/console/con_ring.c */
#include "test.h"

#include "user/servers/console/con_ring.h"

static struct con_ring ring;

/* The n bytes the spans describe, copied out in order. */
static size_t
gather(unsigned nspans, const struct con_span *s, uint8_t *out)
{
    size_t n = 0;
    for (unsigned i = 0; i < nspans; i++) {
        memcpy(out + n, s[i].p, s[i].len);
        n += s[i].len;
    }
    return n;
}

TEST(con_ring_keeps_arrival_order)
{
    struct con_span s[2];
    uint8_t out[8];

    con_ring_init(&ring);
    ASSERT_EQ(0, con_ring_count(&ring));
    ASSERT_EQ(0, con_ring_peek(&ring, 8, s));
    for (uint8_t b = 'a'; b <= 'e'; b++) {
        ASSERT_TRUE(con_ring_put(&ring, b));
    }
    ASSERT_EQ(5, con_ring_count(&ring));
    ASSERT_EQ(1, con_ring_peek(&ring, 3, s));
    ASSERT_EQ(3, gather(1, s, out));
    ASSERT_TRUE(memcmp(out, "abc", 3) == 0);
    ASSERT_EQ(5, con_ring_count(&ring)); /* peeking takes nothing */
    ASSERT_EQ(0, con_ring_peek(&ring, 0, s));
    con_ring_consume(&ring, 3);
    ASSERT_EQ(2, con_ring_count(&ring));
    ASSERT_EQ(1, con_ring_peek(&ring, 100, s)); /* more than held: all of it */
    ASSERT_EQ(2, gather(1, s, out));
    ASSERT_TRUE(memcmp(out, "de", 2) == 0);
    con_ring_consume(&ring, 100);
    ASSERT_EQ(0, con_ring_count(&ring));
    ASSERT_EQ(0, ring.dropped);
}

TEST(con_ring_full_drops_the_newest_and_counts)
{
    struct con_span s[2];

    con_ring_init(&ring);
    for (size_t i = 0; i < CON_RING_SIZE - 1; i++) {
        ASSERT_TRUE(con_ring_put(&ring, (uint8_t)i));
    }
    ASSERT_TRUE(con_ring_put(&ring, 0xee)); /* one short of full: still taken */
    ASSERT_EQ(CON_RING_SIZE, con_ring_count(&ring));
    ASSERT_TRUE(!con_ring_put(&ring, 0xff));
    ASSERT_TRUE(!con_ring_put(&ring, 0xff));
    ASSERT_EQ(2, ring.dropped);
    ASSERT_EQ(CON_RING_SIZE, con_ring_count(&ring));
    ASSERT_EQ(1, con_ring_peek(&ring, CON_RING_SIZE, s));
    ASSERT_EQ(CON_RING_SIZE, s[0].len);
    ASSERT_EQ(0xee, s[0].p[CON_RING_SIZE - 1]); /* the last byte kept, not the dropped */
    con_ring_consume(&ring, 1);
    ASSERT_TRUE(con_ring_put(&ring, 0x11)); /* room again */
    ASSERT_EQ(2, ring.dropped);
}

TEST(con_ring_wrapped_run_is_two_spans)
{
    static uint8_t out[CON_RING_SIZE];
    struct con_span s[2];

    con_ring_init(&ring);
    for (size_t i = 0; i < CON_RING_SIZE - 2; i++) {
        ASSERT_TRUE(con_ring_put(&ring, 0));
    }
    con_ring_consume(&ring, CON_RING_SIZE - 2); /* head two bytes from the end */
    for (uint8_t b = '0'; b <= '5'; b++) {
        ASSERT_TRUE(con_ring_put(&ring, b));
    }
    ASSERT_EQ(1, con_ring_peek(&ring, 2, s)); /* ends exactly at the buffer's end */
    ASSERT_EQ(2, s[0].len);
    ASSERT_EQ(2, con_ring_peek(&ring, 3, s));
    ASSERT_EQ(2, s[0].len);
    ASSERT_EQ(1, s[1].len);
    ASSERT_EQ(2, con_ring_peek(&ring, 6, s));
    ASSERT_EQ(6, gather(2, s, out));
    ASSERT_TRUE(memcmp(out, "012345", 6) == 0);
    con_ring_consume(&ring, 4); /* across the end */
    ASSERT_EQ(1, con_ring_peek(&ring, 6, s));
    ASSERT_EQ(2, gather(1, s, out));
    ASSERT_TRUE(memcmp(out, "45", 2) == 0);
}
