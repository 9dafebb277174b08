/* SPDX-License-Identifier: MIT */
/*
 * Boot configuration parser (bootconf.h). The format is built so that parsing needs no
 * quoting rules: every string is written as its length in decimal, a colon and the bytes
 * ("10:TERM=vt100"), so the parser reads a number and then takes that many bytes, and a
 * string may hold spaces, quotes or '#' without escapes. One directive per line:
 *
 *     bootconf 1
 *     # any comment
 *     env 10:TERM=vt100
 *     start - 8:bin/init 2:-v
 *     start w 11:bin/fsck-sh 0:
 *
 * Every read goes through the cursor it->pos and is checked against it->len first, so no
 * index passes the end of the file; the few sums are of values below BOOTCONF_MAX_SIZE or
 * BOOTCONF_STR_MAX and cannot wrap. Cost: O(len) for a walk of the file; bootconf_env() adds
 * O(n^2) key comparisons, n <= BOOTCONF_MAX_ENV.
 */
#include "bootconf.h"

#include <stdbool.h>

#include <courier/abi/errors.h>
#include <courier/bootimg.h>
#include <courier/lib/string.h>

/* The first line. The version is part of the literal: a new version means a new parser. */
#define BOOTCONF_HEADER "bootconf 1\n"
_Static_assert(BOOTCONF_VERSION == 1, "BOOTCONF_HEADER names the version");

/* Records the error in the iterator, where every later call finds it, and returns it. */
static int
fail(struct bootconf_iter *it, int err, const char *why)
{
    it->err = err;
    it->why = why;
    return err;
}

/* True if the file continues with the literal s at it->pos; if so, moves past it. */
static bool
take_lit(struct bootconf_iter *it, const char *s)
{
    size_t n = strlen(s);

    if (n > it->len - it->pos || memcmp(it->conf + it->pos, s, n) != 0) {
        return false;
    }
    it->pos += n;
    return true;
}

/* Reads a string, "LEN:BYTES", at it->pos into *out. */
static int
take_str(struct bootconf_iter *it, struct bootconf_str *out)
{
    const char *c = it->conf;
    size_t p = it->pos;
    size_t digits = 0;
    size_t n = 0;

    while (p < it->len && c[p] >= '0' && c[p] <= '9') {
        if (digits == 1 && n == 0) {
            return fail(it, -CR_EINVAL, "string length with a leading zero");
        }
        n = n * 10 + (size_t)(c[p] - '0');
        /* Checked at each digit, so n stays far from overflowing. */
        if (n > BOOTCONF_STR_MAX) {
            return fail(it, -CR_E2BIG, "string longer than BOOTCONF_STR_MAX bytes");
        }
        digits++;
        p++;
    }
    if (digits == 0) {
        return fail(it, -CR_EINVAL, "want a string: its length, ':' and its bytes");
    }
    if (p == it->len || c[p] != ':') {
        return fail(it, -CR_EINVAL, "want ':' after the length of a string");
    }
    p++;
    if (n > it->len - p) {
        return fail(it, -CR_EINVAL, "string runs past the end of the file");
    }
    for (size_t i = 0; i < n; i++) {
        if (c[p + i] == '\0' || c[p + i] == '\n') {
            return fail(it, -CR_EINVAL, "NUL or newline inside a string");
        }
    }
    out->s = c + p;
    out->len = n;
    it->pos = p + n;
    return 0;
}

/* Reads the newline that ends a directive. */
static int
take_eol(struct bootconf_iter *it)
{
    if (it->pos == it->len) {
        return fail(it, -CR_EINVAL, "last line without a newline");
    }
    if (it->conf[it->pos] != '\n') {
        return fail(it, -CR_EINVAL, "want a newline after the last string of a line");
    }
    it->pos++;
    return 0;
}

/* Moves past a comment line, which starts at it->pos with '#'. */
static int
skip_comment(struct bootconf_iter *it)
{
    while (it->pos < it->len && it->conf[it->pos] != '\n') {
        if (it->conf[it->pos] == '\0') {
            return fail(it, -CR_EINVAL, "NUL in a comment");
        }
        it->pos++;
    }
    return take_eol(it);
}

