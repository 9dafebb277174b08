/* SPDX-License-Identifier: MIT */
/*
 * mkbootimg: builds the boot image (format in user/include/courier/bootimg.h) from host
 * files. Usage:
 *
 *     mkbootimg [-v] -o OUT [-m MANIFEST]... [name=hostpath]...
 *
 * A manifest holds lines `name hostpath [mode]`, mode in octal; `#` starts a comment.
 * Host paths are relative to the current directory (the top of the tree under make).
 * Without a mode, a file gets 0755 if the host file is executable and 0644 otherwise;
 * any execute bit sets BOOTIMG_F_EXEC. Files keep their order on the command line.
 *
 * Names must be relative paths of at most BOOTIMG_NAME_MAX - 1 bytes with no empty, "."
 * or ".." components, and unique. The image is built in memory, checked with the same
 * parser the root server uses (user/lib/bootimg), then written to OUT.tmp and renamed, so
 * a failed run never leaves a half-written image behind. The output depends only on the
 * inputs: no timestamps, zeroed padding.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "user/lib/bootimg/bootimg.h"

struct input {
    char name[BOOTIMG_NAME_MAX];
    char *path;       /* host file, owned */
    long mode;        /* -1: take it from the host file */
    const char *from; /* "manifest:line" or "command line", for messages */
    unsigned char *data;
    size_t size;
};

static struct {
    struct input *in;
    size_t count;
    size_t cap;
    bool verbose;
} mk;

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void usage(void) __attribute__((noreturn));

static void
die(const char *fmt, ...)
{
    va_list ap;

    fputs("mkbootimg: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void *
xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (p == NULL) {
        die("out of memory");
    }
    return p;
}

static char *
xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;

    return memcpy(xrealloc(NULL, n), s, n);
}

/* Returns NULL if name is acceptable, else why not. */
static const char *
name_problem(const char *name)
{
    static char toolong[64];
    size_t len = strlen(name);
    const char *c = name;

    if (len == 0) {
        return "empty name";
    }
    if (len >= BOOTIMG_NAME_MAX) {
        snprintf(toolong, sizeof(toolong), "name too long (%zu bytes, the limit is %d)", len,
                 BOOTIMG_NAME_MAX - 1);
        return toolong;
    }
    if (name[0] == '/') {
        return "name must be relative (no leading '/')";
    }
    while (*c != '\0') {
        size_t n = strcspn(c, "/");

        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
            return "empty, '.' or '..' path component";
        }
        c += n;
        if (*c == '/') {
            c++;
            if (*c == '\0') {
                return "trailing '/'";
            }
        }
    }
    for (c = name; *c != '\0'; c++) {
        if ((unsigned char)*c <= ' ' || *c == 0x7f) {
            return "control character or space in name";
        }
    }
    return NULL;
}

static void
add_input(const char *name, const char *path, long mode, const char *from)
{
    const char *why = name_problem(name);
    struct input *in;

    if (why != NULL) {
        die("%s: '%s': %s", from, name, why);
    }
    for (size_t i = 0; i < mk.count; i++) {
        if (strcmp(mk.in[i].name, name) == 0) {
            die("%s: duplicate name '%s' (first given at %s)", from, name, mk.in[i].from);
        }
    }
    if (mk.count == BOOTIMG_MAX_ENTRIES) {
        die("%s: too many files (the limit is %d)", from, BOOTIMG_MAX_ENTRIES);
    }
    if (mk.count == mk.cap) {
        mk.cap = mk.cap == 0 ? 16 : mk.cap * 2;
        mk.in = xrealloc(mk.in, mk.cap * sizeof(*mk.in));
    }
    in = &mk.in[mk.count++];
    memset(in, 0, sizeof(*in));
    memcpy(in->name, name, strlen(name) + 1);
    in->path = xstrdup(path);
    in->mode = mode;
    in->from = xstrdup(from);
}

static long
parse_mode(const char *s, const char *from)
{
    char *end;
    long mode;

    errno = 0;
    mode = strtol(s, &end, 8);
    if (errno != 0 || end == s || *end != '\0' || mode < 0 || mode > 07777) {
        die("%s: bad mode '%s' (want octal, at most 07777)", from, s);
    }
    return mode;
}

static void
read_manifest(const char *file)
{
    char line[4096];
    char from[4200];
    FILE *f = fopen(file, "r");
    int lineno = 0;

    if (f == NULL) {
        die("%s: %s", file, strerror(errno));
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char *field[4];
        int n = 0;
        char *hash = strchr(line, '#');
        char *save = NULL;

        lineno++;
        snprintf(from, sizeof(from), "%s:%d", file, lineno);
        if (strchr(line, '\n') == NULL && !feof(f)) {
            die("%s: line too long", from);
        }
        if (hash != NULL) {
            *hash = '\0';
        }
        for (char *tok = strtok_r(line, " \t\r\n", &save); tok != NULL;
             tok = strtok_r(NULL, " \t\r\n", &save)) {
            if (n == 4) {
                break;
            }
            field[n++] = tok;
        }
        if (n == 0) {
            continue;
        }
        if (n < 2 || n > 3) {
            die("%s: want 'name hostpath [mode]'", from);
        }
        add_input(field[0], field[1], n == 3 ? parse_mode(field[2], from) : -1, from);
    }
    if (ferror(f)) {
        die("%s: read error", file);
    }
    fclose(f);
}

