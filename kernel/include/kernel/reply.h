/* SPDX-License-Identifier: MIT */
/*
 * Reply tables: the rcvid space of a channel (docs/ipc.md). A table of 2^k 64-byte slots
 * is one kernel object retyped from the server's untyped memory; slot 0 is the header and
 * slots 1..2^k-1 each hold one open exchange: the client, the slot's generation (part of
 * the rcvid, bumped on every free, so a stale rcvid never matches), and the operation a
 * server thread has in progress on it (receive copy, reply, read or write) with its
 * progress in bytes, so a preempted copy resumes. Free slots form a list through `next`.
 */
#pragma once

#include <kernel/types.h>

struct tcb;
struct channel;

enum reply_op {
    RS_FREE = 0,
    RS_RECEIVING, /* the server thread `op` copies the message in */
    RS_OPEN,      /* received; waits for reply, error, read or write */
    RS_REPLYING,  /* `op` copies the reply out */
    RS_READING,   /* `op` does msg_read */
    RS_WRITING,   /* `op` does msg_write */
};

struct reply_slot {
    struct tcb *client; /* NULL when free */
    struct tcb *op;     /* server thread with an operation in progress, or NULL */
    uint64_t done;      /* bytes done by that operation */
    uint32_t gen;       /* generation, 31 bits; part of the rcvid */
    uint32_t state;     /* enum reply_op */
    uint32_t next;      /* free list */
    uint32_t held_prio; /* the priority `holder` inherits from this exchange */
    struct tcb *holder; /* server thread that received it (inherits), or NULL */
    struct reply_slot *held_prev; /* holder's list of held exchanges (inherit.c) */
    struct reply_slot *held_next;
};
_Static_assert(sizeof(struct reply_slot) == 64, "reply slot layout");

struct reply_table {
    struct channel *chan; /* the channel it is bound to, or NULL */
    uint32_t nslots;      /* including the header slot 0 */
    uint32_t free_head;   /* first freed slot, 0 = none */
    uint32_t nfree;
    uint32_t fresh;       /* slots fresh..nslots-1 were never used (so init is O(1)) */
    uint32_t pad[10];
};
_Static_assert(sizeof(struct reply_table) == 64, "reply table header layout");

static inline struct reply_slot *
reply_slots(struct reply_table *rt)
{
    return (struct reply_slot *)(void *)rt; /* slot i at byte 64 * i; 0 is the header */
}

enum {
    REPLY_GEN_MASK = 0x7fffffffu, /* keeps the rcvid positive as an int64_t */
};

void reply_table_init(struct reply_table *rt, unsigned size_bits);
void reply_free(struct reply_table *rt, uint32_t idx);
void reply_table_finalise(struct reply_table *rt);

/* Takes a free slot for client; NULL if the table is full. O(1). Inline, as are the
 * two below: the fast path takes, names and finds a slot on every round trip. */
static inline struct reply_slot *
reply_alloc(struct reply_table *rt, struct tcb *client, uint32_t *idx)
{
    uint32_t i;
    if (rt->free_head != 0) {
        i = rt->free_head;
        rt->free_head = reply_slots(rt)[i].next;
    } else if (rt->fresh < rt->nslots) {
        i = rt->fresh++;
        reply_slots(rt)[i].gen = 1;
    } else {
        return NULL;
    }
    struct reply_slot *s = &reply_slots(rt)[i];
    rt->nfree--;
    s->client = client;
    s->op = NULL;
    s->done = 0;
    s->state = RS_OPEN;
    *idx = i;
    return s;
}

/* The rcvid naming slot idx now. */
static inline uint64_t
reply_rcvid(struct reply_table *rt, uint32_t idx)
{
    return ((uint64_t)reply_slots(rt)[idx].gen << 32) | idx;
}

/* The live slot an rcvid names, or NULL (stale, forged, free or out of range). O(1). */
static inline struct reply_slot *
reply_lookup(struct reply_table *rt, uint64_t rcvid, uint32_t *idx)
{
    uint64_t i = rcvid & 0xffffffffu;
    uint64_t gen = rcvid >> 32;
    if (i == 0 || i >= rt->nslots) {
        return NULL;
    }
    struct reply_slot *s = &reply_slots(rt)[i];
    if (s->state == RS_FREE || s->gen != gen) {
        return NULL;
    }
    *idx = (uint32_t)i;
    return s;
}

/*
 * Puts slot idx, whose exchange is over and whose holder no longer inherits from it
 * (inherit_release) or keeps the credit parked on it (inherit_park), back on the free
 * list under a new generation, so its rcvid stops working. reply_free is this with
 * inherit_park; the fast path, which has parked or released the credit itself, calls it
 * directly. O(1).
 */
static inline void
reply_free_slot(struct reply_table *rt, uint32_t idx)
{
    struct reply_slot *s = &reply_slots(rt)[idx];
    uint32_t gen = (s->gen + 1) & REPLY_GEN_MASK;
    s->client = NULL;
    s->op = NULL;
    s->done = 0;
    s->state = RS_FREE;
    s->gen = gen != 0 ? gen : 1;
    s->next = rt->free_head;
    rt->free_head = idx;
    rt->nfree++;
}
