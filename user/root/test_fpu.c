/* SPDX-License-Identifier: MIT */
/*
 * FPU/SSE state is per thread. The kernel switches it eagerly on the way out to a
 * different thread (no #NM trap, so the switch cost is bounded and predictable), and a
 * new thread starts from a clean state. Two threads fill all sixteen XMM registers and
 * MXCSR with different patterns and yield to each other many times; each must find its
 * own values every time.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/sys.h>

#include "testlib.h"

enum {
    ROUNDS = 200,
};

struct xmm_state {
    uint64_t x[32]; /* 16 registers of two words */
    uint32_t mxcsr;
};

static void
fill(struct xmm_state *s, uint64_t seed, uint32_t mxcsr)
{
    for (int i = 0; i < 32; i++) {
        s->x[i] = seed * 0x9e3779b97f4a7c15ull + (uint64_t)i;
    }
    s->mxcsr = mxcsr;
}

static void
load(const struct xmm_state *s)
{
    __asm__ volatile("movdqu 0(%0), %%xmm0\n movdqu 16(%0), %%xmm1\n"
                     "movdqu 32(%0), %%xmm2\n movdqu 48(%0), %%xmm3\n"
                     "movdqu 64(%0), %%xmm4\n movdqu 80(%0), %%xmm5\n"
                     "movdqu 96(%0), %%xmm6\n movdqu 112(%0), %%xmm7\n"
                     "movdqu 128(%0), %%xmm8\n movdqu 144(%0), %%xmm9\n"
                     "movdqu 160(%0), %%xmm10\n movdqu 176(%0), %%xmm11\n"
                     "movdqu 192(%0), %%xmm12\n movdqu 208(%0), %%xmm13\n"
                     "movdqu 224(%0), %%xmm14\n movdqu 240(%0), %%xmm15\n"
                     "ldmxcsr 256(%0)"
                     :
                     : "r"(s)
                     : "memory");
}

static void
store(struct xmm_state *s)
{
    __asm__ volatile("movdqu %%xmm0, 0(%0)\n movdqu %%xmm1, 16(%0)\n"
                     "movdqu %%xmm2, 32(%0)\n movdqu %%xmm3, 48(%0)\n"
                     "movdqu %%xmm4, 64(%0)\n movdqu %%xmm5, 80(%0)\n"
                     "movdqu %%xmm6, 96(%0)\n movdqu %%xmm7, 112(%0)\n"
                     "movdqu %%xmm8, 128(%0)\n movdqu %%xmm9, 144(%0)\n"
                     "movdqu %%xmm10, 160(%0)\n movdqu %%xmm11, 176(%0)\n"
                     "movdqu %%xmm12, 192(%0)\n movdqu %%xmm13, 208(%0)\n"
                     "movdqu %%xmm14, 224(%0)\n movdqu %%xmm15, 240(%0)\n"
                     "stmxcsr 256(%0)"
                     :
                     : "r"(s)
                     : "memory");
}

static uint64_t
mismatches(const struct xmm_state *want, const struct xmm_state *got)
{
    uint64_t bad = want->mxcsr != got->mxcsr;
    for (int i = 0; i < 32; i++) {
        bad += want->x[i] != got->x[i];
    }
    return bad;
}

/* Yields ROUNDS times with its own pattern live in the registers; counts surprises. */
static uint64_t
churn(uint64_t seed, uint32_t mxcsr)
{
    struct xmm_state want;
    struct xmm_state got;
    fill(&want, seed, mxcsr);
    uint64_t bad = 0;
    for (int r = 0; r < ROUNDS; r++) {
        load(&want);
        cr_yield();
        store(&got);
        bad += mismatches(&want, &got);
    }
    return bad;
}

static void
partner(struct tl_thread *th)
{
    struct xmm_state fresh;
    store(&fresh);
    th->out[1] = fresh.mxcsr; /* a new thread starts with the default MXCSR */
    th->out[0] = churn(2, 0x1f80 | 0x6000); /* round toward zero */
}

TEST(fpu_state_is_per_thread)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_begin(&t)) {
        return;
    }
    /* Same priority as the root, so every yield switches between the two. */
    if (tl_thread_new(&t, &th, partner, TL_ROOT_PRIO) && tl_thread_start(&th)) {
        uint64_t bad = churn(1, 0x1f80 | 0x2000); /* round down */
        EXPECT_EQ(0, bad);
        EXPECT_TRUE(tl_wait_word(&th.finished, 1, 0, TL_TIMEOUT_MS));
        EXPECT_EQ(0, th.out[0]);
        EXPECT_EQ(0x1f80, th.out[1]);
    }
    struct xmm_state restore;
    fill(&restore, 0, 0x1f80);
    load(&restore);
    tl_end(&t);
}
