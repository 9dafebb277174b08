/* SPDX-License-Identifier: MIT */
/*
 * System tests of the copier's spans (docs/ipc.md, "The copier"): the kernel copies in
 * one go as many bytes as both sides hold on consecutive physical frames, so these tests
 * lay buffers out frame by frame, in ascending frame order, out of order and reversed,
 * and check that the bytes arrive exactly, whatever the layout, at odd offsets and across
 * iov entries; and that a page a span would run into but may not use (unmapped, or
 * read-only for the receiving side) stops the copy there with EFAULT, with the bytes
 * before it written, even where the frames themselves continue.
 *
 * Frames come from the test arena one at a time, which gives them consecutive physical
 * addresses; each test checks that first (its layout means nothing otherwise).
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "testlib.h"

#define RW (CR_RIGHT_READ | CR_RIGHT_WRITE)

enum {
    PAGES = 9, /* buffers of 9 pages: 36 KiB, more than two preemption chunks */
    HOLE = 0xff, /* in a layout: leave this page unmapped */
};

static uint8_t
pat(uint32_t seed, uint64_t i)
{
    return (uint8_t)(seed * 0x3bu + i * 29u + (i >> 9) * 5u);
}

static void
fill(uint8_t *b, uint64_t n, uint32_t seed, uint64_t start)
{
    for (uint64_t i = 0; i < n; i++) {
        b[i] = pat(seed, start + i);
    }
}

static bool
matches(const uint8_t *b, uint64_t n, uint32_t seed, uint64_t start)
{
    for (uint64_t i = 0; i < n; i++) {
        if (b[i] != pat(seed, start + i)) {
            return false;
        }
    }
    return true;
}

/*
 * PAGES fresh frames (physically consecutive: checked) mapped so that page i of the
 * buffer holds frame layout[i] (HOLE: nothing), with `rights`, except page ro (if <
 * PAGES), which is mapped read-only. Returns the buffer, or NULL (failure recorded); the
 * frames' capabilities, frame by frame, in f.
 */
static uint8_t *
lay_out_frames(struct tl *t, const uint8_t layout[PAGES], unsigned ro, cr_cptr_t f[PAGES])
{
    uint64_t pa[PAGES];
    uint64_t va = tl_va(t, PAGES);
    if (va == 0) {
        return NULL;
    }
    for (unsigned i = 0; i < PAGES; i++) {
        struct cr_cap_info info;
        f[i] = tl_new(t, CR_OBJ_FRAME, CR_PAGE_BITS);
        if (f[i] == 0 || !EXPECT_OK(tl_identify(f[i], &info))) {
            return NULL;
        }
        pa[i] = info.paddr;
        if (i > 0 && !EXPECT_EQ(pa[i], pa[i - 1] + CR_PAGE_SIZE)) {
            return NULL;
        }
    }
    for (unsigned i = 0; i < PAGES; i++) {
        if (layout[i] == HOLE) {
            continue;
        }
        uint64_t rights = i == ro ? CR_RIGHT_READ : RW;
        if (!EXPECT_OK(tl_map_at(f[layout[i]], va + i * CR_PAGE_SIZE, rights))) {
            return NULL;
        }
    }
    return (uint8_t *)(uintptr_t)va;
}

static uint8_t *
lay_out(struct tl *t, const uint8_t layout[PAGES], unsigned ro)
{
    cr_cptr_t f[PAGES];
    return lay_out_frames(t, layout, ro, f);
}

/* Runs of consecutive frames, breaks, a reversed pair, all reversed, a rotation. */
static const uint8_t mixed[PAGES] = { 0, 1, 2, 6, 3, 4, 5, 8, 7 };
static const uint8_t reversed[PAGES] = { 8, 7, 6, 5, 4, 3, 2, 1, 0 };
static const uint8_t rotated[PAGES] = { 3, 4, 5, 6, 7, 8, 0, 1, 2 };
static const uint8_t in_order[PAGES] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };

/* A message and its reply, each nearly 36 KiB at odd offsets, between buffers laid out
 * frame by frame in three different orders; the receive takes it in two entries. */
