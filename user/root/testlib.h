/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the root server's system tests: a per-test arena that hands out root-CNode
 * slots, a 1 MiB RAM untyped and pages of a virtual-address window in the root server's
 * own address space, and takes all of it back at the end of the test (testlib.c); helper
 * threads that run a C function in the root server's address space, and bounded waits,
 * so no test can hang the run on a thread that never signals (testlib_thread.c); a second
 * address space (testlib_as.c); and the IPC tests' clients and prober (testlib_ipc.c).
 * This is the one header the tests include for all of them.
 *
 * Use:
 *     TEST(area_behaviour)
 *     {
 *         struct tl t;
 *         if (!tl_begin(&t)) {
 *             return;
 *         }
 *         cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
 *         ...
 *         tl_end(&t);
 *     }
 *
 * tl_end deletes every capability in the slots the test took (TCBs first, so no helper
 * thread runs on into freed memory), revokes the test's untypeds, gives the slots and
 * window pages back and puts the root server back at priority TL_ROOT_PRIO. Arenas nest
 * in stack order only (tests run one at a time). Slots and pages are handed out in
 * increasing order, so consecutive tl_slot() calls give consecutive slots.
 * Every helper records a test failure (TEST_FAIL) when it cannot do its job and returns
 * 0/NULL/an error, so callers may stop with a plain `goto out`.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <courier/abi/bootinfo.h>
#include <courier/abi/caps.h>
#include <courier/abi/types.h>

/* The root server's normal priority (the kernel starts it at 255 with mcp 255). */
#define TL_ROOT_PRIO 255u
/* Default priority of helper threads, and of the root server while it waits for them. */
#define TL_PRIO 100u
/* Default bound of the waits, in milliseconds of clock_get time. */
#define TL_TIMEOUT_MS 2000u

/* Base of the root server's test window: one page table's worth (2 MiB) of fresh
 * address space, with its PDPT, PD and PT made and mapped once by testlib. */
#define TL_WIN_BASE 0x10000000000ull
#define TL_WIN_PAGES 512u

/* Size of every pool untyped handed out by tl_begin / tl_ut. */
#define TL_UT_BITS 20u

#define TL_MAX_UTS 4

struct tl {
    uint32_t slot_mark;        /* first slot index of this arena */
    uint32_t page_mark;        /* first window page of this arena */
    cr_cptr_t ut;              /* the arena's 1 MiB untyped (also uts[0]) */
    cr_cptr_t uts[TL_MAX_UTS]; /* all pool untypeds taken by this arena */
    unsigned nuts;
};

/* Arena. */
bool tl_begin(struct tl *t);
void tl_end(struct tl *t);
cr_cptr_t tl_slot(struct tl *t);
cr_cptr_t tl_slots(struct tl *t, unsigned n);
cr_cptr_t tl_ut(struct tl *t);
cr_cptr_t tl_ut_big(struct tl *t); /* 4 MiB, 4 MiB aligned */
const struct cr_untyped_desc *tl_device_untyped(cr_cptr_t *slot);

/* Objects: retypes one object from the arena's untyped into a fresh slot (0 on error). */
cr_cptr_t tl_new(struct tl *t, unsigned type, unsigned size_bits);
cr_cptr_t tl_new_from(struct tl *t, cr_cptr_t ut, unsigned type, unsigned size_bits);
/* A copy / badged mint of a root-CNode capability into a fresh slot (0 on error). */
cr_cptr_t tl_copy(struct tl *t, cr_cptr_t src, uint64_t rights);
cr_cptr_t tl_mint(struct tl *t, cr_cptr_t src, uint64_t rights, uint64_t badge);

/* cap_identify into *info; returns its result. */
int64_t tl_identify(cr_cptr_t cptr, struct cr_cap_info *info);
/* The type of the capability at cptr, or CR_OBJ_NULL if identify fails. */
unsigned tl_type(cr_cptr_t cptr);

/* Window pages of the root's address space. */
uint64_t tl_va(struct tl *t, unsigned pages);                      /* reserve, leave unmapped */
void *tl_map(struct tl *t, uint64_t rights, cr_cptr_t *frame_out); /* fresh frame */
int64_t tl_map_at(cr_cptr_t frame, uint64_t va, uint64_t rights);

/* Priorities of the root server. */
void tl_root_prio(unsigned prio);

/* Bounded waits: the root drops to `prio` (0: TL_PRIO) and polls, yielding in between;
 * none gives up (or, for tl_pause, ends) before it has yielded once. */
