/* SPDX-License-Identifier: MIT */
/*
 * The host unit-test harness: one header, no library. A test file includes it and writes
 *
 *     TEST(cdt_revoke_removes_all_descendants) { ... ASSERT_EQ(n, 0); ... }
 *
 * TEST registers the function from a constructor; the main() below runs every registered
 * test in turn (or only those whose name contains argv[1]) and prints `PASS <name>` or
 * `FAIL <name>: <file>:<line>: <what>`, then `TESTS DONE`, and exits 1 if any failed.
 * That is the same line protocol as the system tests, so tools/test-report.sh reads both;
 * a test binary that dies early never prints `TESTS DONE` and is counted as a crash.
 *
 * A failing ASSERT_* prints its FAIL line and returns from the enclosing function: that
 * is the one piece of hidden control flow the style guide allows here, because a test
 * must stop at its first broken expectation. In a helper function that asserts, check
 * test_failed() after the call. One test file is one program; define TEST_NO_MAIN to
 * provide your own main() that calls test_run_all().
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <courier/abi/errors.h>

enum {
    TEST_MAX = 1024, /* tests in one binary; registration past this is reported */
};

struct test_case {
    const char *name;
    void (*fn)(void);
};

/* Harness state: the registered tests, the running one and whether it has failed. */
static struct test_state {
    struct test_case tests[TEST_MAX];
    int count;
    int dropped;
    const char *current;
    bool failed;
} test_state;

static inline void
test_register(const char *name, void (*fn)(void))
{
    if (test_state.count == TEST_MAX) {
        test_state.dropped++;
        return;
    }
    test_state.tests[test_state.count].name = name;
    test_state.tests[test_state.count].fn = fn;
    test_state.count++;
}

/*
 * xorshift64*: a fixed, portable pseudo-random sequence for randomized tests, so that a
 * failure reproduces from the seed. *state is the generator (seed it non-zero).
 */
static inline uint64_t
test_rng(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545f4914f6cdd1dull;
}

/* True once an assertion in the running test has failed. */
static inline bool
test_failed(void)
{
    return test_state.failed;
}

/* Records the failure of the running test; only its first failure is printed. */
static inline void
test_fail(const char *file, int line, const char *what)
{
    if (!test_state.failed) {
        printf("FAIL %s: %s:%d: %s\n", test_state.current, file, line, what);
        fflush(stdout);
    }
    test_state.failed = true;
}

/* Formats an error code the way the ABI spells it: "-EINVAL (-22)", "OK (0)". */
static inline const char *
test_errstr(char *buf, size_t len, long long rc)
{
    snprintf(buf, len, "%s%s (%lld)", rc < 0 ? "-" : "", cr_errname((int)rc), rc);
    return buf;
}

#define TEST(name)                                                                                 \
    static void test_fn_##name(void);                                                              \
    __attribute__((constructor)) static void test_reg_##name(void)                                 \
    {                                                                                              \
        test_register(#name, test_fn_##name);                                                      \
    }                                                                                              \
    static void test_fn_##name(void)

#define ASSERT_TRUE(x)                                                                             \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            test_fail(__FILE__, __LINE__, "ASSERT_TRUE(" #x ")");                                  \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define ASSERT_EQ(a, b)                                                                            \
    do {                                                                                           \
        long long test_a_ = (long long)(a);                                                        \
        long long test_b_ = (long long)(b);                                                        \
        if (test_a_ != test_b_) {                                                                  \
            char test_msg_[512];                                                                   \
            snprintf(test_msg_, sizeof(test_msg_), "ASSERT_EQ(%s, %s): %lld != %lld", #a, #b,      \
                     test_a_, test_b_);                                                            \
            test_fail(__FILE__, __LINE__, test_msg_);                                              \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define ASSERT_NE(a, b)                                                                            \
    do {                                                                                           \
        long long test_a_ = (long long)(a);                                                        \
        long long test_b_ = (long long)(b);                                                        \
        if (test_a_ == test_b_) {                                                                  \
            char test_msg_[512];                                                                   \
            snprintf(test_msg_, sizeof(test_msg_), "ASSERT_NE(%s, %s): both %lld", #a, #b,         \
                     test_a_);                                                                     \
            test_fail(__FILE__, __LINE__, test_msg_);                                              \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* ASSERT_ERR(-CR_EINVAL, rc): rc must be exactly that code (0 for success). */
#define ASSERT_ERR(code, rc)                                                                       \
    do {                                                                                           \
        long long test_want_ = (long long)(code);                                                  \
        long long test_got_ = (long long)(rc);                                                     \
        if (test_want_ != test_got_) {                                                             \
            char test_msg_[512];                                                                   \
            char test_w_[64];                                                                      \
            char test_g_[64];                                                                      \
            snprintf(test_msg_, sizeof(test_msg_), "ASSERT_ERR(%s, %s): want %s, got %s", #code,   \
                     #rc, test_errstr(test_w_, sizeof(test_w_), test_want_),                       \
                     test_errstr(test_g_, sizeof(test_g_), test_got_));                            \
            test_fail(__FILE__, __LINE__, test_msg_);                                              \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/*
 * Runs every registered test whose name contains filter (all of them if filter is NULL)
 * and prints the PASS/FAIL lines and TESTS DONE. Returns the number of failed tests.
 */
static inline int
test_run_all(const char *filter)
{
    int failed = 0;

    if (test_state.dropped > 0) {
        printf("FAIL harness: %d tests over TEST_MAX were not run\n", test_state.dropped);
        failed++;
    }
    for (int i = 0; i < test_state.count; i++) {
        const struct test_case *t = &test_state.tests[i];

        if (filter != NULL && strstr(t->name, filter) == NULL) {
            continue;
        }
        test_state.current = t->name;
        test_state.failed = false;
        t->fn();
        if (test_state.failed) {
            failed++;
        } else {
            printf("PASS %s\n", t->name);
        }
        fflush(stdout);
    }
    printf("TESTS DONE\n");
    fflush(stdout);
    return failed;
}

#ifndef TEST_NO_MAIN
int
main(int argc, char **argv)
{
    /* Line-buffered, so a sanitizer abort still leaves the earlier lines in the log. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    return test_run_all(argc > 1 ? argv[1] : NULL) > 0 ? 1 : 0;
}
#endif
