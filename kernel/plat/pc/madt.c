/* SPDX-License-Identifier: MIT */
/*
 * Parser of the MADT ("APIC" table, ACPI 6.x section 5.2.12). After the header come the
 * local APIC address and flags, then variable-length entries, each starting with its type
 * and its length. Taken: processor local APIC (0) and x2APIC (9) entries, counted when
 * enabled; IOAPICs (1); Interrupt Source Overrides (2); the 64-bit local APIC address
 * override (5). Other types are skipped by their length.
 *
 * Malformed means the table cannot be walked or one of the entries it is read for is too
 * short: an entry length below 2 (0 would never advance), an entry running past the
 * table's end, an IOAPIC, override or address entry shorter than its layout, or no IOAPIC
 * at all. Then madt_parse fails as a whole and the caller keeps the defaults. Entries that
 * are sound but unusable (a second IOAPIC with the same id, address or GSI base, more than
 * MADT_MAX_IOAPICS, one at address 0, an override of a non-ISA bus or source, a second
 * override of one ISA IRQ) are ignored, first one wins, and counted in `dropped`.
 * How many pins an IOAPIC has is in its version register, not here, so partly overlapping
 * GSI ranges are left for ioapic.c, which gives each GSI to the first IOAPIC claiming it.
 * The caller has checked the table's header and checksum (acpi_table_check).
 */
#include <plat/madt.h>
#include <plat/acpi.h>
#include <courier/abi/errors.h>

enum {
    MADT_ENTRIES = 44, /* header, local APIC address, flags */
    MADT_PCAT_COMPAT = 1u << 0,
    ENT_LAPIC = 0,
    ENT_IOAPIC = 1,
    ENT_ISO = 2,
    ENT_LAPIC_ADDR = 5,
    ENT_X2APIC = 9,
    LAPIC_ENABLED = 1u << 0,
};

/* Minimum entry lengths of the types read (their layouts in the specification). */
static uint8_t
min_len(uint8_t type)
{
    switch (type) {
    case ENT_LAPIC:
        return 8;
    case ENT_IOAPIC:
        return 12;
    case ENT_ISO:
        return 10;
    case ENT_LAPIC_ADDR:
        return 12;
    case ENT_X2APIC:
        return 16;
    default:
        return 2;
    }
}

/*
 * Fills m with what a PC without ACPI is assumed to have: one IOAPIC at 0xfec00000 with
 * id 0 and GSI base 0, the local APIC at 0xfee00000, one processor, legacy PICs, and ISA
 * IRQ n on GSI n, edge-triggered, active high, except the timer's IRQ 0 on GSI 2 (the
 * usual wiring, and what QEMU's and most PCs' override says).
 */
void
madt_defaults(struct madt_info *m)
{
    *m = (struct madt_info){ .lapic_addr = MADT_DEFAULT_LAPIC, .pcat_compat = true,
                             .nioapics = 1, .cpus = 1 };
    m->ioapic[0] = (struct madt_ioapic){ .addr = MADT_DEFAULT_IOAPIC, .gsi_base = 0, .id = 0 };
    for (unsigned i = 0; i < MADT_ISA_IRQS; i++) {
        m->isa[i] = (struct madt_isa){ .gsi = i, .mode = 0, .overridden = false };
    }
    m->isa[0].gsi = 2;
}

/* ISO flags (MPS INTI): polarity bits 1:0, trigger bits 3:2; 0 = as the bus (ISA: high,
 * edge); 2 is reserved and also read as the bus's. */
static uint8_t
iso_mode(uint16_t flags)
{
    uint8_t mode = 0;
    if ((flags & 3) == 3) {
        mode |= MADT_ACTIVE_LOW;
    }
    if (((flags >> 2) & 3) == 3) {
        mode |= MADT_LEVEL;
    }
    return mode;
}

