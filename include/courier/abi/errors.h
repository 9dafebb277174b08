/* SPDX-License-Identifier: MIT */
/*
 * Error numbers generated from errors.def: enum values CR_E* and cr_strerror().
 * Included by the kernel and by user code alike; no libc needed.
 */
#pragma once

enum cr_errno {
#define CR_ERR(name, num, text) CR_##name = (num),
#include <courier/abi/errors.def>
#undef CR_ERR
};

/* Returns the one-line meaning of an error number (positive or negative). */
static inline const char *
cr_strerror(int err)
{
    if (err < 0) {
        err = -err;
    }
    switch (err) {
    case 0:
        return "success";
#define CR_ERR(name, num, text) \
    case (num):                 \
        return text;
#include <courier/abi/errors.def>
#undef CR_ERR
    default:
        return "unknown error";
    }
}

/* Returns the symbolic name of an error number, "E?" if unknown. */
static inline const char *
cr_errname(int err)
{
    if (err < 0) {
        err = -err;
    }
    switch (err) {
    case 0:
        return "OK";
#define CR_ERR(name, num, text) \
    case (num):                 \
        return #name;
#include <courier/abi/errors.def>
#undef CR_ERR
    default:
        return "E?";
    }
}
