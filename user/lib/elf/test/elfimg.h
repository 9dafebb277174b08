/* SPDX-License-Identifier: MIT */
/*
 * Test helpers for the ELF loader tests: hand-built ELF64 images and an invariant check
 * of elf_parse() results. Images are written with the host's <elf.h> types, not the
 * parser's own structs, so that a layout mistake in elf.c cannot hide behind the same
 * mistake here. Every image is a heap block of exactly its length, so ASan reports any
 * read past its end.
 */
#pragma once

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "user/lib/elf/elf.h"

/*
 * ASSERT_ELF(ELF_E_MAGIC, rc): rc must be exactly that code, reported by name. Expands to
 * the test.h harness calls, so the test file must include "test.h" first.
 */
#define ASSERT_ELF(want, got)                                                              \
    do {                                                                                   \
        enum elf_error elf_want_ = (want);                                                 \
        enum elf_error elf_got_ = (got);                                                   \
        if (elf_want_ != elf_got_) {                                                       \
            char elf_msg_[256];                                                            \
            snprintf(elf_msg_, sizeof(elf_msg_), "%s: want %s, got %s", #got,              \
                     elf_error_name(elf_want_), elf_error_name(elf_got_));                 \
            test_fail(__FILE__, __LINE__, elf_msg_);                                       \
            return;                                                                        \
        }                                                                                  \
    } while (0)

/*
 * The canonical static executable, linked at 0x400000 like Courier's user.ld and
 * Debian's busybox-static: headers, text, rodata, data+bss with TLS inside, a stack
 * note and a PT_NOTE. No PT_PHDR: the table is found through the first segment.
 */
enum {
    EXEC_PH_HDRS = 0,   /* LOAD R  off 0      va 0x400000 filesz 0x400 */
    EXEC_PH_TEXT = 1,   /* LOAD RX off 0x1000 va 0x401000 filesz 0x800 */
    EXEC_PH_RODATA = 2, /* LOAD R  off 0x2000 va 0x402000 filesz 0x300 */
    EXEC_PH_DATA = 3,   /* LOAD RW off 0x2f00 va 0x403f00 filesz 0x200 memsz 0x1300 */
    EXEC_PH_TLS = 4,    /* TLS     off 0x2f00 va 0x403f00 filesz 0x40 memsz 0x80 */
    EXEC_PH_STACK = 5,  /* GNU_STACK RW */
    EXEC_PH_NOTE = 6,   /* NOTE    off 0x3e0  va 0x4003e0 filesz 0x20 */
    EXEC_PHNUM = 7,
    EXEC_LEN = 0x3100,
    EXEC_ENTRY = 0x401010,
};

/*
 * The canonical static PIE, linked at 0 (so it needs a bias): PT_PHDR first, headers,
 * text, data with a PT_DYNAMIC that needs nothing, and a stack note.
 */
enum {
    PIE_PH_PHDR = 0,  /* PHDR    off 64     va 64 */
    PIE_PH_HDRS = 1,  /* LOAD R  off 0      va 0      filesz 0x400 */
    PIE_PH_TEXT = 2,  /* LOAD RX off 0x1000 va 0x1000 filesz 0x800 */
    PIE_PH_DATA = 3,  /* LOAD RW off 0x1f00 va 0x2f00 filesz 0x200 memsz 0x400 */
    PIE_PH_DYN = 4,   /* DYNAMIC off 0x1f00 va 0x2f00 filesz 0x40: DEBUG, FLAGS_1, NULL */
    PIE_PH_STACK = 5, /* GNU_STACK RW */
    PIE_PHNUM = 6,
    PIE_LEN = 0x2100,
    PIE_ENTRY = 0x1020,
    PIE_DYN_COUNT = 4, /* Elf64_Dyn entries in the PT_DYNAMIC */
};

/* An image in a heap block of exactly len bytes; free() it. */
struct elfimg {
    unsigned char *buf;
    size_t len;
};

struct elfimg elfimg_build(uint16_t type, uint64_t entry, const Elf64_Phdr *ph, int phnum,
                           size_t len);
struct elfimg elfimg_exec(void);
struct elfimg elfimg_pie(void);
struct elfimg elfimg_copy(const unsigned char *buf, size_t len);
Elf64_Ehdr *elfimg_ehdr(struct elfimg m);
Elf64_Phdr *elfimg_phdr(struct elfimg m, int i);
unsigned char elfimg_file_byte(size_t off);
bool elfimg_check(const unsigned char *buf, size_t len, const struct elf_image *im,
                  char *why, size_t n);
enum elf_error elfimg_parse_free(struct elfimg m, uint64_t bias, struct elf_image *out);
bool elfimg_same(const struct elf_image *a, const struct elf_image *b);
int elfimg_mem_byte(const unsigned char *buf, const struct elf_image *im, uint64_t va);
