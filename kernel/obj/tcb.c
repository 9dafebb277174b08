/* SPDX-License-Identifier: MIT */
/*
 * Thread control blocks and the tcb_* calls. A thread runs only when configured (CSpace
 * root and VSpace in its internal slots) and resumed. Faults stop the thread and go to
 * its fault channel as a message; with no fault channel the thread is just suspended
 * (and the kernel logs it). Priorities: a caller may give any thread a priority up to
 * its own maximum controlled priority (mcp).
 */
#include <kernel/cpu.h>
#include <kernel/tcb.h>
#include <kernel/cdt.h>
#include <kernel/channel.h>
#include <kernel/cnode.h>
#include <kernel/errors.h>
#include <kernel/inherit.h>
#include <kernel/klog.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/timeout.h>
#include <kernel/syscall.h>
#include <kernel/usercopy.h>
#include <kernel/waitq.h>
#include <arch/cpu.h>
#include <arch/mmu.h>

/* Initialises a freshly retyped (zeroed) TCB: inactive, priority 0, mcp 0, round-robin. */
void
tcb_init(struct tcb *t)
{
    arch_context_init_user(&t->ctx);
    arch_fpu_init_state(&t->fpu);
    t->state = TS_INACTIVE;
    t->policy = CR_SCHED_RR;
    t->slice_ns = SCHED_DEFAULT_SLICE_NS;
    t->slice_left = t->slice_ns;
}

/* Returns the CSpace root capability of t (a null capability if unconfigured). */
struct cap *
tcb_cspace_root(struct tcb *t)
{
    return &t->slots[TCB_SLOT_CSPACE].cap;
}

/* Takes t off whatever wait queue it is on (it stays in its blocked state). */
void
tcb_detach_wait(struct tcb *t)
{
    if (t->wait_obj != NULL) {
        waitq_remove(t->wait_obj, t);
        if (t->state == TS_BLOCKED_SEND) {
            inherit_queue_changed(t->ipc.chan); /* its channel's queue lends less now */
        }
    }
}

/* Stops t: off every queue, not runnable. Safe on the current thread. */
static void
tcb_stop(struct tcb *t)
{
    timeout_cancel(t);
    ipc_abort(t);
    tcb_detach_wait(t);
    sched_remove(t);
    t->state = TS_INACTIVE;
}

/* Makes a blocked thread runnable with `result` as its system-call return value. */
void
tcb_unblock(struct tcb *t, int64_t result)
{
    timeout_cancel(t);
    arch_context_set_result(&t->ctx, result);
    t->state = TS_READY;
    sched_make_ready(t);
}

/* Called when the last capability to t goes: t never runs again. */
void
tcb_finalise(struct tcb *t)
{
    tcb_stop(t);
    inherit_drop_all(t);
    sched_forget(t);
}

/*
 * Stops the current thread t for a fault and reports it: queued on its fault channel,
 * or, without one, suspended with a log line.
 */
void
tcb_deliver_fault(struct tcb *t, unsigned kind, unsigned vector, uint64_t code,
                  uint64_t addr)
{
    t->fault = (struct cr_fault_msg){
        .badge = t->fault_badge,
        .kind = kind,
        .vector = vector,
        .code = code,
        .addr = addr,
        .rip = arch_context_pc(&t->ctx),
    };
    struct cr_regs r;
    arch_context_get_regs(&t->ctx, &r);
    t->fault.rsp = r.rsp;
    struct cap *fc = &t->slots[TCB_SLOT_FAULT].cap;
    sched_remove(t);
    if (fc->type != CR_OBJ_CHANNEL) {
        kprintf("thread %p: unhandled fault kind %u vector %u code %lx addr %lx rip %lx\n",
                (void *)t, kind, vector, code, addr, t->fault.rip);
        t->state = TS_INACTIVE;
        return;
    }
    channel_send_fault(phys_to_virt(fc->obj), t);
}

static int
lookup_tcb(uint64_t cptr, struct tcb **out)
{
    struct slot *s;
    int rc = cnode_lookup_cap(sched_current(), cptr, CR_OBJ_TCB, &s);
    if (rc == 0) {
        *out = phys_to_virt(s->cap.obj);
    }
    return rc;
}

static void
set_internal(struct tcb *t, unsigned idx, struct slot *src)
{
    if (src == NULL) {
        return;
    }
    struct cap c = src->cap;
    cnode_install(src, &t->slots[idx], &c, 0);
}

/* True if slot s still holds a capability to the object snap named. */
static bool
still_names(const struct slot *s, const struct cap *snap)
{
    return s->cap.type == snap->type && s->cap.obj == snap->obj;
}

/*
 * tcb_configure(tcb, cspace_root, vspace, fault_channel, reserved): gives the thread its
 * CSpace root (a CNode), address space (a VSpace) and fault channel (a channel; cptr 0
 * means none), replacing what it had. Errors: EBADCAP/ENOCAP/EWRONGTYPE/EBUSY for any
 * capability, EPERM (the TCB capability lacks GRANT), EINVAL (reserved not zero),
 * EREVOKED (deleting the thread's old internal capabilities destroyed the capability to
 * the TCB or to one of the new objects, e.g. the CNode that held them; the thread then
 * has none and is marked not configured).
 * Preemptible (replacing old internal capabilities may destroy objects).
 */
