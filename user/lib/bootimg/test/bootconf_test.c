/* SPDX-License-Identifier: MIT */
/*
 * Tests of the boot configuration parser (user/lib/bootimg/bootconf.c) on valid files:
 * the header alone, each directive and flag read back in order with its line number, and
 * strings that would need quoting in another format (spaces, quotes, '#', digits and
 * colons, empty strings, bytes past ASCII) going through as they are. Refusals are in
 * bootconf_refuse_test.c, argv and environment building in bootconf_build_test.c and
 * random files in bootconf_fuzz_test.c. Every file is parsed from a heap block of exactly
 * its length (bootconf_files.h), so ASan reports any read past the end.
 */
/* test-sources: user/lib/bootimg/bootconf.c */
#include "test.h"

#include <stdlib.h>

#include "user/lib/bootimg/bootconf.h"

#include "bootconf_files.h"

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
