/* SPDX-License-Identifier: MIT */
/*
 * Recording stand-ins for the functions kernel/obj/cnode.c calls in other modules; see
 * cnode_stubs.h. Linked into the host tests of cnode.c in place of object.c, tcb.c,
 * sched.c and panic.c.
 */
#include "cnode_stubs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/object.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/tcb.h>

struct stubs stubs;

void
stubs_reset(void)
{
    memset(&stubs, 0, sizeof(stubs));
}

long
stubs_cleanups_of(uint64_t obj, bool final)
{
    long n = 0;
    for (long i = 0; i < stubs.ncleanups; i++) {
        n += stubs.cleanups[i].obj == obj && stubs.cleanups[i].final == final;
    }
    return n;
}

long
stubs_tcb_finalised_count(const struct tcb *t)
{
    long n = 0;
    for (long i = 0; i < stubs.ntcb_finalised; i++) {
        n += stubs.tcb_finalised[i] == t;
    }
    return n;
}

void
obj_cleanup(struct cap *c, bool final)
{
    /* object.c asserts this: CNodes and TCBs are destroyed through zombies. */
    if (final && (c->type == CR_OBJ_CNODE || c->type == CR_OBJ_TCB)) {
        stubs.bad_calls++;
    }
    if (stubs.ncleanups == STUB_LOG_MAX) {
        stubs.bad_calls++;
        return;
    }
    stubs.cleanups[stubs.ncleanups++] =
        (struct stub_cleanup){ .type = c->type, .final = final, .obj = c->obj };
}

void
tcb_finalise(struct tcb *t)
{
    if (stubs.ntcb_finalised == STUB_LOG_MAX) {
        stubs.bad_calls++;
        return;
    }
    stubs.tcb_finalised[stubs.ntcb_finalised++] = t;
}

struct cap *
tcb_cspace_root(struct tcb *t)
{
    return &t->slots[TCB_SLOT_CSPACE].cap;
}

void
sched_no_lean_return(void)
{
    stubs.no_lean++;
}

bool
sched_preempt_pending(void)
{
    stubs.preempt_checks++;
    return stubs.preempt;
}

void
panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("KERNEL PANIC: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    abort();
}