int64_t
sys_tcb_configure(uint64_t tcb_cptr, uint64_t cspace, uint64_t vspace, uint64_t fault,
                  uint64_t reserved)
{
    struct tcb *self = sched_current();
    struct slot *ts;
    struct slot *cs;
    struct slot *vs;
    struct slot *fs = NULL;
    int rc = cnode_lookup_cap(self, tcb_cptr, CR_OBJ_TCB, &ts);
    if (rc == 0 && !(ts->cap.rights & CR_RIGHT_GRANT)) {
        rc = -CR_EPERM; /* configuring a thread is the authority over it */
    }
    if (rc == 0) {
        rc = cnode_lookup_cap(self, cspace, CR_OBJ_CNODE, &cs);
    }
    if (rc == 0) {
        rc = cnode_lookup_cap(self, vspace, CR_OBJ_VSPACE, &vs);
    }
    if (rc == 0 && fault != 0) {
        rc = cnode_lookup_cap(self, fault, CR_OBJ_CHANNEL, &fs);
    }
    if (rc == 0 && reserved != 0) {
        rc = -CR_EINVAL;
    }
    if (rc != 0) {
        return rc;
    }
    struct tcb *t = phys_to_virt(ts->cap.obj);
    struct cap tsnap = ts->cap;
    struct cap csnap = cs->cap;
    struct cap vsnap = vs->cap;
    struct cap fsnap = fs != NULL ? fs->cap : (struct cap){ 0 };
    for (unsigned i = 0; i < TCB_NSLOTS; i++) {
        rc = slot_delete(&t->slots[i]);
        if (rc != 0) {
            return rc;
        }
    }
    /* The old capabilities may have been the last ones to a CNode holding the TCB's or
     * the new objects' capabilities (seL4 checks the same way). */
    if (!still_names(ts, &tsnap) || !still_names(cs, &csnap) || !still_names(vs, &vsnap) ||
        (fs != NULL && !still_names(fs, &fsnap))) {
        t->flags &= ~(uint32_t)TCB_F_CONFIGURED;
        return -CR_EREVOKED;
    }
    set_internal(t, TCB_SLOT_CSPACE, cs);
    set_internal(t, TCB_SLOT_VSPACE, vs);
    set_internal(t, TCB_SLOT_FAULT, fs);
    t->flags |= TCB_F_CONFIGURED;
    sched_no_lean_return(); /* t may be the caller, now in another VSpace */
    cnode_paths_changed();  /* and another CSpace */
    return 0;
}

/*
 * tcb_set_priority(tcb, prio, policy): sets priority (0..255) and policy (FIFO or RR).
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE, EINVAL (prio > 255 or unknown policy), EPERM
 * (prio above the caller's maximum controlled priority).
 */
int64_t
sys_tcb_set_priority(uint64_t tcb_cptr, uint64_t prio, uint64_t policy)
{
    struct tcb *self = sched_current();
    struct tcb *t;
    int rc = lookup_tcb(tcb_cptr, &t);
    if (rc != 0) {
        return rc;
    }
    if (prio >= SCHED_NUM_PRIOS || (policy != CR_SCHED_FIFO && policy != CR_SCHED_RR)) {
        return -CR_EINVAL;
    }
    if (prio > self->mcp) {
        return -CR_EPERM;
    }
    t->mcp = MAX(t->mcp, MIN(self->mcp, (uint8_t)prio));
    sched_set_priority(t, (unsigned)prio, (unsigned)policy);
    return 0;
}

/*
 * tcb_write_regs(tcb, regs, flags): stops the thread (abandoning any blocking call),
 * loads struct cr_regs from `regs`, and restarts it if flags has CR_REGS_RESUME.
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE, EINVAL (unknown flags, or the caller's own
 * TCB), EFAULT (regs unreadable), EINVAL (CR_REGS_RESUME for an unconfigured thread).
 */
int64_t
sys_tcb_write_regs(uint64_t tcb_cptr, uint64_t regs_uaddr, uint64_t flags)
{
    struct tcb *self = sched_current();
    struct tcb *t;
    int rc = lookup_tcb(tcb_cptr, &t);
    if (rc != 0) {
        return rc;
    }
    if ((flags & ~(uint64_t)CR_REGS_RESUME) != 0 || t == self) {
        return -CR_EINVAL;
    }
    struct cr_regs r;
    rc = copy_from_user(self, &r, uaddr(regs_uaddr), sizeof(r));
    if (rc != 0) {
        return rc;
    }
    if ((flags & CR_REGS_RESUME) && !(t->flags & TCB_F_CONFIGURED)) {
        return -CR_EINVAL;
    }
    tcb_stop(t);
    arch_context_set_regs(&t->ctx, &r);
    if (flags & CR_REGS_RESUME) {
        t->state = TS_READY;
        sched_make_ready(t);
    }
    return 0;
}

