/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the MADT parser (kernel/plat/pc/madt.c): QEMU's table as QEMU builds it
 * for `-machine pc` (one IOAPIC at 0xfec00000 with GSI base 0, IRQ 0 on GSI 2, IRQs 5, 9,
 * 10 and 11 level-triggered active high), then every kind of damage the parser must
 * survive: entry lengths of 0 and 1, entries running past the end, short entries, a
 * table with no IOAPIC, duplicate IOAPICs, too many IOAPICs, bad overrides, and random
 * bytes. Each table lives in a heap block of exactly its length, so ASan reports any read
 * past it.
 */
/* test-sources: kernel/plat/pc/madt.c */
#include "test.h"

#include <stdlib.h>

#include <plat/madt.h>

enum {
    MAX_TABLE = 1024,
    FUZZ_ROUNDS = 20000, /* random tables: enough to hit every length path many times */
};

struct tb {
    uint8_t b[MAX_TABLE];
    size_t len;
};

static void
put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void
tb_init(struct tb *t, uint32_t lapic, uint32_t flags)
{
    memset(t, 0, sizeof(*t));
    memcpy(t->b, "APIC", 4);
    t->b[8] = 3;
    put32(t->b + 36, lapic);
    put32(t->b + 40, flags);
    t->len = 44;
}

static void
tb_raw(struct tb *t, const uint8_t *e, size_t n)
{
    memcpy(t->b + t->len, e, n);
    t->len += n;
}

static void
tb_lapic(struct tb *t, uint8_t apic_id, uint32_t flags)
{
    uint8_t e[8] = { 0, 8, apic_id, apic_id };
    put32(e + 4, flags);
    tb_raw(t, e, sizeof(e));
}

static void
tb_ioapic(struct tb *t, uint8_t id, uint32_t addr, uint32_t base)
{
    uint8_t e[12] = { 1, 12, id, 0 };
    put32(e + 4, addr);
    put32(e + 8, base);
    tb_raw(t, e, sizeof(e));
}

static void
tb_iso(struct tb *t, uint8_t bus, uint8_t src, uint32_t gsi, uint16_t flags)
{
    uint8_t e[10] = { 2, 10, bus, src };
    put32(e + 4, gsi);
    e[8] = (uint8_t)flags;
    e[9] = (uint8_t)(flags >> 8);
    tb_raw(t, e, sizeof(e));
}

/* Parses the table from a heap block of exactly its length. */
static int
parse(const struct tb *t, struct madt_info *m)
{
    uint8_t *copy = malloc(t->len);
    memcpy(copy, t->b, t->len);
    int rc = madt_parse(copy, t->len, m);
    free(copy);
    return rc;
}

static void
tb_qemu(struct tb *t)
{
    tb_init(t, 0xfee00000u, 1);
    tb_lapic(t, 0, 1);
    tb_ioapic(t, 0, 0xfec00000u, 0);
    tb_iso(t, 0, 0, 2, 0);
    tb_iso(t, 0, 5, 5, 0xd);
    tb_iso(t, 0, 9, 9, 0xd);
    tb_iso(t, 0, 10, 10, 0xd);
    tb_iso(t, 0, 11, 11, 0xd);
    uint8_t nmi[6] = { 4, 6, 0xff, 0, 0, 1 };
    tb_raw(t, nmi, sizeof(nmi));
}

TEST(madt_qemu_table)
{
    struct tb t;
    struct madt_info m;
    tb_qemu(&t);
    ASSERT_EQ(parse(&t, &m), 0);
    ASSERT_EQ(m.lapic_addr, 0xfee00000u);
    ASSERT_TRUE(!m.lapic_override);
    ASSERT_TRUE(m.pcat_compat);
    ASSERT_EQ(m.cpus, 1);
    ASSERT_EQ(m.nioapics, 1);
    ASSERT_EQ(m.ioapic[0].addr, 0xfec00000u);
    ASSERT_EQ(m.ioapic[0].gsi_base, 0);
    ASSERT_EQ(m.ioapic[0].id, 0);
    ASSERT_EQ(m.dropped, 0);
    ASSERT_EQ(m.isa[0].gsi, 2);
    ASSERT_TRUE(m.isa[0].overridden);
    ASSERT_EQ(m.isa[0].mode, 0);
    ASSERT_EQ(m.isa[4].gsi, 4);
    ASSERT_TRUE(!m.isa[4].overridden);
    ASSERT_EQ(m.isa[9].gsi, 9);
    ASSERT_EQ(m.isa[9].mode, MADT_LEVEL);
    ASSERT_EQ(madt_gsi_mode(&m, 2), 0);
    ASSERT_EQ(madt_gsi_mode(&m, 4), 0);
    ASSERT_EQ(madt_gsi_mode(&m, 9), MADT_LEVEL);
    ASSERT_EQ(madt_gsi_mode(&m, 11), MADT_LEVEL);
    ASSERT_EQ(madt_gsi_mode(&m, 16), MADT_LEVEL | MADT_ACTIVE_LOW);
    ASSERT_EQ(madt_gsi_mode(&m, 23), MADT_LEVEL | MADT_ACTIVE_LOW);
}

