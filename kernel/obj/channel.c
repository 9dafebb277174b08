/* SPDX-License-Identifier: MIT */
/*
 * Channels, as far as faults need them: a faulting thread queues as a sender with its
 * fault message in its TCB; fault_recv hands the highest-priority queued fault to the
 * handler (or blocks it until one arrives) and leaves the faulted thread stopped in
 * TS_BLOCKED_FAULT until the handler resumes it through its TCB capability.
 */
#include <kernel/channel.h>
#include <kernel/cnode.h>
#include <kernel/cpu.h>
#include <kernel/errors.h>
#include <kernel/irq.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/tcb.h>
#include <kernel/timeout.h>
#include <kernel/usercopy.h>
#include <arch/mmu.h>


/* Gives faulted thread f's message to receiver r; false if r's buffer is bad. */
static bool
hand_over(struct tcb *r, struct tcb *f)
{
    int rc = copy_to_user(r, uaddr(r->wait_uaddr), &f->fault, sizeof(f->fault));
    tcb_unblock(r, rc);
    if (rc != 0) {
        return false;
    }
    f->state = TS_BLOCKED_FAULT;
    return true;
}

/* Queues faulted thread t (already off the ready queue) on ch, or hands it over. */
void
channel_send_fault(struct channel *ch, struct tcb *t)
{
    t->state = TS_BLOCKED_FAULT_Q;
    struct tcb *r;
    /* Bounded by the number of blocked receivers. */
    while ((r = waitq_pop(&ch->receivers)) != NULL) {
        if (hand_over(r, t)) {
            return;
        }
    }
    waitq_insert(&ch->senders, t, ch);
}

/* Last capability gone: receivers get EREVOKED, queued faulters stay stopped. */
void
channel_finalise(struct channel *ch)
{
    struct tcb *t;
    while ((t = waitq_pop(&ch->receivers)) != NULL) {
        tcb_unblock(t, -CR_EREVOKED);
    }
    while ((t = waitq_pop(&ch->senders)) != NULL) {
        t->state = TS_INACTIVE;
    }
    ipc_channel_dead(ch);
    irq_unbind_channel(ch);
}

/*
 * fault_recv(chan, msg, flags): takes the next fault reported on the channel into
 * struct cr_fault_msg at msg, blocking unless flags has CR_FAULT_RECV_NONBLOCK.
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE, EPERM (no READ right), EINVAL (unknown flags),
 * EFAULT (msg not writable), EAGAIN (non-blocking and nothing queued), EREVOKED
 * (channel destroyed while waiting), EINTR (the wait was abandoned by suspend or
 * tcb_write_regs).
 */
int64_t
sys_fault_recv(uint64_t cptr, uint64_t msg, uint64_t flags)
{
    struct tcb *self = sched_current();
    struct slot *s;
    int rc = cnode_lookup_cap(self, cptr, CR_OBJ_CHANNEL, &s);
    if (rc != 0) {
        return rc;
    }
    if (!(s->cap.rights & CR_RIGHT_READ)) {
        return -CR_EPERM;
    }
    if ((flags & ~(uint64_t)CR_FAULT_RECV_NONBLOCK) != 0) {
        return -CR_EINVAL;
    }
    struct cr_fault_msg probe = { 0 };
    rc = copy_to_user(self, uaddr(msg), &probe, sizeof(probe));
    if (rc != 0) {
        return rc;
    }
    struct channel *ch = phys_to_virt(s->cap.obj);
    struct tcb *f = waitq_pop(&ch->senders);
    if (f != NULL) {
        f->state = TS_BLOCKED_FAULT;
        return copy_to_user(self, uaddr(msg), &f->fault, sizeof(f->fault));
    }
    if (flags & CR_FAULT_RECV_NONBLOCK) {
        return -CR_EAGAIN;
    }
    rc = timeout_block(self);
    if (rc != 0) {
        return rc;
    }
    self->wait_uaddr = msg;
    sched_remove(self);
    self->state = TS_BLOCKED_RECV;
    waitq_insert(&ch->receivers, self, ch);
    return -CR_EINTR; /* what it returns if it is resumed without a fault to take */
}
