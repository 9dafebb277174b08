/* SPDX-License-Identifier: MIT */
/*
 * Reply tables (kernel/include/kernel/reply.h, where slot allocation, rcvid encoding and
 * checking are inline): initialisation, freeing a slot, and what destroying a table does.
 * O(1) per operation, init included (never-used slots are handed out from `fresh`),
 * except destruction, which is O(slots used so far) with slots <= 2^CR_REPLY_MAX_BITS.
 */
#include <kernel/reply.h>
#include <kernel/channel.h>
#include <kernel/inherit.h>
#include <courier/abi/caps.h>

/*
 * Sets up a freshly retyped (zeroed) table of 2^size_bits slots, all free. O(1): slots
 * are taken from the never-used range first, so nothing is walked here.
 */
void
reply_table_init(struct reply_table *rt, unsigned size_bits)
{
    rt->nslots = 1u << size_bits;
    rt->nfree = rt->nslots - 1;
    rt->free_head = 0;
    rt->fresh = 1;
}

/* Frees slot idx; its rcvid stops working (new generation), its holder's credit goes or
 * is parked on it for the holder's next exchange (inherit_park). O(1). */
void
reply_free(struct reply_table *rt, uint32_t idx)
{
    inherit_park(&reply_slots(rt)[idx]);
    reply_free_slot(rt, idx);
}

/* The last capability to the table is gone: every exchange in it fails. */
void
reply_table_finalise(struct reply_table *rt)
{
    ipc_table_dead(rt);
}
