/* SPDX-License-Identifier: MIT */
/*
 * An 8250/16550 UART reached through an I/O-port capability (user/lib/uart8250/uart.c).
 * Two programs drive COM1, one after the other: the root server, for its own lines until
 * the console server runs (and again if that one cannot be started), and the console
 * server (user/servers/console), which owns it from then on: polled output, interrupt-
 * driven input. One thread at a time: the driver keeps its state in one static.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <courier/abi/types.h>

/* COM1, where QEMU's -serial and the kernel's debug console live. */
#define UART_COM1 0x3f8

int uart_init(cr_cptr_t ioport_cap, uint16_t base);
void uart_write(const char *s, size_t n);
int uart_enable_rx_irq(void);
int uart_getc(void);
uint64_t uart_rx_overruns(void);
