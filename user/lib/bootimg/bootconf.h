/* SPDX-License-Identifier: MIT */
/*
 * Boot configuration parser. etc/boot.conf is the file of the boot image that says what
 * the root server starts at boot and how: environment strings for every program, and the
 * programs of the image to start, in order, with their arguments, each either left running
 * or waited for. mkbootimg writes it from the manifest's env and start lines; docs/boot.md
 * gives both grammars. Pure and freestanding: no allocation, no globals, only the
 * <courier/lib/string.h> helpers, so it links into the root server through libcourier.a,
 * mkbootimg checks its own output with it, and the tests in user/lib/bootimg/test/
 * (bootconf_test.c and its neighbours) run it under ASan.
 *
 * Use: bootconf_check() the whole file first, so that nothing is started from a file found
 * broken further down (validate, then commit); then walk it with bootconf_init() and
 * bootconf_next(), and turn entries into the NUL-terminated vectors initstack_build() takes
 * with bootconf_argv() and bootconf_env(). The strings of an entry point into the file and
 * are not NUL-terminated; they hold no NUL and no newline byte.
 *
 * Errors: -CR_EINVAL for malformed input, -CR_E2BIG for input beyond one of the bounds
 * below (or a caller's buffer too small for the result). After an error the iterator keeps
 * the line at fault and a one-line reason for messages.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum {
    /* Bytes of a whole file at most; keeps the file a few pages of the boot image. */
    BOOTCONF_MAX_SIZE = 65536,
    /* Bytes of one string (an argument, a name, a KEY=VALUE) at most, without a NUL. */
    BOOTCONF_STR_MAX = 1024,
    /* Arguments of one start line at most, after the program's name. */
    BOOTCONF_MAX_ARGS = 64,
    /* env lines in a file at most (counted before replacement). */
    BOOTCONF_MAX_ENV = 64,
    /* start lines in a file at most. */
    BOOTCONF_MAX_START = 64,
    /* The format's version, on the file's first line "bootconf 1". */
    BOOTCONF_VERSION = 1,
};

/* Where the file is in the boot image; mkbootimg refuses a file line of that name. */
#define BOOTCONF_PATH "etc/boot.conf"

enum bootconf_kind {
    BOOTCONF_ENV = 1,   /* an environment string "KEY=VALUE" for every program */
    BOOTCONF_START = 2, /* a program to start */
};

/* bootconf_entry.flags of a START entry */
enum {
    BOOTCONF_F_WAIT = 1u << 0, /* wait for the program to exit before going on */
};

/* A string inside the file: len bytes at s, no NUL or newline among them, no NUL after. */
struct bootconf_str {
    const char *s;
    size_t len;
};

/*
 * One directive, as bootconf_next() returns it. Fields not of its kind are zero, except
 * arg[], of which only arg[0..argc) is set.
 */
struct bootconf_entry {
    enum bootconf_kind kind;
    uint32_t flags;          /* START: BOOTCONF_F_* */
    uint32_t line;           /* 1-based line number in the file */
    struct bootconf_str str; /* ENV: the whole "KEY=VALUE"; START: the image file name */
    size_t key_len;          /* ENV: bytes of KEY, before the '=' */
    uint32_t argc;           /* START: arguments after the name, at most BOOTCONF_MAX_ARGS */
    struct bootconf_str arg[BOOTCONF_MAX_ARGS]; /* START: arg[0..argc) */
};

/* A cursor over a file. Read only line, why and err; the rest is private. */
struct bootconf_iter {
    const char *conf;
    size_t len;
    size_t pos;      /* offset of the next line */
    uint32_t line;   /* the line last read; after an error, the line at fault (0: none) */
    uint32_t nenv;   /* env lines read so far */
    uint32_t nstart; /* start lines read so far */
    int err;         /* 0, or the error every later call returns */
    const char *why; /* after an error, a short reason (a static string), else NULL */
};

int bootconf_init(struct bootconf_iter *it, const void *conf, size_t len);
int bootconf_next(struct bootconf_iter *it, struct bootconf_entry *e);
int bootconf_check(struct bootconf_iter *it, const void *conf, size_t len);
int bootconf_argv(const struct bootconf_entry *e, char *buf, size_t buflen, const char **argv,
                  size_t nargv);
int bootconf_env(const void *conf, size_t len, char *buf, size_t buflen, const char **envp,
                 size_t nenvp);
