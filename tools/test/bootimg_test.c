/* SPDX-License-Identifier: MIT */
/*
 * Tests of the boot image parser (user/lib/bootimg). Each way bootimg_check() can reject
 * an image gets a test asserting -CR_EINVAL; lookups get their 0 and -CR_ENOENT cases.
 * The last test flips random bytes of a valid image, mostly in the header and table, and
 * truncates it at random lengths; the image sits in a heap block of exactly len bytes so
 * that ASan catches any read outside it. When a mutant still passes the check, every
 * entry is looked up and every data byte read, which must also stay in bounds. The
 * generator is seeded with a constant so that a failure reproduces.
 */
/* test-sources: user/lib/bootimg/bootimg.c */
#include "test.h"

#include <stdint.h>
#include <stdlib.h>

#include "user/lib/bootimg/bootimg.h"

struct file {
    const char *name;
    size_t size;
    uint32_t mode;
    uint32_t flags;
};

/* A small image with the awkward cases: an empty file and a file of exactly one page. */
static const struct file sample[] = {
    { "bin/init", 5000, 0755, BOOTIMG_F_EXEC },
    { "etc/motd", 12, 0644, 0 },
    { "etc/empty", 0, 0644, 0 },
    { "lib/page", BOOTIMG_ALIGN, 0444, 0 },
};
enum { SAMPLE_COUNT = sizeof(sample) / sizeof(sample[0]) };

static uint64_t
align_up(uint64_t v)
{
    return (v + BOOTIMG_ALIGN - 1) / BOOTIMG_ALIGN * BOOTIMG_ALIGN;
}

/* Byte i of file f: distinct per file, so a lookup returning the wrong data shows. */
static unsigned char
file_byte(int f, size_t i)
{
    return (unsigned char)(f * 31 + i * 7 + 1);
}

/* Lays out files the way mkbootimg does; returns a zeroed-then-filled heap image. */
static unsigned char *
build_image(const struct file *files, int n, size_t *len)
{
    uint64_t off = align_up(sizeof(struct bootimg_header) + n * sizeof(struct bootimg_entry));
    struct bootimg_entry *table;
    struct bootimg_header *h;
    unsigned char *img;
    uint64_t total = off;

    for (int i = 0; i < n; i++) {
        total = align_up(total) + files[i].size;
    }
    total = align_up(total);
    img = aligned_alloc(BOOTIMG_ALIGN, total);
    if (img == NULL) {
        abort();
    }
    memset(img, 0, total);
    h = (struct bootimg_header *)img;
    memcpy(h->magic, BOOTIMG_MAGIC, BOOTIMG_MAGIC_LEN);
    h->version = BOOTIMG_VERSION;
    h->count = (uint32_t)n;
    h->total_size = total;
    table = (struct bootimg_entry *)(img + sizeof(*h));
    for (int i = 0; i < n; i++) {
        off = align_up(off);
        strncpy(table[i].name, files[i].name, BOOTIMG_NAME_MAX - 1);
        table[i].offset = off;
        table[i].size = files[i].size;
        table[i].mode = files[i].mode;
        table[i].flags = files[i].flags;
        for (size_t j = 0; j < files[i].size; j++) {
            img[off + j] = file_byte(i, j);
        }
        off += files[i].size;
    }
    *len = total;
    return img;
}

static unsigned char *
sample_image(size_t *len)
{
    return build_image(sample, SAMPLE_COUNT, len);
}

static struct bootimg_header *
hdr(unsigned char *img)
{
    return (struct bootimg_header *)img;
}

static struct bootimg_entry *
ent(unsigned char *img, int i)
{
    return (struct bootimg_entry *)(img + sizeof(struct bootimg_header)) + i;
}

TEST(bootimg_check_accepts_valid_image)
{
    size_t len;
    unsigned char *img = sample_image(&len);

    ASSERT_ERR(0, bootimg_check(img, len));
    ASSERT_EQ(bootimg_count(img), SAMPLE_COUNT);
    ASSERT_EQ(len % BOOTIMG_ALIGN, 0);
    ASSERT_EQ(hdr(img)->total_size, len);
    free(img);
}

TEST(bootimg_check_accepts_empty_image)
{
    size_t len;
    unsigned char *img = build_image(NULL, 0, &len);

    ASSERT_EQ(len, BOOTIMG_ALIGN);
    ASSERT_ERR(0, bootimg_check(img, len));
    ASSERT_EQ(bootimg_count(img), 0);
    free(img);
}

