/* SPDX-License-Identifier: MIT */
/*
 * The system tests' IPC helpers (see testlib.h), shared by the test_ipc*.c files: bound
 * channels, client threads that make one msg_sendv (struct tl_call) and the checks of
 * their results, the prober thread that makes calls which might block on a wrong kernel
 * (struct tl_prober), and one-buffer receive and reply.
 */
#include "testlib.h"

#include <courier/abi/errors.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "tests.h"

cr_cptr_t
tl_ipc_channel(struct tl *t, unsigned table_bits, cr_cptr_t *table)
{
    cr_cptr_t chan = tl_new(t, CR_OBJ_CHANNEL, 0);
    cr_cptr_t rt = chan != 0 ? tl_new(t, CR_OBJ_REPLY_TABLE, table_bits) : 0;
    if (rt == 0) {
        return 0;
    }
    int64_t rc = cr_channel_bind(chan, rt, 0);
    if (rc != 0) {
        TEST_FAIL("tl_ipc_channel: channel_bind: %s", cr_errname((int)rc));
        return 0;
    }
    if (table != NULL) {
        *table = rt;
    }
    return chan;
}

/* out[1] = 1 once it is about to send, out[0] = what msg_sendv returned. */
static void
call_fn(struct tl_thread *th)
{
    const struct tl_call *c = (const struct tl_call *)(uintptr_t)th->arg[0];
    th->out[1] = 1;
    th->out[0] = (uint64_t)cr_msg_sendv(c->conn, c->siov, c->sn, c->riov, c->rn);
}

/*
 * Above the root the client runs at once; but a root that holds exchanges runs at its
 * clients' priority (inheritance), so the root also yields until the client has started,
 * and twice more so that it gets into its system call.
 */
bool
tl_call_start(struct tl *t, struct tl_thread *th, const struct tl_call *c, unsigned prio)
{
    if (!tl_thread_new(t, th, call_fn, prio)) {
        return false;
    }
    th->arg[0] = (uint64_t)(uintptr_t)c;
    if (!tl_thread_start(th)) {
        return false;
    }
    bool started = tl_wait_word(&th->out[1], 1, TL_SRV_PRIO, 0);
    tl_root_prio(TL_SRV_PRIO);
    cr_yield();
    cr_yield();
    if (!started) {
        TEST_FAIL("tl_call_start: the client did not start");
    }
    return started;
}

bool
tl_call_blocked(const struct tl_thread *th)
{
    return th->out[1] == 1 && th->finished == 0;
}

bool
tl_call_done(struct tl_thread *th)
{
    bool ok = tl_wait_word(&th->finished, 1, TL_SRV_PRIO, 0);
    tl_root_prio(TL_SRV_PRIO);
    return ok;
}

bool
tl_expect_result(const char *file, int line, struct tl_thread *th, int64_t want)
{
    if (!test_expect_true(file, line, "client finished", tl_call_done(th))) {
        return false;
    }
    int64_t rc = (int64_t)th->out[0];
    if (want < 0) {
        return test_expect_err(file, line, "client's msg_sendv", want, rc);
    }
    return test_expect_eq(file, line, "client's msg_sendv", "want", (uint64_t)rc, (uint64_t)want);
}

static void
prober_loop(struct tl_thread *th)
{
    struct tl_prober *p = (struct tl_prober *)(uintptr_t)th->arg[0];
    for (;;) {
        uint64_t w = 0;
        cr_notify_wait(p->go, CR_UPTR(&w));
        p->rc = cr_syscall5(p->nr, p->a[0], p->a[1], p->a[2], p->a[3], p->a[4]);
        p->seq++;
    }
}

bool
tl_prober_init(struct tl *t, struct tl_prober *p)
{
    memset((void *)p, 0, sizeof(*p));
    p->ms = TL_PROBE_MS;
    p->stuck = true;
    p->go = tl_new(t, CR_OBJ_NOTIFICATION, 0);
    if (p->go == 0 || !tl_thread_new(t, &p->th, prober_loop, TL_PROBE_PRIO)) {
        return false;
    }
    p->th.arg[0] = (uint64_t)(uintptr_t)p;
    if (!tl_thread_start(&p->th)) {
        return false;
    }
    p->stuck = false;
    return true;
}

int64_t
tl_probe(struct tl_prober *p, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
         uint64_t a4)
{
    if (p->stuck) {
        return TL_PROBE_BLOCKED;
    }
    p->nr = nr;
    p->a[0] = a0;
    p->a[1] = a1;
    p->a[2] = a2;
    p->a[3] = a3;
    p->a[4] = a4;
    uint64_t seq = p->seq;
    cr_notify_signal(p->go);
    bool ok = tl_wait_word(&p->seq, seq + 1, TL_SRV_PRIO, p->ms);
    tl_root_prio(TL_SRV_PRIO);
    if (!ok) {
        TEST_FAIL("call %llu (%#llx, %#llx, %#llx, %#llx, %#llx) blocked", (unsigned long long)nr,
                  (unsigned long long)a0, (unsigned long long)a1, (unsigned long long)a2,
                  (unsigned long long)a3, (unsigned long long)a4);
        p->stuck = true;
        return TL_PROBE_BLOCKED;
    }
    return p->rc;
}

/* True if p[0..n) are all byte v. */
bool
tl_all_bytes(const void *p, uint64_t n, uint8_t v)
{
    const uint8_t *b = p;
    for (uint64_t i = 0; i < n; i++) {
        if (b[i] != v) {
            return false;
        }
    }
    return true;
}

/* msg_receivev into one buffer; info is filled with 0xa5 first so stale fields show. */
int64_t
tl_recv1(cr_cptr_t chan, void *buf, uint64_t len, struct cr_msg_info *info)
{
    struct cr_iov iov = { CR_UPTR(buf), len };
    memset(info, 0xa5, sizeof(*info));
    return cr_msg_receivev(chan, CR_UPTR(&iov), 1, CR_UPTR(info));
}

/* msg_replyv from one buffer. */
int64_t
tl_reply1(cr_cptr_t chan, uint64_t rcvid, uint64_t status, const void *buf, uint64_t len)
{
    struct cr_iov iov = { CR_UPTR(buf), len };
    return cr_msg_replyv(chan, rcvid, status, CR_UPTR(&iov), 1);
}

/* Starts the arena with the root as server at TL_SRV_PRIO; false if there is none. */
bool
tl_ipc_begin(struct tl *t)
{
    if (!tl_begin(t)) {
        return false;
    }
    tl_root_prio(TL_SRV_PRIO);
    return true;
}
