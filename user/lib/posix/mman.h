/* SPDX-License-Identifier: MIT */
/*
 * The memory calls (mman.c): brk, mmap, munmap and mprotect as memory-manager requests.
 * Each handler takes the Linux call's six arguments and returns its Linux result.
 */
#pragma once

long sys_brk(const long *a);
long sys_mmap(const long *a);
long sys_munmap(const long *a);
long sys_mprotect(const long *a);
