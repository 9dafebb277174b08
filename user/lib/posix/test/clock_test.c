/* SPDX-License-Identifier: MIT */
/*
 * Host tests of clock.c's pure parts: which clocks are served, nanoseconds to a
 * timespec, and the deadline of a sleep (relative and absolute, the exact refusals of a
 * malformed time, and saturation instead of wrapping for a sleep of centuries).
 */
/* test-sources: user/lib/posix/clock.c user/lib/posix/errmap.c */
#include "test.h"

#include <stdint.h>

#include "user/lib/posix/clock.h"
#include "user/lib/posix/linux.h"

#define NS 1000000000ull

TEST(clock_serves_the_boot_clock_under_every_name)
{
    ASSERT_TRUE(clock_is_supported(LINUX_CLOCK_REALTIME));
    ASSERT_TRUE(clock_is_supported(LINUX_CLOCK_MONOTONIC));
    ASSERT_TRUE(clock_is_supported(LINUX_CLOCK_MONOTONIC_RAW));
    ASSERT_TRUE(clock_is_supported(LINUX_CLOCK_REALTIME_COARSE));
    ASSERT_TRUE(clock_is_supported(LINUX_CLOCK_MONOTONIC_COARSE));
    ASSERT_TRUE(clock_is_supported(LINUX_CLOCK_BOOTTIME));
}

TEST(clock_refuses_cpu_time_and_unknown_clocks)
{
    ASSERT_TRUE(!clock_is_supported(LINUX_CLOCK_PROCESS_CPUTIME_ID));
    ASSERT_TRUE(!clock_is_supported(LINUX_CLOCK_THREAD_CPUTIME_ID));
    ASSERT_TRUE(!clock_is_supported(8));  /* CLOCK_REALTIME_ALARM */
    ASSERT_TRUE(!clock_is_supported(11)); /* CLOCK_TAI */
    ASSERT_TRUE(!clock_is_supported(-1)); /* a dynamic (fd or pid) clock */
    ASSERT_TRUE(!clock_is_supported(1L << 32));
}

TEST(clock_timespec_splits_nanoseconds)
{
    struct linux_timespec t = clock_timespec(0);
    ASSERT_EQ(t.tv_sec, 0);
    ASSERT_EQ(t.tv_nsec, 0);
    t = clock_timespec(NS - 1);
    ASSERT_EQ(t.tv_sec, 0);
    ASSERT_EQ(t.tv_nsec, 999999999);
    t = clock_timespec(5 * NS + 7);
    ASSERT_EQ(t.tv_sec, 5);
    ASSERT_EQ(t.tv_nsec, 7);
    t = clock_timespec(UINT64_MAX);
    ASSERT_EQ(t.tv_sec, UINT64_MAX / NS);
    ASSERT_EQ(t.tv_nsec, UINT64_MAX % NS);
}

TEST(clock_deadline_relative_and_absolute)
{
    struct linux_timespec ts = { 2, 500 };
    uint64_t d = 0;

    ASSERT_ERR(0, clock_deadline(1000, &ts, false, &d));
    ASSERT_EQ(d, 1000 + 2 * NS + 500);
    ASSERT_ERR(0, clock_deadline(1000, &ts, true, &d));
    ASSERT_EQ(d, 2 * NS + 500);
    ts = (struct linux_timespec){ 0, 0 };
    ASSERT_ERR(0, clock_deadline(77, &ts, false, &d));
    ASSERT_EQ(d, 77);
    ts = (struct linux_timespec){ 0, 999999999 };
    ASSERT_ERR(0, clock_deadline(0, &ts, false, &d));
    ASSERT_EQ(d, 999999999);
}

TEST(clock_deadline_refuses_malformed_times)
{
    const struct linux_timespec bad[] = { { 0, -1 }, { 0, 1000000000 }, { -1, 0 },
                                          { INT64_MIN, 0 }, { 0, INT64_MAX } };
    uint64_t d = 12345;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT_ERR(-LINUX_EINVAL, clock_deadline(0, &bad[i], false, &d));
        ASSERT_ERR(-LINUX_EINVAL, clock_deadline(0, &bad[i], true, &d));
        ASSERT_EQ(d, 12345);
    }
}

TEST(clock_deadline_saturates_instead_of_wrapping)
{
    struct linux_timespec ts = { INT64_MAX, 999999999 };
    uint64_t d = 0;

    ASSERT_ERR(0, clock_deadline(5, &ts, false, &d));
    ASSERT_EQ(d, UINT64_MAX);
    ASSERT_ERR(0, clock_deadline(0, &ts, true, &d));
    ASSERT_EQ(d, UINT64_MAX);
    /* The largest second count that still fits, and one more. */
    ts = (struct linux_timespec){ (int64_t)(UINT64_MAX / NS), 0 };
    ASSERT_ERR(0, clock_deadline(0, &ts, false, &d));
    ASSERT_EQ(d, (UINT64_MAX / NS) * NS);
    ASSERT_ERR(0, clock_deadline(UINT64_MAX - 1, &ts, false, &d));
    ASSERT_EQ(d, UINT64_MAX);
    ts = (struct linux_timespec){ 0, 5 };
    ASSERT_ERR(0, clock_deadline(UINT64_MAX - 2, &ts, false, &d));
    ASSERT_EQ(d, UINT64_MAX);
}
