/* SPDX-License-Identifier: MIT */
/*
 * ELF loader, stack half: lays out a new program's initial stack as Linux does on x86_64
 * (the System V psABI process entry), which musl's _start_c and __init_libc and glibc's
 * _start read: argc, the argv pointers and NULL, the envp pointers and NULL, the auxiliary
 * vector, and the strings above them. The builder fills a caller-provided buffer that
 * stands for the top of the stack region at a given user address, so the caller can fill
 * a frame in its own address space and map it into the new one afterwards. Pure and
 * freestanding like elf.h; the layout is drawn in docs/elf.md.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct elf_image;

enum {
    /*
     * argc + envc at most. Linux has no fixed count (it caps the total size at a quarter
     * of the stack limit); this bound keeps every size sum far from wrapping.
     */
    INITSTACK_MAX_STRINGS = 8192,
    /* One string's length with its NUL at most: Linux's MAX_ARG_STRLEN (32 pages). */
    INITSTACK_MAX_STRLEN = 131072,
    INITSTACK_RANDOM_SIZE = 16, /* bytes behind AT_RANDOM: glibc reads 16, musl 8 */
};

/* Auxiliary vector keys (the Linux values, which the C libraries compare against). */
enum {
    INITSTACK_AT_NULL = 0,
    INITSTACK_AT_PHDR = 3,
    INITSTACK_AT_PHENT = 4,
    INITSTACK_AT_PHNUM = 5,
    INITSTACK_AT_PAGESZ = 6,
    INITSTACK_AT_BASE = 7,
    INITSTACK_AT_FLAGS = 8,
    INITSTACK_AT_ENTRY = 9,
    INITSTACK_AT_UID = 11,
    INITSTACK_AT_EUID = 12,
    INITSTACK_AT_GID = 13,
    INITSTACK_AT_EGID = 14,
    INITSTACK_AT_PLATFORM = 15,
    INITSTACK_AT_HWCAP = 16,
    INITSTACK_AT_CLKTCK = 17,
    INITSTACK_AT_SECURE = 23,
    INITSTACK_AT_RANDOM = 25,
    INITSTACK_AT_EXECFN = 31,
};

/* What goes on the stack besides the image's own facts. Strings are NUL-terminated. */
struct initstack_args {
    const char *const *argv; /* argc strings, none NULL */
    size_t argc;
    const char *const *envp; /* envc strings "NAME=value", none NULL */
    size_t envc;
    const char *execfn;   /* AT_EXECFN, the path given to exec; NULL leaves it out */
    const char *platform; /* AT_PLATFORM, "x86_64" on Linux; NULL leaves it out */
    const uint8_t *random; /* INITSTACK_RANDOM_SIZE bytes copied for AT_RANDOM; required */
    const struct elf_image *image; /* AT_ENTRY, AT_PHDR, AT_PHENT, AT_PHNUM; required */
    /*
     * The bytes elf_parse() accepted, or NULL. Used only when the image does not map its
     * program headers (image->phdr_vaddr == 0): the table is then copied onto the stack
     * and AT_PHDR points at the copy. Without it AT_PHDR is 0, as Linux gives.
     */
    const void *file;
    uint64_t hwcap;  /* AT_HWCAP: CPUID leaf 1 EDX, as Linux reports it */
    uint64_t clktck; /* AT_CLKTCK: times() ticks per second (100 on Linux) */
    uint32_t uid;    /* AT_UID, AT_EUID, AT_GID, AT_EGID */
    uint32_t euid;
    uint32_t gid;
    uint32_t egid;
    uint32_t secure; /* AT_SECURE: 1 for a program run with raised privileges */
};

int initstack_build(const struct initstack_args *a, void *buf, size_t len, uint64_t top,
                    uint64_t *sp);
