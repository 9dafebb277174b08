/* SPDX-License-Identifier: MIT */
/*
 * Test helpers for the host tests of the boot configuration parser (bootconf_*_test.c):
 * a file under test copied into a heap block of exactly its length, so that ASan reports
 * any read past its end; a growable text to build files in, with strings written the way
 * the format writes them; and a walk of a whole file. The functions are static inline so
 * that a test file that does not use one still builds with -Werror.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/lib/bootimg/bootconf.h"

/* A file under test: its bytes in a heap block of exactly len bytes (one byte if empty). */
struct file {
    char *data;
    size_t len;
};

static inline struct file
file_of(const char *s, size_t len)
{
    struct file f = { malloc(len > 0 ? len : 1), len };

    if (f.data == NULL) {
        abort();
    }
    memcpy(f.data, s, len);
    return f;
}

static inline struct file
file_str(const char *s)
{
    return file_of(s, strlen(s));
}

/* A growable text for building files. */
struct text {
    char *s;
    size_t len;
    size_t cap;
};

static inline void
text_add(struct text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        if (t->s == NULL) {
            abort();
        }
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static inline void
text_puts(struct text *t, const char *s)
{
    text_add(t, s, strlen(s));
}

/* Appends " LEN:BYTES", a string as the format writes it, with the space before it. */
static inline void
text_str(struct text *t, const char *s, size_t n)
{
    char num[32];

    snprintf(num, sizeof(num), " %zu:", n);
    text_puts(t, num);
    text_add(t, s, n);
}

static inline bool
str_is(const struct bootconf_str *s, const char *want)
{
    return s->len == strlen(want) && memcmp(s->s, want, s->len) == 0;
}

/* Parses f to the end; returns the final code (0 or an error) and the entry count. */
static inline int
walk(const struct file *f, int *entries, struct bootconf_iter *it)
{
    struct bootconf_entry e;
    int rc = bootconf_init(it, f->data, f->len);

    *entries = 0;
    while (rc == 0 && (rc = bootconf_next(it, &e)) > 0) {
        (*entries)++;
        rc = 0;
    }
    return rc;
}

/* n lines of the given kind after the header; E2BIG must come at line BOUND + 2. */
static inline struct file
many_lines(const char *line, int n)
{
    struct text t = { 0 };
    struct file f;

    text_puts(&t, "bootconf 1\n");
    for (int i = 0; i < n; i++) {
        text_puts(&t, line);
    }
    f = file_of(t.s, t.len);
    free(t.s);
    return f;
}
