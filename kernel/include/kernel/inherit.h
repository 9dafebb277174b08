/* SPDX-License-Identifier: MIT */
/*
 * Priority inheritance through message passing: a server thread runs at the highest
 * priority among its own and those of the clients whose exchanges it holds, the thread
 * that last took a message from a channel runs at least at the priority of the clients
 * queued there, and a boost follows the chain of servers the boosted thread is itself
 * waiting on. See docs/ipc.md.
 */
#pragma once

struct channel;
struct tcb;
struct reply_slot;

void inherit_hold(struct tcb *holder, struct reply_slot *s, unsigned prio);
void inherit_release(struct reply_slot *s);
void inherit_drop_all(struct tcb *holder);
void inherit_update(struct tcb *t);
void inherit_serving(struct tcb *t, struct channel *ch);
void inherit_queue_changed(struct channel *ch);
void inherit_channel_dead(struct channel *ch);
