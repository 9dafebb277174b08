/* SPDX-License-Identifier: MIT */
/*
 * The IPC copier. The planner's cursors (iovplan.c) walk both iov lists; for each pair
 * of entries the copier finds, on each side, how far the bytes lie on consecutive
 * physical frames mapped user-accessible (and writable for the destination), and copies
 * with one memcpy through the direct map as far as both sides allow. The spans come from
 * the runs each thread remembers per side (copyrun.h) or, failing that, from the page
 * tables (arch_mmu_span), and are recorded. Nothing is pinned: a page unmapped by another
 * thread between two calls changes the mapping generation, which empties the runs, so
 * the next translation of that page fails, which ends the copy with EFAULT naming the
 * side whose memory was bad, the bytes before it copied.
 *
 * Preemptible: after every IPC_COPY_CHUNK bytes the copier checks for a higher-priority
 * thread or a due timeout (sched_preempt_check); if there is one it returns -ERESTART
 * with the bytes done so far in *done, and the restarted call skips them (O(entries) to
 * re-position, no bytes copied twice).
 */
#include <kernel/ipccopy.h>
#include <kernel/copyrun.h>
#include <kernel/errors.h>
#include <kernel/iovplan.h>
#include <kernel/sched.h>
#include <kernel/switch.h>
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

enum {
    IOV_QUICK = 4, /* entries ipc_iov_total reads in one copy (64 bytes on the stack) */
};

/*
 * Sum of the lengths in t's iov array. Errors: EINVAL (n > CR_IOV_MAX, an entry or the
 * total wraps), EFAULT (array unreadable). O(n). A short array inside one page is read
 * with one copy: the page is readable or not as a whole, so the result and the error are
 * those of reading it entry by entry.
 */
