/* SPDX-License-Identifier: MIT */
/*
 * Notifications and the notify_* calls. signal never blocks: it ORs the badge into
 * the word and hands the word to the first waiter that can take it (a waiter whose out
 * pointer went bad wakes with EFAULT and the next is tried). wait and poll take the
 * whole word (and clear it); the value is written to the caller's out pointer, and
 * for a thread woken later it is written into its memory at wake-up.
 */
#include <kernel/cpu.h>
#include <kernel/notification.h>
#include <kernel/cnode.h>
#include <kernel/errors.h>
#include <kernel/irq.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/tcb.h>
#include <kernel/timeout.h>
#include <kernel/usercopy.h>
#include <arch/mmu.h>

/* Delivers `bits` to a waiter, or keeps them in the word if its out pointer is bad. */
static bool
deliver(struct tcb *t, uint64_t bits)
{
    int rc = copy_to_user(t, uaddr(t->wait_uaddr), &bits, sizeof(bits));
    tcb_unblock(t, rc);
    return rc == 0;
}

/* Signals n with badge (0 counts as bit 0). Never blocks. */
void
notification_signal(struct notification *n, uint64_t badge)
{
    n->word |= badge != 0 ? badge : 1;
    struct tcb *t;
    /* Bounded by the number of waiters; a waiter whose buffer is bad gets EFAULT. */
    while ((t = waitq_pop(&n->waiters)) != NULL) {
        if (deliver(t, n->word)) {
            n->word = 0;
            return;
        }
    }
}

/* The last capability is gone: waiters return -EREVOKED, IRQ bindings are undone. */
void
notification_finalise(struct notification *n)
{
    struct tcb *t;
    /* Bounded by the number of waiters. */
    while ((t = waitq_pop(&n->waiters)) != NULL) {
        tcb_unblock(t, -CR_EREVOKED);
    }
    irq_unbind_notification(n);
    n->word = 0;
}

static int
lookup(uint64_t cptr, uint32_t need, struct slot **out)
{
    int rc = cnode_lookup_cap(sched_current(), cptr, CR_OBJ_NOTIFICATION, out);
    if (rc == 0 && ((*out)->cap.rights & need) != need) {
        rc = -CR_EPERM;
    }
    return rc;
}

/*
 * notify_signal(ntfn): ORs the capability's badge into the notification and wakes the
 * first waiter that takes the bits. Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE, EPERM (no
 * WRITE right). Never blocks; O(1) plus one wake-up per waiter whose out pointer is bad.
 */
int64_t
sys_notify_signal(uint64_t cptr)
{
    struct slot *s;
    int rc = lookup(cptr, CR_RIGHT_WRITE, &s);
    if (rc != 0) {
        return rc;
    }
    notification_signal(phys_to_virt(s->cap.obj), s->cap.w1);
    return 0;
}

static int64_t
take(uint64_t cptr, uint64_t out, bool block)
{
    struct tcb *self = sched_current();
    struct slot *s;
    int rc = lookup(cptr, CR_RIGHT_READ, &s);
    if (rc != 0) {
        return rc;
    }
    uint64_t probe = 0;
    rc = copy_to_user(self, uaddr(out), &probe, sizeof(probe));
    if (rc != 0) {
        return rc;
    }
    struct notification *n = phys_to_virt(s->cap.obj);
    if (n->word != 0) {
        uint64_t bits = n->word;
        n->word = 0;
        return copy_to_user(self, uaddr(out), &bits, sizeof(bits));
    }
    if (!block) {
        return -CR_EAGAIN;
    }
    rc = timeout_block(self);
    if (rc != 0) {
        return rc;
    }
    self->wait_uaddr = out;
    sched_remove(self);
    self->state = TS_BLOCKED_NOTIFY;
    waitq_insert(&n->waiters, self, n);
    return -CR_EINTR; /* what it returns if it is resumed without a signal */
}

/*
 * notify_wait(ntfn, out): takes the notification's bits into *out, blocking while there
 * are none. Errors: EBADCAP/ENOCAP/EWRONGTYPE/EBUSY, EPERM (no READ right), EFAULT (out
 * not writable), EREVOKED (the notification was destroyed while waiting), EINTR (the
 * wait was abandoned: the thread was suspended or its registers rewritten).
 */
int64_t
sys_notify_wait(uint64_t cptr, uint64_t out)
{
    return take(cptr, out, true);
}

/* notify_poll(ntfn, out): as notify_wait but returns EAGAIN instead of blocking. */
int64_t
sys_notify_poll(uint64_t cptr, uint64_t out)
{
    return take(cptr, out, false);
}
