/* SPDX-License-Identifier: MIT */
/*
 * Host tests of errmap.c, the one place a Courier result becomes a Linux one: values and
 * POSIX-band errors pass unchanged, each Courier-only code becomes the errno its comment
 * promises (ENOSYS or EBADF for a failed capability lookup, depending on the slot, EIO
 * otherwise), and no code in errors.def, nor any other number, comes out outside
 * Linux's range (a value, or -4095..-1).
 */
/* test-sources: user/lib/posix/errmap.c */
#include "test.h"

#include <stdint.h>

#include "user/lib/posix/errmap.h"
#include "user/lib/posix/linux.h"

static const int courier_codes[] = {
#define CR_ERR(name, num, text) num,
#include <courier/abi/errors.def>
#undef CR_ERR
};

TEST(errmap_values_pass_unchanged)
{
    ASSERT_EQ(errmap_linux(0), 0);
    ASSERT_EQ(errmap_linux(1), 1);
    ASSERT_EQ(errmap_linux(0x7ffffffff000), 0x7ffffffff000);
    ASSERT_EQ(errmap_linux(INT64_MAX), INT64_MAX);
    ASSERT_EQ(errmap_fd(0), 0);
    ASSERT_EQ(errmap_fd(4096), 4096);
}

TEST(errmap_posix_band_passes_unchanged)
{
    for (int64_t e = 1; e < 512; e++) {
        ASSERT_EQ(errmap_linux(-e), -e);
        ASSERT_EQ(errmap_fd(-e), -e);
    }
    ASSERT_ERR(-LINUX_EPERM, errmap_fd(-CR_EPERM));
    ASSERT_ERR(-LINUX_ENOSYS, errmap_linux(-CR_ENOSYS));
}

TEST(errmap_lookup_errors_are_enosys_on_a_well_known_slot)
{
    ASSERT_ERR(-LINUX_ENOSYS, errmap_linux(-CR_EBADCAP));
    ASSERT_ERR(-LINUX_ENOSYS, errmap_linux(-CR_ENOCAP));
    ASSERT_ERR(-LINUX_ENOSYS, errmap_linux(-CR_EWRONGTYPE));
}

TEST(errmap_lookup_errors_are_ebadf_on_an_fd_slot)
{
    ASSERT_ERR(-LINUX_EBADF, errmap_fd(-CR_EBADCAP));
    ASSERT_ERR(-LINUX_EBADF, errmap_fd(-CR_ENOCAP));
    ASSERT_ERR(-LINUX_EBADF, errmap_fd(-CR_EWRONGTYPE));
}

TEST(errmap_other_courier_codes_are_eio)
{
    ASSERT_ERR(-LINUX_EIO, errmap_linux(-CR_EREVOKED));
    ASSERT_ERR(-LINUX_EIO, errmap_fd(-CR_EREVOKED));
    ASSERT_ERR(-LINUX_EIO, errmap_linux(-CR_ENOCTX));
    ASSERT_ERR(-LINUX_EIO, errmap_linux(-CR_ENOTMAPPED));
    ASSERT_ERR(-LINUX_EIO, errmap_linux(-512 - 100));
    ASSERT_ERR(-LINUX_EIO, errmap_linux(-4095));
    ASSERT_ERR(-LINUX_EIO, errmap_linux(-4096));
    ASSERT_ERR(-LINUX_EIO, errmap_fd(INT64_MIN));
}

TEST(errmap_every_errors_def_code_lands_in_linux_range)
{
    for (size_t i = 0; i < sizeof(courier_codes) / sizeof(courier_codes[0]); i++) {
        long l = errmap_linux(-courier_codes[i]);
        long f = errmap_fd(-courier_codes[i]);
        ASSERT_TRUE(l < 0 && l >= -LINUX_ERRNO_MAX);
        ASSERT_TRUE(f < 0 && f >= -LINUX_ERRNO_MAX);
        if (courier_codes[i] < 512) {
            ASSERT_EQ(l, -courier_codes[i]);
        }
    }
}
