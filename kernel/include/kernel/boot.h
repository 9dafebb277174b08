/* SPDX-License-Identifier: MIT */
/*
 * What the boot loader told us, in a loader-neutral form. The arch boot code fills it
 * from multiboot 1 or 2 and hands it to kernel_main(); nothing reads the loader's own
 * structures after that.
 */
#pragma once

#include <kernel/types.h>

enum {
    BOOT_MAX_REGIONS = 64,
    BOOT_MAX_MODULES = 8,
    BOOT_CMDLINE_MAX = 256,
    BOOT_MAX_MMIO = 10,
    BOOT_RSDP_MAX = 36, /* an ACPI 2.0 RSDP */
};

enum boot_region_kind {
    BOOT_REGION_RAM = 1,
    BOOT_REGION_RESERVED = 2,
};

struct boot_region {
    paddr_t base;
    uint64_t len;
    uint32_t kind;
};

struct boot_module {
    paddr_t base;
    uint64_t len;
    char name[32];
};

/* A physical range [base, end). */
struct boot_range {
    paddr_t base;
    paddr_t end;
};

struct boot_params {
    struct boot_region regions[BOOT_MAX_REGIONS];
    unsigned nregions;
    struct boot_module modules[BOOT_MAX_MODULES];
    unsigned nmodules;
    char cmdline[BOOT_CMDLINE_MAX];
    const char *loader; /* "multiboot1" or "multiboot2" */
    uint64_t entry_tsc; /* TSC when arch_boot_main started */
    uint8_t rsdp[BOOT_RSDP_MAX]; /* the loader's copy of the ACPI RSDP (multiboot 2) */
    uint32_t rsdp_len;           /* its length; 0 if the loader gave none */
    struct boot_range mmio[BOOT_MAX_MMIO]; /* device pages the kernel keeps (interrupt
                                            * controllers): never given out as untypeds */
    unsigned nmmio;
};

void kernel_main(struct boot_params *bp) NORETURN;
