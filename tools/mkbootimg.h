/* SPDX-License-Identifier: MIT */
/*
 * mkbootimg's parts (tools/mkbootimg.c has the whole story): what manifest.c reads from
 * the manifests — the image's files and the env and start directives — into `mk`, and the
 * helpers both files use.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "user/lib/bootimg/bootconf.h"
#include "user/lib/bootimg/bootimg.h"

enum {
    /*
     * Words of a manifest line kept: "start", "-w", the name, the arguments, and one more
     * so that a line with too many arguments is seen as one.
     */
    MANIFEST_MAX_WORDS = BOOTCONF_MAX_ARGS + 4,
};

struct input {
    char name[BOOTIMG_NAME_MAX];
    char *path;       /* host file, owned; NULL for the generated etc/boot.conf */
    long mode;        /* -1: take it from the host file */
    const char *from; /* "manifest:line" or "command line", for messages */
    unsigned char *data;
    size_t size;
};

/* An env or start line of a manifest. */
struct directive {
    enum bootconf_kind kind;
    uint32_t flags;   /* BOOTCONF_F_* of a start line */
    char **word;      /* ENV: the KEY=VALUE string; START: the name, then the arguments */
    int nword;        /* strings in word[], at most 1 + BOOTCONF_MAX_ARGS */
    const char *from; /* "manifest:line", for messages */
};

struct mkbootimg {
    struct input *in;
    size_t count;
    size_t cap;
    struct directive *dir;
    size_t ndir;
    size_t dircap;
    int nenv;   /* env directives in dir[] */
    int nstart; /* start directives in dir[] */
    bool verbose;
};
extern struct mkbootimg mk;


/* mkbootimg.c */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* manifest.c */
void add_input(const char *name, const char *path, long mode, const char *from);
void read_manifest(const char *file);
