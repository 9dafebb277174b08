/* SPDX-License-Identifier: MIT */
/*
 * Channels. A channel carries messages (kernel/ipc/msg.c: SEND-blocked clients, RECEIVE-
 * blocked servers, and the reply table that holds the open exchanges) and fault messages
 * (a faulting thread queues on its fault channel, a handler takes the fault with
 * fault_recv and resumes the thread through its TCB).
 */
#pragma once

#include <kernel/waitq.h>
#include <courier/abi/caps.h>

struct reply_table;
struct pulse_queue;
struct tcb;

struct channel {
    struct waitq senders;       /* faulted threads waiting for a handler */
    struct waitq receivers;     /* handlers blocked in fault_recv */
    struct waitq msg_senders;   /* SEND-blocked clients, by priority */
    struct waitq msg_receivers; /* RECEIVE-blocked server threads */
    struct reply_table *rt;     /* bound reply table, or NULL */
    struct pulse_queue *pq;     /* bound pulse queue, or NULL */
    uint64_t flags;             /* CR_CHANNEL_* */
    /* Lending (inherit.c): the thread that last took a message from the channel, and
     * the priority of the first queued client, lent to it while clients queue. */
    struct tcb *server;         /* its tcb->served names this channel, or NULL */
    struct tcb *q_holder;       /* server while it holds the lent priority, else NULL */
    uint32_t q_prio;
    uint32_t pad;
    uint64_t reserved[2];
};
_Static_assert(sizeof(struct channel) <= (1u << CR_CHANNEL_BITS), "channel fits its object");

void channel_send_fault(struct channel *ch, struct tcb *t);
void channel_finalise(struct channel *ch);
struct cr_pulse;
int channel_pulse(struct channel *ch, const struct cr_pulse *p);
void ipc_abort(struct tcb *t);
void ipc_channel_dead(struct channel *ch);
void ipc_channel_idle(struct channel *ch);
void ipc_table_dead(struct reply_table *rt);
