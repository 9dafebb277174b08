/* SPDX-License-Identifier: MIT */
/* The platform debug console: COM1 on a PC. Used by klog before and after user space. */
#pragma once

#include <kernel/types.h>

void plat_console_init(void);
void plat_console_putc(char c);
/* The I/O ports the debug console uses: first..last (a UART's eight registers). */
void plat_console_ports(uint16_t *first, uint16_t *last);
