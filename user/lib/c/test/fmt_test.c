/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the interim C library's formatter (user/lib/c/fmt.c): each conversion,
 * flag, width, precision and length modifier against its ISO C result, truncation and
 * the return value of fmt_snprintf, the emit callback's total, and a differential run
 * against the host libc's snprintf over a grid of formats and values (everything except
 * %p, whose null spelling libc chooses freely). fmt.c defines no libc names, so the host's
 * own snprintf, which the harness uses for its messages, is untouched.
 */
/* test-sources: user/lib/c/fmt.c */
#include "test.h"

#include <limits.h>
#include <stdint.h>

#include <courier/lib/fmt.h>

/* Formats with fmt_snprintf and fails the test unless the result is exactly `want`. */
#define ASSERT_FMT(want, ...)                                                            \
    do {                                                                                 \
        char fmt_got_[256];                                                              \
        int fmt_n_ = fmt_snprintf(fmt_got_, sizeof(fmt_got_), __VA_ARGS__);             \
        if (strcmp(fmt_got_, (want)) != 0 || fmt_n_ != (int)strlen(want)) {             \
            char fmt_msg_[700];                                                          \
            snprintf(fmt_msg_, sizeof(fmt_msg_), "%s: want \"%s\", got \"%s\" (%d)",     \
                     #__VA_ARGS__, (want), fmt_got_, fmt_n_);                            \
            test_fail(__FILE__, __LINE__, fmt_msg_);                                     \
            return;                                                                      \
        }                                                                                \
    } while (0)

TEST(fmt_plain_text_and_percent)
{
    ASSERT_FMT("", "%s", "");
    ASSERT_FMT("hello", "hello");
    ASSERT_FMT("100%", "100%%");
    ASSERT_FMT("%%", "%%%%");
}

TEST(fmt_signed_decimal)
{
    ASSERT_FMT("0", "%d", 0);
    ASSERT_FMT("42 -42", "%d %i", 42, -42);
    ASSERT_FMT("-2147483648", "%d", INT_MIN);
    ASSERT_FMT("2147483647", "%d", INT_MAX);
    ASSERT_FMT("-9223372036854775808", "%lld", LLONG_MIN);
    ASSERT_FMT("9223372036854775807", "%ld", LONG_MAX);
    ASSERT_FMT("-1", "%zd", (long)-1);
    ASSERT_FMT("-128 -32768", "%hhd %hd", 128, 32768);
}

TEST(fmt_unsigned_and_hex)
{
    ASSERT_FMT("4294967295", "%u", UINT_MAX);
    ASSERT_FMT("18446744073709551615", "%llu", ULLONG_MAX);
    ASSERT_FMT("18446744073709551615", "%zu", SIZE_MAX);
    ASSERT_FMT("deadbeef DEADBEEF", "%x %X", 0xdeadbeefu, 0xdeadbeefu);
    ASSERT_FMT("ffffffffffffffff", "%lx", ULONG_MAX);
    ASSERT_FMT("ff", "%hhx", 0x1ff);
    ASSERT_FMT("0x1f 0X1F 0", "%#x %#X %#x", 0x1f, 0x1f, 0);
    ASSERT_FMT("17 017 0", "%o %#o %#o", 15, 15, 0);
}

TEST(fmt_width_and_padding)
{
    ASSERT_FMT("   42", "%5d", 42);
    ASSERT_FMT("42   |", "%-5d|", 42);
    ASSERT_FMT("00042", "%05d", 42);
    ASSERT_FMT("-0042", "%05d", -42);
    ASSERT_FMT("0x002a", "%#06x", 42);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    /* ISO C: '-' overrides '0'. */
    ASSERT_FMT("42   |", "%-05d|", 42);
#pragma GCC diagnostic pop
    ASSERT_FMT("+42 -42  42", "%+d %+d % d", 42, -42, 42);
    ASSERT_FMT("   ab", "%*s", 5, "ab");
    ASSERT_FMT("ab   |", "%*s|", -5, "ab");
    ASSERT_FMT("123456", "%3d", 123456);
}

TEST(fmt_precision)
{
    ASSERT_FMT("00042", "%.5d", 42);
    ASSERT_FMT("  00042", "%7.5d", 42);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    /* ISO C: a precision makes '0' ignored for integers. */
    ASSERT_FMT("  00042", "%07.5d", 42);
#pragma GCC diagnostic pop
    ASSERT_FMT("", "%.0d", 0);
    ASSERT_FMT("   ", "%3.0x", 0);
    ASSERT_FMT("abc", "%.3s", "abcdef");
    ASSERT_FMT("ab", "%.*s", 2, "abcdef");
    ASSERT_FMT("abcdef", "%.*s", -1, "abcdef");
}

TEST(fmt_strings_chars_pointers)
{
    ASSERT_FMT("x", "%c", 'x');
    ASSERT_FMT("  x|x  ", "%3c|%-3c", 'x', 'x');
    const char *volatile null_str = NULL; /* volatile: hide the NULL from -Wformat-overflow */
    ASSERT_FMT("(null)", "%s", null_str);
    ASSERT_FMT("0x1000", "%p", (void *)0x1000);
    ASSERT_FMT("0x0", "%p", (void *)NULL);
    ASSERT_FMT("0xffff800000000000", "%p", (void *)0xffff800000000000ull);
    ASSERT_FMT("    0x10", "%8p", (void *)0x10);
}

TEST(fmt_unknown_conversion_is_copied)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
    ASSERT_FMT("a%qb", "a%qb");
    ASSERT_FMT("a%-5qb", "a%-5qb");
    ASSERT_FMT("end%", "end%");
    ASSERT_FMT("end%l", "end%l");
#pragma GCC diagnostic pop
}