/*
 * tcb_read_regs(tcb, regs): stores the thread's registers (struct cr_regs) at `regs`.
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE, EFAULT.
 */
int64_t
sys_tcb_read_regs(uint64_t tcb_cptr, uint64_t regs_uaddr)
{
    struct tcb *t;
    int rc = lookup_tcb(tcb_cptr, &t);
    if (rc != 0) {
        return rc;
    }
    struct cr_regs r;
    arch_context_get_regs(&t->ctx, &r);
    return copy_to_user(sched_current(), uaddr(regs_uaddr), &r, sizeof(r));
}

/*
 * tcb_resume(tcb): makes a suspended or fault-stopped thread run again (a faulting
 * instruction is retried). No effect on a running or blocked thread.
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE, EINVAL (thread not configured).
 */
int64_t
sys_tcb_resume(uint64_t tcb_cptr)
{
    struct tcb *t;
    int rc = lookup_tcb(tcb_cptr, &t);
    if (rc != 0) {
        return rc;
    }
    if (!(t->flags & TCB_F_CONFIGURED)) {
        return -CR_EINVAL;
    }
    if (t->state == TS_INACTIVE || t->state == TS_BLOCKED_FAULT ||
        t->state == TS_BLOCKED_FAULT_Q) {
        tcb_detach_wait(t);
        t->state = TS_READY;
        sched_make_ready(t);
    }
    return 0;
}

/*
 * tcb_suspend(tcb): stops the thread, abandoning any blocking call (which returns EINTR
 * if the thread is resumed); suspending oneself is allowed.
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE.
 */
int64_t
sys_tcb_suspend(uint64_t tcb_cptr)
{
    struct tcb *t;
    int rc = lookup_tcb(tcb_cptr, &t);
    if (rc != 0) {
        return rc;
    }
    tcb_stop(t);
    return 0;
}

/*
 * tcb_set_tls(tcb, base): sets the thread's FS base (thread-local storage).
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE, EINVAL (base not a user address).
 */
int64_t
sys_tcb_set_tls(uint64_t tcb_cptr, uint64_t base)
{
    struct tcb *t;
    int rc = lookup_tcb(tcb_cptr, &t);
    if (rc != 0) {
        return rc;
    }
    if (base >= CR_USER_MAX) {
        return -CR_EINVAL;
    }
    struct cr_regs r;
    arch_context_get_regs(&t->ctx, &r);
    r.fs_base = base;
    arch_context_set_regs(&t->ctx, &r);
    return 0;
}

/*
 * tcb_set_upcall(tcb, entry): where foreign system calls go (0: to the fault channel).
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE, EINVAL (entry not a user address).
 */
int64_t
sys_tcb_set_upcall(uint64_t tcb_cptr, uint64_t entry)
{
    struct tcb *t;
    int rc = lookup_tcb(tcb_cptr, &t);
    if (rc != 0) {
        return rc;
    }
    if (entry != 0 && (entry < CR_USER_MIN || entry >= CR_USER_MAX)) {
        return -CR_EINVAL;
    }
    t->upcall_entry = entry;
    return 0;
}

/*
 * tcb_set_fault_badge(tcb, badge): the badge reported with the thread's faults, so one
 * handler can tell its threads apart. Needs GRANT on the TCB capability: a thread given
 * its own TCB without GRANT cannot pass itself off as another in its fault messages.
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE, EPERM (no GRANT).
 */
int64_t
sys_tcb_set_fault_badge(uint64_t tcb_cptr, uint64_t badge)
{
    struct slot *s;
    int rc = cnode_lookup_cap(sched_current(), tcb_cptr, CR_OBJ_TCB, &s);
    if (rc != 0) {
        return rc;
    }
    if (!(s->cap.rights & CR_RIGHT_GRANT)) {
        return -CR_EPERM;
    }
    struct tcb *t = phys_to_virt(s->cap.obj);
    t->fault_badge = badge;
    return 0;
}

/*
 * upcall_return(frame): ends a foreign-call upcall, restoring the registers saved in
 * the struct cr_upcall_frame at `frame` (the handler may have changed them, e.g. rax
 * for the result). Errors: EFAULT (unreadable), EINVAL (bad magic); on success it does
 * not return to the caller but to the restored context, rax included (-EJUSTRETURN
 * tells the dispatcher to leave rax alone).
 */
int64_t
sys_upcall_return(uint64_t frame_uaddr)
{
    struct tcb *self = sched_current();
    struct cr_upcall_frame f;
    int rc = copy_from_user(self, &f, uaddr(frame_uaddr), sizeof(f));
    if (rc != 0) {
        return rc;
    }
    if (f.magic != CR_UPCALL_MAGIC) {
        return -CR_EINVAL;
    }
    struct cr_regs now;
    arch_context_get_regs(&self->ctx, &now);
    f.regs.fs_base = now.fs_base;
    arch_context_set_regs(&self->ctx, &f.regs);
    return -EJUSTRETURN;
}
