/* SPDX-License-Identifier: MIT */
/*
 * musltest: the first proof that a musl program runs on Courier (issue #4). Run it as
 *
 *     musltest alpha 'beta gamma'     with COURIER_TEST=1 in its environment
 *
 * It checks, in order: its arguments and that variable; printf's formatting of integers,
 * strings and floats (through snprintf, compared with the expected text) and strtod;
 * malloc, calloc, realloc and free of blocks from 1 byte to 3 MiB (above 128 KiB musl
 * maps each block with mmap), each filled and checked; qsort; getpid; the clocks
 * (CLOCK_MONOTONIC never going back, CLOCK_REALTIME readable); a 1 ms nanosleep taking at
 * least 1 ms; and that a Linux call nobody implements fails with ENOSYS and the program
 * goes on. Each failed check prints `MUSLTEST FAIL <what>`; the last line is
 * `MUSLTEST PASS` and the exit status 0, or `MUSLTEST FAIL <n> checks` and 1.
 *
 * The same program runs on the host Linux, linked with tests/musl/host_posix.S instead
 * of libposix (make posix-test), which proves the checks themselves; the unimplemented
 * calls it tries (tuxcall, number 1000) are ENOSYS on Linux too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum {
    BLOCKS = 96,            /* blocks live at once in the malloc check */
    SORT_COUNT = 2000,      /* ints qsort sorts */
    CLOCK_SAMPLES = 1000,   /* CLOCK_MONOTONIC reads that must never go back */
    SLEEP_NS = 1000000,     /* the nanosleep: 1 ms */
    NO_SUCH_CALL = 1000,    /* past every Linux number, and past libposix's table */
};

/* From 1 byte to 3 MiB: small classes, page edges, and mmap-sized blocks (> 128 KiB). */
static const size_t block_sizes[] = {
    1, 2, 3, 7, 8, 15, 16, 24, 31, 64, 100, 255, 256, 1000, 4095, 4096, 4097, 10000,
    65536, 100000, 131072, 140000, 262144, 1 << 20, 3 << 20,
};
#define NSIZES (sizeof(block_sizes) / sizeof(block_sizes[0]))

static int failures;

static void
fail(const char *what)
{
    printf("MUSLTEST FAIL %s\n", what);
    failures++;
}

static void
check_args(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "alpha") != 0 || strcmp(argv[2], "beta gamma") != 0) {
        fail("argv (want: musltest alpha 'beta gamma')");
    }
    const char *v = getenv("COURIER_TEST");
    if (v == NULL || strcmp(v, "1") != 0) {
        fail("environment (want COURIER_TEST=1)");
    }
}

/* snprintf(fmt, ...) must give want. */
static void
expect_format(const char *want, const char *fmt, ...)
{
    char buf[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (strcmp(buf, want) != 0) {
        printf("MUSLTEST FAIL printf \"%s\": got \"%s\", want \"%s\"\n", fmt, buf, want);
        failures++;
    }
}

static void
check_printf(void)
{
    expect_format("42 -7 4294967295 ff 0x1f", "%d %i %u %x %#x", 42, -7, UINT_MAX, 255, 31);
    expect_format("-2147483648 9223372036854775807", "%d %lld", INT_MIN, LLONG_MAX);
    expect_format("[hello] [  abc] [abc  ] [ab]", "[%s] [%5s] [%-5s] [%.2s]", "hello", "abc",
                  "abc", "abc");
    expect_format("3.14 2.718282 1.234568e+04 0.0001 1e+300", "%.2f %f %e %g %g", 3.14159,
                  2.718281828, 12345.678, 0.0001, 1e300);
    expect_format("-0.5 inf nan", "%g %g %g", -0.5, INFINITY, NAN);
    if (strtod("6.02214076e23", NULL) != 6.02214076e23 || strtod("-1.5", NULL) != -1.5) {
        fail("strtod");
    }
    printf("musltest: int %d string %s float %.3f\n", 42, "hello", 3.14159);
}

static unsigned char
pattern(size_t block, size_t i)
{
    return (unsigned char)(block * 31 + i * 7 + 1);
}

static void
fill(unsigned char *p, size_t len, size_t block)
{
    for (size_t i = 0; i < len; i++) {
        p[i] = pattern(block, i);
    }
}

static int
intact(const unsigned char *p, size_t len, size_t block)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != pattern(block, i)) {
            return 0;
        }
    }
    return 1;
}