int64_t tl_wait(cr_cptr_t ntfn, uint64_t *bits, unsigned prio, uint64_t timeout_ms);
int64_t tl_fault_wait(cr_cptr_t chan, struct cr_fault_msg *msg, unsigned prio, uint64_t timeout_ms);
/* Lets lower-priority threads run for about ms milliseconds (the root polls at prio). */
void tl_pause(unsigned prio, uint64_t ms);
/* Spins (yielding at `prio`) until *word == want or the time runs out; true if it did. */
bool tl_wait_word(volatile uint64_t *word, uint64_t want, unsigned prio, uint64_t timeout_ms);
uint64_t tl_now_ns(void);

/* Helper threads in the root server's address space. */
struct tl_thread;
typedef void (*tl_thread_fn)(struct tl_thread *th);

struct tl_thread {
    cr_cptr_t tcb;  /* root slot of its TCB */
    cr_cptr_t self; /* its own TCB as named in its CSpace (default: tcb) */
    cr_cptr_t done; /* notification it signals when fn returns (its view), or 0 */
    tl_thread_fn fn;
    uint64_t arg[4]; /* free for the test */
    uint64_t stack_top;
    volatile uint64_t finished; /* set when fn returned */
    volatile uint64_t out[8];   /* free for the test: results from the thread */
};

/* Makes a thread (TCB from the arena's untyped, configured with the root CNode and
 * VSpace, priority prio, 4-page stack); not started. false on failure. */
bool tl_thread_new(struct tl *t, struct tl_thread *th, tl_thread_fn fn, unsigned prio);
/* Points the thread at fn(th) on its stack (keeping fs_base) and resumes it. */
bool tl_thread_start(struct tl_thread *th);
/* Sets the registers for fn(th) without resuming (for tests that resume by hand). */
bool tl_thread_prepare(struct tl_thread *th);
/* Ends the calling helper thread: signals th->done, then suspends itself. */
_Noreturn void tl_thread_exit(struct tl_thread *th);

/* Accepts every value a system call may return: >= 0 or a code from errors.def. */
bool tl_is_documented(int64_t rc);

/* Deterministic PRNG (xorshift64*). */
uint64_t tl_rand(uint64_t *state);

/* Probes in testlib_asm.S; each *_insn label is the instruction that faults, *_next the
 * one after it. */
uint64_t tf_load(const volatile uint64_t *p);
void tf_store(volatile uint64_t *p, uint64_t v);
void tf_ud2(void);
uint64_t tf_div0(void);
void tf_hlt(void);
void tf_cli(void);
int64_t tf_foreign(int64_t nr, uint64_t a0);
uint64_t tf_read_fs0(void);
void tf_int3(void);
void tf_int80(void);
void tf_x87_div0(void);
void tf_bad_stack(void);
extern char tf_load_insn[], tf_store_insn[], tf_ud2_insn[], tf_ud2_next[], tf_div0_insn[],
    tf_div0_next[], tf_hlt_insn[], tf_hlt_next[], tf_cli_insn[], tf_cli_next[], tf_foreign_insn[],
    tf_foreign_next[], tf_int3_insn[], tf_int3_next[], tf_int80_insn[], tf_int80_next[],
    tf_x87_div0_insn[], tf_x87_div0_next[], tf_bad_stack_insn[], tf_bad_stack_next[];
/* The second-address-space code blob and its register-client entry (see testlib_asm.S). */
extern char as_blob_start[], as_blob_call[], as_blob_end[];

#define TL_ADDR(sym) ((uint64_t)(uintptr_t)(sym))

/* Maps a PDPT, PD and PT (made from the arena, in consecutive slots) so that `va` can
 * hold 4 KiB frames in VSpace vs; returns the PT's slot, or 0. */
cr_cptr_t tl_map_tables(struct tl *t, cr_cptr_t vs, uint64_t va);

/*
 * A second address space running the code blob of testlib_asm.S: code at TL_AS_CODE
 * (R+X), a data page at TL_AS_DATA (R+W; `data` is the same page in the root's window),
 * a CSpace of its own (a radix-2 CNode behind 62 guard bits: slot 1 = the notification
 * with WRITE only, slot 2 = its own TCB), a fault channel in the root's CNode.
 */
#define TL_AS_CODE 0x400000ull
#define TL_AS_DATA 0x401000ull
#define TL_AS_NTFN 1u
#define TL_AS_SELF 2u

struct tl_as {
    cr_cptr_t vs;
    cr_cptr_t cnode;
    cr_cptr_t guarded; /* the CNode with 62 guard bits: the TCB's CSpace root */
    cr_cptr_t ntfn;
    cr_cptr_t tcb;
    cr_cptr_t chan;
    cr_cptr_t data_frame;
    volatile uint64_t *data;
};

