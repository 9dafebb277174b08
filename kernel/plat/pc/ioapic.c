/* SPDX-License-Identifier: MIT */
/*
 * Interrupt lines on a PC. A line is a GSI, an IOAPIC input numbered across all IOAPICs
 * as ACPI numbers them: the IOAPIC with GSI base b serves lines b .. b + pins - 1, its pin
 * count read from its version register. The IOAPICs, and the GSI, polarity and trigger
 * mode of each ISA IRQ, come from the MADT (acpi_boot.c, madt.c) or its defaults; a line
 * named by an Interrupt Source Override gets that override's polarity and trigger, other
 * lines below 16 are ISA's (edge, active high) and the rest PCI's (level, active low).
 * Line n is delivered on vector IRQ_VECTOR_BASE + n to the boot CPU's local APIC. Lines
 * at or above IRQ_MAX_LINES, and a GSI that a second IOAPIC claims again, stay masked for
 * good and do not exist for irq_get. The legacy PICs are remapped out of the exception
 * range and masked.
 */
#include <arch/irq.h>
#include <arch/mmu.h>
#include <arch/pio.h>
#include <arch/timer.h>
#include <kernel/klog.h>
#include <plat/acpi_boot.h>
#include <plat/madt.h>

enum {
    IOREGSEL = 0x00,
    IOWIN = 0x10,
    IOAPIC_VER = 0x01,
    IOAPIC_REDTBL = 0x10,
    RED_MASKED = 1u << 16,
    RED_LEVEL = 1u << 15,
    RED_ACTIVE_LOW = 1u << 13,
};

static struct {
    volatile uint32_t *chip[MADT_MAX_IOAPICS]; /* registers of each IOAPIC */
    struct {
        bool present;
        uint8_t chip;
        uint8_t pin;
        uint32_t low; /* redirection entry low word, without the mask bit */
    } line[IRQ_MAX_LINES];
    unsigned lines; /* highest present line + 1 */
} ioapic;

static uint32_t
ioapic_read(volatile uint32_t *mmio, unsigned reg)
{
    mmio[IOREGSEL / 4] = reg;
    return mmio[IOWIN / 4];
}

static void
ioapic_write(volatile uint32_t *mmio, unsigned reg, uint32_t v)
{
    mmio[IOREGSEL / 4] = reg;
    mmio[IOWIN / 4] = v;
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

/* The boot CPU's initial APIC id (CPUID leaf 1), where every line is delivered. */
static uint32_t
boot_apic_id(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    return b >> 24;
}

/* Programs every pin of IOAPIC i, masked; takes the lines its GSIs give. */
static void
chip_init(const struct madt_info *m, unsigned i, uint32_t dest)
{
    const struct madt_ioapic *a = &m->ioapic[i];
    volatile uint32_t *mmio = phys_to_virt(a->addr);
    ioapic.chip[i] = mmio;
    uint32_t ver = ioapic_read(mmio, IOAPIC_VER);
    if (ver == 0xffffffffu) {
        /* Nothing decodes the address: the MADT named an IOAPIC that is not there. */
        kprintf("ioapic: id %u at 0x%x does not answer; ignored\n", a->id, a->addr);
        return;
    }
    unsigned pins = ((ver >> 16) & 0xff) + 1;
    unsigned taken = 0;
    for (unsigned pin = 0; pin < pins; pin++) {
        uint64_t gsi = (uint64_t)a->gsi_base + pin;
        uint32_t low = RED_MASKED;
        if (gsi < IRQ_MAX_LINES && !ioapic.line[gsi].present) {
            unsigned mode = madt_gsi_mode(m, (uint32_t)gsi);
            low = IRQ_VECTOR_BASE + (uint32_t)gsi;
            low |= (mode & MADT_LEVEL) ? RED_LEVEL : 0;
            low |= (mode & MADT_ACTIVE_LOW) ? RED_ACTIVE_LOW : 0;
            ioapic.line[gsi].present = true;
            ioapic.line[gsi].chip = (uint8_t)i;
            ioapic.line[gsi].pin = (uint8_t)pin;
            ioapic.line[gsi].low = low;
            ioapic.lines = MAX(ioapic.lines, (unsigned)gsi + 1);
            taken++;
        }
        ioapic_write(mmio, IOAPIC_REDTBL + 2 * pin + 1, dest << 24);
        ioapic_write(mmio, IOAPIC_REDTBL + 2 * pin, low | RED_MASKED);
    }
    kprintf("ioapic: id %u at 0x%x: GSI %u-%u, %u line(s) taken\n", a->id, a->addr, a->gsi_base,
            a->gsi_base + pins - 1, taken);
}

/* Masks the PICs and programs every IOAPIC pin, masked, to its vector. */
void
arch_irq_init(void)
{
    pic_disable();
    const struct madt_info *m = plat_madt();
    uint32_t dest = boot_apic_id();
    for (unsigned i = 0; i < m->nioapics; i++) {
        chip_init(m, i, dest);
    }
}

/* Number of interrupt lines: every line is below this, though not every one below it
 * need exist (arch_irq_present). */
unsigned
arch_irq_lines(void)
{
    return ioapic.lines;
}

/* True if line is an IOAPIC input the kernel drives. */
bool
arch_irq_present(unsigned line)
{
    return line < IRQ_MAX_LINES && ioapic.line[line].present;
}

/* The line that ISA IRQ isa (< 16) arrives on; may be a line that does not exist. */
unsigned
arch_irq_isa_line(unsigned isa)
{
    return isa < MADT_ISA_IRQS ? plat_madt()->isa[isa].gsi : ~0u;
}

/* True if the lines were described by the firmware (ACPI MADT), false for the defaults. */
bool
arch_irq_from_firmware(void)
{
    return plat_madt_from_acpi();
}

static void
set_entry(unsigned line, uint32_t mask)
{
    if (arch_irq_present(line)) {
        ioapic_write(ioapic.chip[ioapic.line[line].chip],
                     IOAPIC_REDTBL + 2 * ioapic.line[line].pin, ioapic.line[line].low | mask);
    }
}

/* Masks line (nothing if it does not exist). */
void
arch_irq_mask(unsigned line)
{
    set_entry(line, RED_MASKED);
}

/* Unmasks line (nothing if it does not exist). */
void
arch_irq_unmask(unsigned line)
{
    set_entry(line, 0);
}

/* Acknowledges line at the local APIC. */
void
arch_irq_eoi(unsigned line)
{
    (void)line;
    arch_timer_eoi();
}