static void
check_malloc(void)
{
    unsigned char *blocks[BLOCKS];
    size_t lens[BLOCKS];

    /* Two rounds: all allocated and filled, every other one freed and allocated again
     * with another size, all checked, all freed. */
    for (size_t b = 0; b < BLOCKS; b++) {
        lens[b] = block_sizes[b % NSIZES];
        blocks[b] = malloc(lens[b]);
        if (blocks[b] == NULL) {
            fail("malloc returned NULL");
            return;
        }
        fill(blocks[b], lens[b], b);
    }
    for (size_t b = 0; b < BLOCKS; b += 2) {
        if (!intact(blocks[b], lens[b], b)) {
            fail("malloc block overwritten");
        }
        free(blocks[b]);
        lens[b] = block_sizes[(b * 7 + 3) % NSIZES];
        blocks[b] = malloc(lens[b]);
        if (blocks[b] == NULL) {
            fail("malloc returned NULL after free");
            return;
        }
        fill(blocks[b], lens[b], b);
    }
    for (size_t b = 0; b < BLOCKS; b++) {
        if (!intact(blocks[b], lens[b], b)) {
            fail("malloc block overwritten");
        }
        free(blocks[b]);
    }

    unsigned *z = calloc(300000, sizeof(*z));
    if (z == NULL) {
        fail("calloc returned NULL");
    } else {
        for (size_t i = 0; i < 300000; i++) {
            if (z[i] != 0) {
                fail("calloc memory not zero");
                break;
            }
        }
        free(z);
    }

    /* Grown from a small block into an mmap-sized one: the contents must move along. */
    unsigned char *r = malloc(100);
    unsigned char *r2;
    if (r == NULL) {
        fail("malloc returned NULL");
        return;
    }
    fill(r, 100, 7);
    r2 = realloc(r, 300000);
    if (r2 == NULL) {
        fail("realloc returned NULL");
        free(r);
        return;
    }
    if (!intact(r2, 100, 7)) {
        fail("realloc lost the contents");
    }
    fill(r2, 300000, 8);
    r = realloc(r2, 2 << 20);
    if (r == NULL || !intact(r, 300000, 8)) {
        fail("realloc of an mmap block");
    }
    free(r != NULL ? r : r2);
}

static int
compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a;
    int y = *(const int *)b;
    return (x > y) - (x < y);
}

static void
check_qsort(void)
{
    static int v[SORT_COUNT];
    uint32_t seed = 12345;
    long long sum = 0;
    long long after = 0;

    for (int i = 0; i < SORT_COUNT; i++) {
        seed = seed * 1103515245u + 12345u;
        v[i] = (int)(seed >> 8) - (1 << 23);
        sum += v[i];
    }
    qsort(v, SORT_COUNT, sizeof(v[0]), compare_ints);
    for (int i = 0; i < SORT_COUNT; i++) {
        after += v[i];
        if (i > 0 && v[i - 1] > v[i]) {
            fail("qsort: not sorted");
            return;
        }
    }
    if (after != sum) {
        fail("qsort: elements changed");
    }
}

static long long
ns(const struct timespec *t)
{
    return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void
check_time(void)
{
    struct timespec first;
    struct timespec prev;
    struct timespec now;

    if (getpid() <= 0) {
        fail("getpid");
    }
    if (clock_gettime(CLOCK_MONOTONIC, &first) != 0 || clock_gettime(CLOCK_REALTIME, &now) != 0) {
        fail("clock_gettime");
        return;
    }
    prev = first;
    for (int i = 0; i < CLOCK_SAMPLES; i++) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (ns(&now) < ns(&prev)) {
            fail("CLOCK_MONOTONIC went back");
            return;
        }
        prev = now;
    }
    if (ns(&now) <= ns(&first)) {
        fail("CLOCK_MONOTONIC does not advance");
    }

    struct timespec req = { .tv_sec = 0, .tv_nsec = SLEEP_NS };
    struct timespec before;
    struct timespec after;
    clock_gettime(CLOCK_MONOTONIC, &before);
    if (nanosleep(&req, NULL) != 0) {
        fail("nanosleep");
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &after);
    if (ns(&after) - ns(&before) < SLEEP_NS) {
        fail("nanosleep returned early");
    }
}

static void
check_enosys(void)
{
    errno = 0;
    if (syscall(SYS_tuxcall) != -1 || errno != ENOSYS) {
        fail("syscall(SYS_tuxcall): want -1 and ENOSYS");
    }
    errno = 0;
    if (syscall(NO_SUCH_CALL, 1, 2, 3, 4, 5, 6) != -1 || errno != ENOSYS) {
        fail("syscall(1000): want -1 and ENOSYS");
    }
}

int
main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    check_args(argc, argv);
    check_printf();
    check_enosys();
    check_malloc();
    check_qsort();
    check_time();
    if (failures != 0) {
        printf("MUSLTEST FAIL %d checks\n", failures);
        return 1;
    }
    printf("MUSLTEST PASS\n");
    return 0;
}
