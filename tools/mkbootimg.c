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

static struct {
    struct input *in;
    size_t count;
    size_t cap;
    struct directive *dir;
    size_t ndir;
    size_t dircap;
    int nenv;   /* env directives in dir[] */
    int nstart; /* start directives in dir[] */
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
    if (strcmp(name, BOOTCONF_PATH) == 0 && path != NULL) {
        die("%s: '%s' is generated from the env and start lines; it cannot be a file line", from,
            name);
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
    in->path = path != NULL ? xstrdup(path) : NULL;
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

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Copies the quoted part that starts at *r (on the opening quote) to *w, without the
 * quotes and with \" and \\ unescaped, and moves both cursors past it. *w never passes *r.
 */
static void
unquote(char **r, char **w, const char *from)
{
    char *rp = *r + 1;
    char *wp = *w;

    while (*rp != '"') {
        if (*rp == '\0' || *rp == '\n') {
            die("%s: unterminated double quote", from);
        }
        if (*rp == '\\') {
            rp++;
            if (*rp != '"' && *rp != '\\') {
                if (*rp == '\0' || *rp == '\n') {
                    die("%s: unterminated double quote", from);
                }
                die("%s: unknown escape '\\%c' in double quotes (only \\\" and \\\\ are known)",
                    from, *rp);
            }
        }
        *wp++ = *rp++;
    }
    *r = rp + 1;
    *w = wp;
}

/*
 * Splits a manifest line into words, in place: blanks separate words; outside double
 * quotes '#' starts a comment; a double-quoted part may hold blanks and '#', with \" and
 * \\ for a quote and a backslash, and joins the text next to it into one word (KEY="a b"
 * is one word). Outside quotes a backslash is an ordinary character. Stores the first
 * max words in word[] and returns the number of words, which may be larger. *quoted says
 * whether the line had a quote.
 */
static int
split_words(char *line, char **word, int max, bool *quoted, const char *from)
{
    char *r = line;
    char *w = line;
    int n = 0;

    *quoted = false;
    for (;;) {
        char *start;

        while (is_blank(*r)) {
            r++;
        }
        if (*r == '\0' || *r == '#') {
            return n;
        }
        start = w;
        while (*r != '\0' && *r != '#' && !is_blank(*r)) {
            if (*r == '"') {
                *quoted = true;
                unquote(&r, &w, from);
            } else {
                *w++ = *r++;
            }
        }
        /* w <= r, so this NUL lands on text already read (or on the blank or '#'). */
        if (is_blank(*r)) {
            r++;
        } else if (*r == '#') {
            *r = '\0';
        }
        *w++ = '\0';
        if (n < max) {
            word[n] = start;
        }
        n++;
    }
}

static struct directive *
add_directive(enum bootconf_kind kind, const char *from)
{
    struct directive *d;

    if (mk.ndir == mk.dircap) {
        mk.dircap = mk.dircap == 0 ? 16 : mk.dircap * 2;
        mk.dir = xrealloc(mk.dir, mk.dircap * sizeof(*mk.dir));
    }
    d = &mk.dir[mk.ndir++];
    memset(d, 0, sizeof(*d));
    d->kind = kind;
    d->from = xstrdup(from);
    return d;
}

/* Returns the length of KEY if s is KEY=VALUE with a portable KEY, else 0. */
static size_t
env_key_len(const char *s)
{
    size_t i = 0;

    while (s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
           (i > 0 && s[i] >= '0' && s[i] <= '9')) {
        i++;
    }
    return i > 0 && s[i] == '=' ? i : 0;
}

/* `env KEY=VALUE` */
static void
add_env(char **word, int n, const char *from)
{
    struct directive *d;
    size_t len;

    if (n != 2) {
        die("%s: want 'env KEY=VALUE' (quote a value with blanks: env KEY=\"a b\")", from);
    }
    len = strlen(word[1]);
    if (strchr(word[1], '=') == NULL) {
        die("%s: env '%s': want KEY=VALUE", from, word[1]);
    }
    if (env_key_len(word[1]) == 0) {
        die("%s: env '%s': KEY must be letters, digits and '_', not starting with a digit", from,
            word[1]);
    }
    if (len > BOOTCONF_STR_MAX) {
        die("%s: env string of %zu bytes (the limit is %d)", from, len, BOOTCONF_STR_MAX);
    }
    if (mk.nenv == BOOTCONF_MAX_ENV) {
        die("%s: more than %d env lines", from, BOOTCONF_MAX_ENV);
    }
    mk.nenv++;
    d = add_directive(BOOTCONF_ENV, from);
    d->word = xrealloc(NULL, sizeof(char *));
    d->word[0] = xstrdup(word[1]);
    d->nword = 1;
}

/* `start [-w] NAME [ARG...]`; whether NAME is an executable of the image is checked later. */
static void
add_start(char **word, int n, const char *from)
{
    struct directive *d;
    uint32_t flags = 0;
    const char *why;
    int i = 1;
    int argc;

    /* At most one -w, so i <= 2 below and word[i] is one of the words kept. */
    while (i < n && word[i][0] == '-') {
        if (strcmp(word[i], "-w") != 0) {
            die("%s: start: unknown option '%s' (the only one is -w)", from, word[i]);
        }
        if (flags & BOOTCONF_F_WAIT) {
            die("%s: start: -w given twice", from);
        }
        flags |= BOOTCONF_F_WAIT;
        i++;
    }
    if (i == n) {
        die("%s: want 'start [-w] NAME [ARG...]'", from);
    }
    why = name_problem(word[i]);
    if (why != NULL) {
        die("%s: start '%s': %s", from, word[i], why);
    }
    argc = n - i - 1;
    if (argc > BOOTCONF_MAX_ARGS) {
        die("%s: start %s: %d arguments (the limit is %d)", from, word[i], argc, BOOTCONF_MAX_ARGS);
    }
    for (int a = i + 1; a < n; a++) {
        size_t len = strlen(word[a]);

        if (len > BOOTCONF_STR_MAX) {
            die("%s: start %s: argument %d is %zu bytes (the limit is %d)", from, word[i], a - i,
                len, BOOTCONF_STR_MAX);
        }
    }
    if (mk.nstart == BOOTCONF_MAX_START) {
        die("%s: more than %d start lines", from, BOOTCONF_MAX_START);
    }
    mk.nstart++;
    d = add_directive(BOOTCONF_START, from);
    d->flags = flags;
    d->nword = n - i;
    d->word = xrealloc(NULL, (size_t)d->nword * sizeof(char *));
    for (int a = 0; a < d->nword; a++) {
        d->word[a] = xstrdup(word[i + a]);
    }
}

static void
read_manifest(const char *file)
{
    char *word[MANIFEST_MAX_WORDS];
    char *line = NULL;
    size_t cap = 0;
    char from[4200];
    FILE *f = fopen(file, "r");
    int lineno = 0;
    ssize_t len;

    if (f == NULL) {
        die("%s: %s", file, strerror(errno));
    }
    while ((len = getline(&line, &cap, f)) != -1) {
        bool quoted;
        int n;

        lineno++;
        snprintf(from, sizeof(from), "%s:%d", file, lineno);
        if (strlen(line) != (size_t)len) {
            die("%s: NUL byte in the line", from);
        }
        n = split_words(line, word, MANIFEST_MAX_WORDS, &quoted, from);
        if (n == 0) {
            continue;
        }
        if (strcmp(word[0], "env") == 0) {
            add_env(word, n, from);
            continue;
        }
        if (strcmp(word[0], "start") == 0) {
            add_start(word, n, from);
            continue;
        }
        /* Make reads the host paths of file lines without a quoting rule (tools/module.mk). */
        if (quoted) {
            die("%s: double quotes are for env and start lines only", from);
        }
        if (n < 2 || n > 3) {
            die("%s: want 'name hostpath [mode]', 'env KEY=VALUE' or 'start [-w] NAME [ARG...]'",
                from);
        }
        add_input(word[0], word[1], n == 3 ? parse_mode(word[2], from) : -1, from);
    }
    if (ferror(f)) {
        die("%s: read error", file);
    }
    free(line);
    fclose(f);
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