static void
load_input(struct input *in)
{
    struct stat st;
    FILE *f;

    if (stat(in->path, &st) != 0) {
        die("%s: %s: %s", in->from, in->path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        die("%s: %s: not a regular file", in->from, in->path);
    }
    if (in->mode < 0) {
        in->mode = (st.st_mode & 0111) != 0 ? 0755 : 0644;
    }
    in->size = (size_t)st.st_size;
    in->data = xrealloc(NULL, in->size > 0 ? in->size : 1);
    f = fopen(in->path, "rb");
    if (f == NULL || fread(in->data, 1, in->size, f) != in->size) {
        die("%s: %s: cannot read", in->from, in->path);
    }
    fclose(f);
}

static uint64_t
align_up(uint64_t v)
{
    return (v + BOOTIMG_ALIGN - 1) / BOOTIMG_ALIGN * BOOTIMG_ALIGN;
}

/* Lays the inputs out and returns the image in a zeroed, page-aligned heap block. */
static unsigned char *
build(size_t *len)
{
    uint64_t off = sizeof(struct bootimg_header) + mk.count * sizeof(struct bootimg_entry);
    struct bootimg_header *h;
    struct bootimg_entry *table;
    unsigned char *img;
    uint64_t total;

    off = align_up(off);
    total = off;
    for (size_t i = 0; i < mk.count; i++) {
        total = align_up(total) + mk.in[i].size;
    }
    total = align_up(total);
    if (total > SIZE_MAX) {
        die("image too large");
    }
    img = aligned_alloc(BOOTIMG_ALIGN, total);
    if (img == NULL) {
        die("out of memory for a %llu-byte image", (unsigned long long)total);
    }
    memset(img, 0, total);
    h = (struct bootimg_header *)img;
    memcpy(h->magic, BOOTIMG_MAGIC, BOOTIMG_MAGIC_LEN);
    h->version = BOOTIMG_VERSION;
    h->count = (uint32_t)mk.count;
    h->total_size = total;
    table = (struct bootimg_entry *)(img + sizeof(*h));
    for (size_t i = 0; i < mk.count; i++) {
        struct input *in = &mk.in[i];
        struct bootimg_entry *e = &table[i];

        off = align_up(off);
        memcpy(e->name, in->name, sizeof(e->name));
        e->offset = off;
        e->size = in->size;
        e->mode = (uint32_t)in->mode;
        e->flags = (in->mode & 0111) != 0 ? BOOTIMG_F_EXEC : 0;
        memcpy(img + off, in->data, in->size);
        off += in->size;
        if (mk.verbose) {
            printf("  %-40s %10zu %04lo%s\n", in->name, in->size, in->mode,
                   e->flags & BOOTIMG_F_EXEC ? " exec" : "");
        }
    }
    *len = (size_t)total;
    return img;
}

static void
write_image(const char *out, const unsigned char *img, size_t len)
{
    size_t n = strlen(out) + sizeof(".tmp");
    char *tmp = xrealloc(NULL, n);
    FILE *f;

    snprintf(tmp, n, "%s.tmp", out);
    f = fopen(tmp, "wb");
    if (f == NULL) {
        die("%s: %s", tmp, strerror(errno));
    }
    if (fwrite(img, 1, len, f) != len || fclose(f) != 0) {
        remove(tmp);
        die("%s: write failed", tmp);
    }
    if (rename(tmp, out) != 0) {
        remove(tmp);
        die("%s: %s", out, strerror(errno));
    }
    free(tmp);
}

static void
usage(void)
{
    fprintf(stderr, "usage: mkbootimg [-v] -o OUT [-m MANIFEST]... [name=hostpath]...\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    const char *out = NULL;
    unsigned char *img;
    size_t len;
    int opt;
    int rc;

    while ((opt = getopt(argc, argv, "o:m:v")) != -1) {
        switch (opt) {
        case 'o':
            out = optarg;
            break;
        case 'm':
            read_manifest(optarg);
            break;
        case 'v':
            mk.verbose = true;
            break;
        default:
            usage();
        }
    }
    if (out == NULL) {
        usage();
    }
    for (int i = optind; i < argc; i++) {
        char *eq = strchr(argv[i], '=');

        if (eq == NULL) {
            die("'%s': want name=hostpath", argv[i]);
        }
        *eq = '\0';
        add_input(argv[i], eq + 1, -1, "command line");
    }
    for (size_t i = 0; i < mk.count; i++) {
        load_input(&mk.in[i]);
    }
    img = build(&len);
    rc = bootimg_check(img, len);
    if (rc != 0) {
        die("internal error: the image fails its own check (%d)", rc);
    }
    write_image(out, img, len);
    if (mk.verbose) {
        printf("%s: %zu files, %zu bytes\n", out, mk.count, len);
    }
    free(img);
    return 0;
}
