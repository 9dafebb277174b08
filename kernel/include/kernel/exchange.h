/* SPDX-License-Identifier: MIT */
/* Exchange bookkeeping shared by the message calls (kernel/ipc/exchange.c; the two
 * operation markers, a few stores each and used by every copy, inline here). */
#pragma once

#include <kernel/reply.h>
#include <kernel/tcb.h>
#include <kernel/types.h>

struct channel;

/* Server thread self starts a copy operation `state` on slot idx (progress 0). */
static inline void
exchange_op_begin(struct tcb *self, struct reply_table *rt, uint32_t idx, unsigned state)
{
    struct reply_slot *s = &reply_slots(rt)[idx];
    s->state = state;
    s->op = self;
    s->done = 0;
    self->ipc.op_rt = rt;
    self->ipc.op_slot = idx;
}

/* Ends self's operation on slot idx: the exchange is open again. */
static inline void
exchange_op_end(struct tcb *self, struct reply_table *rt, uint32_t idx)
{
    struct reply_slot *s = &reply_slots(rt)[idx];
    s->state = RS_OPEN;
    s->op = NULL;
    s->done = 0;
    self->ipc.op_rt = NULL;
    self->ipc.op_slot = 0;
}

struct tcb *exchange_handoff(struct channel *ch);
struct tcb *exchange_end(struct reply_table *rt, uint32_t idx, int64_t result);
void exchange_finish(struct reply_table *rt, uint32_t idx, int64_t result);
void exchange_requeue(struct reply_table *rt, uint32_t idx);
void exchange_give_up_op(struct tcb *t);

/*
 * Gives up the copy operation t owns, if any: a message it was receiving goes back to the
 * channel's queue (and to another waiting server), any other operation just ends with
 * the exchange open. Called when t stops, and when one of its message calls returns for
 * good (not to be restarted) without finishing what it owned. O(1).
 */
static inline void
exchange_release_op(struct tcb *t)
{
    if (t->ipc.op_rt != NULL) {
        exchange_give_up_op(t);
    }
}
