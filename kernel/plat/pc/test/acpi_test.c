/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the ACPI root tables (kernel/plat/pc/acpi.c): the RSDP in both revisions,
 * the scan of a BIOS area, and the walk from the RSDT or XSDT to a table through a fake
 * physical memory. Damage checked: bad checksums (RSDP, extended RSDP, root table, target
 * table), lengths shorter than a header, longer than the memory, pointers out of it.
 */
/* test-sources: kernel/plat/pc/acpi.c */
#include "test.h"

#include <plat/acpi.h>

enum {
    MEM_SIZE = 0x4000,
    RSDT_AT = 0x100,
    XSDT_AT = 0x200,
    FACP_AT = 0x400,
    APIC_AT = 0x800,
};

static uint8_t mem[MEM_SIZE];

static const void *
mem_map(void *ctx, uint64_t pa, uint64_t len)
{
    (void)ctx;
    if (pa > MEM_SIZE || len > MEM_SIZE - pa) {
        return NULL;
    }
    return mem + pa;
}

static void
put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void
put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static void
fix_sum(uint8_t *p, size_t n, size_t at)
{
    uint8_t s = 0;
    p[at] = 0;
    for (size_t i = 0; i < n; i++) {
        s = (uint8_t)(s + p[i]);
    }
    p[at] = (uint8_t)-s;
}

static void
make_rsdp(uint8_t *p, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
    memset(p, 0, ACPI_RSDP_V2_LEN);
    memcpy(p, "RSD PTR ", 8);
    memcpy(p + 9, "COURIE", 6);
    p[15] = rev;
    put32(p + 16, rsdt);
    if (rev >= 2) {
        put32(p + 20, ACPI_RSDP_V2_LEN);
        put64(p + 24, xsdt);
        fix_sum(p, ACPI_RSDP_V2_LEN, 32);
    }
    fix_sum(p, ACPI_RSDP_V1_LEN, 8);
    if (rev >= 2) {
        fix_sum(p, ACPI_RSDP_V2_LEN, 32);
    }
}

static void
make_table(uint32_t at, const char *sig, uint32_t len)
{
    uint8_t *t = mem + at;
    memset(t, 0, len);
    memcpy(t, sig, 4);
    put32(t + 4, len);
    t[8] = 1;
    for (uint32_t i = ACPI_HEADER_LEN; i < len; i++) {
        t[i] = (uint8_t)(i * 7);
    }
    fix_sum(t, len, 9);
}

/* An RSDT and an XSDT that both list a FACP and an APIC table. */
static void
make_memory(void)
{
    memset(mem, 0, sizeof(mem));
    make_table(FACP_AT, "FACP", 116);
    make_table(APIC_AT, "APIC", 120);
    uint8_t *r = mem + RSDT_AT;
    memcpy(r, "RSDT", 4);
    put32(r + 4, ACPI_HEADER_LEN + 8);
    put32(r + 36, FACP_AT);
    put32(r + 40, APIC_AT);
    fix_sum(r, ACPI_HEADER_LEN + 8, 9);
    uint8_t *x = mem + XSDT_AT;
    memcpy(x, "XSDT", 4);
    put32(x + 4, ACPI_HEADER_LEN + 16);
    put64(x + 36, FACP_AT);
    put64(x + 44, APIC_AT);
    fix_sum(x, ACPI_HEADER_LEN + 16, 9);
}

static void
refix(uint32_t at)
{
    fix_sum(mem + at, acpi_rd32(mem + at + 4), 9);
}

