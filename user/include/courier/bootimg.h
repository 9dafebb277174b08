/* SPDX-License-Identifier: MIT */
/*
 * The boot image format: a read-only archive of named files, in the spirit of QNX's IFS.
 * GRUB or QEMU loads it as a module; the kernel maps it read-only at CR_BOOTIMG_VADDR and
 * the root server serves its files. tools/mkbootimg.c writes it and user/lib/bootimg
 * parses it, so this header is the only description of the layout.
 *
 * Layout: a 64-byte header, then `count` 96-byte entries, then the file data. Every file
 * starts on a 4 KiB boundary (so a file can be mapped page by page without copying) and
 * the image is padded to a multiple of 4 KiB; total_size is the padded size. Offsets
 * count from the start of the image. Names are relative paths ("bin/init", "etc/motd"),
 * NUL-terminated inside their 56 bytes. Reserved fields are zero. All integers are
 * little-endian, fixed width, with no pointers, as the ABI rules in STYLE §7 require.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum {
    BOOTIMG_MAGIC_LEN = 8, /* "CRBOOTIM", not NUL-terminated */
    BOOTIMG_VERSION = 1,
    BOOTIMG_NAME_MAX = 56,      /* bytes in bootimg_entry.name, including the NUL */
    BOOTIMG_ALIGN = 4096,       /* file data and total_size alignment: one page */
    BOOTIMG_MAX_ENTRIES = 1024, /* sanity bound on count: a table of at most 25 pages */
};

/* bootimg_entry.flags */
enum {
    BOOTIMG_F_EXEC = 1u << 0, /* an executable (ELF) the root server may spawn */
};

#define BOOTIMG_MAGIC "CRBOOTIM"

struct bootimg_header {
    char magic[BOOTIMG_MAGIC_LEN]; /* BOOTIMG_MAGIC */
    uint32_t version;              /* BOOTIMG_VERSION */
    uint32_t count;                /* entries following the header */
    uint64_t total_size;           /* bytes in the image, a multiple of BOOTIMG_ALIGN */
    uint64_t reserved[5];          /* zero */
};
_Static_assert(sizeof(struct bootimg_header) == 64, "bootimg format");

struct bootimg_entry {
    char name[BOOTIMG_NAME_MAX]; /* relative path, NUL-terminated, unique in the image */
    uint64_t offset;             /* of the data from the image start, BOOTIMG_ALIGN-aligned */
    uint64_t size;               /* bytes of data (the padding after it is not counted) */
    uint32_t mode;               /* POSIX permission bits, e.g. 0755 */
    uint32_t flags;              /* BOOTIMG_F_* */
    uint64_t reserved[2];        /* zero */
};
_Static_assert(sizeof(struct bootimg_entry) == 96, "bootimg format");
_Static_assert(offsetof(struct bootimg_entry, offset) == 56, "bootimg format");
