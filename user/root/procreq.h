/* SPDX-License-Identifier: MIT */
/*
 * The root's own requests to its process manager (proto/proc.h), through its connection
 * (pid 1): used by the interactive boot, the system tests and the benchmarks, all in the
 * root's main thread (the request buffer is one static: not for other threads).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

int64_t procreq_call(const void *req, size_t len, const void *data, size_t dlen, void *rep,
                     size_t rlen);
int64_t procreq_op(uint16_t op, uint16_t flags, int64_t a0, int64_t a1, int64_t a2);
int64_t procreq_image(uint16_t op, int64_t pid, const char *const *argv,
                      const char *const *envp, void *rep, size_t rlen);
int64_t procreq_spawn(const char *const *argv, const char *const *envp);
int64_t procreq_wait(int64_t pid, int64_t *status);