int
ipc_iov_total(struct tcb *t, uint64_t iov, uint32_t n, uint64_t *total)
{
    struct cr_iov v[IOV_QUICK];
    uint64_t bytes = (uint64_t)n * sizeof(v[0]);
    if (n != 0 && n <= IOV_QUICK && (iov & (CR_PAGE_SIZE - 1)) + bytes <= CR_PAGE_SIZE) {
        int rc = copy_from_user(t, v, uaddr(iov), bytes);
        if (rc != 0) {
            return rc;
        }
        return iov_sum(v, n, total);
    }
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
 * One side during a copy: the cursor on its list, and, for a side in user memory, its
 * thread's page-table cache and runs for the side and the address space they are for
 * (kbuf set instead for a kernel buffer).
 */
struct copy_side {
    struct iov_cursor c;
    struct fetch_ctx f;
    uint8_t *kbuf;
    struct arch_xlat *x;
    struct copyrun_cache *runs;
    void *pml4;
};

/* Puts cs on byte `skip` of side s's list and readies its translations; `which` is 0 for
 * the source, 1 for the destination. Errors: those of the list (iov_cursor_start). */
static ALWAYS_INLINE int
side_begin(const struct ipc_side *s, unsigned which, uint64_t gen, uint64_t skip,
           struct copy_side *cs)
{
    cs->f = (struct fetch_ctx){ s->t, s->iov, s->kbuf_len };
    cs->kbuf = s->kbuf;
    int rc;
    if (s->kbuf != NULL) {
        rc = iov_cursor_start(&cs->c, fetch_kbuf, &cs->f, 1);
    } else {
        rc = iov_cursor_start(&cs->c, fetch, &cs->f, s->n);
        cs->x = &s->t->copy_xlat[which];
        cs->runs = &s->t->copy_runs[which];
        cs->pml4 = tcb_vspace_root(s->t);
        copyrun_begin(cs->runs, cs->pml4, gen, which == 1);
    }
    return rc != 0 ? rc : iov_cursor_advance(&cs->c, skip);
}

/*
 * Where byte `addr` of side cs is in the kernel's view (*p), and how many bytes from
 * there, at most max, can be copied in one go: those in pages on consecutive frames, or
 * the rest of a kernel buffer. Returns 0 if the side cannot give byte addr. The side's
 * runs answer first; a span they do not hold is found in the page tables (arch_mmu_span,
 * through the side's cached table) and recorded.
 */
static ALWAYS_INLINE uint64_t
side_span(const struct copy_side *cs, uint64_t addr, uint64_t max, bool write, uint8_t **p)
{
    if (cs->kbuf != NULL) {
        *p = cs->kbuf + addr; /* the cursor keeps addr < kbuf_len */
        return MIN(cs->f.kbuf_len - addr, max);
    }
    paddr_t pa;
    uint64_t n = copyrun_lookup(cs->runs, addr, &pa);
    if (n == 0) {
        n = arch_mmu_span(cs->x, cs->pml4, addr, max, write, &pa);
        if (n == 0) {
            return 0;
        }
        copyrun_record(cs->runs, addr, n, pa);
    }
    *p = phys_to_virt(pa);
    return MIN(n, max);
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
 * of consecutive frames (the side's runs, else arch_mmu_span), and each memcpy is as
 * long as both sides' spans allow, up to the next preemption check: physically
 * contiguous buffers copy 16 KiB at a time; scattered ones copy page by page. Between two
 * preemption checks at most IPC_COPY_CHUNK bytes are copied, and each side reads at most
 * one page-table entry per page copied plus IPC_COPY_AHEAD / 4 KiB + 1 per span it looks
 * for (and a walk per 2 MiB crossed), none for a span its runs hold: a bounded amount of
 * work.
 */
int
ipc_copy(const struct ipc_side *src, const struct ipc_side *dst, uint64_t *done,
         int *fault_side)
{
    uint64_t gen = arch_mmu_generation();
    struct copy_side s;
    struct copy_side d;
    *fault_side = IPC_FAULT_SRC;
    int rc = side_begin(src, 0, gen, src->offset + *done, &s);
    if (rc != 0) {
        return rc;
    }
    *fault_side = IPC_FAULT_DST;
    rc = side_begin(dst, 1, gen, dst->offset + *done, &d);
    if (rc != 0) {
        return rc;
    }
    uint64_t budget = IPC_COPY_CHUNK; /* bytes left to copy before the next check */
    /* Preemptible: progress is *done. Each pass copies one run. */
    while (!iov_cursor_done(&s.c) && !iov_cursor_done(&d.c)) {
        uint64_t run = MIN(s.c.left, d.c.left);
        uint8_t *sp = NULL;
        uint8_t *dp = NULL;
        uint64_t shave = 0; /* bytes at sp known contiguous */
        uint64_t dhave = 0;
        uint64_t left = run;
        /* Bounded: each pass copies at least a byte; at most IPC_COPY_CHUNK bytes go
         * between two preemption checks. */
        for (;;) {
            uint64_t ahead = MIN(left, IPC_COPY_AHEAD);
            if (shave == 0) {
                shave = side_span(&s, s.c.addr + (run - left), ahead, false, &sp);
                if (shave == 0) {
                    *done += run - left;
                    *fault_side = IPC_FAULT_SRC;
                    return -CR_EFAULT;
                }
            }
            if (dhave == 0) {
                dhave = side_span(&d, d.c.addr + (run - left), ahead, true, &dp);
                if (dhave == 0) {
                    *done += run - left;
                    *fault_side = IPC_FAULT_DST;
                    return -CR_EFAULT;
                }
            }
            uint64_t len = MIN(MIN(shave, dhave), MIN(left, budget));
            memcpy(dp, sp, len);
            sp += len;
            dp += len;
            shave -= len;
            dhave -= len;
            budget -= len;
            left -= len;
            if (left == 0) {
                break;
            }
            if (budget == 0) {
                budget = IPC_COPY_CHUNK;
                if (sched_preempt_check()) {
                    *done += run - left;
                    *fault_side = IPC_FAULT_NONE;
                    return -ERESTART;
                }
            }
        }
        *done += run;
        *fault_side = IPC_FAULT_SRC;
        rc = iov_cursor_advance(&s.c, run);
        if (rc == 0) {
            *fault_side = IPC_FAULT_DST;
            rc = iov_cursor_advance(&d.c, run);
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