TEST(bootimg_find_returns_entry_and_data)
{
    const struct bootimg_entry *e = NULL;
    const unsigned char *data;
    size_t len;
    unsigned char *img = sample_image(&len);

    ASSERT_ERR(0, bootimg_check(img, len));
    for (int i = 0; i < SAMPLE_COUNT; i++) {
        ASSERT_ERR(0, bootimg_find(img, len, sample[i].name, &e));
        ASSERT_EQ(e, bootimg_entry_at(img, (uint32_t)i));
        ASSERT_EQ(e->size, sample[i].size);
        ASSERT_EQ(e->mode, sample[i].mode);
        ASSERT_EQ(e->flags, sample[i].flags);
        ASSERT_EQ(e->offset % BOOTIMG_ALIGN, 0);
        data = bootimg_data(img, e);
        for (size_t j = 0; j < e->size; j++) {
            ASSERT_EQ(data[j], file_byte(i, j));
        }
    }
    free(img);
}

TEST(bootimg_find_missing_name_is_enoent)
{
    const struct bootimg_entry *e = NULL;
    char longname[200];
    size_t len;
    unsigned char *img = sample_image(&len);

    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ASSERT_ERR(-CR_ENOENT, bootimg_find(img, len, "bin/sh", &e));
    ASSERT_ERR(-CR_ENOENT, bootimg_find(img, len, "bin/ini", &e));
    ASSERT_ERR(-CR_ENOENT, bootimg_find(img, len, "bin/init2", &e));
    ASSERT_ERR(-CR_ENOENT, bootimg_find(img, len, "", &e));
    ASSERT_ERR(-CR_ENOENT, bootimg_find(img, len, longname, &e));
    ASSERT_EQ(e, NULL);
    free(img);
}

TEST(bootimg_find_rejects_table_beyond_len)
{
    const struct bootimg_entry *e = NULL;
    size_t len;
    unsigned char *img = sample_image(&len);

    ASSERT_ERR(-CR_EINVAL, bootimg_find(img, 32, "bin/init", &e));
    hdr(img)->count = BOOTIMG_MAX_ENTRIES;
    ASSERT_ERR(-CR_EINVAL, bootimg_find(img, len, "bin/init", &e));
    free(img);
}

TEST(bootimg_entry_at_past_count_is_null)
{
    size_t len;
    unsigned char *img = sample_image(&len);

    ASSERT_TRUE(bootimg_entry_at(img, SAMPLE_COUNT - 1) != NULL);
    ASSERT_EQ(bootimg_entry_at(img, SAMPLE_COUNT), NULL);
    ASSERT_EQ(bootimg_entry_at(img, UINT32_MAX), NULL);
    free(img);
}

TEST(bootimg_check_rejects_null_short_and_misaligned)
{
    size_t len;
    unsigned char *img = sample_image(&len);

    ASSERT_ERR(-CR_EINVAL, bootimg_check(NULL, len));
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img + 1, len - 1));
    for (size_t n = 0; n < len; n += 61) {
        ASSERT_ERR(-CR_EINVAL, bootimg_check(img, n));
    }
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len - 1));
    free(img);
}

TEST(bootimg_check_rejects_bad_header)
{
    size_t len;
    unsigned char *img = sample_image(&len);

    hdr(img)->magic[7] = 'X';
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    hdr(img)->magic[7] = 'M';
    ASSERT_ERR(0, bootimg_check(img, len));

    hdr(img)->version = BOOTIMG_VERSION + 1;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    hdr(img)->version = BOOTIMG_VERSION;

    hdr(img)->reserved[4] = 1;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    hdr(img)->reserved[4] = 0;

    hdr(img)->total_size = len - 1;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    hdr(img)->total_size = len + BOOTIMG_ALIGN;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    hdr(img)->total_size = 0;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    hdr(img)->total_size = len;
    ASSERT_ERR(0, bootimg_check(img, len));
    free(img);
}

TEST(bootimg_check_rejects_count_beyond_table)
{
    size_t len;
    unsigned char *img = sample_image(&len);

    hdr(img)->count = BOOTIMG_MAX_ENTRIES + 1;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    hdr(img)->count = UINT32_MAX;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    /* 100 entries need more than the one page of table the image has. */
    hdr(img)->count = 100;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    free(img);
}

