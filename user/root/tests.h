/* SPDX-License-Identifier: MIT */
/*
 * The root server's system-test framework (runner in testrun.c). A test file
 * user/root/test_<area>.c defines tests with TEST(name) { ... }; each TEST drops a
 * struct test_case into the `crtests` section, and the linker gathers the section from
 * every object between __start_crtests and __stop_crtests, so adding a file adds its tests
 * with no central list to edit. Tests run one at a time in the root server's own thread;
 * a test that needs helper threads makes them itself.
 *
 * Checks: EXPECT_TRUE(x), EXPECT_EQ(a, b), EXPECT_OK(rc) and EXPECT_ERR(-CR_Exxx, rc)
 * (the exact negative error code; failures print symbolic names). Each evaluates its
 * arguments once, records the first failure of the test and continues; each is also an
 * expression that yields true if the check passed, so a test can stop early with
 * `if (!EXPECT_OK(rc)) { return; }` when the rest would only cascade. TEST_FAIL(fmt, ...)
 * records a free-form failure.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <courier/abi/errors.h>

struct test_case {
    const char *name;
    void (*fn)(void);
};
_Static_assert(sizeof(struct test_case) == 16, "crtests entries must pack with no gaps");

/*
 * Defines test `name`: a static function plus its registry entry. The entry is aligned to
 * its own size so the section is a plain array (gcc may otherwise over-align objects).
 */
#define TEST(name)                                                                             \
    static void test_##name(void);                                                             \
    static const struct test_case test_case_##name                                             \
        __attribute__((section("crtests"), used, aligned(16))) = { #name, test_##name };      \
    static void test_##name(void)

#define EXPECT_TRUE(x) test_expect_true(__FILE__, __LINE__, #x, (x))
#define EXPECT_EQ(a, b) test_expect_eq(__FILE__, __LINE__, #a, #b, (uint64_t)(a), (uint64_t)(b))
#define EXPECT_ERR(code, rc) test_expect_err(__FILE__, __LINE__, #rc, (code), (int64_t)(rc))
#define EXPECT_OK(rc) test_expect_err(__FILE__, __LINE__, #rc, 0, (int64_t)(rc))
#define TEST_FAIL(...) test_fail(__FILE__, __LINE__, __VA_ARGS__)

bool test_expect_true(const char *file, int line, const char *expr, bool ok);
bool test_expect_eq(const char *file, int line, const char *ea, const char *eb, uint64_t a,
                    uint64_t b);
bool test_expect_err(const char *file, int line, const char *expr, int64_t want, int64_t rc);
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int testrun_all(const char *filter);
