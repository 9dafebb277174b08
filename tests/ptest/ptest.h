/* SPDX-License-Identifier: MIT */
/*
 * ptest's parts (tests/ptest): ptest.c picks a mode from argv[1] and holds the small
 * requests every mode uses; ptest_mem.c the memory modes (zero, quota, fork and orphan,
 * sharewrite, shm).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <courier/abi/types.h>

enum {
    FORK_PAGES = 8, /* pages `fork` and `orphan` copy unless told another number */
};

/* ptest.c: one request and its reply; the managers' ops; fd 1; the end; a number. */
int64_t call(cr_cptr_t conn, const void *req, size_t len, const void *data, size_t dlen,
             void *rep, size_t rlen);
int64_t mem(uint16_t op, uint16_t flags, uint64_t a0, uint64_t a1, uint64_t a2);
int64_t proc(uint16_t op, uint16_t flags, int64_t a0, int64_t a1, int64_t a2, void *rep,
             size_t rlen);
void say(const char *s);
_Noreturn void quit(int code);
int64_t num(const char *s);

/* ptest_mem.c: each returns the mode's exit status (0: all as expected). */
int zero(void);
int quota(void);
int fork_test(bool orphan, uint64_t pages);
int share_write_test(void);
int shm_test(void);
