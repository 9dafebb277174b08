/* SPDX-License-Identifier: MIT */
/* Exchange bookkeeping shared by the message calls (kernel/ipc/exchange.c). */
#pragma once

#include <kernel/types.h>

struct channel;
struct reply_table;
struct tcb;

void exchange_op_begin(struct tcb *self, struct reply_table *rt, uint32_t idx,
                       unsigned state);
void exchange_op_end(struct tcb *self, struct reply_table *rt, uint32_t idx);
struct tcb *exchange_handoff(struct channel *ch);
void exchange_finish(struct reply_table *rt, uint32_t idx, int64_t result);
void exchange_requeue(struct reply_table *rt, uint32_t idx);
void exchange_release_op(struct tcb *t);
