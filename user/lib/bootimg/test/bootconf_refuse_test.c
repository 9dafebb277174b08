/* SPDX-License-Identifier: MIT */
/*
 * Tests of what the boot configuration parser (user/lib/bootimg/bootconf.c) refuses: every
 * malformed input in a table with its exact error and line, an error that sticks through
 * every later call, a NULL file, and each bound (file size, string and name length,
 * arguments, env and start lines) at its limit and one past it. Every file is parsed from
 * a heap block of exactly its length (bootconf_files.h), so ASan reports any read past the
 * end.
 */
/* test-sources: user/lib/bootimg/bootconf.c */
#include "test.h"

#include <stdint.h>
#include <stdlib.h>

#include "user/lib/bootimg/bootconf.h"

#include <courier/bootimg.h>

#include "bootconf_files.h"

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