/* Builds it (the VSpace from vs_ut, everything else from the arena); not started. */
bool tl_as_build(struct tl *t, struct tl_as *a, cr_cptr_t vs_ut);
/* Starts the blob at rip: `count` increments of the u64 at `counter`, then a signal of
 * TL_AS_NTFN (result stored in the next u64), then tcb_suspend(self), or with self 0
 * yield forever. */
bool tl_as_run(struct tl_as *a, uint64_t rip, uint64_t counter, uint64_t count, uint64_t self);

/*
 * For the IPC tests (test_ipc*.c). A channel bound to a fresh reply table of 2^table_bits
 * slots (2^table_bits - 1 open exchanges), both from the arena; the table's slot goes to
 * *table if table is not NULL. Returns the channel's slot, or 0.
 */
cr_cptr_t tl_ipc_channel(struct tl *t, unsigned table_bits, cr_cptr_t *table);
/* The largest RAM untyped of bootinfo with at least min_bits that testlib's pool is not
 * cut from, for a test that needs more memory than the pool has. Its slot goes to *slot
 * and its size to *bits; false if there is none. The test must leave it with no children
 * (revoke it) when done. */
bool tl_spare_untyped(unsigned min_bits, cr_cptr_t *slot, unsigned *bits);

/*
 * IPC tests: the root serves at TL_SRV_PRIO and clients run at TL_PRIO, above it, so a
 * client started by tl_call_start runs until it blocks in msg_sendv, and a reply runs it
 * until it finishes. A client thread makes one msg_sendv (struct tl_call, raw addresses
 * so they may be bad): out[1] = 1 once it is about to send, out[0] = the result.
 */
#define TL_SRV_PRIO 50u
/* The prober thread (below): above every client and server thread of a test. */
#define TL_PROBE_PRIO 150u
/* How long tl_probe waits for its call, in milliseconds. */
#define TL_PROBE_MS 500u
/* What tl_probe returns for a call that did not come back. */
#define TL_PROBE_BLOCKED INT64_MIN

struct tl_call {
    uint64_t conn;
    uint64_t siov;
    uint64_t sn;
    uint64_t riov;
    uint64_t rn;
};

/* Makes and starts a client for c (which must outlive it) and lets it run until it
 * blocks; the root is left at TL_SRV_PRIO. false on failure (recorded). */
bool tl_call_start(struct tl *t, struct tl_thread *th, const struct tl_call *c, unsigned prio);
/* The client is inside msg_sendv: SEND- or REPLY-blocked. */
bool tl_call_blocked(const struct tl_thread *th);
/* Bounded wait until the client's msg_sendv returned; the root is left at TL_SRV_PRIO. */
bool tl_call_done(struct tl_thread *th);
/* EXPECT_RESULT(th, want): the client's msg_sendv returned `want` (a status >= 0 or
 * -E...), within the bounded wait; a failure names the caller's file and line. */
bool tl_expect_result(const char *file, int line, struct tl_thread *th, int64_t want);
#define EXPECT_RESULT(th, want) tl_expect_result(__FILE__, __LINE__, (th), (int64_t)(want))

/*
 * A helper thread for calls that might block on a wrong kernel: tl_probe makes the call
 * there and returns its result, or TL_PROBE_BLOCKED (and a test failure) if it has not
 * returned after p->ms (TL_PROBE_MS unless the test changes it); the prober is then lost
 * and later probes fail at once.
 * The root is left at TL_SRV_PRIO.
 */
struct tl_prober {
    struct tl_thread th;
    cr_cptr_t go;
    volatile uint64_t nr;
    volatile uint64_t a[5];
    volatile int64_t rc;
    volatile uint64_t seq;
    uint64_t ms; /* the bound of each wait; tl_prober_init sets TL_PROBE_MS */
    bool stuck;
};

bool tl_prober_init(struct tl *t, struct tl_prober *p);
int64_t tl_probe(struct tl_prober *p, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
                 uint64_t a3, uint64_t a4);

/* n fresh 4 KiB frames at consecutive addresses of the test window, mapped with
 * `rights` (NULL on failure). */
uint8_t *tl_pages(struct tl *t, unsigned n, uint64_t rights);

/* IPC test helpers shared by the test_ipc*.c files. */
struct cr_msg_info;
bool tl_all_bytes(const void *p, uint64_t n, uint8_t v);
int64_t tl_recv1(cr_cptr_t chan, void *buf, uint64_t len, struct cr_msg_info *info);
int64_t tl_reply1(cr_cptr_t chan, uint64_t rcvid, uint64_t status, const void *buf,
                  uint64_t len);
bool tl_ipc_begin(struct tl *t);
