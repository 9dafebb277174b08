/* SPDX-License-Identifier: MIT */
/*
 * The iov lists the planner's host tests feed it (iovplan_test.c, iovplan_random_test.c):
 * host arrays read through a fetch function that counts its calls and can be told to
 * fault at one index. static inline, so a test that uses part of it does not trip
 * -Werror=unused-function.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <courier/abi/errors.h>
#include <courier/abi/msg.h>

enum {
    PAGE = 4096,         /* the planner's page size (CR_PAGE_SIZE) */
    NO_FAULT = 0xffffff, /* fault_at value that never matches an index below CR_IOV_MAX */
};

/* An iov list in host memory, as the fetch callback sees it. */
struct list {
    const struct cr_iov *v;
    uint32_t n;        /* entries in v; fetching idx >= n is a planner bug */
    uint32_t fault_at; /* fetching this index fails with -CR_EFAULT */
    uint32_t fetches;  /* fetch calls so far */
    uint32_t max_idx;  /* highest index fetched, meaningful if fetches > 0 */
    bool out_of_range; /* some fetch asked for idx >= n */
};

/* The iov_fetch_fn over a struct list: counts, records the index, faults on request. */
static inline int
fetch(void *ctx, uint32_t idx, struct cr_iov *out)
{
    struct list *l = ctx;
    l->fetches++;
    if (idx > l->max_idx || l->fetches == 1) {
        l->max_idx = idx;
    }
    if (idx >= l->n) {
        l->out_of_range = true;
        return -CR_EFAULT;
    }
    if (idx == l->fault_at) {
        return -CR_EFAULT;
    }
    *out = l->v[idx];
    return 0;
}

static inline struct list
list(const struct cr_iov *v, uint32_t n)
{
    return (struct list){ .v = v, .n = n, .fault_at = NO_FAULT };
}