static bool
is_key_char(char c, bool first)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
}

/*
 * Returns the length of KEY if s is "KEY=VALUE" with KEY a portable name ([A-Za-z_]
 * followed by [A-Za-z0-9_]*, the POSIX rule for names the shell can set), else 0.
 */
static size_t
env_key_len(const struct bootconf_str *s)
{
    size_t i = 0;

    while (i < s->len && is_key_char(s->s[i], i == 0)) {
        i++;
    }
    if (i == 0 || i == s->len || s->s[i] != '=') {
        return 0;
    }
    return i;
}

/* The rest of an env line: one string, KEY=VALUE. */
static int
read_env(struct bootconf_iter *it, struct bootconf_entry *e)
{
    int rc = take_str(it, &e->str);

    if (rc != 0) {
        return rc;
    }
    e->key_len = env_key_len(&e->str);
    if (e->key_len == 0) {
        return fail(it, -CR_EINVAL, "env string is not KEY=VALUE with a portable KEY");
    }
    rc = take_eol(it);
    if (rc != 0) {
        return rc;
    }
    if (it->nenv == BOOTCONF_MAX_ENV) {
        return fail(it, -CR_E2BIG, "more than BOOTCONF_MAX_ENV env lines");
    }
    it->nenv++;
    e->kind = BOOTCONF_ENV;
    return 1;
}

/* The flags word of a start line: "-" for none, else each flag letter at most once. */
static int
read_flags(struct bootconf_iter *it, uint32_t *flags)
{
    *flags = 0;
    if (take_lit(it, "-")) {
        return 0;
    }
    if (it->pos == it->len || it->conf[it->pos] == ' ') {
        return fail(it, -CR_EINVAL, "want start flags: '-' or flag letters");
    }
    /* Bounded by the file's length; a valid word has at most one letter per flag. */
    while (it->pos < it->len && it->conf[it->pos] != ' ') {
        if (it->conf[it->pos] != 'w') {
            return fail(it, -CR_EINVAL, "unknown start flag (the only one is 'w')");
        }
        if (*flags & BOOTCONF_F_WAIT) {
            return fail(it, -CR_EINVAL, "start flag given twice");
        }
        *flags |= BOOTCONF_F_WAIT;
        it->pos++;
    }
    return 0;
}

/* The rest of a start line: flags, the program's name, then its arguments. */
static int
read_start(struct bootconf_iter *it, struct bootconf_entry *e)
{
    int rc = read_flags(it, &e->flags);

    if (rc != 0) {
        return rc;
    }
    if (!take_lit(it, " ")) {
        return fail(it, -CR_EINVAL, "want a space after the start flags");
    }
    rc = take_str(it, &e->str);
    if (rc != 0) {
        return rc;
    }
    if (e->str.len == 0) {
        return fail(it, -CR_EINVAL, "empty program name");
    }
    if (e->str.len >= BOOTIMG_NAME_MAX) {
        return fail(it, -CR_E2BIG, "program name longer than BOOTIMG_NAME_MAX - 1 bytes");
    }
    while (take_lit(it, " ")) {
        if (e->argc == BOOTCONF_MAX_ARGS) {
            return fail(it, -CR_E2BIG, "more than BOOTCONF_MAX_ARGS arguments");
        }
        rc = take_str(it, &e->arg[e->argc]);
        if (rc != 0) {
            return rc;
        }
        e->argc++;
    }
    rc = take_eol(it);
    if (rc != 0) {
        return rc;
    }
    if (it->nstart == BOOTCONF_MAX_START) {
        return fail(it, -CR_E2BIG, "more than BOOTCONF_MAX_START start lines");
    }
    it->nstart++;
    e->kind = BOOTCONF_START;
    return 1;
}

/*
 * Starts a walk of the len bytes at conf, a boot configuration file, and checks its first
 * line. The iterator keeps pointers into conf, which must stay put while it is used.
 * Returns 0; -CR_EINVAL if conf is NULL or the first line is not "bootconf 1" (a
 * different version included); -CR_E2BIG if len exceeds BOOTCONF_MAX_SIZE. On error,
 * it->line is 1 and it->why says what is wrong, and bootconf_next() returns the same error.
 */
