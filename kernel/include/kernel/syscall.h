/* SPDX-License-Identifier: MIT */
/*
 * System-call dispatch. syscalls.def generates a prototype for every sys_<name> (all
 * arguments are words) and the table; handlers live beside the objects they act on.
 */
#pragma once

#include <kernel/types.h>

struct tcb;
struct arch_context;

#define SYS_PARAMS_0 void
#define SYS_PARAMS_1 uint64_t
#define SYS_PARAMS_2 uint64_t, uint64_t
#define SYS_PARAMS_3 uint64_t, uint64_t, uint64_t
#define SYS_PARAMS_4 uint64_t, uint64_t, uint64_t, uint64_t
#define SYS_PARAMS_5 uint64_t, uint64_t, uint64_t, uint64_t, uint64_t
#define SYS_PARAMS_6 uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t

#define CR_SYSCALL(name, num, argc) int64_t sys_##name(SYS_PARAMS_##argc);
#include <courier/abi/syscalls.def>
#undef CR_SYSCALL

struct arch_context *syscall_user(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                                  uint64_t a5);
