/* SPDX-License-Identifier: MIT */
/*
 * Interrupt lines on a PC: the IOAPIC at its default address, pins 0..23, pin n on
 * vector IRQ_VECTOR_BASE + n; the legacy PICs are remapped out of the exception range
 * and masked. ISA pins (0..15) are edge/active-high, PCI pins (16..23) level/active-low.
 * TODO(courier): read ACPI MADT for the IOAPIC address and ISA overrides (#2); QEMU and
 * most PCs use the defaults (ISA IRQ 0 arrives on pin 2).
 */
#include <arch/irq.h>
#include <arch/mmu.h>
#include <arch/pio.h>
#include <arch/timer.h>

enum {
    IOAPIC_PHYS = 0xfec00000,
    IOREGSEL = 0x00,
    IOWIN = 0x10,
    IOAPIC_VER = 0x01,
    IOAPIC_REDTBL = 0x10,
    RED_MASKED = 1u << 16,
    RED_LEVEL = 1u << 15,
    RED_ACTIVE_LOW = 1u << 13,
};

static struct {
    volatile uint32_t *mmio;
    unsigned lines;
    uint32_t low[IRQ_MAX_LINES]; /* redirection entry low words, without the mask bit */
} ioapic;

static uint32_t
ioapic_read(unsigned reg)
{
    ioapic.mmio[IOREGSEL / 4] = reg;
    return ioapic.mmio[IOWIN / 4];
}

static void
ioapic_write(unsigned reg, uint32_t v)
{
    ioapic.mmio[IOREGSEL / 4] = reg;
    ioapic.mmio[IOWIN / 4] = v;
}

static void
pic_disable(void)
{
    arch_outb(0x20, 0x11);
    arch_outb(0xa0, 0x11);
    arch_outb(0x21, 0x20); /* vectors 0x20.. so stray PIC interrupts are not exceptions */
    arch_outb(0xa1, 0x28);
    arch_outb(0x21, 4);
    arch_outb(0xa1, 2);
    arch_outb(0x21, 1);
    arch_outb(0xa1, 1);
    arch_outb(0x21, 0xff);
    arch_outb(0xa1, 0xff);
}

/* Masks the PICs and programs every IOAPIC pin, masked, to its vector. */
void
arch_irq_init(void)
{
    pic_disable();
    ioapic.mmio = phys_to_virt(IOAPIC_PHYS);
    unsigned n = ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
    ioapic.lines = n > IRQ_MAX_LINES ? IRQ_MAX_LINES : n;
    for (unsigned i = 0; i < ioapic.lines; i++) {
        uint32_t low = IRQ_VECTOR_BASE + i;
        if (i >= 16) {
            low |= RED_LEVEL | RED_ACTIVE_LOW;
        }
        ioapic.low[i] = low;
        ioapic_write(IOAPIC_REDTBL + 2 * i + 1, 0); /* destination: APIC 0 */
        ioapic_write(IOAPIC_REDTBL + 2 * i, low | RED_MASKED);
    }
}

/* Number of interrupt lines. */
unsigned
arch_irq_lines(void)
{
    return ioapic.lines;
}

/* Masks line (line < arch_irq_lines()). */
void
arch_irq_mask(unsigned line)
{
    ioapic_write(IOAPIC_REDTBL + 2 * line, ioapic.low[line] | RED_MASKED);
}

/* Unmasks line (line < arch_irq_lines()). */
void
arch_irq_unmask(unsigned line)
{
    ioapic_write(IOAPIC_REDTBL + 2 * line, ioapic.low[line]);
}

/* Acknowledges line at the local APIC. */
void
arch_irq_eoi(unsigned line)
{
    (void)line;
    arch_timer_eoi();
}