int
bootconf_init(struct bootconf_iter *it, const void *conf, size_t len)
{
    memset(it, 0, sizeof(*it));
    it->conf = conf;
    it->len = len;
    it->line = 1;
    if (conf == NULL) {
        it->len = 0;
        return fail(it, -CR_EINVAL, "no file");
    }
    if (len > BOOTCONF_MAX_SIZE) {
        return fail(it, -CR_E2BIG, "file larger than BOOTCONF_MAX_SIZE bytes");
    }
    if (!take_lit(it, BOOTCONF_HEADER)) {
        if (take_lit(it, "bootconf ") && it->pos < len && it->conf[it->pos] >= '0' &&
            it->conf[it->pos] <= '9') {
            return fail(it, -CR_EINVAL, "unsupported version (this parser reads bootconf 1)");
        }
        return fail(it, -CR_EINVAL, "first line is not 'bootconf 1'");
    }
    return 0;
}

/*
 * Reads the next directive into *e, skipping comment lines. Of *e it sets kind, flags,
 * line, str, key_len and argc, and arg[0..argc); the rest of arg[] is left as it was.
 * Returns 1 with an entry in *e; 0 at the end of the file (and again on every later call);
 * -CR_EINVAL for a malformed line: an unknown directive, a string without a length, with a
 * leading zero in its length, without ':', running past the end of the file or holding a
 * NUL or a newline, a NUL in a comment, a missing or extra part of a line (no newline at
 * the end of the file included), an env string that is not KEY=VALUE with KEY in
 * [A-Za-z_][A-Za-z0-9_]*, start flags other than '-' or distinct known letters, or an
 * empty program name; -CR_E2BIG for a string over BOOTCONF_STR_MAX bytes, a name of
 * BOOTIMG_NAME_MAX bytes or more, more than BOOTCONF_MAX_ARGS arguments, or the env or
 * start line past BOOTCONF_MAX_ENV or BOOTCONF_MAX_START. An error sticks: this call and
 * every later one return it, with it->line and it->why describing it. Also returns the
 * error of a failed bootconf_init().
 */
int
bootconf_next(struct bootconf_iter *it, struct bootconf_entry *e)
{
    if (it->err != 0) {
        return it->err;
    }
    for (;;) {
        if (it->pos == it->len) {
            return 0;
        }
        it->line++;
        if (it->conf[it->pos] != '#') {
            break;
        }
        if (skip_comment(it) != 0) {
            return it->err;
        }
    }
    e->kind = 0;
    e->flags = 0;
    e->line = it->line;
    e->str.s = NULL;
    e->str.len = 0;
    e->key_len = 0;
    e->argc = 0;
    if (take_lit(it, "env ")) {
        return read_env(it, e);
    }
    if (take_lit(it, "start ")) {
        return read_start(it, e);
    }
    return fail(it, -CR_EINVAL, "unknown directive (want env or start)");
}

/*
 * Walks the whole file with *it, so that every line is known good before any is acted on.
 * Returns 0 if the file is well formed, else the first error bootconf_init() or
 * bootconf_next() finds, with it->line and it->why describing it. Cost: O(len).
 */
int
bootconf_check(struct bootconf_iter *it, const void *conf, size_t len)
{
    struct bootconf_entry e;
    int rc = bootconf_init(it, conf, len);

    while (rc == 0 && (rc = bootconf_next(it, &e)) > 0) {
        rc = 0;
    }
    return rc;
}

/* Copies s into *p as a C string and moves *p past its NUL; returns the copy. */
static const char *
put(char **p, const struct bootconf_str *s)
{
    char *d = *p;

    memcpy(d, s->s, s->len);
    d[s->len] = '\0';
    *p = d + s->len + 1;
    return d;
}

/*
 * Builds the argument vector of a START entry: argv[0] is the program's name as the image
 * names it ("bin/init"), argv[1..argc] its arguments, argv[argc + 1] NULL, each string
 * copied NUL-terminated into buf. Checks both sizes before writing, so a refused call
 * writes nothing. Returns the number of strings, e->argc + 1; -CR_EINVAL if e is not a
 * START entry or claims more than BOOTCONF_MAX_ARGS arguments; -CR_E2BIG if nargv is below
 * e->argc + 2 or buflen below the strings' lengths plus one NUL each.
 */
