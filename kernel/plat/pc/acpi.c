/* SPDX-License-Identifier: MIT */
/*
 * ACPI root tables. The RSDP comes from the loader (multiboot 2 copies it into a tag) or
 * from a scan of the BIOS areas (acpi_boot.c); it names the RSDT (32-bit entries) and, from
 * ACPI 2.0, the XSDT (64-bit entries), which is preferred. Every table is checked before it
 * is read: its signature, a length of at least a header and at most ACPI_TABLE_MAX, no
 * more than the caller could map, and a byte sum of 0. Nothing here trusts a length it has
 * not checked against what it was given, so a corrupt table costs at most one failed
 * lookup. Errors are -CR_EINVAL (malformed) and -CR_ENOENT (absent). Pure logic: the
 * caller's acpi_map_fn is the only way to physical memory. Called once, at boot.
 */
#include <plat/acpi.h>
#include <courier/abi/errors.h>

static const char rsdp_sig[8] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };

static uint8_t
sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++) {
        s = (uint8_t)(s + p[i]);
    }
    return s;
}

static bool
same(const uint8_t *p, const char *sig, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != (uint8_t)sig[i]) {
            return false;
        }
    }
    return true;
}

/*
 * Checks the RSDP at p, of which avail bytes may be read, and fills *out. The first 20
 * bytes must sum to 0; from revision 2 the whole structure (its length field, at least 36
 * bytes) must too. Errors: -EINVAL (wrong signature, too short, bad checksum or length).
 */
int
acpi_rsdp_parse(const void *p, size_t avail, struct acpi_rsdp *out)
{
    const uint8_t *b = p;
    if (avail < ACPI_RSDP_V1_LEN || !same(b, rsdp_sig, 8) || sum(b, ACPI_RSDP_V1_LEN) != 0) {
        return -CR_EINVAL;
    }
    struct acpi_rsdp r = { .revision = b[15], .rsdt = acpi_rd32(b + 16), .xsdt = 0 };
    if (r.revision >= 2) {
        if (avail < ACPI_RSDP_V2_LEN) {
            return -CR_EINVAL;
        }
        uint32_t len = acpi_rd32(b + 20);
        if (len < ACPI_RSDP_V2_LEN || len > avail || sum(b, len) != 0) {
            return -CR_EINVAL;
        }
        r.xsdt = acpi_rd64(b + 24);
    }
    if (r.rsdt == 0 && r.xsdt == 0) {
        return -CR_EINVAL;
    }
    *out = r;
    return 0;
}

/*
 * Finds a valid RSDP in the len bytes at area, on a 16-byte boundary as the BIOS puts it.
 * Sets *off to its offset. Errors: -ENOENT (none). O(len).
 */
int
acpi_rsdp_scan(const void *area, size_t len, size_t *off)
{
    const uint8_t *b = area;
    struct acpi_rsdp r;
    for (size_t i = 0; i + ACPI_RSDP_V1_LEN <= len; i += 16) {
        if (acpi_rsdp_parse(b + i, len - i, &r) == 0) {
            *off = i;
            return 0;
        }
    }
    return -CR_ENOENT;
}

/*
 * Checks the table at t (avail bytes readable): signature sig (NULL: any), length field
 * between ACPI_HEADER_LEN and min(avail, ACPI_TABLE_MAX), byte sum 0. Sets *len to its
 * length. Errors: -ENOENT (another signature), -EINVAL (bad length or checksum).
 */
int
acpi_table_check(const void *t, size_t avail, const char sig[4], uint32_t *len)
{
    const uint8_t *b = t;
    if (avail < ACPI_HEADER_LEN) {
        return -CR_EINVAL;
    }
    if (sig != NULL && !same(b, sig, 4)) {
        return -CR_ENOENT;
    }
    uint32_t n = acpi_rd32(b + 4);
    if (n < ACPI_HEADER_LEN || n > avail || n > ACPI_TABLE_MAX || sum(b, n) != 0) {
        return -CR_EINVAL;
    }
    *len = n;
    return 0;
}

/* Maps and checks the whole table at pa; sig NULL accepts any signature. */
static int
map_table(uint64_t pa, const char sig[4], acpi_map_fn map, void *ctx, const uint8_t **t,
          uint32_t *len)
{
    const uint8_t *h = map(ctx, pa, ACPI_HEADER_LEN);
    if (h == NULL) {
        return -CR_EINVAL;
    }
    if (sig != NULL && !same(h, sig, 4)) {
        return -CR_ENOENT;
    }
    uint32_t n = acpi_rd32(h + 4);
    if (n < ACPI_HEADER_LEN || n > ACPI_TABLE_MAX) {
        return -CR_EINVAL;
    }
    const uint8_t *b = map(ctx, pa, n);
    if (b == NULL) {
        return -CR_EINVAL;
    }
    int rc = acpi_table_check(b, n, sig, len);
    if (rc == 0) {
        *t = b;
    }
    return rc;
}

/*
 * Finds the table with signature sig through the XSDT (when the RSDP has one) or else the
 * RSDT, and sets *table and *len to the checked table. A candidate that fails its check
 * is skipped, so a second, sound copy would still be found. Errors: -EINVAL (the root
 * table is unusable, or every table with that signature failed its check), -ENOENT (no
 * such table). O(entries), at most ACPI_TABLE_MAX / 4.
 */
int
acpi_find_table(const struct acpi_rsdp *r, const char sig[4], acpi_map_fn map, void *ctx,
                const void **table, uint32_t *len)
{
    bool x = r->revision >= 2 && r->xsdt != 0;
    static const char xsdt_sig[4] = { 'X', 'S', 'D', 'T' };
    static const char rsdt_sig[4] = { 'R', 'S', 'D', 'T' };
    const uint8_t *root;
    uint32_t rlen;
    int rc = map_table(x ? r->xsdt : r->rsdt, x ? xsdt_sig : rsdt_sig, map, ctx, &root, &rlen);
    if (rc != 0) {
        return -CR_EINVAL;
    }
    size_t esize = x ? 8 : 4;
    int result = -CR_ENOENT;
    for (size_t off = ACPI_HEADER_LEN; off + esize <= rlen; off += esize) {
        uint64_t pa = x ? acpi_rd64(root + off) : acpi_rd32(root + off);
        const uint8_t *t;
        uint32_t n;
        rc = map_table(pa, sig, map, ctx, &t, &n);
        if (rc == 0) {
            *table = t;
            *len = n;
            return 0;
        }
        if (rc == -CR_EINVAL && sig != NULL) {
            /* Only a table that claims the signature counts as a broken copy. */
            const uint8_t *h = map(ctx, pa, ACPI_HEADER_LEN);
            if (h != NULL && same(h, sig, 4)) {
                result = -CR_EINVAL;
            }
        }
    }
    return result;
}
