/* SPDX-License-Identifier: MIT */
/*
 * Scalar types of the kernel ABI. Fixed width only: no long, no pointers, no enums in
 * structures that cross the boundary. cr_uaddr_t is a user address carried as a number.
 */
#pragma once

#include <stdint.h>

typedef uint64_t cr_cptr_t;  /* capability pointer, resolved in the caller's CSpace */
typedef uint64_t cr_uaddr_t; /* user virtual address */
typedef uint64_t cr_paddr_t; /* physical address */
typedef uint64_t cr_word_t;  /* one machine word (badges, notification bits) */

#define CR_PAGE_BITS 12
#define CR_PAGE_SIZE (1ull << CR_PAGE_BITS)
#define CR_LARGE_PAGE_BITS 21
#define CR_LARGE_PAGE_SIZE (1ull << CR_LARGE_PAGE_BITS)

/* User addresses are [CR_USER_MIN, CR_USER_MAX); the rest belongs to the kernel. */
#define CR_USER_MIN 0x1000ull
#define CR_USER_MAX 0x00007ffffffff000ull