TEST(madt_defaults_match_a_pc)
{
    struct madt_info m;
    madt_defaults(&m);
    ASSERT_EQ(m.nioapics, 1);
    ASSERT_EQ(m.ioapic[0].addr, MADT_DEFAULT_IOAPIC);
    ASSERT_EQ(m.lapic_addr, MADT_DEFAULT_LAPIC);
    ASSERT_EQ(m.cpus, 1);
    ASSERT_EQ(m.isa[0].gsi, 2);
    for (unsigned i = 1; i < MADT_ISA_IRQS; i++) {
        ASSERT_EQ(m.isa[i].gsi, i);
        ASSERT_EQ(m.isa[i].mode, 0);
    }
}

TEST(madt_polarity_and_trigger_flags)
{
    struct tb t;
    struct madt_info m;
    tb_init(&t, 0xfee00000u, 0);
    tb_ioapic(&t, 0, 0xfec00000u, 0);
    tb_iso(&t, 0, 1, 1, 0x1);  /* high, as the bus */
    tb_iso(&t, 0, 3, 3, 0x3);  /* low, as the bus (edge) */
    tb_iso(&t, 0, 4, 4, 0x4);  /* as the bus, edge */
    tb_iso(&t, 0, 6, 6, 0xc);  /* as the bus (high), level */
    tb_iso(&t, 0, 7, 20, 0xf); /* low, level, moved above the ISA range */
    tb_iso(&t, 0, 8, 8, 0xa);  /* reserved values: read as the bus's */
    ASSERT_EQ(parse(&t, &m), 0);
    ASSERT_TRUE(!m.pcat_compat);
    ASSERT_EQ(m.isa[1].mode, 0);
    ASSERT_EQ(m.isa[3].mode, MADT_ACTIVE_LOW);
    ASSERT_EQ(m.isa[4].mode, 0);
    ASSERT_EQ(m.isa[6].mode, MADT_LEVEL);
    ASSERT_EQ(m.isa[7].mode, MADT_LEVEL | MADT_ACTIVE_LOW);
    ASSERT_EQ(m.isa[8].mode, 0);
    ASSERT_EQ(madt_gsi_mode(&m, 20), MADT_LEVEL | MADT_ACTIVE_LOW);
    ASSERT_EQ(madt_gsi_mode(&m, 7), 0); /* GSI 7 lost its ISA IRQ: still ISA's default */
}

TEST(madt_cpus_counted_when_enabled)
{
    struct tb t;
    struct madt_info m;
    tb_init(&t, 0xfee00000u, 1);
    tb_lapic(&t, 0, 1);
    tb_lapic(&t, 1, 0); /* disabled */
    tb_lapic(&t, 2, 3);
    tb_ioapic(&t, 0, 0xfec00000u, 0);
    uint8_t x2[16] = { 9, 16, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0 };
    tb_raw(&t, x2, sizeof(x2));
    x2[8] = 0; /* a disabled x2APIC */
    tb_raw(&t, x2, sizeof(x2));
    ASSERT_EQ(parse(&t, &m), 0);
    ASSERT_EQ(m.cpus, 3);
}

TEST(madt_lapic_address_override)
{
    struct tb t;
    struct madt_info m;
    tb_init(&t, 0xfee00000u, 1);
    tb_ioapic(&t, 0, 0xfec00000u, 0);
    uint8_t e[12] = { 5, 12, 0, 0, 0, 0, 0xe0, 0xfe, 0x10, 0, 0, 0 };
    tb_raw(&t, e, sizeof(e));
    ASSERT_EQ(parse(&t, &m), 0);
    ASSERT_TRUE(m.lapic_override);
    ASSERT_EQ(m.lapic_addr, 0x10fee00000ull);
}

TEST(madt_several_ioapics)
{
    struct tb t;
    struct madt_info m;
    tb_init(&t, 0xfee00000u, 1);
    tb_ioapic(&t, 0, 0xfec00000u, 0);
    tb_ioapic(&t, 1, 0xfec01000u, 24);
    tb_ioapic(&t, 2, 0xfec02000u, 32);
    ASSERT_EQ(parse(&t, &m), 0);
    ASSERT_EQ(m.nioapics, 3);
    ASSERT_EQ(m.ioapic[1].addr, 0xfec01000u);
    ASSERT_EQ(m.ioapic[1].gsi_base, 24);
    ASSERT_EQ(m.ioapic[2].id, 2);
    ASSERT_EQ(m.ioapic[2].gsi_base, 32);
}

TEST(madt_duplicate_ioapics_dropped)
{
    struct tb t;
    struct madt_info m;
    tb_init(&t, 0xfee00000u, 1);
    tb_ioapic(&t, 0, 0xfec00000u, 0);
    tb_ioapic(&t, 0, 0xfec01000u, 24); /* same id */
    tb_ioapic(&t, 1, 0xfec00000u, 48); /* same address */
    tb_ioapic(&t, 2, 0xfec02000u, 0);  /* same GSI base */
    tb_ioapic(&t, 3, 0, 72);           /* address 0 */
    tb_ioapic(&t, 4, 0xfec04000u, 96);
    ASSERT_EQ(parse(&t, &m), 0);
    ASSERT_EQ(m.nioapics, 2);
    ASSERT_EQ(m.dropped, 4);
    ASSERT_EQ(m.ioapic[0].addr, 0xfec00000u);
    ASSERT_EQ(m.ioapic[1].id, 4);
}

