/* SPDX-License-Identifier: MIT */
/*
 * The placement rule of retype, kept pure so host tests can check it: where `count`
 * objects of 2^obj_bits bytes go in an untyped region of 2^size_bits bytes at `base`
 * whose first `wm` bytes are in use. Objects are naturally aligned, so the start is the
 * watermark rounded up to the object size (the gap is skipped for good, as in seL4).
 */
#pragma once

#include <kernel/types.h>
#include <courier/abi/errors.h>

/*
 * Sets *start (offset from base) and returns 0, or returns -CR_ENOMEM if the objects do
 * not fit. Requires obj_bits <= size_bits <= 63 and wm <= 2^size_bits. No overflow for
 * any count: the check divides instead of multiplying.
 */
static inline int
untyped_place(uint64_t base, unsigned size_bits, uint64_t wm, unsigned obj_bits,
              uint64_t count, uint64_t *start)
{
    uint64_t osize = 1ull << obj_bits;
    uint64_t size = 1ull << size_bits;
    uint64_t s = ALIGN_UP(base + wm, osize) - base;
    if (s > size || count > (size - s) / osize) {
        return -CR_ENOMEM;
    }
    *start = s;
    return 0;
}
