/* SPDX-License-Identifier: MIT */
/*
 * mkbootimg's manifest reader (grammar in docs/boot.md): file lines `name hostpath [mode]`
 * become the image's inputs, `env` and `start` lines its directives, all into `mk`. Every
 * refusal is one line naming the manifest line at fault (die).
 */
#define _POSIX_C_SOURCE 200809L

#include "mkbootimg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <courier/abi/errors.h>

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

void
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

void
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

