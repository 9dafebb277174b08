/* SPDX-License-Identifier: MIT */
/*
 * The system-test runner. It walks the crtests registry (see tests.h) in link order, runs
 * each test whose name starts with the filter, and prints one line per test, exactly
 * `PASS <name>` or `FAIL <name>: <file>:<line>: <what>` (the first failed check; later
 * ones are only counted), then `<N> passed, <M> failed` and `TESTS DONE`. The host runner
 * (tools/) reads these lines from the serial console; a hang is caught by its timeout.
 * Check results go to one runner state, so checks may be made from helper threads too, as
 * long as the test waits for them before it returns.
 */
#include "tests.h"

#include <stdarg.h>

#include <courier/lib/fmt.h>
#include <courier/lib/print.h>
#include <courier/lib/string.h>

/* Bounds of the registry, set by user/lib/crt/user.ld. */
extern const struct test_case __start_crtests[];
extern const struct test_case __stop_crtests[];

/* Room for one failure description. */
#define TEST_WHAT_MAX 200

static struct testrun_state {
    int failures;             /* failed checks in the current test */
    const char *file;         /* where the first one was */
    int line;
    char what[TEST_WHAT_MAX]; /* and what it said */
} run;

/* Records a failed check; only the first of a test keeps its description. */
static void
test_vfail(const char *file, int line, const char *fmt, va_list ap)
{
    run.failures++;
    if (run.failures == 1) {
        run.file = file;
        run.line = line;
        vsnprintf(run.what, sizeof(run.what), fmt, ap);
    }
}

/* Records a free-form failure of the current test (TEST_FAIL). */
void
test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    test_vfail(file, line, fmt, ap);
    va_end(ap);
}

/* EXPECT_TRUE: records a failure unless ok. Returns ok. */
bool
test_expect_true(const char *file, int line, const char *expr, bool ok)
{
    if (!ok) {
        test_fail(file, line, "%s is false", expr);
    }
    return ok;
}

/* EXPECT_EQ: compares as 64-bit words; a failure shows both values signed and in hex. */
bool
test_expect_eq(const char *file, int line, const char *ea, const char *eb, uint64_t a,
               uint64_t b)
{
    if (a != b) {
        test_fail(file, line, "%s == %s: %lld (%#llx) != %lld (%#llx)", ea, eb, (long long)a,
                  (unsigned long long)a, (long long)b, (unsigned long long)b);
    }
    return a == b;
}

/*
 * EXPECT_ERR / EXPECT_OK: rc must be exactly `want` (0, or a negative error code). A
 * failure names both codes, e.g. "rc: want -ENOCAP (-513), got -EBADCAP (-512)"; a
 * positive `want` is a mistake in the test and fails with that said.
 */
bool
test_expect_err(const char *file, int line, const char *expr, int64_t want, int64_t rc)
{
    if (want > 0) {
        test_fail(file, line, "EXPECT_ERR(%lld, %s): the expected code must be negative",
                  (long long)want, expr);
        return false;
    }
    if (rc == want) {
        return true;
    }
    const char *want_sign = want < 0 ? "-" : "";
    if (rc > 0) {
        test_fail(file, line, "%s: want %s%s (%lld), got %lld", expr, want_sign,
                  cr_errname((int)want), (long long)want, (long long)rc);
    } else {
        const char *got_sign = rc < 0 ? "-" : "";
        /* Values below INT32_MIN are no error code; show them as numbers only. */
        const char *got = rc >= INT32_MIN ? cr_errname((int)rc) : "E?";
        test_fail(file, line, "%s: want %s%s (%lld), got %s%s (%lld)", expr, want_sign,
                  cr_errname((int)want), (long long)want, got_sign, got, (long long)rc);
    }
    return false;
}

/*
 * Runs every registered test whose name begins with `filter` (all of them for NULL or "")
 * and prints the report described in the file comment. Returns the number that failed.
 */
int
testrun_all(const char *filter)
{
    size_t flen = filter != NULL ? strlen(filter) : 0;
    int passed = 0;
    int failed = 0;
    for (const struct test_case *tc = __start_crtests; tc < __stop_crtests; tc++) {
        if (flen > 0 && strncmp(tc->name, filter, flen) != 0) {
            continue;
        }
        run.failures = 0;
        run.file = NULL;
        run.line = 0;
        run.what[0] = '\0';
        printf("RUN %s\n", tc->name); /* names the culprit if the test hangs */
        tc->fn();
        if (run.failures == 0) {
            printf("PASS %s\n", tc->name);
            passed++;
            continue;
        }
        failed++;
        if (run.failures == 1) {
            printf("FAIL %s: %s:%d: %s\n", tc->name, run.file, run.line, run.what);
        } else {
            printf("FAIL %s: %s:%d: %s (and %d more failed checks)\n", tc->name, run.file,
                   run.line, run.what, run.failures - 1);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    printf("TESTS DONE\n");
    return failed;
}
