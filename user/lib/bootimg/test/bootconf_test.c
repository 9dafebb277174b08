/* SPDX-License-Identifier: MIT */
/*
 * Tests of the boot configuration parser (user/lib/bootimg/bootconf.c). Every file is
 * copied into a heap block of exactly its length before it is parsed, so ASan reports any
 * read past the end. The tests cover each directive and flag, strings that would need
 * quoting in another format (spaces, quotes, '#', digits and colons, empty strings), each
 * bound at its limit and one past it, every malformed input in a table with its exact
 * error and line, sticky errors, argv and environment building with replacement, exact
 * buffer sizes and untouched buffers on refusal. The last tests encode random valid files
 * and check that they parse back to what was encoded, then parse random garbage and
 * mutations of valid files, walking and building everything the parser accepts. The
 * generator is seeded with a constant so that a failure reproduces.
 */
/* test-sources: user/lib/bootimg/bootconf.c */
#include "test.h"

#include <stdint.h>
#include <stdlib.h>

#include "user/lib/bootimg/bootconf.h"

#include <courier/bootimg.h>

/* A file under test: its bytes in a heap block of exactly len bytes (one byte if empty). */
struct file {
    char *data;
    size_t len;
};

static struct file
file_of(const char *s, size_t len)
{
    struct file f = { malloc(len > 0 ? len : 1), len };

    if (f.data == NULL) {
        abort();
    }
    memcpy(f.data, s, len);
    return f;
}

static struct file
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

static void
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

static void
text_puts(struct text *t, const char *s)
{
    text_add(t, s, strlen(s));
}

/* Appends " LEN:BYTES", a string as the format writes it, with the space before it. */
static void
text_str(struct text *t, const char *s, size_t n)
{
    char num[32];

    snprintf(num, sizeof(num), " %zu:", n);
    text_puts(t, num);
    text_add(t, s, n);
}

static bool
str_is(const struct bootconf_str *s, const char *want)
{
    return s->len == strlen(want) && memcmp(s->s, want, s->len) == 0;
}

/* Parses f to the end; returns the final code (0 or an error) and the entry count. */
static int
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

TEST(bootconf_header_only_is_empty)
{
    struct file f = file_str("bootconf 1\n");
    struct bootconf_entry e;
    struct bootconf_iter it;

    ASSERT_ERR(0, bootconf_init(&it, f.data, f.len));
    ASSERT_EQ(bootconf_next(&it, &e), 0);
    ASSERT_EQ(bootconf_next(&it, &e), 0);
    ASSERT_ERR(0, bootconf_check(&it, f.data, f.len));
    ASSERT_TRUE(it.why == NULL);
    free(f.data);
}

TEST(bootconf_reads_env_and_start_in_order)
{
    struct file f = file_str("bootconf 1\n"
                             "# comment line\n"
                             "env 10:TERM=vt100\n"
                             "#\n"
                             "start - 8:bin/init 2:-v 11:hello world\n"
                             "start w 6:bin/sh\n"
                             "env 5:HOME=\n");
    struct bootconf_entry e;
    struct bootconf_iter it;

    ASSERT_ERR(0, bootconf_init(&it, f.data, f.len));

    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.kind, BOOTCONF_ENV);
    ASSERT_EQ(e.line, 3);
    ASSERT_TRUE(str_is(&e.str, "TERM=vt100"));
    ASSERT_EQ(e.key_len, 4);
    ASSERT_EQ(e.flags, 0);
    ASSERT_EQ(e.argc, 0);

    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.kind, BOOTCONF_START);
    ASSERT_EQ(e.line, 5);
    ASSERT_EQ(e.flags, 0);
    ASSERT_TRUE(str_is(&e.str, "bin/init"));
    ASSERT_EQ(e.key_len, 0);
    ASSERT_EQ(e.argc, 2);
    ASSERT_TRUE(str_is(&e.arg[0], "-v"));
    ASSERT_TRUE(str_is(&e.arg[1], "hello world"));

    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.kind, BOOTCONF_START);
    ASSERT_EQ(e.line, 6);
    ASSERT_EQ(e.flags, BOOTCONF_F_WAIT);
    ASSERT_TRUE(str_is(&e.str, "bin/sh"));
    ASSERT_EQ(e.argc, 0);

    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.kind, BOOTCONF_ENV);
    ASSERT_EQ(e.line, 7);
    ASSERT_TRUE(str_is(&e.str, "HOME="));
    ASSERT_EQ(e.key_len, 4);

    ASSERT_EQ(bootconf_next(&it, &e), 0);
    ASSERT_EQ(it.line, 7);
    ASSERT_TRUE(it.why == NULL);
    free(f.data);
}