TEST(acpi_rsdp_v1_and_v2)
{
    uint8_t p[ACPI_RSDP_V2_LEN];
    struct acpi_rsdp r;
    make_rsdp(p, 0, RSDT_AT, 0);
    ASSERT_EQ(acpi_rsdp_parse(p, ACPI_RSDP_V1_LEN, &r), 0);
    ASSERT_EQ(r.revision, 0);
    ASSERT_EQ(r.rsdt, RSDT_AT);
    ASSERT_EQ(r.xsdt, 0);
    make_rsdp(p, 2, RSDT_AT, XSDT_AT);
    ASSERT_EQ(acpi_rsdp_parse(p, sizeof(p), &r), 0);
    ASSERT_EQ(r.revision, 2);
    ASSERT_EQ(r.xsdt, XSDT_AT);
    /* A v2 RSDP cut to 20 bytes (a multiboot 2 "old ACPI" tag would not be). */
    ASSERT_ERR(-CR_EINVAL, acpi_rsdp_parse(p, ACPI_RSDP_V1_LEN, &r));
}

TEST(acpi_rsdp_damage_refused)
{
    uint8_t p[ACPI_RSDP_V2_LEN];
    struct acpi_rsdp r;
    make_rsdp(p, 2, RSDT_AT, XSDT_AT);
    p[8]++; /* first checksum */
    ASSERT_ERR(-CR_EINVAL, acpi_rsdp_parse(p, sizeof(p), &r));
    make_rsdp(p, 2, RSDT_AT, XSDT_AT);
    p[30]++; /* covered only by the extended checksum */
    ASSERT_ERR(-CR_EINVAL, acpi_rsdp_parse(p, sizeof(p), &r));
    make_rsdp(p, 2, RSDT_AT, XSDT_AT);
    put32(p + 20, 4096); /* longer than what is there */
    fix_sum(p, ACPI_RSDP_V2_LEN, 32);
    ASSERT_ERR(-CR_EINVAL, acpi_rsdp_parse(p, sizeof(p), &r));
    make_rsdp(p, 0, RSDT_AT, 0);
    p[0] = 'r';
    ASSERT_ERR(-CR_EINVAL, acpi_rsdp_parse(p, sizeof(p), &r));
    make_rsdp(p, 0, 0, 0);
    ASSERT_ERR(-CR_EINVAL, acpi_rsdp_parse(p, sizeof(p), &r));
    ASSERT_ERR(-CR_EINVAL, acpi_rsdp_parse(p, 19, &r));
}

TEST(acpi_rsdp_scan_on_16_byte_boundaries)
{
    static uint8_t area[256];
    size_t off = 99;
    memset(area, 0, sizeof(area));
    ASSERT_ERR(-CR_ENOENT, acpi_rsdp_scan(area, sizeof(area), &off));
    make_rsdp(area + 72, 0, RSDT_AT, 0); /* not on a boundary: not found */
    ASSERT_ERR(-CR_ENOENT, acpi_rsdp_scan(area, sizeof(area), &off));
    memcpy(area + 48, "RSD PTR ", 8); /* signature with a bad checksum: skipped */
    make_rsdp(area + 160, 2, RSDT_AT, XSDT_AT);
    ASSERT_EQ(acpi_rsdp_scan(area, sizeof(area), &off), 0);
    ASSERT_EQ(off, 160);
    /* An RSDP at the very end, cut short by the area's end, is not read past it. */
    ASSERT_ERR(-CR_ENOENT, acpi_rsdp_scan(area, 170, &off));
}

TEST(acpi_find_through_rsdt_and_xsdt)
{
    make_memory();
    const void *t;
    uint32_t len;
    struct acpi_rsdp r1 = { .revision = 0, .rsdt = RSDT_AT };
    ASSERT_EQ(acpi_find_table(&r1, "APIC", mem_map, NULL, &t, &len), 0);
    ASSERT_TRUE(t == mem + APIC_AT);
    ASSERT_EQ(len, 120);
    struct acpi_rsdp r2 = { .revision = 2, .rsdt = 0, .xsdt = XSDT_AT };
    ASSERT_EQ(acpi_find_table(&r2, "FACP", mem_map, NULL, &t, &len), 0);
    ASSERT_TRUE(t == mem + FACP_AT);
    ASSERT_ERR(-CR_ENOENT, acpi_find_table(&r2, "HPET", mem_map, NULL, &t, &len));
    /* Revision 2 with an XSDT of 0 falls back to the RSDT. */
    struct acpi_rsdp r3 = { .revision = 2, .rsdt = RSDT_AT, .xsdt = 0 };
    ASSERT_EQ(acpi_find_table(&r3, "APIC", mem_map, NULL, &t, &len), 0);
}

