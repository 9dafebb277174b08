/* SPDX-License-Identifier: MIT */
/*
 * The clocks and sleeping. Courier has one clock, the kernel's nanoseconds since boot
 * (clock_get, from the calibrated TSC), and every clock libposix serves reads it:
 * CLOCK_MONOTONIC, _RAW, _COARSE and CLOCK_BOOTTIME exactly, and CLOCK_REALTIME (and
 * _COARSE) too, so wall-clock time starts at the Epoch at boot until something sets the
 * time of day (TODO: an RTC or time server). The CPU-time clocks are not kept and, like
 * any unknown clock, are EINVAL.
 *
 * A sleep is a wait on the process's own notification (CR_SLOT_NTFN) with a deadline
 * (timeout_set): the wait ending with ETIMEDOUT means the deadline has passed, that is,
 * the sleep is done. Nothing signals that notification yet; a wait that ends otherwise
 * (bits arrived, or the thread was suspended and resumed) waits again for the rest of the
 * time, up to CLOCK_MAX_WAKES times, and then returns EINTR with the time left, which
 * POSIX allows a sleep to do at any time. The bits such a wake consumes are lost: when
 * something comes to signal the notification, the sleeper must pass them on.
 */
#include "clock.h"

#include <stddef.h>

#include <courier/proto/proto.h>
#include <courier/sys.h>

#include "errmap.h"
#include "linux.h"

enum {
    CLOCK_NS_PER_SEC = 1000000000,
    CLOCK_NS_PER_USEC = 1000,
    CLOCK_MAX_WAKES = 64, /* early wake-ups one sleep absorbs before it returns EINTR */
};

/* True for the clocks libposix serves (all of them the boot clock). */
bool
clock_is_supported(long clk)
{
    switch (clk) {
    case LINUX_CLOCK_REALTIME:
    case LINUX_CLOCK_MONOTONIC:
    case LINUX_CLOCK_MONOTONIC_RAW:
    case LINUX_CLOCK_REALTIME_COARSE:
    case LINUX_CLOCK_MONOTONIC_COARSE:
    case LINUX_CLOCK_BOOTTIME:
        return true;
    default:
        return false;
    }
}

/* ns since boot as a timespec. */
struct linux_timespec
clock_timespec(uint64_t ns)
{
    return (struct linux_timespec){ .tv_sec = (int64_t)(ns / CLOCK_NS_PER_SEC),
                                    .tv_nsec = (int64_t)(ns % CLOCK_NS_PER_SEC) };
}

/*
 * The deadline, in ns since boot, of a sleep for ts (relative to now, or absolute: a
 * time on the boot clock), in *deadline; a deadline past 2^64 - 1 ns (584 years) is
 * UINT64_MAX. Returns 0, or -EINVAL for a negative tv_sec or a tv_nsec outside
 * 0..999999999.
 */
long
clock_deadline(uint64_t now, const struct linux_timespec *ts, bool absolute, uint64_t *deadline)
{
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= CLOCK_NS_PER_SEC) {
        return -LINUX_EINVAL;
    }
    uint64_t base = absolute ? 0 : now;
    uint64_t sec = (uint64_t)ts->tv_sec;
    uint64_t nsec = (uint64_t)ts->tv_nsec;
    if (base > UINT64_MAX - nsec || sec > (UINT64_MAX - base - nsec) / CLOCK_NS_PER_SEC) {
        *deadline = UINT64_MAX;
        return 0;
    }
    *deadline = base + sec * CLOCK_NS_PER_SEC + nsec;
    return 0;
}

/* Now, in ns since boot. clock_get fails only for a bad address, and &ns is good. */
static uint64_t
clock_now(void)
{
    uint64_t ns = 0;

    cr_clock_get(CR_UPTR(&ns));
    return ns;
}

/*
 * clock_gettime(clk, ts): stores the clock's time at ts. Returns 0, or -EINVAL (a clock
 * not served).
 */
long
sys_clock_gettime(const long *a)
{
    struct linux_timespec *ts = (struct linux_timespec *)(uintptr_t)a[1];

    if (!clock_is_supported(a[0])) {
        return -LINUX_EINVAL;
    }
    *ts = clock_timespec(clock_now());
    return 0;
}

/*
 * clock_getres(clk, res): stores the resolution, 1 ns (the TSC's is finer), at res if
 * given. Returns 0, or -EINVAL (a clock not served).
 */
