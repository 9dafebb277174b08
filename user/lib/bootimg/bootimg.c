/* SPDX-License-Identifier: MIT */
/*
 * Boot image parser. bootimg_check() validates everything an image could get wrong: the
 * header, the entry table's size, and each entry's name, alignment and extent, with
 * overflow-safe arithmetic (an image is a boot module, but it is still input). The
 * lookups after it are then plain loops. Freestanding: the few string helpers it needs
 * are local, so it links into the root server before any libc exists.
 */
#include "bootimg.h"

#include <stdbool.h>

#include <courier/abi/errors.h>

static const struct bootimg_header *
header_of(const void *img)
{
    return (const struct bootimg_header *)img;
}

/* Byte offset of the first file's data: the header and the table, rounded up to a page. */
static uint64_t
data_start(uint32_t count)
{
    uint64_t end = sizeof(struct bootimg_header) + (uint64_t)count * sizeof(struct bootimg_entry);

    return (end + BOOTIMG_ALIGN - 1) / BOOTIMG_ALIGN * BOOTIMG_ALIGN;
}

/* True if the entry's name (NUL within BOOTIMG_NAME_MAX bytes) equals the C string s. */
static bool
name_eq(const char *name, const char *s)
{
    for (size_t i = 0; i < BOOTIMG_NAME_MAX; i++) {
        if (name[i] != s[i]) {
            return false;
        }
        if (name[i] == '\0') {
            return true;
        }
    }
    return false;
}

static bool
name_is_valid(const char *name)
{
    if (name[0] == '\0') {
        return false;
    }
    for (size_t i = 1; i < BOOTIMG_NAME_MAX; i++) {
        if (name[i] == '\0') {
            return true;
        }
    }
    return false;
}

static int
check_entry(const struct bootimg_entry *e, uint64_t first_data, uint64_t total)
{
    if (!name_is_valid(e->name)) {
        return -CR_EINVAL;
    }
    if (e->offset % BOOTIMG_ALIGN != 0 || e->offset < first_data || e->offset > total) {
        return -CR_EINVAL;
    }
    /* Written as a subtraction so that offset + size cannot wrap. */
    if (e->size > total - e->offset) {
        return -CR_EINVAL;
    }
    if (e->mode > 07777 || (e->flags & ~(uint32_t)BOOTIMG_F_EXEC) != 0) {
        return -CR_EINVAL;
    }
    if (e->reserved[0] != 0 || e->reserved[1] != 0) {
        return -CR_EINVAL;
    }
    return 0;
}

/*
 * Checks that the len bytes at img hold a well-formed boot image, so that the other
 * functions may be used on it. img must be 8-byte aligned (a page-aligned module is).
 * Cost: O(count^2) name comparisons for the duplicate check, count <= BOOTIMG_MAX_ENTRIES.
 * Returns 0, or -CR_EINVAL if img is NULL or misaligned, len is shorter than the header
 * or than total_size, the magic, version or a reserved field is wrong, count exceeds
 * BOOTIMG_MAX_ENTRIES or the table does not fit, or an entry has an empty, unterminated
 * or duplicate name, a misaligned offset, data outside [data start, total_size), a mode
 * beyond 07777 or unknown flags.
 */
int
bootimg_check(const void *img, size_t len)
{
    const struct bootimg_header *h = header_of(img);
    uint64_t first_data;

    if (img == NULL || (uintptr_t)img % 8 != 0 || len < sizeof(*h)) {
        return -CR_EINVAL;
    }
    for (size_t i = 0; i < BOOTIMG_MAGIC_LEN; i++) {
        if (h->magic[i] != BOOTIMG_MAGIC[i]) {
            return -CR_EINVAL;
        }
    }
    if (h->version != BOOTIMG_VERSION || h->count > BOOTIMG_MAX_ENTRIES) {
        return -CR_EINVAL;
    }
    for (size_t i = 0; i < sizeof(h->reserved) / sizeof(h->reserved[0]); i++) {
        if (h->reserved[i] != 0) {
            return -CR_EINVAL;
        }
    }
    first_data = data_start(h->count);
    if (h->total_size > len || h->total_size % BOOTIMG_ALIGN != 0 || h->total_size < first_data) {
        return -CR_EINVAL;
    }
    for (uint32_t i = 0; i < h->count; i++) {
        const struct bootimg_entry *e = bootimg_entry_at(img, i);
        int rc = check_entry(e, first_data, h->total_size);

        if (rc != 0) {
            return rc;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (name_eq(bootimg_entry_at(img, j)->name, e->name)) {
                return -CR_EINVAL;
            }
        }
    }
    return 0;
}

/*
 * Looks up the file called name (e.g. "bin/init") in a checked image and stores its
 * entry in *out. Cost: O(count). Returns 0; -CR_ENOENT if no entry has that name (names
 * longer than BOOTIMG_NAME_MAX - 1 never match); -CR_EINVAL if len cannot even hold the
 * header and table, which means the caller skipped bootimg_check().
 */
int
bootimg_find(const void *img, size_t len, const char *name, const struct bootimg_entry **out)
{
    const struct bootimg_header *h = header_of(img);

    if (len < sizeof(*h) || h->count > BOOTIMG_MAX_ENTRIES || data_start(h->count) > len) {
        return -CR_EINVAL;
    }
    for (uint32_t i = 0; i < h->count; i++) {
        const struct bootimg_entry *e = bootimg_entry_at(img, i);

        if (name_eq(e->name, name)) {
            *out = e;
            return 0;
        }
    }
    return -CR_ENOENT;
}

/* Returns the number of entries of a checked image. */
uint32_t
bootimg_count(const void *img)
{
    return header_of(img)->count;
}

/* Returns entry i of a checked image, or NULL if i >= its count. */
const struct bootimg_entry *
bootimg_entry_at(const void *img, uint32_t i)
{
    const unsigned char *table = (const unsigned char *)img + sizeof(struct bootimg_header);

    if (i >= header_of(img)->count) {
        return NULL;
    }
    return (const struct bootimg_entry *)(table + (size_t)i * sizeof(struct bootimg_entry));
}

/* Returns the first byte of e's data; e must come from the same checked image. */
const void *
bootimg_data(const void *img, const struct bootimg_entry *e)
{
    return (const unsigned char *)img + e->offset;
}
