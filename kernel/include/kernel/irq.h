/* SPDX-License-Identifier: MIT */
/*
 * Interrupt delivery to user-level drivers: IRQ control hands out one handler
 * capability per line; a handler is bound to a notification; when the line fires the
 * kernel masks it, acknowledges the controller and signals the notification; the
 * driver unmasks with irq_ack.
 */
#pragma once

#include <kernel/types.h>

struct notification;

void irq_init(void);
void irq_handle(unsigned line);
void irq_release(unsigned line);
void irq_unbind_notification(struct notification *n);
struct channel;
void irq_unbind_channel(struct channel *ch);
