/* SPDX-License-Identifier: MIT */
/*
 * The fault tests' thread (test_fault.c, test_fault_foreign.c, test_fault_recv.c): a test
 * thread (testlib.h) with its own fault channel and fault badge, and a done notification,
 * all made in the test's arena. The functions are defined in test_fault.c.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <courier/abi/types.h>

#include "testlib.h"

struct cr_fault_msg;

/* The fault badge of every fthread: each fault message must carry it. */
#define FAULT_BADGE 0xbad9e00dull

/* A thread with a fault channel and a done notification (both in the arena). */
struct fthread {
    struct tl_thread th;
    cr_cptr_t chan;
    cr_cptr_t done;
};

bool fthread_new(struct tl *t, struct fthread *f, tl_thread_fn fn);
bool fthread_expect_fault(struct fthread *f, struct cr_fault_msg *m, uint32_t kind, uint32_t vector,
                          uint64_t rip);
void fthread_resume_at(struct fthread *f, uint64_t rip);

/* Thread bodies that fault at tf_ud2_insn and tf_div0_insn; past the fault, out[0] = 1. */
void fthread_do_ud2(struct tl_thread *th);
void fthread_do_div0(struct tl_thread *th);
