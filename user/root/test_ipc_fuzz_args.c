/* SPDX-License-Identifier: MIT */
/*
 * The IPC fuzzer's argument generator (test_ipc_fuzz.c): cptrs mostly to the stocked
 * slots, sometimes empty or wild; addresses in the good scratch pages, the hole, the
 * read-only page, the kernel, non-canonical or wild; iov arrays good, unreadable or full
 * of wild entries, with counts up to and past CR_IOV_MAX; rcvids open, stale and forged.
 */
#include "test_ipc_fuzz.h"

#include <courier/abi/msg.h>

#include "testlib.h"

static uint64_t
pick(uint64_t *s, uint64_t n)
{
    return tl_rand(s) % n;
}

/* A cptr: mostly the stocked slots, sometimes empty or wild ones. */
static uint64_t
fz_cptr(uint64_t *s)
{
    switch (pick(s, 8)) {
    case 0:
        return pick(s, 1u << FUZZ_CNODE_RADIX);
    case 1:
        return tl_rand(s);
    case 2:
        return pick(s, 16) | 1ull << (56 + pick(s, 8));
    default:
        return pick(s, FZ_NSLOTS + 2);
    }
}

/* An address: good scratch, the hole, the read-only page, the kernel, wild. */
static uint64_t
fz_addr(struct fuzz_state *f, uint64_t *s)
{
    uint64_t sc = (uint64_t)(uintptr_t)f->scratch;
    switch (pick(s, 12)) {
    case 0:
        return 0;
    case 1:
        return 1 + pick(s, 0xfff);
    case 2:
    case 3:
    case 4:
        return sc + 2048 + pick(s, 6144); /* the data part of pages 0-1, may run on */
    case 5:
        return sc + 2 * CR_PAGE_SIZE + pick(s, CR_PAGE_SIZE); /* the hole */
    case 6:
        return sc + 3 * CR_PAGE_SIZE + pick(s, CR_PAGE_SIZE); /* read-only */
    case 7:
        return KERNEL_ADDR + (tl_rand(s) & 0xffffffffull);
    case 8:
        return 0x0000800000000000ull - pick(s, 64);
    case 9:
        return 0x400000 + pick(s, 0x1000); /* root code: readable only */
    case 10:
        return ~0ull - pick(s, 256);
    default:
        return tl_rand(s);
    }
}

static uint64_t
fz_len(uint64_t *s)
{
    static const uint64_t common[] = { 0, 1, 3, 16, 64, 255, 4095, 4096, 8192, 1ull << 20 };
    switch (pick(s, 6)) {
    case 0:
        return tl_rand(s);
    case 1:
        return (1ull << 63) + pick(s, 3);
    default:
        return common[pick(s, sizeof(common) / 8)];
    }
}

/* An iov array at scratch + at (first half of page 0) with up to 8 entries; returns its
 * address (sometimes a bad one instead) and the count to pass in *n. */
static uint64_t
fz_iov(struct fuzz_state *f, uint64_t *s, unsigned at, uint64_t *n)
{
    struct cr_iov *v = (struct cr_iov *)(void *)(f->scratch + at);
    unsigned k = (unsigned)pick(s, 9);
    for (unsigned i = 0; i < k; i++) {
        v[i].base = pick(s, 3) == 0 ? fz_addr(f, s)
                                    : (uint64_t)(uintptr_t)f->scratch + 2048 + pick(s, 4096);
        v[i].len = pick(s, 3) == 0 ? fz_len(s) : pick(s, 300);
    }
    switch (pick(s, 10)) {
    case 0:
        *n = CR_IOV_MAX + pick(s, 2); /* reads past the 8 entries: whatever is there */
        break;
    case 1:
        *n = tl_rand(s);
        break;
    default:
        *n = k;
        break;
    }
    return pick(s, 6) == 0 ? fz_addr(f, s) : (uint64_t)(uintptr_t)v;
}

/* An rcvid: one the fuzzer holds open, a stale or forged one, or anything. */
static uint64_t
fz_rcvid(struct fuzz_state *f, uint64_t *s)
{
    if (f->nopen > 0 && pick(s, 2) == 0) {
        return f->open[pick(s, f->nopen)];
    }
    switch (pick(s, 4)) {
    case 0:
        return 0;
    case 1:
        return tl_rand(s);
    default:
        return (1 + pick(s, 4)) << 32 | pick(s, 6);
    }
}

static uint64_t
fz_chan(uint64_t *s)
{
    static const uint64_t likely[] = { FZ_C2, FZ_C2, FZ_C2_RO, FZ_C1, FZ_C1_WO, FZ_C3 };
    return pick(s, 4) == 0 ? fz_cptr(s) : likely[pick(s, sizeof(likely) / 8)];
}

void
fz_args(struct fuzz_state *f, uint64_t *s, uint64_t nr, uint64_t a[5])
{
    uint64_t n = 0;
    switch (nr) {
    case CR_SYS_channel_bind:
        a[0] = pick(s, 3) == 0 ? fz_cptr(s) : (pick(s, 2) == 0 ? FZ_C3 : FZ_C1 + pick(s, 3));
        a[1] = pick(s, 3) == 0 ? fz_cptr(s) : FZ_T1 + pick(s, 4);
        a[2] = pick(s, 3) == 0 ? tl_rand(s) : pick(s, 3);
        break;
    case CR_SYS_msg_sendv:
        a[0] = pick(s, 3) == 0 ? fz_cptr(s) : (pick(s, 2) == 0 ? FZ_C1 : fz_chan(s));
        a[1] = fz_iov(f, s, 0, &n);
        a[2] = n;
        a[3] = fz_iov(f, s, 1024, &n);
        a[4] = n;
        break;
    case CR_SYS_msg_receivev:
        a[0] = pick(s, 4) == 0 ? fz_cptr(s) : (pick(s, 2) == 0 ? FZ_C2 : fz_chan(s));
        a[1] = fz_iov(f, s, 0, &n);
        a[2] = n;
        a[3] = pick(s, 4) == 0 ? fz_addr(f, s)
                               : (uint64_t)(uintptr_t)f->scratch + 2048 + 8 * pick(s, 500);
        break;
    case CR_SYS_msg_replyv:
        a[0] = fz_chan(s);
        a[1] = fz_rcvid(f, s);
        a[2] = pick(s, 4) == 0 ? tl_rand(s) : pick(s, 100);
        a[3] = fz_iov(f, s, 0, &n);
        a[4] = n;
        break;
    case CR_SYS_msg_error:
        a[0] = fz_chan(s);
        a[1] = fz_rcvid(f, s);
        a[2] = pick(s, 4) == 0 ? tl_rand(s) : pick(s, 5000);
        break;
    default: /* msg_read, msg_write */
        a[0] = fz_chan(s);
        a[1] = fz_rcvid(f, s);
        a[2] = pick(s, 4) == 0 ? tl_rand(s) : pick(s, 80);
        a[3] = fz_iov(f, s, 0, &n);
        a[4] = n;
        break;
    }
}
