/* SPDX-License-Identifier: MIT */
/*
 * Courier results to Linux results. A result >= 0 is a value and passes as it is. An
 * error -1..-511 is in errors.def's POSIX band, whose numbers are Linux's (linux.h
 * asserts the ones libposix names), and a server may return any Linux errno there, so it
 * passes too. The Courier band (512 and up) has no Linux name and is translated by what
 * it means to the caller: a capability lookup that fails on a well-known slot means the
 * process lacks the server the call needs (ENOSYS, as if the call did not exist), and on
 * an fd slot that the descriptor is not open (EBADF); a server that died mid-call
 * (EREVOKED) and anything else unknown become EIO. The result is always in Linux's
 * range: a value, or -4095..-1.
 */
#include "errmap.h"

#include <stdbool.h>

#include <courier/abi/errors.h>

#include "linux.h"

enum {
    ERRMAP_POSIX_BAND_END = 512, /* errors.def: the Courier-only band starts here */
};

static bool
errmap_is_lookup_error(int64_t rc)
{
    return rc == -CR_EBADCAP || rc == -CR_ENOCAP || rc == -CR_EWRONGTYPE;
}

/*
 * Returns rc as a Linux result, for a call on a well-known slot (CR_SLOT_PROC, _MEM,
 * _NTFN, _SELF_TCB): values and POSIX-band errors unchanged; EBADCAP, ENOCAP and
 * EWRONGTYPE become -ENOSYS; every other error -EIO.
 */
long
errmap_linux(int64_t rc)
{
    if (rc >= 0 || rc > -ERRMAP_POSIX_BAND_END) {
        return (long)rc;
    }
    if (errmap_is_lookup_error(rc)) {
        return -LINUX_ENOSYS;
    }
    return -LINUX_EIO;
}

/*
 * Returns rc as a Linux result, for a request on a file descriptor's connection: as
 * errmap_linux, except that EBADCAP, ENOCAP and EWRONGTYPE (no open file in the slot)
 * become -EBADF.
 */
long
errmap_fd(int64_t rc)
{
    if (errmap_is_lookup_error(rc)) {
        return -LINUX_EBADF;
    }
    return errmap_linux(rc);
}
