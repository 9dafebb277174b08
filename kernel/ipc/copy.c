/* SPDX-License-Identifier: MIT */
/*
 * The IPC copier. The planner (iovplan.c) walks both iov lists and yields chunks that
 * cross no page boundary on either side; each chunk's source and destination are
 * translated through their threads' page tables (user-accessible, and writable for the
 * destination) and copied with one memcpy through the direct map. Nothing is pinned: a
 * page unmapped by another thread mid-copy just makes the next translation fail, which
 * ends the copy with EFAULT naming the side whose memory was bad.
 *
 * Preemptible: after every IPC_COPY_CHUNK bytes the copier checks for a higher-priority
 * thread or a due timeout (sched_preempt_pending); if there is one it returns -ERESTART
 * with the bytes done so far in *done, and the restarted call skips them (O(entries) to
 * re-position, no bytes copied twice).
 */
#include <kernel/ipccopy.h>
#include <kernel/errors.h>
#include <kernel/iovplan.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/tcb.h>
#include <kernel/usercopy.h>
#include <arch/mmu.h>
#include <courier/abi/msg.h>

struct fetch_ctx {
    struct tcb *t;
    uint64_t iov;
};

static int
fetch(void *ctx, uint32_t idx, struct cr_iov *out)
{
    struct fetch_ctx *f = ctx;
    return copy_from_user(f->t, out, uaddr(f->iov + (uint64_t)idx * sizeof(*out)),
                          sizeof(*out));
}

/*
 * Sum of the lengths in t's iov array. Errors: EINVAL (n > CR_IOV_MAX, an entry or the
 * total wraps), EFAULT (array unreadable). O(n).
 */
int
ipc_iov_total(struct tcb *t, uint64_t iov, uint32_t n, uint64_t *total)
{
    struct fetch_ctx f = { t, iov };
    return iov_total(fetch, &f, n, total);
}

/* Message pages are walked directly: a long copy visits each page once, so the
 * one-entry cache of usercopy_translate would only add work. */
static bool
translate(struct tcb *t, uint64_t va, bool write, paddr_t *pa)
{
    bool writable;
    return arch_mmu_translate(tcb_vspace_root(t), va, pa, &writable) && (!write || writable);
}

/*
 * Copies src's list (from src->offset + *done) into dst's (from dst->offset + *done)
 * until either list ends. Returns 0 when finished (*done = bytes copied in all),
 * -ERESTART when preempted (*done = progress, call again), -EFAULT with *fault_side
 * set when a side's iov array or buffer is unreadable (dst: unwritable), or -EINVAL for
 * a malformed iov list (*fault_side says whose).
 */
int
ipc_copy(const struct ipc_side *src, const struct ipc_side *dst, uint64_t *done,
         int *fault_side)
{
    struct fetch_ctx sf = { src->t, src->iov };
    struct fetch_ctx df = { dst->t, dst->iov };
    struct iov_cursor sc;
    struct iov_cursor dc;
    *fault_side = IPC_FAULT_SRC;
    int rc = iov_cursor_init(&sc, fetch, &sf, src->n);
    if (rc == 0) {
        rc = iov_cursor_skip(&sc, src->offset + *done);
    }
    if (rc != 0) {
        return rc;
    }
    *fault_side = IPC_FAULT_DST;
    rc = iov_cursor_init(&dc, fetch, &df, dst->n);
    if (rc == 0) {
        rc = iov_cursor_skip(&dc, dst->offset + *done);
    }
    if (rc != 0) {
        return rc;
    }
    uint64_t since_check = 0;
    /* Preemptible: progress is *done. */
    for (;;) {
        uint64_t len = iov_chunk(&sc, &dc, IPC_COPY_CHUNK - since_check);
        if (len == 0) {
            if (iov_cursor_done(&sc) || iov_cursor_done(&dc)) {
                *fault_side = IPC_FAULT_NONE;
                return 0;
            }
            since_check = 0;
            if (sched_preempt_pending()) {
                *fault_side = IPC_FAULT_NONE;
                return -ERESTART;
            }
            continue;
        }
        paddr_t spa;
        paddr_t dpa;
        if (!translate(src->t, sc.addr, false, &spa)) {
            *fault_side = IPC_FAULT_SRC;
            return -CR_EFAULT;
        }
        if (!translate(dst->t, dc.addr, true, &dpa)) {
            *fault_side = IPC_FAULT_DST;
            return -CR_EFAULT;
        }
        memcpy(phys_to_virt(dpa), phys_to_virt(spa), len);
        *done += len;
        since_check += len;
        *fault_side = IPC_FAULT_SRC;
        rc = iov_cursor_skip(&sc, len);
        if (rc == 0) {
            *fault_side = IPC_FAULT_DST;
            rc = iov_cursor_skip(&dc, len);
        }
        if (rc != 0) {
            return rc;
        }
    }
}

/*
 * Copies a small kernel buffer (a pulse) into t's iov list, as much as fits; *copied
 * says how much. Errors: EFAULT (iov array or buffers not writable), EINVAL (malformed
 * list). Not preemptible: len is a few dozen bytes.
 */
int
ipc_copy_out(struct tcb *t, uint64_t iov, uint32_t n, const void *buf, uint64_t len,
             uint64_t *copied)
{
    struct fetch_ctx f = { t, iov };
    struct iov_cursor c;
    int rc = iov_cursor_init(&c, fetch, &f, n);
    const uint8_t *b = buf;
    *copied = 0;
    /* Bounded: at most len bytes, each chunk at least one. */
    while (rc == 0 && *copied < len && !iov_cursor_done(&c)) {
        uint64_t chunk = iov_chunk(&c, &c, len - *copied);
        paddr_t pa;
        if (!translate(t, c.addr, true, &pa)) {
            return -CR_EFAULT;
        }
        memcpy(phys_to_virt(pa), b + *copied, chunk);
        *copied += chunk;
        rc = iov_cursor_skip(&c, chunk);
    }
    return rc;
}