TEST(acpi_bad_table_checksum_refused)
{
    make_memory();
    const void *t;
    uint32_t len;
    struct acpi_rsdp r = { .revision = 0, .rsdt = RSDT_AT };
    mem[APIC_AT + 50]++;
    ASSERT_ERR(-CR_EINVAL, acpi_find_table(&r, "APIC", mem_map, NULL, &t, &len));
    ASSERT_EQ(acpi_find_table(&r, "FACP", mem_map, NULL, &t, &len), 0);
    make_memory();
    mem[RSDT_AT + 20]++;
    ASSERT_ERR(-CR_EINVAL, acpi_find_table(&r, "APIC", mem_map, NULL, &t, &len));
}

TEST(acpi_bad_lengths_refused)
{
    const void *t;
    uint32_t len;
    struct acpi_rsdp r = { .revision = 0, .rsdt = RSDT_AT };
    make_memory();
    put32(mem + APIC_AT + 4, 20); /* shorter than a header */
    refix(APIC_AT);
    ASSERT_ERR(-CR_EINVAL, acpi_find_table(&r, "APIC", mem_map, NULL, &t, &len));
    make_memory();
    put32(mem + APIC_AT + 4, MEM_SIZE); /* runs past the memory */
    ASSERT_ERR(-CR_EINVAL, acpi_find_table(&r, "APIC", mem_map, NULL, &t, &len));
    make_memory();
    put32(mem + APIC_AT + 4, ACPI_TABLE_MAX + 1);
    ASSERT_ERR(-CR_EINVAL, acpi_find_table(&r, "APIC", mem_map, NULL, &t, &len));
    make_memory();
    put32(mem + RSDT_AT + 4, 0xffffffffu); /* root table past the memory */
    ASSERT_ERR(-CR_EINVAL, acpi_find_table(&r, "APIC", mem_map, NULL, &t, &len));
    make_memory();
    put32(mem + RSDT_AT + 4, ACPI_HEADER_LEN + 6); /* half an entry at the end: ignored */
    refix(RSDT_AT);
    ASSERT_ERR(-CR_ENOENT, acpi_find_table(&r, "APIC", mem_map, NULL, &t, &len));
    ASSERT_EQ(acpi_find_table(&r, "FACP", mem_map, NULL, &t, &len), 0);
}

TEST(acpi_entries_out_of_memory_skipped)
{
    make_memory();
    const void *t;
    uint32_t len;
    put64(mem + XSDT_AT + 36, 0xffffffffffff0000ull); /* unmappable (and overflowing) */
    refix(XSDT_AT);
    struct acpi_rsdp r = { .revision = 2, .xsdt = XSDT_AT };
    ASSERT_EQ(acpi_find_table(&r, "APIC", mem_map, NULL, &t, &len), 0);
    ASSERT_ERR(-CR_ENOENT, acpi_find_table(&r, "FACP", mem_map, NULL, &t, &len));
    struct acpi_rsdp bad = { .revision = 2, .xsdt = MEM_SIZE - 8 };
    ASSERT_ERR(-CR_EINVAL, acpi_find_table(&bad, "APIC", mem_map, NULL, &t, &len));
}

TEST(acpi_table_check_signature_and_sum)
{
    make_memory();
    uint32_t len;
    ASSERT_EQ(acpi_table_check(mem + APIC_AT, 120, "APIC", &len), 0);
    ASSERT_EQ(len, 120);
    ASSERT_ERR(-CR_ENOENT, acpi_table_check(mem + APIC_AT, 120, "FACP", &len));
    ASSERT_ERR(-CR_EINVAL, acpi_table_check(mem + APIC_AT, 119, "APIC", &len));
    ASSERT_ERR(-CR_EINVAL, acpi_table_check(mem + APIC_AT, 35, NULL, &len));
}
