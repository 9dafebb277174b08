/* SPDX-License-Identifier: MIT */
/*
 * The IPC copier. The planner's cursors (iovplan.c) walk both iov lists; in each side's
 * current entry the copier finds how far the bytes lie on consecutive physical frames
 * mapped user-accessible (and writable for the destination), a span, and copies through
 * the direct map (arch_copy_forward) as far as both sides' spans allow. The spans come from
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
 * One side during a copy: the cursor on its list, at the start of its current entry (or
 * of the bytes to copy in it); for a side in user memory the address space its thread
 * runs in (kbuf set instead for a kernel buffer).
 */
struct copy_side {
    struct iov_cursor c;
    struct fetch_ctx f;
    uint8_t *kbuf;
    void *pml4;
};

/*
 * Where the copy is in a side's current entry: its span, bytes on consecutive frames (or
 * in its kernel buffer) of which `have` are still to copy, from p in the kernel's view;
 * after the span, `rest` bytes of the entry from user address `next`. Kept apart from
 * copy_side so that the copy loop holds it in registers.
 */
struct copy_span {
    uint8_t *p;
    uint64_t have;
    uint64_t next;
    uint64_t rest;
};

/*
 * Puts cs on byte `skip` of side s's list and readies its translations; `which` is 0 for
 * the source, 1 for the destination. Errors: those of the list (iov_cursor_init). Entry 0
 * of an array in the page t's one-entry cache holds (usually: the array sits on the
 * stack t made its call from) is read straight from there, as copy_from_user would,
 * with the address space and generation at hand.
 */
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
        cs->pml4 = tcb_vspace_root(s->t);
        copyrun_begin(&s->t->copy_runs[which], cs->pml4, gen);
        void *k;
        if (s->n - 1 < CR_IOV_MAX &&
            usercopy_cached_in(s->t, cs->pml4, gen, s->iov, sizeof(struct cr_iov), false, &k)) {
            struct cr_iov v;
            __builtin_memcpy(&v, k, sizeof(v));
            rc = iov_cursor_start_with(&cs->c, fetch, &cs->f, s->n, v);
        } else {
            rc = iov_cursor_init(&cs->c, fetch, &cs->f, s->n);
        }
    }
    if (rc != 0 || skip == 0) {
        return rc; /* skipping 0 bytes does nothing: no need to ask */
    }
    return iov_cursor_advance(&cs->c, skip);
}

/* Puts sp at the start of side cs's current entry, with no span yet. */
static ALWAYS_INLINE void
span_entry(const struct copy_side *cs, struct copy_span *sp)
{
    sp->p = NULL;
    sp->have = 0;
    sp->next = cs->c.addr;
    sp->rest = cs->c.left;
}

/*
 * Finds side cs's next span, from sp->next (sp->rest > 0 bytes of the entry left there):
 * how many bytes, to the end of the entry at most, can be copied in one go, those in
 * pages on consecutive frames or the rest of a kernel buffer, and where they are in the
 * kernel's view. False if the side cannot give byte sp->next. The side's runs answer
 * first; a span they do not hold is looked for in the page tables (arch_mmu_span, at
 * most IPC_COPY_AHEAD bytes ahead, through the side's cached table) and recorded.
 */
static ALWAYS_INLINE bool
side_span(const struct copy_side *cs, unsigned which, struct copy_span *sp)
{
    uint64_t n;
    if (cs->kbuf != NULL) {
        sp->p = cs->kbuf + sp->next; /* the cursor keeps next + rest <= kbuf_len */
        n = sp->rest;
    } else {
        struct tcb *t = cs->f.t;
        struct copyrun_cache *runs = &t->copy_runs[which];
        paddr_t pa;
        n = copyrun_lookup(runs, sp->next, &pa);
        if (n == 0) {
            paddr_t found; /* apart from pa, which then need not live in memory */
            n = arch_mmu_span(&t->copy_xlat[which], cs->pml4, sp->next,
                              MIN(sp->rest, IPC_COPY_AHEAD), which == 1, &found);
            if (n == 0) {
                return false;
            }
            copyrun_record(runs, sp->next, n, found);
            pa = found;
        }
        sp->p = phys_to_virt(pa);
        n = MIN(n, sp->rest);
    }
    sp->have = n;
    sp->next += n;
    sp->rest -= n;
    return true;
}

