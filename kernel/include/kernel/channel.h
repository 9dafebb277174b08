/* SPDX-License-Identifier: MIT */
/*
 * Channels. Today a channel carries fault messages: a faulting thread queues on its
 * fault channel and a handler takes the fault with fault_recv, then resumes the thread
 * through its TCB. The full QNX-style send/receive/reply (issue #3) grows here.
 */
#pragma once

#include <kernel/waitq.h>

struct channel {
    struct waitq senders;   /* faulted threads waiting for a handler */
    struct waitq receivers; /* handlers blocked in fault_recv */
    uint64_t reserved[4];
};
_Static_assert(sizeof(struct channel) <= 64, "channel fits its object");

void channel_send_fault(struct channel *ch, struct tcb *t);
void channel_finalise(struct channel *ch);
