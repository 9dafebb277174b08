/* SPDX-License-Identifier: MIT */
/*
 * Tests of the host test harness itself (tests/host/test.h): the passing forms of every
 * assertion, and that a failing assertion prints one FAIL line in the documented format,
 * marks the test failed and returns at once. The failing cases run with stdout sent to a
 * temporary file, which the test then reads back, so the run itself still reports PASS.
 */
/* test-sources: */
#define _POSIX_C_SOURCE 200809L

#include "test.h"

#include <stdlib.h>
#include <unistd.h>

/* Set by the helpers below when control gets past their assertion. */
static bool reached_end;

static void
fail_eq(void)
{
    ASSERT_EQ(2 + 2, 5);
    reached_end = true;
}

static void
fail_err(void)
{
    ASSERT_ERR(-CR_EINVAL, -CR_ENOENT);
    reached_end = true;
}

static void
fail_true(void)
{
    ASSERT_TRUE(1 == 2);
    reached_end = true;
}

/*
 * Runs fn with stdout captured into out (NUL-terminated), as if it were the body of a
 * test named "inner", and returns whether it failed. Restores the harness state after.
 */
static bool
run_captured(void (*fn)(void), char *out, size_t len)
{
    const char *outer = test_state.current;
    FILE *tmp = tmpfile();
    int saved;
    bool failed;
    size_t n;

    if (tmp == NULL) {
        return false;
    }
    fflush(stdout);
    saved = dup(STDOUT_FILENO);
    dup2(fileno(tmp), STDOUT_FILENO);
    test_state.current = "inner";
    test_state.failed = false;
    reached_end = false;
    fn();
    failed = test_state.failed;
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    test_state.current = outer;
    test_state.failed = false;
    rewind(tmp);
    n = fread(out, 1, len - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
    return failed;
}

TEST(harness_assert_eq_passes_on_equal_values)
{
    long long big = 1ll << 40;

    ASSERT_EQ(2 + 2, 4);
    ASSERT_EQ(big, 1099511627776ll);
    ASSERT_EQ(-1, -1);
    ASSERT_NE(1, 2);
    ASSERT_TRUE(big > 0);
}

TEST(harness_assert_err_matches_exact_code)
{
    ASSERT_ERR(-CR_EINVAL, -22);
    ASSERT_ERR(-CR_ENOENT, -CR_ENOENT);
    ASSERT_ERR(0, 0);
    ASSERT_ERR(-CR_EBADCAP, -512);
}

TEST(harness_errname_spells_abi_names)
{
    char buf[64];

    ASSERT_TRUE(strcmp(test_errstr(buf, sizeof(buf), -CR_EINVAL), "-EINVAL (-22)") == 0);
    ASSERT_TRUE(strcmp(test_errstr(buf, sizeof(buf), 0), "OK (0)") == 0);
    ASSERT_TRUE(strcmp(test_errstr(buf, sizeof(buf), -9999), "-E? (-9999)") == 0);
}

TEST(harness_failed_assert_eq_prints_values_and_returns)
{
    char out[512];

    ASSERT_TRUE(run_captured(fail_eq, out, sizeof(out)));
    ASSERT_TRUE(!reached_end);
    ASSERT_TRUE(strncmp(out, "FAIL inner: ", 12) == 0);
    ASSERT_TRUE(strstr(out, "harness_test.c:") != NULL);
    ASSERT_TRUE(strstr(out, "ASSERT_EQ(2 + 2, 5): 4 != 5\n") != NULL);
}

TEST(harness_failed_assert_err_prints_error_names)
{
    char out[512];

    ASSERT_TRUE(run_captured(fail_err, out, sizeof(out)));
    ASSERT_TRUE(!reached_end);
    ASSERT_TRUE(strstr(out, "want -EINVAL (-22), got -ENOENT (-2)\n") != NULL);
}

TEST(harness_failed_assert_true_prints_expression)
{
    char out[512];

    ASSERT_TRUE(run_captured(fail_true, out, sizeof(out)));
    ASSERT_TRUE(!reached_end);
    ASSERT_TRUE(strstr(out, "ASSERT_TRUE(1 == 2)\n") != NULL);
}

TEST(harness_registers_tests_in_source_order)
{
    ASSERT_TRUE(test_state.count >= 7);
    ASSERT_TRUE(strcmp(test_state.tests[0].name, "harness_assert_eq_passes_on_equal_values") == 0);
}