TEST(bootimg_check_rejects_bad_extent)
{
    size_t len;
    unsigned char *img = sample_image(&len);
    struct bootimg_entry *e = ent(img, 1);
    struct bootimg_entry saved = *e;

    e->offset += 8;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    e->offset = 0;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    e->offset = len;
    e->size = 1;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    e->offset = len + BOOTIMG_ALIGN;
    e->size = 0;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    /* offset + size wraps to a small number: must not pass as in range. */
    e->offset = BOOTIMG_ALIGN;
    e->size = UINT64_MAX - BOOTIMG_ALIGN + 2;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    e->offset = UINT64_MAX - BOOTIMG_ALIGN + 1;
    e->size = BOOTIMG_ALIGN;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    *e = saved;
    e->size = len - e->offset + 1;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    e->size = len - e->offset;
    ASSERT_ERR(0, bootimg_check(img, len));
    free(img);
}

TEST(bootimg_check_rejects_bad_names)
{
    size_t len;
    unsigned char *img = sample_image(&len);
    struct bootimg_entry *e = ent(img, 2);
    struct bootimg_entry saved = *e;

    memset(e->name, 'x', BOOTIMG_NAME_MAX);
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    e->name[BOOTIMG_NAME_MAX - 1] = '\0';
    ASSERT_ERR(0, bootimg_check(img, len));
    e->name[0] = '\0';
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    memcpy(e->name, "bin/init", sizeof("bin/init"));
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    *e = saved;
    ASSERT_ERR(0, bootimg_check(img, len));
    free(img);
}

TEST(bootimg_check_rejects_bad_mode_flags_reserved)
{
    size_t len;
    unsigned char *img = sample_image(&len);
    struct bootimg_entry *e = ent(img, 0);

    e->mode = 010000;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    e->mode = 07777;
    ASSERT_ERR(0, bootimg_check(img, len));
    e->flags = 1u << 31;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    e->flags = BOOTIMG_F_EXEC;
    e->reserved[1] = 7;
    ASSERT_ERR(-CR_EINVAL, bootimg_check(img, len));
    e->reserved[1] = 0;
    ASSERT_ERR(0, bootimg_check(img, len));
    free(img);
}

/* xorshift64: small, deterministic, good enough to pick bytes to break. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Values that sit on the edges the checks compare against. */
static const uint8_t edge_bytes[] = { 0x00, 0x01, 0x0f, 0x10, 0x7f, 0x80, 0xfe, 0xff };

static void
mutate(unsigned char *img, size_t len, size_t meta)
{
    int flips = 1 + (int)(rng() % 8);

    for (int i = 0; i < flips; i++) {
        /* Three in four flips land in the header and table, where the checks are. */
        size_t pos = rng() % 4 != 0 ? rng() % meta : rng() % len;

        if (rng() % 2 == 0) {
            img[pos] = edge_bytes[rng() % sizeof(edge_bytes)];
        } else {
            img[pos] ^= (unsigned char)(1u << (rng() % 8));
        }
    }
}

/* Reads everything a valid-looking image claims to hold; ASan flags any stray read. */
static unsigned
walk(const unsigned char *img, size_t len)
{
    unsigned sum = 0;

    for (uint32_t i = 0; i < bootimg_count(img); i++) {
        const struct bootimg_entry *e = bootimg_entry_at(img, i);
        const struct bootimg_entry *found = NULL;
        const unsigned char *data = bootimg_data(img, e);

        if (bootimg_find(img, len, e->name, &found) != 0 || found != e) {
            return UINT32_MAX;
        }
        for (size_t j = 0; j < e->size; j++) {
            sum += data[j];
        }
    }
    return sum;
}

TEST(bootimg_check_survives_random_corruption)
{
    enum { ROUNDS = 20000 };
    size_t len;
    unsigned char *good = sample_image(&len);
    size_t meta = sizeof(struct bootimg_header) + SAMPLE_COUNT * sizeof(struct bootimg_entry);
    int accepted = 0;

    for (int round = 0; round < ROUNDS; round++) {
        size_t n = rng() % 8 == 0 ? rng() % (len + 1) : len;
        unsigned char *img = malloc(n > 0 ? n : 1);

        ASSERT_TRUE(img != NULL);
        memcpy(img, good, n);
        if (n > 0) {
            mutate(img, n, meta < n ? meta : n);
        }
        if (bootimg_check(img, n) == 0) {
            accepted++;
            if (walk(img, n) == UINT32_MAX) {
                free(img);
                ASSERT_TRUE(!"a checked image failed to look up its own entry");
            }
        }
        free(img);
    }
    /* Flips in file data or padding leave the image valid; a few must get through. */
    ASSERT_TRUE(accepted > 0);
    ASSERT_TRUE(accepted < ROUNDS);
    free(good);
}
