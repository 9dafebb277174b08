/* SPDX-License-Identifier: MIT */
/*
 * The root server's console: an 8250/16550 UART reached through an I/O-port capability
 * (uart.c). Output is polled and used by every thread of the root; input is interrupt-
 * driven and used only by the console server (pm/console_input.c).
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