TEST(fmt_truncation_and_return_value)
{
    char buf[8];
    memset(buf, 'X', sizeof(buf));
    ASSERT_EQ(fmt_snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
    ASSERT_TRUE(strcmp(buf, "0123456") == 0);

    memset(buf, 'X', sizeof(buf));
    ASSERT_EQ(fmt_snprintf(buf, 1, "abc"), 3);
    ASSERT_EQ(buf[0], '\0');
    ASSERT_EQ(buf[1], 'X');

    memset(buf, 'X', sizeof(buf));
    ASSERT_EQ(fmt_snprintf(buf, 0, "abc"), 3);
    ASSERT_EQ(buf[0], 'X');
    ASSERT_EQ(fmt_snprintf(NULL, 0, "%d", 12345), 5);

    memset(buf, 'X', sizeof(buf));
    ASSERT_EQ(fmt_snprintf(buf, sizeof(buf), "%7d", 1), 7);
    ASSERT_TRUE(strcmp(buf, "      1") == 0);
}

/* Collects fmt_vformat's output and counts the callbacks. */
struct sink {
    char text[64];
    size_t len;
    int calls;
};

static void
sink_emit(void *ctx, const char *s, size_t n)
{
    struct sink *k = ctx;
    for (size_t i = 0; i < n && k->len + 1 < sizeof(k->text); i++) {
        k->text[k->len++] = s[i];
    }
    k->text[k->len] = '\0';
    k->calls++;
}

static int
vformat(struct sink *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vformat(sink_emit, k, fmt, ap);
    va_end(ap);
    return n;
}

TEST(fmt_vformat_emits_runs)
{
    struct sink k = { .len = 0, .calls = 0 };
    ASSERT_EQ(vformat(&k, "id=%d name=%s%40s|", 7, "x", ""), 52);
    ASSERT_EQ(k.len, 52);
    ASSERT_TRUE(strncmp(k.text, "id=7 name=x    ", 15) == 0);
    /* Padding goes out in chunks, not one callback per character. */
    ASSERT_TRUE(k.calls < 12);
}

/* fmt_snprintf and the host's snprintf must agree on every format below. */
TEST(fmt_matches_host_libc)
{
    static const char *const int_fmts[] = {
        "%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%.3d", "%8.3d", "%-8.3d|", "%08.3d",
        "%+05d", "% 05d", "%.0d", "%x", "%#x", "%#08x", "%X", "%#X", "%o", "%#o", "%u",
        "%10u", "%-10u|", "%hhd", "%hd", "%hhu", "%hx",
    };
    static const int int_vals[] = { 0, 1, -1, 7, 42, -42, 255, 256, 65535, 65536,
                                    INT_MAX, INT_MIN, 123456789 };
    static const char *const long_fmts[] = {
        "%ld", "%lu", "%lx", "%#lx", "%20ld", "%-20ld|", "%020lld", "%.20lld", "%llo",
        "%zu", "%zx", "%jd", "%td",
    };
    static const long long long_vals[] = { 0, 1, -1, LLONG_MAX, LLONG_MIN, 0x123456789abcLL,
                                           -0x123456789abcLL, 4294967296LL };
    static const char *const str_fmts[] = { "%s", "%10s", "%-10s|", "%.2s", "%10.2s", "%c" };
    static const char *const str_vals[] = { "", "a", "hello", "a longer string" };
    char want[128];
    char got[128];
    char msg[512];

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
#pragma GCC diagnostic ignored "-Wformat"
    for (size_t i = 0; i < sizeof(int_fmts) / sizeof(int_fmts[0]); i++) {
        for (size_t j = 0; j < sizeof(int_vals) / sizeof(int_vals[0]); j++) {
            int wn = snprintf(want, sizeof(want), int_fmts[i], int_vals[j]);
            int gn = fmt_snprintf(got, sizeof(got), int_fmts[i], int_vals[j]);
            if (wn != gn || strcmp(want, got) != 0) {
                snprintf(msg, sizeof(msg), "%s of %d: libc \"%s\", fmt \"%s\"", int_fmts[i],
                         int_vals[j], want, got);
                test_fail(__FILE__, __LINE__, msg);
                return;
            }
        }
    }
    for (size_t i = 0; i < sizeof(long_fmts) / sizeof(long_fmts[0]); i++) {
        for (size_t j = 0; j < sizeof(long_vals) / sizeof(long_vals[0]); j++) {
            int wn = snprintf(want, sizeof(want), long_fmts[i], long_vals[j]);
            int gn = fmt_snprintf(got, sizeof(got), long_fmts[i], long_vals[j]);
            if (wn != gn || strcmp(want, got) != 0) {
                snprintf(msg, sizeof(msg), "%s of %lld: libc \"%s\", fmt \"%s\"", long_fmts[i],
                         long_vals[j], want, got);
                test_fail(__FILE__, __LINE__, msg);
                return;
            }
        }
    }
    for (size_t i = 0; i < sizeof(str_fmts) / sizeof(str_fmts[0]); i++) {
        for (size_t j = 0; j < sizeof(str_vals) / sizeof(str_vals[0]); j++) {
            int is_char = strcmp(str_fmts[i], "%c") == 0;
            int wn = is_char ? snprintf(want, sizeof(want), str_fmts[i], str_vals[j][0] | 'A')
                             : snprintf(want, sizeof(want), str_fmts[i], str_vals[j]);
            int gn = is_char
                         ? fmt_snprintf(got, sizeof(got), str_fmts[i], str_vals[j][0] | 'A')
                         : fmt_snprintf(got, sizeof(got), str_fmts[i], str_vals[j]);
            if (wn != gn || strcmp(want, got) != 0) {
                snprintf(msg, sizeof(msg), "%s of \"%s\": libc \"%s\", fmt \"%s\"",
                         str_fmts[i], str_vals[j], want, got);
                test_fail(__FILE__, __LINE__, msg);
                return;
            }
        }
    }
#pragma GCC diagnostic pop
}
