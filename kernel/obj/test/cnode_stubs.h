/* SPDX-License-Identifier: MIT */
/*
 * Stand-ins for what kernel/obj/cnode.c calls in other modules (object cleanup, TCB
 * teardown, the scheduler's preemption check, panic), for the host tests of cnode.c.
 * They record every call so that a test can check that each object was finalised
 * exactly once, and let a test force every preemption check to report "preempt".
 */
#pragma once

#include <kernel/cap.h>

struct tcb;

enum {
    STUB_LOG_MAX = 8192,
};

struct stub_cleanup {
    uint8_t type;
    bool final;
    uint64_t obj;
};

struct stubs {
    bool preempt;        /* what sched_preempt_pending() returns */
    long preempt_checks; /* calls of sched_preempt_pending() */
    long no_lean;        /* calls of sched_no_lean_return() */
    long ncleanups;      /* calls of obj_cleanup(), all logged in cleanups[] */
    struct stub_cleanup cleanups[STUB_LOG_MAX];
    long ntcb_finalised; /* calls of tcb_finalise(), all logged in tcb_finalised[] */
    struct tcb *tcb_finalised[STUB_LOG_MAX];
    long bad_calls; /* obj_cleanup(final) of a CNode or TCB, or a log overflow */
};

extern struct stubs stubs;

/* Forgets all calls and turns preemption off. */
void stubs_reset(void);
/* Number of obj_cleanup() calls for object obj with the given final flag. */
long stubs_cleanups_of(uint64_t obj, bool final);
/* Number of tcb_finalise() calls for t. */
long stubs_tcb_finalised_count(const struct tcb *t);