/* Strings that other formats must quote go through as they are, length-delimited. */
TEST(bootconf_strings_need_no_quoting)
{
    static const char *const args[] = { "",   "a b", "\"q\"", "# not a comment", "3:x",
                                        "\\", " ",   "\t",    "\xff\x01" };
    struct text t = { 0 };
    struct bootconf_entry e;
    struct bootconf_iter it;
    struct file f;

    text_puts(&t, "bootconf 1\nstart -");
    text_str(&t, "bin/x", 5);
    for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        text_str(&t, args[i], strlen(args[i]));
    }
    text_puts(&t, "\n");
    f = file_of(t.s, t.len);
    ASSERT_ERR(0, bootconf_init(&it, f.data, f.len));
    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.argc, sizeof(args) / sizeof(args[0]));
    for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        ASSERT_TRUE(str_is(&e.arg[i], args[i]));
    }
    ASSERT_EQ(bootconf_next(&it, &e), 0);
    free(f.data);
    free(t.s);
}

TEST(bootconf_env_value_may_hold_anything_but_key_is_portable)
{
    struct file f = file_str("bootconf 1\n"
                             "env 11:_a9=x=y #\"z\n"
                             "env 3:Z_=\n");
    struct bootconf_entry e;
    struct bootconf_iter it;

    ASSERT_ERR(0, bootconf_init(&it, f.data, f.len));
    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.key_len, 3);
    ASSERT_TRUE(str_is(&e.str, "_a9=x=y #\"z"));
    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.key_len, 2);
    free(f.data);
}

/* An error message of the iterator names the line; for these cases check that it does. */
struct bad_case {
    const char *text;
    size_t len; /* 0: strlen(text) */
    int err;
    uint32_t line;
};