TEST(ipc_copy_across_frames_in_any_order)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    const uint64_t size = PAGES * CR_PAGE_SIZE;
    const uint64_t len = size - 10;
    cr_cptr_t chan = tl_ipc_channel(&t, 1, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    uint8_t *sp = lay_out(&t, mixed, PAGES);
    uint8_t *cr = lay_out(&t, reversed, PAGES);
    uint8_t *rp = lay_out(&t, rotated, PAGES);
    uint8_t *iovs = tl_map(&t, RW, NULL);
    if (conn == 0 || sp == NULL || cr == NULL || rp == NULL || iovs == NULL) {
        goto out;
    }
    fill(sp, size, 0, 0);
    memset(cr, '.', size);
    memset(rp, '-', size);
    struct cr_iov *siov = (struct cr_iov *)(void *)iovs;
    struct cr_iov *riov = siov + 1;
    siov[0] = (struct cr_iov){ CR_UPTR(sp + 5), len };
    riov[0] = (struct cr_iov){ CR_UPTR(cr + 7), size - 7 };
    struct tl_call c = { conn, CR_UPTR(siov), 1, CR_UPTR(riov), 1 };
    if (!tl_call_start(&t, &th, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th))) {
        goto out;
    }
    struct cr_iov rv[2] = { { CR_UPTR(rp + 3), 12345 }, { CR_UPTR(rp + 3 + 12345), len - 12345 } };
    struct cr_msg_info info;
    int64_t rcvid = cr_msg_receivev(chan, CR_UPTR(rv), 2, CR_UPTR(&info));
    if (!EXPECT_TRUE(rcvid > 0)) {
        goto out;
    }
    EXPECT_EQ(info.copied, len);
    EXPECT_TRUE(tl_all_bytes(rp, 3, '-'));
    EXPECT_TRUE(matches(rp + 3, len, 0, 5));
    EXPECT_TRUE(tl_all_bytes(rp + 3 + len, size - 3 - len, '-'));
    /* The reply: the server's bytes as they arrived, into the reversed buffer. */
    struct cr_iov pv[1] = { { CR_UPTR(rp + 3), len } };
    EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid, 4, CR_UPTR(pv), 1));
    if (EXPECT_RESULT(&th, 4)) {
        EXPECT_TRUE(tl_all_bytes(cr, 7, '.'));
        EXPECT_TRUE(matches(cr + 7, len, 0, 5));
        EXPECT_TRUE(tl_all_bytes(cr + 7 + len, size - 7 - len, '.'));
    }
out:
    tl_end(&t);
}

/* The receiving buffer's frames are consecutive, but its page 2 is read-only: the
 * receive fails with EFAULT after writing pages 0 and 1 (page 2 on keeps its fresh zeros),
 * and the client waits for a better receive, which gets the whole message. */
TEST(ipc_copy_stops_at_a_read_only_page_amid_consecutive_frames)
{
    struct tl t;
    struct tl_thread th;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    const uint64_t size = PAGES * CR_PAGE_SIZE;
    cr_cptr_t chan = tl_ipc_channel(&t, 1, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    uint8_t *sp = lay_out(&t, in_order, PAGES);
    uint8_t *rp = lay_out(&t, in_order, 2);
    uint8_t *good = lay_out(&t, reversed, PAGES);
    uint8_t *iovs = tl_map(&t, RW, NULL);
    if (conn == 0 || sp == NULL || rp == NULL || good == NULL || iovs == NULL) {
        goto out;
    }
    fill(sp, size, 1, 0);
    memset(rp, '-', 2 * CR_PAGE_SIZE);
    struct cr_iov *siov = (struct cr_iov *)(void *)iovs;
    siov[0] = (struct cr_iov){ CR_UPTR(sp), size };
    struct tl_call c = { conn, CR_UPTR(siov), 1, 0, 0 };
    if (!tl_call_start(&t, &th, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&th))) {
        goto out;
    }
    struct cr_iov rv[1] = { { CR_UPTR(rp), size } };
    struct cr_msg_info info;
    if (!EXPECT_ERR(-CR_EFAULT, cr_msg_receivev(chan, CR_UPTR(rv), 1, CR_UPTR(&info)))) {
        goto out; /* a receive that took the message would leave nothing to receive below */
    }
    EXPECT_TRUE(matches(rp, 2 * CR_PAGE_SIZE, 1, 0));
    EXPECT_TRUE(tl_all_bytes(rp + 2 * CR_PAGE_SIZE, size - 2 * CR_PAGE_SIZE, 0)); /* fresh */
    EXPECT_TRUE(tl_call_blocked(&th));
    rv[0] = (struct cr_iov){ CR_UPTR(good), size };
    int64_t rcvid = cr_msg_receivev(chan, CR_UPTR(rv), 1, CR_UPTR(&info));
    if (!EXPECT_TRUE(rcvid > 0)) {
        goto out;
    }
    EXPECT_EQ(info.copied, size);
    EXPECT_TRUE(matches(good, size, 1, 0));
    EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid, 0, 0, 0));
    EXPECT_RESULT(&th, 0);