long
sys_clock_getres(const long *a)
{
    struct linux_timespec *res = (struct linux_timespec *)(uintptr_t)a[1];

    if (!clock_is_supported(a[0])) {
        return -LINUX_EINVAL;
    }
    if (res != NULL) {
        *res = clock_timespec(1);
    }
    return 0;
}

/*
 * gettimeofday(tv, tz): CLOCK_REALTIME in microseconds at tv, and a zero time zone (UTC)
 * at tz, each if given. Returns 0.
 */
long
sys_gettimeofday(const long *a)
{
    struct linux_timeval *tv = (struct linux_timeval *)(uintptr_t)a[0];
    struct linux_timezone *tz = (struct linux_timezone *)(uintptr_t)a[1];

    if (tv != NULL) {
        struct linux_timespec ts = clock_timespec(clock_now());
        *tv = (struct linux_timeval){ .tv_sec = ts.tv_sec,
                                      .tv_usec = ts.tv_nsec / CLOCK_NS_PER_USEC };
    }
    if (tz != NULL) {
        *tz = (struct linux_timezone){ 0 };
    }
    return 0;
}

/* time(t): CLOCK_REALTIME's seconds, also stored at t if given. Returns them. */
long
sys_time(const long *a)
{
    int64_t *t = (int64_t *)(uintptr_t)a[0];
    int64_t sec = clock_timespec(clock_now()).tv_sec;

    if (t != NULL) {
        *t = sec;
    }
    return (long)sec;
}

/*
 * Sleeps until deadline (ns since boot). Returns 0 once it has passed, or -EINTR after
 * CLOCK_MAX_WAKES early wake-ups, with the time left at rem if given, or the wait's
 * error (-ENOSYS: the process has no notification).
 */
static long
clock_sleep_until(uint64_t deadline, struct linux_timespec *rem)
{
    uint64_t bits;

    for (int i = 0; i < CLOCK_MAX_WAKES; i++) {
        if (clock_now() >= deadline) {
            return 0;
        }
        /* The deadline is for the next native call: the wait. */
        cr_timeout_set(deadline);
        int64_t rc = cr_notify_wait(CR_SLOT_NTFN, CR_UPTR(&bits));
        if (rc == -CR_ETIMEDOUT) {
            return 0;
        }
        if (rc < 0 && rc != -CR_EINTR) {
            return errmap_linux(rc);
        }
    }
    uint64_t now = clock_now();
    if (now >= deadline) {
        return 0;
    }
    if (rem != NULL) {
        *rem = clock_timespec(deadline - now);
    }
    return -LINUX_EINTR;
}

/*
 * nanosleep(req, rem): sleeps for at least req. Returns 0, or -EINVAL (req out of
 * range), -EINTR (woken early too often; the time left at rem if given), -ENOSYS (no
 * notification to wait on).
 */
long
sys_nanosleep(const long *a)
{
    const struct linux_timespec *req = (const struct linux_timespec *)(uintptr_t)a[0];
    struct linux_timespec *rem = (struct linux_timespec *)(uintptr_t)a[1];
    uint64_t deadline;
    long rc = clock_deadline(clock_now(), req, false, &deadline);

    if (rc < 0) {
        return rc;
    }
    return clock_sleep_until(deadline, rem);
}

/*
 * clock_nanosleep(clk, flags, req, rem): nanosleep on clock clk; with TIMER_ABSTIME,
 * until the clock reads req (then rem is not written). Returns as nanosleep, and
 * -EINVAL also for a clock not served or flags other than TIMER_ABSTIME.
 */
long
sys_clock_nanosleep(const long *a)
{
    const struct linux_timespec *req = (const struct linux_timespec *)(uintptr_t)a[2];
    struct linux_timespec *rem = (struct linux_timespec *)(uintptr_t)a[3];
    bool absolute = (a[1] & LINUX_TIMER_ABSTIME) != 0;
    uint64_t deadline;

    if (!clock_is_supported(a[0]) || (a[1] & ~(long)LINUX_TIMER_ABSTIME) != 0) {
        return -LINUX_EINVAL;
    }
    long rc = clock_deadline(clock_now(), req, absolute, &deadline);
    if (rc < 0) {
        return rc;
    }
    return clock_sleep_until(deadline, absolute ? NULL : rem);
}
