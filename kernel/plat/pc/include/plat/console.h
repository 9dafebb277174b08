/* SPDX-License-Identifier: MIT */
/* The platform debug console: COM1 on a PC. Used by klog before and after user space. */
#pragma once

void plat_console_init(void);
void plat_console_putc(char c);