out:
    tl_end(&t);
}

/* The sending buffer's page 6 is a hole between consecutive frames: the client's call
 * fails with EFAULT, and the server's receive goes on to the next client, whose short
 * message lands over the bytes the first one got to copy (pages 0..5). */
TEST(ipc_copy_stops_at_a_hole_amid_consecutive_frames)
{
    static const uint8_t holed[PAGES] = { 0, 1, 2, 3, 4, 5, HOLE, 7, 8 };
    struct tl t;
    struct tl_thread bad;
    struct tl_thread next;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    const uint64_t size = PAGES * CR_PAGE_SIZE;
    cr_cptr_t chan = tl_ipc_channel(&t, 1, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    uint8_t *sp = lay_out(&t, holed, PAGES);
    uint8_t *rp = lay_out(&t, in_order, PAGES);
    uint8_t *iovs = tl_map(&t, RW, NULL);
    if (conn == 0 || sp == NULL || rp == NULL || iovs == NULL) {
        goto out;
    }
    for (unsigned i = 0; i < PAGES; i++) {
        if (i != 6) {
            fill(sp + i * CR_PAGE_SIZE, CR_PAGE_SIZE, 2, i * CR_PAGE_SIZE);
        }
    }
    fill(iovs + 2048, 100, 3, 0);
    memset(rp, '-', size);
    struct cr_iov *siov = (struct cr_iov *)(void *)iovs;
    siov[0] = (struct cr_iov){ CR_UPTR(sp), size };
    siov[1] = (struct cr_iov){ CR_UPTR(iovs + 2048), 100 };
    struct tl_call cb = { conn, CR_UPTR(&siov[0]), 1, 0, 0 };
    struct tl_call cn = { conn, CR_UPTR(&siov[1]), 1, 0, 0 };
    if (!tl_call_start(&t, &bad, &cb, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&bad)) ||
        !tl_call_start(&t, &next, &cn, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&next))) {
        goto out;
    }
    struct cr_iov rv[1] = { { CR_UPTR(rp), size } };
    struct cr_msg_info info;
    int64_t rcvid = cr_msg_receivev(chan, CR_UPTR(rv), 1, CR_UPTR(&info));
    if (!EXPECT_TRUE(rcvid > 0)) {
        goto out;
    }
    EXPECT_RESULT(&bad, -CR_EFAULT);
    EXPECT_EQ(info.copied, 100);
    EXPECT_TRUE(matches(rp, 100, 3, 0));
    EXPECT_TRUE(matches(rp + 100, 6 * CR_PAGE_SIZE - 100, 2, 100));
    EXPECT_TRUE(tl_all_bytes(rp + 6 * CR_PAGE_SIZE, 3 * CR_PAGE_SIZE, '-'));
    EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid, 0, 0, 0));
    EXPECT_RESULT(&next, 0);
out:
    tl_end(&t);
}

/* Each thread keeps the page table its last copies went through (and reads its entries
 * afresh): after the receive buffer's page is unmapped and another frame mapped in its
 * place, the next message must land in the new frame, and the old one keep the first. */
