/* SPDX-License-Identifier: MIT */
/*
 * Pulse queues: a channel's pending pulses, a ring retyped from the server's untyped
 * memory (2^size_bits entries of 32 bytes; the first two hold the header). pulse_send
 * never blocks: a full queue says EAGAIN. O(1) per operation.
 */
#pragma once

#include <kernel/types.h>
#include <courier/abi/msg.h>

struct channel;

struct pulse_queue {
    struct channel *chan; /* bound channel, or NULL */
    uint32_t capacity;    /* entries usable: 2^size_bits - 2 */
    uint32_t head;        /* index of the oldest pulse, 0 .. capacity-1 */
    uint32_t count;
    uint32_t pad[11];
};
_Static_assert(sizeof(struct pulse_queue) == 64, "pulse queue header");

void pulse_queue_init(struct pulse_queue *pq, unsigned size_bits);
bool pulse_push(struct pulse_queue *pq, const struct cr_pulse *p);
bool pulse_peek(const struct pulse_queue *pq, struct cr_pulse *out);
void pulse_drop(struct pulse_queue *pq);
void pulse_queue_finalise(struct pulse_queue *pq);
