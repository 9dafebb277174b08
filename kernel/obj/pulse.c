/* SPDX-License-Identifier: MIT */
/*
 * Pulse queues (kernel/include/kernel/pulse.h): a FIFO ring of struct cr_pulse-shaped
 * entries after a 64-byte header. No locks: one CPU, kernel entered one call at a time.
 */
#include <kernel/pulse.h>
#include <kernel/channel.h>

struct pulse_entry {
    struct cr_pulse p;
    uint64_t pad;
};
_Static_assert(sizeof(struct pulse_entry) == (1u << CR_PULSE_ENTRY_BITS), "pulse entry");

static struct pulse_entry *
entries(struct pulse_queue *pq)
{
    return (struct pulse_entry *)(void *)(pq + 1);
}

/* Sets up a freshly retyped (zeroed) queue of 2^size_bits entries, empty. */
void
pulse_queue_init(struct pulse_queue *pq, unsigned size_bits)
{
    pq->capacity = (1u << size_bits) - 2;
    pq->head = 0;
    pq->count = 0;
}

/* Appends p; false if the queue is full. */
bool
pulse_push(struct pulse_queue *pq, const struct cr_pulse *p)
{
    if (pq->count == pq->capacity) {
        return false;
    }
    entries(pq)[(pq->head + pq->count) % pq->capacity].p = *p;
    pq->count++;
    return true;
}

/* Copies the oldest pulse to *out; false if there is none. */
bool
pulse_peek(const struct pulse_queue *pq, struct cr_pulse *out)
{
    if (pq->count == 0) {
        return false;
    }
    *out = entries((struct pulse_queue *)pq)[pq->head].p;
    return true;
}

/* Removes the oldest pulse (there must be one). */
void
pulse_drop(struct pulse_queue *pq)
{
    pq->head = (pq->head + 1) % pq->capacity;
    pq->count--;
}

/* The last capability is gone: unbind from the channel; pending pulses are dropped. */
void
pulse_queue_finalise(struct pulse_queue *pq)
{
    struct channel *ch = pq->chan;
    pq->chan = NULL;
    pq->count = 0;
    if (ch != NULL) {
        ch->pq = NULL;
        if (ch->rt == NULL) {
            ipc_channel_idle(ch); /* nothing can arrive any more: waiting servers leave */
        }
    }
}
