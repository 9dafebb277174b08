/* SPDX-License-Identifier: MIT */
/*
 * Arch/platform contract: device interrupt lines. Line n arrives as vector
 * IRQ_VECTOR_BASE + n. On a PC a line is a GSI (an IOAPIC input as ACPI numbers them);
 * lines below arch_irq_lines() may have gaps (arch_irq_present). Lines start masked;
 * the kernel masks a line and acknowledges it at the controller when it fires, and
 * unmasks it when the user-level driver says irq_ack (QNX and seL4 both work this way).
 */
#pragma once

#include <kernel/types.h>

enum {
    IRQ_VECTOR_BASE = 32,
    IRQ_MAX_LINES = 64, /* vectors 32..95 */
};

void arch_irq_init(void);
unsigned arch_irq_lines(void);
bool arch_irq_present(unsigned line);
unsigned arch_irq_isa_line(unsigned isa_irq);
bool arch_irq_from_firmware(void);
void arch_irq_mask(unsigned line);
void arch_irq_unmask(unsigned line);
void arch_irq_eoi(unsigned line);
