/* SPDX-License-Identifier: MIT */
/*
 * Priority inheritance through message passing: a server thread runs at the highest
 * priority among its own and those of the clients whose exchanges it holds, and a boost
 * follows the chain of servers the boosted thread is itself waiting on. See docs/ipc.md.
 */
#pragma once

struct tcb;
struct reply_slot;

void inherit_hold(struct tcb *holder, struct reply_slot *s, unsigned prio);
void inherit_release(struct reply_slot *s);
void inherit_drop_all(struct tcb *holder);
void inherit_update(struct tcb *t);
