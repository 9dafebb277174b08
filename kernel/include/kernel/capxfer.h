/* SPDX-License-Identifier: MIT */
/*
 * Capability transfer in messages: copies of up to CR_MSG_MAX_CAPS capabilities travel
 * with a message or a reply, into the receiving thread's window (msg_caps).
 */
#pragma once

#include <kernel/errors.h>
#include <kernel/tcb.h>
#include <kernel/types.h>

unsigned capxfer_move(struct tcb *from, struct tcb *to);

/* Before a send or reply: EPERM if `from` names capabilities but may not grant. */
static inline int
capxfer_check(const struct tcb *from, bool grant)
{
    return from->xfer.nsend > 0 && !grant ? -CR_EPERM : 0;
}