TEST(ipc_copy_after_a_remap_uses_the_new_frame)
{
    struct tl t;
    struct tl_thread a;
    struct tl_thread b;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    cr_cptr_t chan = tl_ipc_channel(&t, 1, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    cr_cptr_t old_frame;
    cr_cptr_t new_frame;
    uint8_t *buf = tl_map(&t, RW, &old_frame);
    uint8_t *spare = tl_map(&t, RW, &new_frame);
    uint8_t *msgs = tl_pages(&t, 3, RW);
    if (conn == 0 || buf == NULL || spare == NULL || msgs == NULL) {
        goto out;
    }
    fill(msgs, CR_PAGE_SIZE, 4, 0);
    fill(msgs + CR_PAGE_SIZE, CR_PAGE_SIZE, 5, 0);
    struct cr_iov *siov = (struct cr_iov *)(void *)(msgs + 2 * CR_PAGE_SIZE);
    siov[0] = (struct cr_iov){ CR_UPTR(msgs), CR_PAGE_SIZE };
    siov[1] = (struct cr_iov){ CR_UPTR(msgs + CR_PAGE_SIZE), CR_PAGE_SIZE };
    struct tl_call ca = { conn, CR_UPTR(&siov[0]), 1, 0, 0 };
    struct tl_call cb = { conn, CR_UPTR(&siov[1]), 1, 0, 0 };
    struct cr_msg_info info;
    if (!tl_call_start(&t, &a, &ca, TL_PRIO)) {
        goto out;
    }
    int64_t rcvid = tl_recv1(chan, buf, CR_PAGE_SIZE, &info);
    if (!EXPECT_TRUE(rcvid > 0) || !EXPECT_TRUE(matches(buf, CR_PAGE_SIZE, 4, 0))) {
        goto out;
    }
    EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid, 0, 0, 0));
    EXPECT_RESULT(&a, 0);
    /* Swap the frames: the buffer's address now maps new_frame, old_frame is at spare. */
    if (!EXPECT_OK(cr_vspace_unmap(old_frame)) || !EXPECT_OK(cr_vspace_unmap(new_frame)) ||
        !EXPECT_OK(tl_map_at(new_frame, (uint64_t)(uintptr_t)buf, RW)) ||
        !EXPECT_OK(tl_map_at(old_frame, (uint64_t)(uintptr_t)spare, RW))) {
        goto out;
    }
    memset(buf, 0, CR_PAGE_SIZE);
    if (!tl_call_start(&t, &b, &cb, TL_PRIO)) {
        goto out;
    }
    rcvid = tl_recv1(chan, buf, CR_PAGE_SIZE, &info);
    if (EXPECT_TRUE(rcvid > 0)) {
        EXPECT_TRUE(matches(buf, CR_PAGE_SIZE, 5, 0));
        EXPECT_TRUE(matches(spare, CR_PAGE_SIZE, 4, 0));
        EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid, 0, 0, 0));
        EXPECT_RESULT(&b, 0);
    }
out:
    tl_end(&t);
}

/* Each thread keeps the runs of consecutive frames its copies found (docs/ipc.md,
 * "Spans"), for the buffers it reads from and writes to: once a page of such a run loses
 * its write right, or its mapping, a copy through the same buffer must stop there, on
 * either side, with the bytes before it copied. */
