/* SPDX-License-Identifier: MIT */
/*
 * Recording the copier's runs (kernel/include/kernel/copyrun.h says what a run is and
 * when it may be trusted). A span the copier found is added to the run it continues, in
 * addresses and frames alike; otherwise it becomes a run of its own after the others, and
 * a full cache starts again from it (a thread that moved to other buffers forgets the
 * old ones). Pure logic: no arch headers, host-tested (kernel/ipc/test/copyrun_test.c).
 */
#include <kernel/copyrun.h>

/*
 * Records that the len > 0 bytes at va lie on consecutive frames from pa (mapped as c's
 * key says, under its generation: the caller just found them so). The run last used
 * grows when the bytes continue it, addresses and frames; else they become a new run at
 * the end (the only one if c was full). The new or grown run is the one used last. O(1).
 */
void
copyrun_record(struct copyrun_cache *c, uint64_t va, uint64_t len, paddr_t pa)
{
    if (c->n > 0) {
        struct copyrun *r = &c->r[c->cur];
        if (va == r->va + r->len && pa == r->pa + r->len) {
            r->len += len;
            return;
        }
    }
    if (c->n == COPYRUN_MAX) {
        c->n = 0;
    }
    c->r[c->n] = (struct copyrun){ va, len, pa };
    c->cur = c->n;
    c->n++;
}
