/* SPDX-License-Identifier: MIT */
/*
 * The IPC copier. The planner's cursors (iovplan.c) walk both iov lists; for each pair
 * of entries the copier finds, on each side, how far the bytes lie on consecutive
 * physical frames mapped user-accessible (and writable for the destination), and copies
 * with one memcpy through the direct map as far as both sides allow. Nothing is pinned:
 * a page unmapped by another thread mid-copy just makes the next translation fail, which
 * ends the copy with EFAULT naming the side whose memory was bad, the bytes before it
 * copied.
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
    uint64_t kbuf_len; /* a kernel-buffer side: one entry [0, kbuf_len) */
};

static int
fetch(void *ctx, uint32_t idx, struct cr_iov *out)
{
    struct fetch_ctx *f = ctx;
    return copy_from_user(f->t, out, uaddr(f->iov + (uint64_t)idx * sizeof(*out)),
                          sizeof(*out));
}

/* A kernel buffer is a list of one entry whose "addresses" are offsets into it. */
static int
fetch_kbuf(void *ctx, uint32_t idx, struct cr_iov *out)
{
    struct fetch_ctx *f = ctx;
    (void)idx;
    *out = (struct cr_iov){ .base = 0, .len = f->kbuf_len };
    return 0;
}

static int
side_cursor(const struct ipc_side *s, struct fetch_ctx *f, struct iov_cursor *c,
            uint64_t skip)
{
    *f = (struct fetch_ctx){ s->t, s->iov, s->kbuf_len };
    int rc = s->kbuf != NULL ? iov_cursor_init(c, fetch_kbuf, f, 1)
                             : iov_cursor_init(c, fetch, f, s->n);
    return rc != 0 ? rc : iov_cursor_advance(c, skip);
}

/*
 * Sum of the lengths in t's iov array. Errors: EINVAL (n > CR_IOV_MAX, an entry or the
 * total wraps), EFAULT (array unreadable). O(n).
 */
int
ipc_iov_total(struct tcb *t, uint64_t iov, uint32_t n, uint64_t *total)
{
    struct fetch_ctx f = { t, iov, 0 };
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
 * Where byte `addr` of side s is in the kernel's view (*p), and how many bytes from
 * there, at most max, can be copied in one go: those in pages on consecutive frames
 * (arch_mmu_span), or the rest of a kernel buffer. Returns 0 if s cannot give byte addr.
 * The page table last walked for the side is cached in x, which its thread keeps: the
 * copy's pages follow one another, so one walk serves a 2 MiB span, and the next message
 * through the same buffers needs no walk at all.
 */
static uint64_t
side_span(const struct ipc_side *s, struct arch_xlat *x, void *pml4, uint64_t addr,
          uint64_t max, bool write, uint8_t **p)
{
    if (s->kbuf != NULL) {
        *p = (uint8_t *)s->kbuf + addr; /* the cursor keeps addr < kbuf_len */
        return s->kbuf_len - addr;
    }
    paddr_t pa;
    uint64_t n = arch_mmu_span(x, pml4, addr, max, write, &pa);
    *p = phys_to_virt(pa);
    return n;
}

/*
 * Copies src's list (from src->offset + *done) into dst's (from dst->offset + *done)
 * until either list ends. Returns 0 when finished (*done = bytes copied in all),
 * -ERESTART when preempted (*done = progress, call again), -EFAULT with *fault_side
 * set when a side's iov array or buffer is unreadable (dst: unwritable), or -EINVAL for
 * a malformed iov list (*fault_side says whose).
 *
 * The cursors move once per pair of entries (a run: as far as both current entries
 * go). Inside a run each side is looked at up to IPC_COPY_AHEAD bytes ahead for a span
 * of consecutive frames (arch_mmu_span), and each memcpy is as long as both sides' spans
 * allow, up to the next preemption check: physically contiguous buffers copy 16 KiB at a
 * time and find their frames 64 KiB at a time; scattered ones copy page by page. Between
 * two preemption checks at most IPC_COPY_CHUNK bytes are copied, and each side reads at
 * most one page-table entry per page copied plus IPC_COPY_AHEAD / 4 KiB + 1 per span it
 * looks for (and a walk per 2 MiB crossed): a bounded amount of work.
 */
int
ipc_copy(const struct ipc_side *src, const struct ipc_side *dst, uint64_t *done,
         int *fault_side)
{
    struct fetch_ctx sf;
    struct fetch_ctx df;
    struct iov_cursor sc;
    struct iov_cursor dc;
    *fault_side = IPC_FAULT_SRC;
    int rc = side_cursor(src, &sf, &sc, src->offset + *done);
    if (rc != 0) {
        return rc;
    }
    *fault_side = IPC_FAULT_DST;
    rc = side_cursor(dst, &df, &dc, dst->offset + *done);
    if (rc != 0) {
        return rc;
    }
    uint64_t since_check = 0;
    struct arch_xlat *sx = &src->t->copy_xlat[0];
    struct arch_xlat *dx = &dst->t->copy_xlat[1];
    void *spml4 = src->kbuf == NULL ? tcb_vspace_root(src->t) : NULL;
    void *dpml4 = dst->kbuf == NULL ? tcb_vspace_root(dst->t) : NULL;
    /* Preemptible: progress is *done. Each pass copies one run. */
    while (!iov_cursor_done(&sc) && !iov_cursor_done(&dc)) {
        uint64_t run = MIN(sc.left, dc.left);
        uint8_t *sp = NULL;
        uint8_t *dp = NULL;
        uint64_t shave = 0; /* bytes at sp known contiguous */
        uint64_t dhave = 0;
        for (uint64_t off = 0; off < run;) {
            if (since_check == IPC_COPY_CHUNK) {
                since_check = 0;
                if (sched_preempt_pending()) {
                    *fault_side = IPC_FAULT_NONE;
                    return -ERESTART;
                }
            }
            uint64_t want = MIN(run - off, IPC_COPY_CHUNK - since_check);
            uint64_t ahead = MIN(run - off, IPC_COPY_AHEAD);
            if (shave == 0) {
                shave = side_span(src, sx, spml4, sc.addr + off, ahead, false, &sp);
                if (shave == 0) {
                    *fault_side = IPC_FAULT_SRC;
                    return -CR_EFAULT;
                }
            }
            if (dhave == 0) {
                dhave = side_span(dst, dx, dpml4, dc.addr + off, ahead, true, &dp);
                if (dhave == 0) {
                    *fault_side = IPC_FAULT_DST;
                    return -CR_EFAULT;
                }
            }
            uint64_t len = MIN(MIN(shave, dhave), want);
            memcpy(dp, sp, len);
            sp += len;
            dp += len;
            shave -= len;
            dhave -= len;
            off += len;
            *done += len;
            since_check += len;
        }
        *fault_side = IPC_FAULT_SRC;
        rc = iov_cursor_advance(&sc, run);
        if (rc == 0) {
            *fault_side = IPC_FAULT_DST;
            rc = iov_cursor_advance(&dc, run);
        }
        if (rc != 0) {
            return rc;
        }
    }
    *fault_side = IPC_FAULT_NONE;
    return 0;
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
    struct fetch_ctx f = { t, iov, 0 };
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