int
bootconf_argv(const struct bootconf_entry *e, char *buf, size_t buflen, const char **argv,
              size_t nargv)
{
    size_t need = e->str.len + 1;
    char *p = buf;

    if (e->kind != BOOTCONF_START || e->argc > BOOTCONF_MAX_ARGS) {
        return -CR_EINVAL;
    }
    for (uint32_t i = 0; i < e->argc; i++) {
        need += e->arg[i].len + 1;
    }
    if (nargv < (size_t)e->argc + 2 || need > buflen) {
        return -CR_E2BIG;
    }
    argv[0] = put(&p, &e->str);
    for (uint32_t i = 0; i < e->argc; i++) {
        argv[i + 1] = put(&p, &e->arg[i]);
    }
    argv[e->argc + 1] = NULL;
    return (int)e->argc + 1;
}

/* One env line, as bootconf_env() keeps it: the string and the length of its KEY. */
struct env_ref {
    struct bootconf_str str;
    size_t key_len;
};

static bool
same_key(const struct env_ref *a, const struct env_ref *b)
{
    return a->key_len == b->key_len && memcmp(a->str.s, b->str.s, a->key_len) == 0;
}

/*
 * Returns the index of the line that gives the KEY of line i its value (the last line with
 * that KEY), or -1 if line i is not the first with its KEY and so adds no string.
 */
static int
env_winner(const struct env_ref *env, uint32_t n, uint32_t i)
{
    uint32_t last = i;

    for (uint32_t j = 0; j < i; j++) {
        if (same_key(&env[j], &env[i])) {
            return -1;
        }
    }
    for (uint32_t j = i + 1; j < n; j++) {
        if (same_key(&env[j], &env[i])) {
            last = j;
        }
    }
    return (int)last;
}

/*
 * Builds the environment every program started at boot gets, from the env lines of the
 * whole file: one "KEY=VALUE" string per distinct KEY, in the order of each KEY's first
 * env line, with the value of its last (a later line replaces an earlier one, as setenv
 * does). The strings are copied NUL-terminated into buf and envp[] points at them, ended
 * by NULL. The file is checked as bootconf_check() does, and both sizes before anything is
 * written, so a refused call writes nothing. Cost: O(len + n^2), n <= BOOTCONF_MAX_ENV.
 * Returns the number of strings (0 if the file has no env line; envp[0] is then NULL);
 * any error of bootconf_check(); -CR_E2BIG if nenvp is below that number plus one or
 * buflen below the strings' lengths plus one NUL each.
 */
int
bootconf_env(const void *conf, size_t len, char *buf, size_t buflen, const char **envp,
             size_t nenvp)
{
    struct env_ref env[BOOTCONF_MAX_ENV];
    struct bootconf_entry e;
    struct bootconf_iter it;
    size_t need = 0;
    size_t count = 0;
    uint32_t n = 0;
    char *p = buf;
    int rc;

    rc = bootconf_init(&it, conf, len);
    while (rc == 0 && (rc = bootconf_next(&it, &e)) > 0) {
        rc = 0;
        /* The parser refuses env line BOOTCONF_MAX_ENV + 1, so n stays in bounds. */
        if (e.kind == BOOTCONF_ENV) {
            env[n].str = e.str;
            env[n].key_len = e.key_len;
            n++;
        }
    }
    if (rc != 0) {
        return rc;
    }
    for (uint32_t i = 0; i < n; i++) {
        int w = env_winner(env, n, i);

        if (w >= 0) {
            need += env[w].str.len + 1;
            count++;
        }
    }
    if (nenvp < count + 1 || need > buflen) {
        return -CR_E2BIG;
    }
    count = 0;
    for (uint32_t i = 0; i < n; i++) {
        int w = env_winner(env, n, i);

        if (w >= 0) {
            envp[count++] = put(&p, &env[w].str);
        }
    }
    envp[count] = NULL;
    return (int)count;
}