TEST(madt_too_many_ioapics_dropped)
{
    struct tb t;
    struct madt_info m;
    tb_init(&t, 0xfee00000u, 1);
    for (unsigned i = 0; i < MADT_MAX_IOAPICS + 2; i++) {
        tb_ioapic(&t, (uint8_t)i, 0xfec00000u + 0x1000 * i, 24 * i);
    }
    ASSERT_EQ(parse(&t, &m), 0);
    ASSERT_EQ(m.nioapics, MADT_MAX_IOAPICS);
    ASSERT_EQ(m.dropped, 2);
}

TEST(madt_bad_overrides_dropped)
{
    struct tb t;
    struct madt_info m;
    tb_init(&t, 0xfee00000u, 1);
    tb_ioapic(&t, 0, 0xfec00000u, 0);
    tb_iso(&t, 1, 4, 20, 0xf);  /* not the ISA bus */
    tb_iso(&t, 0, 16, 16, 0xf); /* no ISA IRQ 16 */
    tb_iso(&t, 0, 0, 2, 0);
    tb_iso(&t, 0, 0, 5, 0xf);   /* second override of IRQ 0: the first wins */
    ASSERT_EQ(parse(&t, &m), 0);
    ASSERT_EQ(m.dropped, 3);
    ASSERT_EQ(m.isa[4].gsi, 4);
    ASSERT_TRUE(!m.isa[4].overridden);
    ASSERT_EQ(m.isa[0].gsi, 2);
    ASSERT_EQ(m.isa[0].mode, 0);
}

/* A failed parse leaves *m as it was. */
static void
expect_refused(struct tb *t, int want)
{
    struct madt_info m;
    memset(&m, 0x5a, sizeof(m));
    ASSERT_EQ(parse(t, &m), want);
    ASSERT_EQ(m.nioapics, 0x5a5a5a5au);
}

TEST(madt_entry_length_zero_refused)
{
    struct tb t;
    tb_qemu(&t);
    uint8_t e[4] = { 0x7f, 0, 0, 0 };
    tb_raw(&t, e, sizeof(e));
    expect_refused(&t, -CR_EINVAL);
}

TEST(madt_entry_length_one_refused)
{
    struct tb t;
    tb_qemu(&t);
    uint8_t e[2] = { 0x7f, 1 };
    tb_raw(&t, e, sizeof(e));
    expect_refused(&t, -CR_EINVAL);
}

TEST(madt_entry_past_end_refused)
{
    struct tb t;
    tb_qemu(&t);
    uint8_t e[4] = { 0x7f, 40, 0, 0 };
    tb_raw(&t, e, sizeof(e));
    expect_refused(&t, -CR_EINVAL);
    tb_qemu(&t);
    t.len -= 3; /* cut through the last entry */
    expect_refused(&t, -CR_EINVAL);
}

TEST(madt_trailing_byte_refused)
{
    struct tb t;
    tb_qemu(&t);
    t.b[t.len++] = 0;
    expect_refused(&t, -CR_EINVAL);
}

TEST(madt_short_entries_refused)
{
    static const uint8_t types[] = { 0, 1, 2, 5, 9 };
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        struct tb t;
        tb_qemu(&t);
        uint8_t e[6] = { types[i], 6, 0, 0, 0, 0 };
        tb_raw(&t, e, sizeof(e));
        expect_refused(&t, -CR_EINVAL);
        if (test_failed()) {
            return;
        }
    }
}

TEST(madt_too_short_or_no_ioapic_refused)
{
    struct tb t;
    tb_init(&t, 0xfee00000u, 1);
    expect_refused(&t, -CR_ENOENT);
    tb_lapic(&t, 0, 1);
    expect_refused(&t, -CR_ENOENT);
    t.len = 43;
    expect_refused(&t, -CR_EINVAL);
    t.len = 0;
    struct madt_info m;
    ASSERT_EQ(madt_parse(NULL, 0, &m), -CR_EINVAL);
}

TEST(madt_random_entries_terminate)
{
    srand(2);
    for (int r = 0; r < FUZZ_ROUNDS; r++) {
        struct tb t;
        tb_init(&t, 0xfee00000u, 1);
        size_t n = (size_t)(rand() % 200);
        for (size_t i = 0; i < n; i++) {
            t.b[t.len++] = (uint8_t)(rand() % 4 == 0 ? rand() % 12 : rand());
        }
        struct madt_info m;
        int rc = parse(&t, &m);
        ASSERT_TRUE(rc == 0 || rc == -CR_EINVAL || rc == -CR_ENOENT);
        if (rc == 0) {
            ASSERT_TRUE(m.nioapics >= 1 && m.nioapics <= MADT_MAX_IOAPICS);
        }
    }
}