static const struct bad_case bad_cases[] = {
    /* The first line. */
    { "", 0, -CR_EINVAL, 1 },
    { "bootconf 1", 0, -CR_EINVAL, 1 },
    { "bootconf 2\n", 0, -CR_EINVAL, 1 },
    { "bootconf 10\n", 0, -CR_EINVAL, 1 },
    { "bootconf 1\r\n", 0, -CR_EINVAL, 1 },
    { "bootconf  1\n", 0, -CR_EINVAL, 1 },
    { "Bootconf 1\n", 0, -CR_EINVAL, 1 },
    { "\nbootconf 1\n", 0, -CR_EINVAL, 1 },
    { "# x\nbootconf 1\n", 0, -CR_EINVAL, 1 },
    /* Directives. */
    { "bootconf 1\n\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\n \n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nrun - 1:x\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nENV 3:A=b\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\n#\nenv  3:A=b\n", 0, -CR_EINVAL, 3 },
    { "bootconf 1\n # indented comment\n", 0, -CR_EINVAL, 2 },
    /* Strings. */
    { "bootconf 1\nenv A=b\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv :A=b\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 3A=b\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 3 A=b\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 03:A=b\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 00:\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv -3:A=b\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv +3:A=b\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 4:A=b\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 9:A=b\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 3", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 3:", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 3:A=b", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 4:A=b\n\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 3:A=\nb\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 3:A=\0\n", 21, -CR_EINVAL, 2 },
    { "bootconf 1\n# a \0 b\n", 19, -CR_EINVAL, 2 },
    { "bootconf 1\n# no newline", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 99999999999999999999999:A=b\n", 0, -CR_E2BIG, 2 },
    { "bootconf 1\nenv 1025:A=b\n", 0, -CR_E2BIG, 2 },
    /* env lines. */
    { "bootconf 1\nenv 3:A=b 3:C=d\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 3:A=b \n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 3:A=b\r\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 0:\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 1:A\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 2:=b\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 3:1=b\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 4:A-B=\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 4:A B=\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 4:\xc3\xa9=x\n", 0, -CR_EINVAL, 2 },
    /* start lines. */
    { "bootconf 1\nstart 5:bin/x\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart  5:bin/x\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart -5:bin/x\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart x 5:bin/x\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart W 5:bin/x\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart ww 5:bin/x\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart -w 5:bin/x\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart w- 5:bin/x\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart --\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart -\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart w", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart - \n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart - 0:\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart - 5:bin/x \n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart - 5:bin/x  1:a\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart - 5:bin/x 1:a", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart - 5:bin/x 1:ab\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart - 5:bin/x\tx\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nstart - 5:bin/x\n\n", 0, -CR_EINVAL, 3 },
    { "bootconf 1\nstart - 5:bin/x 2:a\nb\n", 0, -CR_EINVAL, 2 },
    { "bootconf 1\nenv 3:A=b\nstart - 5:bin/x 1:a 5:b\n", 0, -CR_EINVAL, 3 },
};

TEST(bootconf_refuses_each_malformed_input)
{
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const struct bad_case *c = &bad_cases[i];
        struct file f = file_of(c->text, c->len != 0 ? c->len : strlen(c->text));
        struct bootconf_entry e;
        struct bootconf_iter it;
        int entries;
        int rc = walk(&f, &entries, &it);

        if (rc != c->err || it.line != c->line || it.why == NULL) {
            printf("case %zu: \"%s\": rc %d line %u why %s\n", i, c->text, rc, it.line,
                   it.why != NULL ? it.why : "(none)");
        }
        ASSERT_ERR(c->err, rc);
        ASSERT_EQ(it.line, c->line);
        ASSERT_TRUE(it.why != NULL);
        /* The error sticks. */
        ASSERT_ERR(c->err, bootconf_next(&it, &e));
        ASSERT_ERR(c->err, bootconf_next(&it, &e));
        ASSERT_ERR(c->err, bootconf_check(&it, f.data, f.len));
        ASSERT_EQ(it.line, c->line);
        free(f.data);
    }
}

TEST(bootconf_init_refuses_null)
{
    struct bootconf_entry e;
    struct bootconf_iter it;

    ASSERT_ERR(-CR_EINVAL, bootconf_init(&it, NULL, 0));
    ASSERT_ERR(-CR_EINVAL, bootconf_init(&it, NULL, 100));
    ASSERT_ERR(-CR_EINVAL, bootconf_next(&it, &e));
    ASSERT_ERR(-CR_EINVAL, bootconf_check(&it, NULL, 11));
}

/* A file of exactly size bytes: the header, then comment lines of up to 80 bytes. */
static struct file
file_of_size(size_t size)
{
    struct text t = { 0 };
    struct file f;

    text_puts(&t, "bootconf 1\n");
    while (t.len < size) {
        size_t end = size - t.len > 80 ? t.len + 80 : size;

        text_puts(&t, "#");
        while (t.len < end - 1) {
            text_puts(&t, ".");
        }
        text_puts(&t, "\n");
    }
    f = file_of(t.s, t.len);
    free(t.s);
    return f;
}

TEST(bootconf_file_size_bound)
{
    struct file f = file_of_size(BOOTCONF_MAX_SIZE);
    struct bootconf_iter it;

    ASSERT_EQ(f.len, BOOTCONF_MAX_SIZE);
    ASSERT_ERR(0, bootconf_check(&it, f.data, f.len));
    free(f.data);
    f = file_of_size(BOOTCONF_MAX_SIZE + 1);
    ASSERT_EQ(f.len, BOOTCONF_MAX_SIZE + 1);
    ASSERT_ERR(-CR_E2BIG, bootconf_check(&it, f.data, f.len));
    ASSERT_EQ(it.line, 1);
    free(f.data);
}

/* A start line with a name of name_len bytes and nargs arguments of arg_len bytes. */
static struct file
start_file(size_t name_len, size_t nargs, size_t arg_len)
{
    struct text t = { 0 };
    char *name = malloc(name_len + 1);
    char *arg = malloc(arg_len + 1);
    struct file f;

    memset(name, 'n', name_len);
    memset(arg, 'a', arg_len);
    text_puts(&t, "bootconf 1\nstart w");
    text_str(&t, name, name_len);
    for (size_t i = 0; i < nargs; i++) {
        text_str(&t, arg, arg_len);
    }
    text_puts(&t, "\n");
    f = file_of(t.s, t.len);
    free(t.s);
    free(name);
    free(arg);
    return f;
}

static int
start_rc(size_t name_len, size_t nargs, size_t arg_len)
{
    struct file f = start_file(name_len, nargs, arg_len);
    struct bootconf_iter it;
    int rc = bootconf_check(&it, f.data, f.len);

    free(f.data);
    return rc;
}

TEST(bootconf_string_and_argument_bounds)
{
    ASSERT_ERR(0, start_rc(1, 0, 0));
    ASSERT_ERR(0, start_rc(BOOTIMG_NAME_MAX - 1, 1, 0));
    ASSERT_ERR(-CR_E2BIG, start_rc(BOOTIMG_NAME_MAX, 1, 0));
    ASSERT_ERR(-CR_E2BIG, start_rc(BOOTCONF_STR_MAX + 1, 0, 0));
    ASSERT_ERR(0, start_rc(5, 1, BOOTCONF_STR_MAX));
    ASSERT_ERR(-CR_E2BIG, start_rc(5, 1, BOOTCONF_STR_MAX + 1));
    ASSERT_ERR(0, start_rc(5, BOOTCONF_MAX_ARGS, 3));
    ASSERT_ERR(-CR_E2BIG, start_rc(5, BOOTCONF_MAX_ARGS + 1, 3));
    ASSERT_ERR(-CR_E2BIG, start_rc(5, BOOTCONF_MAX_ARGS + 1, 0));
    /* The largest start line fits the file bound, so both limits can be reached. */
    ASSERT_ERR(0, start_rc(BOOTIMG_NAME_MAX - 1, BOOTCONF_MAX_ARGS, BOOTCONF_STR_MAX - 100));
}

TEST(bootconf_env_string_bound)
{
    struct text t = { 0 };
    struct bootconf_iter it;
    struct file f;
    char *s = malloc(BOOTCONF_STR_MAX + 2);

    memset(s, 'v', BOOTCONF_STR_MAX + 1);
    memcpy(s, "K=", 2);
    text_puts(&t, "bootconf 1\nenv");
    text_str(&t, s, BOOTCONF_STR_MAX);
    text_puts(&t, "\n");
    f = file_of(t.s, t.len);
    ASSERT_ERR(0, bootconf_check(&it, f.data, f.len));
    free(f.data);
    t.len = 0;
    text_puts(&t, "bootconf 1\nenv");
    text_str(&t, s, BOOTCONF_STR_MAX + 1);
    text_puts(&t, "\n");
    f = file_of(t.s, t.len);
    ASSERT_ERR(-CR_E2BIG, bootconf_check(&it, f.data, f.len));
    free(f.data);
    free(t.s);
    free(s);
}

/* n lines of the given kind after the header; E2BIG must come at line BOUND + 2. */
static struct file
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

TEST(bootconf_line_count_bounds)
{
    struct bootconf_iter it;
    int entries;
    struct file f;

    f = many_lines("env 3:A=b\n", BOOTCONF_MAX_ENV);
    ASSERT_ERR(0, walk(&f, &entries, &it));
    ASSERT_EQ(entries, BOOTCONF_MAX_ENV);
    free(f.data);
    f = many_lines("env 3:A=b\n", BOOTCONF_MAX_ENV + 1);
    ASSERT_ERR(-CR_E2BIG, walk(&f, &entries, &it));
    ASSERT_EQ(entries, BOOTCONF_MAX_ENV);
    ASSERT_EQ(it.line, BOOTCONF_MAX_ENV + 2);
    free(f.data);

    f = many_lines("start - 1:x\n", BOOTCONF_MAX_START);
    ASSERT_ERR(0, walk(&f, &entries, &it));
    ASSERT_EQ(entries, BOOTCONF_MAX_START);
    free(f.data);
    f = many_lines("start w 1:x\n", BOOTCONF_MAX_START + 1);
    ASSERT_ERR(-CR_E2BIG, walk(&f, &entries, &it));
    ASSERT_EQ(entries, BOOTCONF_MAX_START);
    ASSERT_EQ(it.line, BOOTCONF_MAX_START + 2);
    free(f.data);

    /* The two bounds are separate: a full set of each is fine together. */
    {
        struct text t = { 0 };

        text_puts(&t, "bootconf 1\n");
        for (int i = 0; i < BOOTCONF_MAX_ENV; i++) {
            text_puts(&t, "env 3:A=b\nstart - 1:x\n");
        }
        f = file_of(t.s, t.len);
        free(t.s);
    }
    ASSERT_ERR(0, walk(&f, &entries, &it));
    ASSERT_EQ(entries, BOOTCONF_MAX_ENV + BOOTCONF_MAX_START);
    free(f.data);
}

static const char sample_conf[] = "bootconf 1\n"
                                  "start - 8:bin/init 2:-v 0: 3:a b\n";

static int
first_entry(const struct file *f, struct bootconf_entry *e)
{
    struct bootconf_iter it;
    int rc = bootconf_init(&it, f->data, f->len);

    return rc != 0 ? rc : bootconf_next(&it, e);
}

TEST(bootconf_argv_builds_vector)
{
    struct file f = file_str(sample_conf);
    struct bootconf_entry e;
    const char *argv[8];
    char buf[64];

    ASSERT_EQ(first_entry(&f, &e), 1);
    ASSERT_EQ(bootconf_argv(&e, buf, sizeof(buf), argv, 8), 4);
    ASSERT_TRUE(strcmp(argv[0], "bin/init") == 0);
    ASSERT_TRUE(strcmp(argv[1], "-v") == 0);
    ASSERT_TRUE(strcmp(argv[2], "") == 0);
    ASSERT_TRUE(strcmp(argv[3], "a b") == 0);
    ASSERT_TRUE(argv[4] == NULL);
    /* Packed: each string right after the previous one's NUL. */
    ASSERT_TRUE(argv[0] == buf);
    ASSERT_TRUE(argv[3] == buf + 9 + 3 + 1);
    free(f.data);
}

TEST(bootconf_argv_exact_sizes_and_no_write_on_refusal)
{
    struct file f = file_str(sample_conf);
    size_t need = 9 + 3 + 1 + 4;
    struct bootconf_entry e;
    const char *argv[8];
    char buf[64];

    ASSERT_EQ(first_entry(&f, &e), 1);
    memset(buf, '@', sizeof(buf));
    for (int i = 0; i < 8; i++) {
        argv[i] = buf + 63;
    }
    ASSERT_ERR(-CR_E2BIG, bootconf_argv(&e, buf, need - 1, argv, 8));
    ASSERT_ERR(-CR_E2BIG, bootconf_argv(&e, buf, sizeof(buf), argv, 4));
    ASSERT_ERR(-CR_E2BIG, bootconf_argv(&e, NULL, 0, argv, 0));
    for (size_t i = 0; i < sizeof(buf); i++) {
        ASSERT_EQ(buf[i], '@');
    }
    for (int i = 0; i < 8; i++) {
        ASSERT_TRUE(argv[i] == buf + 63);
    }
    ASSERT_EQ(bootconf_argv(&e, buf, need, argv, 5), 4);
    ASSERT_EQ(buf[need], '@');
    ASSERT_TRUE(argv[5] == buf + 63);
    free(f.data);
}

TEST(bootconf_argv_refuses_non_start_entries)
{
    struct file f = file_str("bootconf 1\nenv 3:A=b\n");
    struct bootconf_entry e;
    const char *argv[8];
    char buf[64];

    ASSERT_EQ(first_entry(&f, &e), 1);
    ASSERT_ERR(-CR_EINVAL, bootconf_argv(&e, buf, sizeof(buf), argv, 8));
    free(f.data);
    f = file_str(sample_conf);
    ASSERT_EQ(first_entry(&f, &e), 1);
    e.argc = BOOTCONF_MAX_ARGS + 1;
    ASSERT_ERR(-CR_EINVAL, bootconf_argv(&e, buf, sizeof(buf), argv, 8));
    free(f.data);
}

static const char env_conf[] = "bootconf 1\n"
                               "env 6:TERM=a\n"
                               "start - 1:x\n"
                               "env 9:HOME=/usr\n"
                               "env 7:TERMX=b\n"
                               "env 9:TERM=vt52\n"
                               "env 5:HOME=\n"
                               "env 4:ZZ=q\n"
                               "env 10:TERM=vt100\n";

TEST(bootconf_env_replaces_in_place)
{
    struct file f = file_str(env_conf);
    const char *envp[8];
    char buf[128];

    ASSERT_EQ(bootconf_env(f.data, f.len, buf, sizeof(buf), envp, 8), 4);
    ASSERT_TRUE(strcmp(envp[0], "TERM=vt100") == 0);
    ASSERT_TRUE(strcmp(envp[1], "HOME=") == 0);
    ASSERT_TRUE(strcmp(envp[2], "TERMX=b") == 0);
    ASSERT_TRUE(strcmp(envp[3], "ZZ=q") == 0);
    ASSERT_TRUE(envp[4] == NULL);
    ASSERT_TRUE(envp[0] == buf);
    free(f.data);
}

TEST(bootconf_env_exact_sizes_and_no_write_on_refusal)
{
    struct file f = file_str(env_conf);
    size_t need = 11 + 6 + 8 + 5;
    const char *envp[8];
    char buf[128];

    memset(buf, '@', sizeof(buf));
    for (int i = 0; i < 8; i++) {
        envp[i] = buf + 127;
    }
    ASSERT_ERR(-CR_E2BIG, bootconf_env(f.data, f.len, buf, need - 1, envp, 8));
    ASSERT_ERR(-CR_E2BIG, bootconf_env(f.data, f.len, buf, sizeof(buf), envp, 4));
    ASSERT_ERR(-CR_E2BIG, bootconf_env(f.data, f.len, NULL, 0, envp, 0));
    for (size_t i = 0; i < sizeof(buf); i++) {
        ASSERT_EQ(buf[i], '@');
    }
    for (int i = 0; i < 8; i++) {
        ASSERT_TRUE(envp[i] == buf + 127);
    }
    ASSERT_EQ(bootconf_env(f.data, f.len, buf, need, envp, 5), 4);
    ASSERT_EQ(buf[need], '@');
    ASSERT_TRUE(envp[5] == buf + 127);
    free(f.data);
}

TEST(bootconf_env_of_file_without_env_is_empty)
{
    struct file f = file_str(sample_conf);
    const char *envp[1] = { "x" };

    ASSERT_EQ(bootconf_env(f.data, f.len, NULL, 0, envp, 1), 0);
    ASSERT_TRUE(envp[0] == NULL);
    ASSERT_ERR(-CR_E2BIG, bootconf_env(f.data, f.len, NULL, 0, envp, 0));
    free(f.data);
}

TEST(bootconf_env_passes_parse_errors_and_writes_nothing)
{
    struct file f = file_str("bootconf 1\nenv 3:A=b\nenv 3:1=b\n");
    const char *envp[4] = { "x", "x", "x", "x" };
    char buf[16] = { 0 };

    ASSERT_ERR(-CR_EINVAL, bootconf_env(f.data, f.len, buf, sizeof(buf), envp, 4));
    ASSERT_ERR(-CR_EINVAL, bootconf_env(NULL, 0, buf, sizeof(buf), envp, 4));
    ASSERT_EQ(buf[0], 0);
    ASSERT_TRUE(strcmp(envp[0], "x") == 0);
    free(f.data);
    f = many_lines("env 3:A=b\n", BOOTCONF_MAX_ENV + 1);
    ASSERT_ERR(-CR_E2BIG, bootconf_env(f.data, f.len, buf, sizeof(buf), envp, 4));
    free(f.data);
}

TEST(bootconf_env_full_set_of_distinct_keys)
{
    struct text t = { 0 };
    const char *envp[BOOTCONF_MAX_ENV + 1];
    char buf[BOOTCONF_MAX_ENV * 8];
    struct file f;

    text_puts(&t, "bootconf 1\n");
    for (int i = 0; i < BOOTCONF_MAX_ENV; i++) {
        char line[32];

        snprintf(line, sizeof(line), "env 5:K%02d=%d\n", i, i % 10);
        text_puts(&t, line);
    }
    f = file_of(t.s, t.len);
    ASSERT_EQ(bootconf_env(f.data, f.len, buf, sizeof(buf), envp, BOOTCONF_MAX_ENV + 1),
              BOOTCONF_MAX_ENV);
    for (int i = 0; i < BOOTCONF_MAX_ENV; i++) {
        char want[16];

        snprintf(want, sizeof(want), "K%02d=%d", i, i % 10);
        ASSERT_TRUE(strcmp(envp[i], want) == 0);
    }
    ASSERT_TRUE(envp[BOOTCONF_MAX_ENV] == NULL);
    free(f.data);
    free(t.s);
}

/* xorshift64: small, deterministic, good enough for test inputs. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t
rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A random string byte: any byte but NUL and newline, mostly printable. */
static char
rng_byte(void)
{
    char c;

    do {
        c = rng() % 4 == 0 ? (char)(rng() % 256) : (char)(' ' + rng() % 95);
    } while (c == '\0' || c == '\n');
    return c;
}

/* What a random valid file was made of, to compare with what the parser reads back. */
struct model {
    int nlines;
    int kind[BOOTCONF_MAX_ENV + BOOTCONF_MAX_START];
    uint32_t flags[BOOTCONF_MAX_ENV + BOOTCONF_MAX_START];
    int argc[BOOTCONF_MAX_ENV + BOOTCONF_MAX_START];
    /* Strings of each line: the env string or the name, then the arguments. */
    char str[BOOTCONF_MAX_ENV + BOOTCONF_MAX_START][1 + 8][24];
    size_t len[BOOTCONF_MAX_ENV + BOOTCONF_MAX_START][1 + 8];
};

static void
random_valid(struct text *t, struct model *m)
{
    int nenv = 0;

    t->len = 0;
    text_puts(t, "bootconf 1\n");
    m->nlines = (int)(rng() % 20);
    for (int i = 0; i < m->nlines; i++) {
        if (rng() % 5 == 0) {
            text_puts(t, "# comment\n");
        }
        m->kind[i] = (rng() % 2 == 0 && nenv < BOOTCONF_MAX_ENV) ? BOOTCONF_ENV : BOOTCONF_START;
        if (m->kind[i] == BOOTCONF_ENV) {
            size_t klen = 1 + rng() % 5;
            size_t vlen = rng() % 10;

            for (size_t k = 0; k < klen; k++) {
                m->str[i][0][k] = "AB_z9"[k == 0 ? rng() % 4 : rng() % 5];
            }
            m->str[i][0][klen] = '=';
            for (size_t k = 0; k < vlen; k++) {
                m->str[i][0][klen + 1 + k] = rng_byte();
            }
            m->len[i][0] = klen + 1 + vlen;
            m->argc[i] = 0;
            m->flags[i] = 0;
            text_puts(t, "env");
            text_str(t, m->str[i][0], m->len[i][0]);
            nenv++;
        } else {
            m->flags[i] = rng() % 2 == 0 ? BOOTCONF_F_WAIT : 0;
            m->argc[i] = (int)(rng() % 9);
            text_puts(t, m->flags[i] != 0 ? "start w" : "start -");
            for (int a = 0; a <= m->argc[i]; a++) {
                size_t n = a == 0 ? 1 + rng() % 23 : rng() % 24;

                for (size_t k = 0; k < n; k++) {
                    m->str[i][a][k] = rng_byte();
                }
                m->len[i][a] = n;
                text_str(t, m->str[i][a], n);
            }
        }
        text_puts(t, "\n");
    }
}

static bool
same(const struct bootconf_str *s, const char *want, size_t len)
{
    return s->len == len && memcmp(s->s, want, len) == 0;
}

TEST(bootconf_random_valid_files_parse_back)
{
    enum { ROUNDS = 2000 };
    static struct model m;
    struct text t = { 0 };

    for (int round = 0; round < ROUNDS; round++) {
        struct bootconf_entry e;
        struct bootconf_iter it;
        struct file f;

        random_valid(&t, &m);
        f = file_of(t.s, t.len);
        ASSERT_ERR(0, bootconf_init(&it, f.data, f.len));
        for (int i = 0; i < m.nlines; i++) {
            ASSERT_EQ(bootconf_next(&it, &e), 1);
            ASSERT_EQ(e.kind, m.kind[i]);
            ASSERT_EQ(e.flags, m.flags[i]);
            ASSERT_EQ(e.argc, m.argc[i]);
            ASSERT_TRUE(same(&e.str, m.str[i][0], m.len[i][0]));
            for (int a = 0; a < m.argc[i]; a++) {
                ASSERT_TRUE(same(&e.arg[a], m.str[i][a + 1], m.len[i][a + 1]));
            }
        }
        ASSERT_EQ(bootconf_next(&it, &e), 0);
        free(f.data);
    }
    free(t.s);
}

/* Bytes that matter to the parser, for garbage that gets past the first checks. */
static const char alphabet[] = "0123456789: \n#-wenvstart=AZ_\0\r";

/* Everything an accepted file yields must be usable: walk it and build all vectors. */
static int
use_all(const struct file *f)
{
    static char buf[BOOTCONF_MAX_SIZE + 256];
    const char *vec[BOOTCONF_MAX_ARGS + 2];
    struct bootconf_entry e;
    struct bootconf_iter it;
    int rc = bootconf_init(&it, f->data, f->len);

    while (rc == 0 && (rc = bootconf_next(&it, &e)) > 0) {
        rc = 0;
        if (e.kind == BOOTCONF_START) {
            int n = bootconf_argv(&e, buf, sizeof(buf), vec, BOOTCONF_MAX_ARGS + 2);

            if (n != (int)e.argc + 1 || vec[n] != NULL || strlen(vec[0]) != e.str.len) {
                return -1000;
            }
        } else if (e.kind != BOOTCONF_ENV || e.key_len == 0 || e.key_len >= e.str.len) {
            return -1000;
        }
        if (memchr(e.str.s, '\n', e.str.len) != NULL || memchr(e.str.s, 0, e.str.len)) {
            return -1000;
        }
    }
    if (rc == 0) {
        rc = bootconf_env(f->data, f->len, buf, sizeof(buf), vec, BOOTCONF_MAX_ENV + 1);
        rc = rc < 0 ? -1000 : 0;
    }
    return rc;
}

static void
mutate(char *s, size_t len)
{
    int flips = 1 + (int)(rng() % 4);

    for (int i = 0; i < flips; i++) {
        size_t pos = rng() % len;

        s[pos] = rng() % 2 == 0 ? alphabet[rng() % (sizeof(alphabet) - 1)] : (char)rng();
    }
}

TEST(bootconf_survives_garbage_and_mutations)
{
    enum { ROUNDS = 30000 };
    static struct model m;
    struct text t = { 0 };
    int accepted = 0;
    int refused = 0;

    for (int round = 0; round < ROUNDS; round++) {
        struct bootconf_iter it;
        struct file f;
        int rc;

        switch (round % 3) {
        case 0: {
            /* Garbage behind a valid header, or with no header at all. */
            size_t n = rng() % 200;

            t.len = 0;
            if (rng() % 8 != 0) {
                text_puts(&t, "bootconf 1\n");
            }
            for (size_t i = 0; i < n; i++) {
                char c = rng() % 4 != 0 ? alphabet[rng() % (sizeof(alphabet) - 1)] : (char)rng();

                text_add(&t, &c, 1);
            }
            break;
        }
        case 1:
            /* A valid file with a few bytes changed. */
            random_valid(&t, &m);
            mutate(t.s, t.len);
            break;
        default:
            /* A valid file cut short. */
            random_valid(&t, &m);
            t.len = rng() % (t.len + 1);
            break;
        }
        f = file_of(t.s, t.len);
        rc = use_all(&f);
        if (rc == -1000) {
            free(f.data);
            ASSERT_TRUE(!"an accepted file gave an entry that breaks its contract");
        }
        ASSERT_TRUE(rc == 0 || rc == -CR_EINVAL || rc == -CR_E2BIG);
        ASSERT_ERR(rc, bootconf_check(&it, f.data, f.len));
        if (rc == 0) {
            accepted++;
        } else {
            refused++;
            ASSERT_TRUE(it.why != NULL);
            ASSERT_TRUE(it.line >= 1);
        }
        free(f.data);
    }
    ASSERT_TRUE(accepted > 100);
    ASSERT_TRUE(refused > 100);
    free(t.s);
}
