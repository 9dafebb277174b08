/* SPDX-License-Identifier: MIT */
/* Small system calls that belong to no object: null, debug_putc, clock_get. */
#include <kernel/cpu.h>
#include <kernel/errors.h>
#include <kernel/klog.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/usercopy.h>
#include <arch/timer.h>

/* null(): does nothing; returns 0. The cheapest round trip into the kernel. */
int64_t
sys_null(void)
{
    return 0;
}

/*
 * debug_putc(c): writes one byte to the kernel debug console. For early bring-up and
 * panicking programs. Errors: EBUSY once the console server owns the serial port
 * (klog_release).
 */
int64_t
sys_debug_putc(uint64_t c)
{
    if (klog_is_released()) {
        return -CR_EBUSY;
    }
    klog_putc((char)c);
    return 0;
}

/* clock_get(out): stores nanoseconds since boot at out. Errors: EFAULT. */
int64_t
sys_clock_get(uint64_t out)
{
    uint64_t now = arch_timer_now_ns();
    return copy_to_user(sched_current(), uaddr(out), &now, sizeof(now));
}
