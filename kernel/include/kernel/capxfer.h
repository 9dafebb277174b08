/* SPDX-License-Identifier: MIT */
/*
 * Capability transfer in messages: copies of up to CR_MSG_MAX_CAPS capabilities travel
 * with a message or a reply, into the receiving thread's window (msg_caps).
 */
#pragma once

#include <kernel/types.h>

struct tcb;

int capxfer_check(struct tcb *from, bool grant);
unsigned capxfer_move(struct tcb *from, struct tcb *to);
