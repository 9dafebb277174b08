/* SPDX-License-Identifier: MIT */
/*
 * Tests of the vectors the boot configuration parser (user/lib/bootimg/bootconf.c) builds
 * for a program: bootconf_argv() for a start line and bootconf_env() for the whole file,
 * where a later env line replaces an earlier one of the same key in its place. Each is
 * checked at its exact buffer size and one byte or slot short, where it must refuse and
 * leave the caller's buffers untouched, and for the parse errors it passes on.
 */
/* test-sources: user/lib/bootimg/bootconf.c */
#include "test.h"

#include <stdlib.h>

#include "user/lib/bootimg/bootconf.h"

#include "bootconf_files.h"

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
