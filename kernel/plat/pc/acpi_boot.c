/* SPDX-License-Identifier: MIT */
/*
 * Finds and reads the MADT at boot, on the boot page tables (which map the first 4 GiB at
 * the direct-map base; ACPI tables above that are treated as unreadable). The RSDP is the
 * copy a multiboot 2 loader put in its ACPI tag, else the first sound one in the first KiB
 * of the EBDA or in the BIOS area 0xe0000..0xfffff (QEMU's multiboot 1 path). Then the
 * XSDT or RSDT leads to the "APIC" table (acpi.c) and madt.c reads it. Any failure on the
 * way keeps the defaults (madt_defaults) and prints one line saying why, so a machine
 * without ACPI or with broken tables boots as before. The interrupt controllers' pages
 * are added to the boot parameters' kernel MMIO list so that bootmem never hands them out
 * as device untypeds. Results are read by ioapic.c and lapic.c; nothing changes after boot.
 */
#include <plat/acpi_boot.h>
#include <plat/acpi.h>
#include <plat/madt.h>
#include <kernel/boot.h>
#include <kernel/klog.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <courier/abi/errors.h>

enum {
    BOOT_MAPPED = 0x100000000ull, /* what the boot page tables map */
    BDA_EBDA_SEG = 0x40e,         /* BIOS data area: the EBDA's segment */
    EBDA_MIN = 0x80000,
    EBDA_MAX = 0xa0000,
    EBDA_SCAN = 1024,
    BIOS_AREA = 0xe0000,
    BIOS_AREA_END = 0x100000,
    /* The chipset window the kernel has always kept: IOAPIC at 0xfec00000 up to the
     * local APIC's page at 0xfee00000. */
    APIC_WINDOW = 0xfec00000u,
    APIC_WINDOW_END = 0xfee01000u,
};

static struct {
    struct madt_info madt;
    bool from_acpi;
} acpi;

static const void *
boot_map(void *ctx, uint64_t pa, uint64_t len)
{
    (void)ctx;
    if (pa >= BOOT_MAPPED || len > BOOT_MAPPED - pa) {
        return NULL;
    }
    return phys_to_virt(pa);
}

/* Finds the RSDP; returns NULL or the reason it could not. */
static const char *
find_rsdp(const struct boot_params *bp, struct acpi_rsdp *r, paddr_t *where)
{
    if (bp->rsdp_len != 0) {
        *where = 0;
        return acpi_rsdp_parse(bp->rsdp, bp->rsdp_len, r) == 0 ? NULL
                                                               : "the loader's RSDP is bad";
    }
    size_t off;
    paddr_t ebda = (paddr_t)*(const volatile uint16_t *)phys_to_virt(BDA_EBDA_SEG) << 4;
    if (ebda >= EBDA_MIN && ebda < EBDA_MAX &&
        acpi_rsdp_scan(phys_to_virt(ebda), EBDA_SCAN, &off) == 0) {
        *where = ebda + off;
    } else if (acpi_rsdp_scan(phys_to_virt(BIOS_AREA), BIOS_AREA_END - BIOS_AREA, &off) == 0) {
        *where = BIOS_AREA + off;
    } else {
        return "no RSDP";
    }
    acpi_rsdp_parse(phys_to_virt(*where), BIOS_AREA_END - *where, r);
    return NULL;
}

static const char *
read_madt(const struct boot_params *bp, struct madt_info *m)
{
    struct acpi_rsdp r;
    paddr_t where;
    const char *why = find_rsdp(bp, &r, &where);
    if (why != NULL) {
        return why;
    }
    if (where != 0) {
        kprintf("acpi: RSDP revision %u at 0x%lx\n", r.revision, where);
    } else {
        kprintf("acpi: RSDP revision %u from the loader\n", r.revision);
    }
    const void *t;
    uint32_t len;
    int rc = acpi_find_table(&r, "APIC", boot_map, NULL, &t, &len);
    if (rc == -CR_ENOENT) {
        return "no MADT";
    }
    if (rc != 0) {
        return "the root table or the MADT is malformed";
    }
    rc = madt_parse(t, len, m);
    if (rc == -CR_ENOENT) {
        return "the MADT lists no IOAPIC";
    }
    return rc != 0 ? "the MADT is malformed" : NULL;
}

static void
add_mmio(struct boot_params *bp, paddr_t base, paddr_t end)
{
    if (base >= APIC_WINDOW && end <= APIC_WINDOW_END) {
        return;
    }
    if (bp->nmmio == BOOT_MAX_MMIO) {
        kprintf("acpi: too many device pages; 0x%lx not reserved\n", base);
        return;
    }
    bp->mmio[bp->nmmio++] = (struct boot_range){ base, end };
}

static const char *
mode_name(unsigned mode)
{
    static const char *const names[] = { "edge, active high", "edge, active low",
                                         "level, active high", "level, active low" };
    return names[mode & 3];
}

/*
 * Reads the MADT (or takes the defaults) and adds the interrupt controllers' pages to
 * bp's kernel MMIO list. Called once from the boot code, on the boot page tables, before
 * bootmem_init. Prints what it found.
 */
void
plat_acpi_init(struct boot_params *bp)
{
    struct madt_info m;
    const char *why = read_madt(bp, &m);
    acpi.from_acpi = why == NULL;
    if (why != NULL) {
        kprintf("acpi: %s; using the defaults (IOAPIC at 0x%x, ISA IRQ 0 on GSI 2)\n", why,
                MADT_DEFAULT_IOAPIC);
        madt_defaults(&m);
    } else {
        kprintf("acpi: MADT: local APIC at 0x%lx%s, %u IOAPIC(s), %u CPU(s) enabled (one used)"
                ", %u entr%s ignored\n", m.lapic_addr, m.lapic_override ? " (64-bit entry)" : "",
                m.nioapics, m.cpus, m.dropped, m.dropped == 1 ? "y" : "ies");
        for (unsigned i = 0; i < MADT_ISA_IRQS; i++) {
            if (m.isa[i].overridden) {
                kprintf("acpi: ISA IRQ %u -> GSI %u, %s\n", i, m.isa[i].gsi,
                        mode_name(m.isa[i].mode));
            }
        }
    }
    acpi.madt = m;
    bp->nmmio = 0;
    bp->mmio[bp->nmmio++] = (struct boot_range){ APIC_WINDOW, APIC_WINDOW_END };
    for (unsigned i = 0; i < m.nioapics; i++) {
        add_mmio(bp, m.ioapic[i].addr, (paddr_t)m.ioapic[i].addr + 4096);
    }
    add_mmio(bp, m.lapic_addr, m.lapic_addr + 4096);
}

/* The MADT as read at boot, or the defaults. */
const struct madt_info *
plat_madt(void)
{
    return &acpi.madt;
}

/* True if plat_madt() came from the firmware's MADT, false if it is the defaults. */
bool
plat_madt_from_acpi(void)
{
    return acpi.from_acpi;
}

/* Processors the firmware reports enabled (1 without ACPI). Only the first one runs. */
unsigned
arch_cpu_count(void)
{
    return acpi.madt.cpus;
}