/*
 * Copies src's list (from src->offset + *done) into dst's (from dst->offset + *done)
 * until either list ends. Returns 0 when finished (*done = bytes copied in all),
 * -ERESTART when preempted (*done = progress, call again), -EFAULT with *fault_side
 * set when a side's iov array or buffer is unreadable (dst: unwritable), or -EINVAL for
 * a malformed iov list (*fault_side says whose).
 *
 * Each side has a span: bytes from its position, inside its current entry, on
 * consecutive frames (its runs, else arch_mmu_span looking up to IPC_COPY_AHEAD bytes
 * ahead). Each copy is as long as both spans allow, up to the next preemption check:
 * physically contiguous buffers copy 16 KiB at a time; scattered ones page by page. A
 * side whose span is used up finds its next one. Where an entry ends (a run: as far as
 * both current entries go) the cursors move on, the source's first, reading the next
 * entry of each side whose entry ended, and the copy ends if either list has. Between two
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
    int rc = side_begin(src, 0, gen, src->offset + *done, &s);
    if (rc != 0) {
        *fault_side = IPC_FAULT_SRC;
        return rc;
    }
    rc = side_begin(dst, 1, gen, dst->offset + *done, &d);
    if (rc != 0) {
        *fault_side = IPC_FAULT_DST;
        return rc;
    }
    struct copy_span ss;
    struct copy_span ds;
    span_entry(&s, &ss);
    span_entry(&d, &ds);
    uint64_t budget = IPC_COPY_CHUNK; /* bytes left to copy before the next check */
    uint64_t copied = 0;              /* by this call: progress is *done + copied */
    int side = IPC_FAULT_NONE;
    /* Bounded: each pass copies at least a byte or ends the call; at most
     * IPC_COPY_CHUNK bytes go between two preemption checks. */
    for (;;) {
        if (ss.have == 0 || ds.have == 0) {
            bool s_end = ss.have == 0 && ss.rest == 0;
            bool d_end = ds.have == 0 && ds.rest == 0;
            if (s_end || d_end) {
                /* A run ends: the entries used up move on, the source's first. */
                if (s_end) {
                    side = IPC_FAULT_SRC;
                    rc = iov_cursor_advance(&s.c, s.c.left);
                    if (rc != 0) {
                        break;
                    }
                    span_entry(&s, &ss);
                }
                if (d_end) {
                    side = IPC_FAULT_DST;
                    rc = iov_cursor_advance(&d.c, d.c.left);
                    if (rc != 0) {
                        break;
                    }
                    span_entry(&d, &ds);
                }
                /* A side still without a byte is done: a cursor not done rests on a
                 * non-empty entry (iovplan.c), so iov_cursor_done without the loads. */
                if ((ss.have == 0 && ss.rest == 0) || (ds.have == 0 && ds.rest == 0)) {
                    side = IPC_FAULT_NONE;
                    rc = 0;
                    break;
                }
            } else if (budget == 0) {
                /* In the middle of a run a due check comes before the next span. */
                budget = IPC_COPY_CHUNK;
                if (sched_preempt_check()) {
                    side = IPC_FAULT_NONE;
                    rc = -ERESTART;
                    break;
                }
            }
            if (ss.have == 0 && !side_span(&s, 0, &ss)) {
                side = IPC_FAULT_SRC;
                rc = -CR_EFAULT;
                break;
            }
            if (ds.have == 0 && !side_span(&d, 1, &ds)) {
                side = IPC_FAULT_DST;
                rc = -CR_EFAULT;
                break;
            }
        }
        if (budget == 0) {
            budget = IPC_COPY_CHUNK;
            if (sched_preempt_check()) {
                side = IPC_FAULT_NONE;
                rc = -ERESTART;
                break;
            }
        }
        uint64_t len = MIN(MIN(ss.have, ds.have), budget);
        arch_copy_forward(&ds.p, (const uint8_t **)&ss.p, len);
        ss.have -= len;
        ds.have -= len;
        budget -= len;
        copied += len;
    }
    *done += copied;
    *fault_side = side;
    return rc;
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
