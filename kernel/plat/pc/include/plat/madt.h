/* SPDX-License-Identifier: MIT */
/*
 * The MADT ("APIC" table) as the kernel uses it: where the local APIC and the IOAPICs
 * are, which GSI (IOAPIC input) each ISA IRQ arrives on with which polarity and trigger
 * mode, and how many processors are enabled. Pure logic (madt.c), host-tested.
 */
#pragma once

#include <kernel/types.h>

enum {
    MADT_MAX_IOAPICS = 8,
    MADT_ISA_IRQS = 16,
    MADT_DEFAULT_LAPIC = 0xfee00000u,
    MADT_DEFAULT_IOAPIC = 0xfec00000u,
};

/* How an interrupt input is wired: the two bits an IOAPIC redirection entry needs. */
enum madt_irq_mode {
    MADT_ACTIVE_LOW = 1u << 0, /* else active high */
    MADT_LEVEL = 1u << 1,      /* else edge-triggered */
};

struct madt_ioapic {
    uint32_t addr;     /* physical address of its registers */
    uint32_t gsi_base; /* GSI of its pin 0 */
    uint8_t id;
};

struct madt_isa {
    uint32_t gsi;       /* the GSI this ISA IRQ arrives on */
    uint8_t mode;       /* enum madt_irq_mode */
    bool overridden;    /* an Interrupt Source Override named it */
};

struct madt_info {
    uint64_t lapic_addr;      /* 64-bit override entry if present, else the header's */
    bool lapic_override;      /* the 64-bit address came from a type 5 entry */
    bool pcat_compat;         /* flags bit 0: legacy PICs present (to be masked) */
    unsigned nioapics;
    struct madt_ioapic ioapic[MADT_MAX_IOAPICS];
    struct madt_isa isa[MADT_ISA_IRQS];
    unsigned cpus;            /* enabled processors (LAPIC and x2APIC entries) */
    unsigned dropped;         /* sound entries ignored: duplicates, over a bound, not ISA */
};

void madt_defaults(struct madt_info *m);
int madt_parse(const void *table, size_t len, struct madt_info *m);
unsigned madt_gsi_mode(const struct madt_info *m, uint32_t gsi);
