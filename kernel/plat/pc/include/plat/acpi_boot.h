/* SPDX-License-Identifier: MIT */
/*
 * The PC platform's firmware description, read once at boot (acpi_boot.c): the MADT when
 * ACPI has a sound one, else the defaults a PC without ACPI is assumed to have.
 */
#pragma once

#include <kernel/types.h>

struct boot_params;
struct madt_info;

void plat_acpi_init(struct boot_params *bp);
const struct madt_info *plat_madt(void);
bool plat_madt_from_acpi(void);
