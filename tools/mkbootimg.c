/* SPDX-License-Identifier: MIT */
/*
 * mkbootimg: builds the boot image (format in user/include/courier/bootimg.h) from host
 * files and a boot configuration. Usage:
 *
 *     mkbootimg [-v] -o OUT [-m MANIFEST]... [name=hostpath]...
 *
 * A manifest (grammar in docs/boot.md) holds file lines `name hostpath [mode]`, mode in
 * octal, and two directives: `env KEY=VALUE`, an environment string for every program
 * started at boot, and `start [-w] NAME [ARG...]`, a program of the image to start, in the
 * order of the start lines, -w to wait for its exit before the next. Words are split on
 * blanks; double quotes group, with \" and \\ inside them; outside quotes `#` starts a
 * comment. Host paths are relative to the current directory (the top of the tree under
 * make). Without a mode, a file gets 0755 if the host file is executable and 0644
 * otherwise; any execute bit sets BOOTIMG_F_EXEC. Files keep their order on the command
 * line.
 *
 * The directives become one generated file, etc/boot.conf (format in
 * user/lib/bootimg/bootconf.h), added after the other files; every image has it, empty of
 * directives if the manifests have none. A start line must name an executable file of the
 * image. The generated file is read back with the parser the root server uses and must
 * give back exactly the directives.
 *
 * Names must be relative paths of at most BOOTIMG_NAME_MAX - 1 bytes with no empty, "."
 * or ".." components, and unique. The image is built in memory, checked with the same
 * parser the root server uses (user/lib/bootimg), then written to OUT.tmp and renamed, so
 * a failed run never leaves a half-written image behind. The output depends only on the
 * inputs: no timestamps, zeroed padding. Every refusal is one line on stderr naming the
 * manifest line at fault, and exit status 1.
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

#include <courier/abi/errors.h>

#include "mkbootimg.h"

struct mkbootimg mk;

static void usage(void) __attribute__((noreturn));

void
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

void *
xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (p == NULL) {
        die("out of memory");
    }
    return p;
}

char *
xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;

    return memcpy(xrealloc(NULL, n), s, n);
}

static void
load_input(struct input *in)
{
    struct stat st;
    FILE *f;

    if (in->path == NULL) {
        return;
    }
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

static struct input *
find_input(const char *name)
{
    for (size_t i = 0; i < mk.count; i++) {
        if (strcmp(mk.in[i].name, name) == 0) {
            return &mk.in[i];
        }
    }
    return NULL;
}

/* Every start line names an executable file of the image (modes are known by now). */
static void
check_starts(void)
{
    for (size_t i = 0; i < mk.ndir; i++) {
        const struct directive *d = &mk.dir[i];
        const struct input *in;

        if (d->kind != BOOTCONF_START) {
            continue;
        }
        in = find_input(d->word[0]);
        if (in == NULL) {
            die("%s: start %s: no such file in the image (add a file line for it, or "
                "name=hostpath on the command line)",
                d->from, d->word[0]);
        }
        if ((in->mode & 0111) == 0) {
            die("%s: start %s: not executable (mode %04lo, given at %s)", d->from, d->word[0],
                in->mode, in->from);
        }
    }
}

/* A growable byte string for the generated file. */
struct text {
    char *s;
    size_t len;
    size_t cap;
};

static void
text_add(struct text *t, const char *s, size_t n)
{
    if (t->len + n > t->cap) {
        t->cap = (t->len + n) * 2;
        t->s = xrealloc(t->s, t->cap);
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
}

/* A string as boot.conf writes it: " LEN:BYTES", with the space before it. */
static void
text_str(struct text *t, const char *s)
{
    char num[32];
    size_t n = strlen(s);

    text_add(t, num, (size_t)snprintf(num, sizeof(num), " %zu:", n));
    text_add(t, s, n);
}

/* Writes the directives in boot.conf form (bootconf.h), in manifest order. */
static void
gen_bootconf(struct text *t)
{
    static const char head[] = "bootconf 1\n"
                               "# Generated by mkbootimg from the env and start lines of the "
                               "manifest.\n";

    text_add(t, head, sizeof(head) - 1);
    for (size_t i = 0; i < mk.ndir; i++) {
        const struct directive *d = &mk.dir[i];

        if (d->kind == BOOTCONF_ENV) {
            text_add(t, "env", 3);
        } else {
            text_add(t, d->flags & BOOTCONF_F_WAIT ? "start w" : "start -", 7);
        }
        for (int w = 0; w < d->nword; w++) {
            text_str(t, d->word[w]);
        }
        text_add(t, "\n", 1);
    }
}

/*
 * Reads the generated file back with the root server's parser: it must be accepted and
 * give back each directive exactly, in order. Any difference is a bug here or there.
 */
static void
verify_bootconf(const struct text *t)
{
    static char buf[BOOTIMG_NAME_MAX + BOOTCONF_MAX_ARGS * (BOOTCONF_STR_MAX + 1)];
    const char *argv[BOOTCONF_MAX_ARGS + 2];
    struct bootconf_entry e;
    struct bootconf_iter it;
    size_t i = 0;
    int rc;

    rc = bootconf_check(&it, t->s, t->len);
    if (rc != 0) {
        die("internal error: the generated %s fails its check at line %u: %s (%s)", BOOTCONF_PATH,
            it.line, it.why, cr_strerror(rc));
    }
    bootconf_init(&it, t->s, t->len);
    while ((rc = bootconf_next(&it, &e)) > 0) {
        const struct directive *d = i < mk.ndir ? &mk.dir[i] : NULL;
        bool same = d != NULL && e.kind == d->kind;

        if (same && e.kind == BOOTCONF_ENV) {
            same = e.str.len == strlen(d->word[0]) && memcmp(e.str.s, d->word[0], e.str.len) == 0;
        } else if (same) {
            same = e.flags == d->flags &&
                   bootconf_argv(&e, buf, sizeof(buf), argv, BOOTCONF_MAX_ARGS + 2) == d->nword;
            for (int w = 0; same && w < d->nword; w++) {
                same = strcmp(argv[w], d->word[w]) == 0;
            }
        }
        if (!same) {
            die("internal error: line %u of the generated %s differs from %s", e.line,
                BOOTCONF_PATH, d != NULL ? d->from : "the manifests (extra line)");
        }
        i++;
    }
    if (rc != 0 || i != mk.ndir) {
        die("internal error: the generated %s has %zu of %zu directives", BOOTCONF_PATH, i,
            mk.ndir);
    }
}

/* Adds etc/boot.conf, made from the directives, as the last file of the image. */
static void
add_bootconf(void)
{
    struct text t = { 0 };
    struct input *in;

    gen_bootconf(&t);
    if (t.len > BOOTCONF_MAX_SIZE) {
        die("%s would be %zu bytes (the limit is %d): fewer or shorter env and start lines",
            BOOTCONF_PATH, t.len, BOOTCONF_MAX_SIZE);
    }
    verify_bootconf(&t);
    add_input(BOOTCONF_PATH, NULL, 0644, "generated from the env and start lines");
    in = &mk.in[mk.count - 1];
    in->data = (unsigned char *)t.s;
    in->size = t.len;
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
    check_starts();
    add_bootconf();
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