TEST(ipc_copy_stops_where_a_known_span_lost_a_page)
{
    struct tl t;
    struct tl_thread a;
    struct tl_thread b;
    if (!tl_ipc_begin(&t)) {
        return;
    }
    const uint64_t size = PAGES * CR_PAGE_SIZE;
    cr_cptr_t chan = tl_ipc_channel(&t, 1, NULL);
    cr_cptr_t conn = chan != 0 ? tl_mint(&t, chan, CR_RIGHT_WRITE, 1) : 0;
    cr_cptr_t frames[PAGES];
    uint8_t *sp = lay_out(&t, in_order, PAGES);
    uint8_t *cr = lay_out(&t, in_order, PAGES);
    uint8_t *rp = lay_out_frames(&t, in_order, PAGES, frames);
    uint8_t *good = lay_out(&t, reversed, PAGES);
    uint8_t *iovs = tl_map(&t, RW, NULL);
    if (conn == 0 || sp == NULL || cr == NULL || rp == NULL || good == NULL || iovs == NULL) {
        goto out;
    }
    struct cr_iov *siov = (struct cr_iov *)(void *)iovs;
    struct cr_iov *riov = siov + 1;
    siov[0] = (struct cr_iov){ CR_UPTR(sp), size };
    riov[0] = (struct cr_iov){ CR_UPTR(cr), size };
    struct tl_call c = { conn, CR_UPTR(siov), 1, CR_UPTR(riov), 1 };
    struct cr_iov rv[1] = { { CR_UPTR(rp), size } };
    struct cr_msg_info info;
    /* A whole exchange through rp: this thread now knows rp's run as both sides. */
    fill(sp, size, 6, 0);
    if (!tl_call_start(&t, &a, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&a))) {
        goto out;
    }
    int64_t rcvid = cr_msg_receivev(chan, CR_UPTR(rv), 1, CR_UPTR(&info));
    if (!EXPECT_TRUE(rcvid > 0) || !EXPECT_TRUE(matches(rp, size, 6, 0)) ||
        !EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid, 0, CR_UPTR(rv), 1)) ||
        !EXPECT_RESULT(&a, 0) || !EXPECT_TRUE(matches(cr, size, 6, 0))) {
        goto out;
    }
    /* Page 3 read-only: the receive writes pages 0..2 and fails; the client waits on. */
    fill(sp, size, 7, 0);
    if (!EXPECT_OK(cr_vspace_remap(frames[3], CR_RIGHT_READ)) ||
        !tl_call_start(&t, &b, &c, TL_PRIO) || !EXPECT_TRUE(tl_call_blocked(&b)) ||
        !EXPECT_ERR(-CR_EFAULT, cr_msg_receivev(chan, CR_UPTR(rv), 1, CR_UPTR(&info)))) {
        goto out;
    }
    EXPECT_TRUE(matches(rp, 3 * CR_PAGE_SIZE, 7, 0));
    EXPECT_TRUE(matches(rp + 3 * CR_PAGE_SIZE, size - 3 * CR_PAGE_SIZE, 6, 3 * CR_PAGE_SIZE));
    EXPECT_TRUE(tl_call_blocked(&b));
    /* Page 3 writable again, page 5 gone: the receive stops at page 5. */
    if (!EXPECT_OK(cr_vspace_remap(frames[3], RW)) || !EXPECT_OK(cr_vspace_unmap(frames[5])) ||
        !EXPECT_ERR(-CR_EFAULT, cr_msg_receivev(chan, CR_UPTR(rv), 1, CR_UPTR(&info)))) {
        goto out;
    }
    EXPECT_TRUE(matches(rp, 5 * CR_PAGE_SIZE, 7, 0));
    EXPECT_TRUE(matches(rp + 6 * CR_PAGE_SIZE, size - 6 * CR_PAGE_SIZE, 6, 6 * CR_PAGE_SIZE));
    /* As a source: a reply from rp copies pages 0..4 and fails on our side, the exchange
     * open; then an empty reply ends it. */
    struct cr_iov gv[1] = { { CR_UPTR(good), size } };
    memset(cr, '.', size);
    rcvid = cr_msg_receivev(chan, CR_UPTR(gv), 1, CR_UPTR(&info));
    if (!EXPECT_TRUE(rcvid > 0) || !EXPECT_TRUE(matches(good, size, 7, 0))) {
        goto out;
    }
    EXPECT_ERR(-CR_EFAULT, cr_msg_replyv(chan, (uint64_t)rcvid, 0, CR_UPTR(rv), 1));
    EXPECT_TRUE(matches(cr, 5 * CR_PAGE_SIZE, 7, 0));
    EXPECT_TRUE(tl_all_bytes(cr + 5 * CR_PAGE_SIZE, size - 5 * CR_PAGE_SIZE, '.'));
    EXPECT_OK(cr_msg_replyv(chan, (uint64_t)rcvid, 0, 0, 0));
    EXPECT_RESULT(&b, 0);
out:
    tl_end(&t);
}