static bool
ioapic_clashes(const struct madt_info *m, const struct madt_ioapic *n)
{
    for (unsigned i = 0; i < m->nioapics; i++) {
        const struct madt_ioapic *o = &m->ioapic[i];
        if (o->id == n->id || o->addr == n->addr || o->gsi_base == n->gsi_base) {
            return true;
        }
    }
    return false;
}

static void
take_entry(struct madt_info *m, const uint8_t *e)
{
    switch (e[0]) {
    case ENT_LAPIC:
        if (acpi_rd32(e + 4) & LAPIC_ENABLED) {
            m->cpus++;
        }
        break;
    case ENT_X2APIC:
        if (acpi_rd32(e + 8) & LAPIC_ENABLED) {
            m->cpus++;
        }
        break;
    case ENT_LAPIC_ADDR:
        m->lapic_addr = acpi_rd64(e + 4);
        m->lapic_override = true;
        break;
    case ENT_IOAPIC: {
        struct madt_ioapic n = { .id = e[2], .addr = acpi_rd32(e + 4),
                                 .gsi_base = acpi_rd32(e + 8) };
        if (m->nioapics == MADT_MAX_IOAPICS || n.addr == 0 || ioapic_clashes(m, &n)) {
            m->dropped++;
        } else {
            m->ioapic[m->nioapics++] = n;
        }
        break;
    }
    case ENT_ISO: {
        uint8_t bus = e[2];
        uint8_t src = e[3];
        if (bus != 0 || src >= MADT_ISA_IRQS || m->isa[src].overridden) {
            m->dropped++;
            break;
        }
        m->isa[src] = (struct madt_isa){ .gsi = acpi_rd32(e + 4),
                                         .mode = iso_mode((uint16_t)(e[8] | e[9] << 8)),
                                         .overridden = true };
        break;
    }
    default:
        break;
    }
}

/*
 * Reads the MADT at table (len bytes, header and checksum already checked) into *m,
 * which is left untouched on failure. ISA IRQs without an override stay on the GSI of
 * the same number, edge-triggered and active high (the ACPI rule). Errors: -EINVAL
 * (malformed, see above), -ENOENT (no IOAPIC). O(len).
 */
int
madt_parse(const void *table, size_t len, struct madt_info *out)
{
    const uint8_t *t = table;
    if (len < MADT_ENTRIES) {
        return -CR_EINVAL;
    }
    struct madt_info m = { .lapic_addr = acpi_rd32(t + 36) };
    m.pcat_compat = (acpi_rd32(t + 40) & MADT_PCAT_COMPAT) != 0;
    for (unsigned i = 0; i < MADT_ISA_IRQS; i++) {
        m.isa[i] = (struct madt_isa){ .gsi = i, .mode = 0, .overridden = false };
    }
    /* Each pass advances by at least 2 bytes: at most len / 2 entries. */
    for (size_t off = MADT_ENTRIES; off < len;) {
        if (len - off < 2) {
            return -CR_EINVAL;
        }
        const uint8_t *e = t + off;
        uint8_t elen = e[1];
        if (elen < 2 || elen > len - off || elen < min_len(e[0])) {
            return -CR_EINVAL;
        }
        take_entry(&m, e);
        off += elen;
    }
    if (m.nioapics == 0) {
        return -CR_ENOENT;
    }
    *out = m;
    return 0;
}

/*
 * The polarity and trigger mode of GSI gsi (enum madt_irq_mode): an override's that
 * names it, else ISA's (edge, active high) below 16 and PCI's (level, active low) above.
 * O(MADT_ISA_IRQS).
 */
unsigned
madt_gsi_mode(const struct madt_info *m, uint32_t gsi)
{
    for (unsigned i = 0; i < MADT_ISA_IRQS; i++) {
        if (m->isa[i].overridden && m->isa[i].gsi == gsi) {
            return m->isa[i].mode;
        }
    }
    return gsi < MADT_ISA_IRQS ? 0u : (unsigned)(MADT_ACTIVE_LOW | MADT_LEVEL);
}
