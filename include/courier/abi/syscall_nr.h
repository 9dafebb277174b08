/* SPDX-License-Identifier: MIT */
/* Native call numbers as an enum (CR_SYS_<name>), generated from syscalls.def. */
#pragma once

enum cr_syscall_nr {
#define CR_SYSCALL(name, num, argc) CR_SYS_##name = (num),
#include <courier/abi/syscalls.def>
#undef CR_SYSCALL
};
