/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables as the kernel reads them at boot: the RSDP, the RSDT or XSDT, and the check
 * every table gets (header, length, checksum) before anything in it is believed. Pure
 * logic (acpi.c): physical memory is reached only through the caller's acpi_map_fn, so the
 * host tests feed it fabricated tables. The MADT itself is madt.c.
 */
#pragma once

#include <kernel/types.h>

enum {
    ACPI_RSDP_V1_LEN = 20,
    ACPI_RSDP_V2_LEN = 36,
    ACPI_HEADER_LEN = 36,
    ACPI_TABLE_MAX = 1u << 20, /* longer tables are refused: checksums stay bounded */
};

/* What the RSDP says: where the root tables are. */
struct acpi_rsdp {
    uint8_t revision; /* 0: ACPI 1.0 (RSDT only); 2 and up: XSDT too */
    uint32_t rsdt;    /* physical address of the RSDT (4-byte entries), or 0 */
    uint64_t xsdt;    /* physical address of the XSDT (8-byte entries), or 0 */
};

/*
 * Returns a pointer through which len bytes at physical address pa can be read, or NULL
 * if they cannot (outside the memory the kernel maps, or an overflowing range).
 */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t pa, uint64_t len);

int acpi_rsdp_parse(const void *p, size_t avail, struct acpi_rsdp *out);
int acpi_rsdp_scan(const void *area, size_t len, size_t *off);
int acpi_table_check(const void *t, size_t avail, const char sig[4], uint32_t *len);
int acpi_find_table(const struct acpi_rsdp *r, const char sig[4], acpi_map_fn map, void *ctx,
                    const void **table, uint32_t *len);

/* Little-endian reads at any alignment (tables are byte-packed). */
static inline uint32_t
acpi_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
acpi_rd64(const uint8_t *p)
{
    return (uint64_t)acpi_rd32(p) | (uint64_t)acpi_rd32(p + 4) << 32;
}
