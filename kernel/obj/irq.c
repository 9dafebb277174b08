/* SPDX-License-Identifier: MIT */
/*
 * Interrupts for user-level drivers (irq_* calls). The table has one entry per line:
 * whether a handler capability was issued, and the notification or channel (with badge,
 * and a pulse code for a channel) it is bound to. A firing line is masked and
 * acknowledged, then the notification signalled or a pulse queued on the channel; the
 * driver's irq_ack unmasks it. A line with no binding stays masked.
 */
#include <kernel/cpu.h>
#include <kernel/irq.h>
#include <kernel/cdt.h>
#include <kernel/channel.h>
#include <kernel/cnode.h>
#include <kernel/errors.h>
#include <kernel/notification.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <arch/irq.h>
#include <arch/mmu.h>
#include <courier/abi/msg.h>

static struct {
    struct {
        bool issued;
        struct notification *ntfn; /* bound notification, or */
        struct channel *chan;      /* bound channel (pulses), or neither */
        uint64_t badge;
        uint32_t code;             /* pulse code */
    } line[IRQ_MAX_LINES];
} irqs;

/* Masks every line; called at boot after arch_irq_init. */
void
irq_init(void)
{
    for (unsigned i = 0; i < arch_irq_lines(); i++) {
        arch_irq_mask(i);
    }
}

/* A line fired: mask, acknowledge, signal the notification or pulse the channel. */
void
irq_handle(unsigned line)
{
    arch_irq_mask(line);
    arch_irq_eoi(line);
    if (irqs.line[line].ntfn != NULL) {
        notification_signal(irqs.line[line].ntfn, irqs.line[line].badge);
    } else if (irqs.line[line].chan != NULL) {
        struct cr_pulse p = { .code = irqs.line[line].code, .value = line,
                              .badge = irqs.line[line].badge };
        channel_pulse(irqs.line[line].chan, &p); /* a full queue drops it */
    }
}

/* Channel ch is being destroyed: drop every binding to it. O(IRQ_MAX_LINES). */
void
irq_unbind_channel(struct channel *ch)
{
    for (unsigned i = 0; i < IRQ_MAX_LINES; i++) {
        if (irqs.line[i].chan == ch) {
            arch_irq_mask(i);
            irqs.line[i].chan = NULL;
        }
    }
}

/* The handler capability for line is gone: unbind and mask, line may be issued again. */
void
irq_release(unsigned line)
{
    if (line < IRQ_MAX_LINES) {
        arch_irq_mask(line);
        irqs.line[line].issued = false;
        irqs.line[line].ntfn = NULL;
        irqs.line[line].chan = NULL;
    }
}

/* Notification n is being destroyed: drop every binding to it. O(IRQ_MAX_LINES). */
void
irq_unbind_notification(struct notification *n)
{
    for (unsigned i = 0; i < IRQ_MAX_LINES; i++) {
        if (irqs.line[i].ntfn == n) {
            arch_irq_mask(i);
            irqs.line[i].ntfn = NULL;
        }
    }
}

/*
 * irq_get(irq_control, line, dst_cnode, dst_index): issues the handler capability for
 * a line, a GSI (bootinfo isa_irq_line[] translates ISA IRQs). Errors:
 * EBADCAP/ENOCAP/EBUSY/EWRONGTYPE (lookups), ERANGE (no such line, or index), EEXIST
 * (destination occupied), EBUSY (the line's handler was already issued).
 */
int64_t
sys_irq_get(uint64_t ctl_cptr, uint64_t line, uint64_t dst_cnode, uint64_t dst_index)
{
    struct tcb *self = sched_current();
    struct slot *ctl;
    struct slot *dst;
    int rc = cnode_lookup_cap(self, ctl_cptr, CR_OBJ_IRQ_CONTROL, &ctl);
    if (rc != 0) {
        return rc;
    }
    if (line >= arch_irq_lines() || !arch_irq_present((unsigned)line)) {
        return -CR_ERANGE;
    }
    rc = cnode_lookup_dest(self, dst_cnode, dst_index, &dst);
    if (rc != 0) {
        return rc;
    }
    if (!cap_is_null(&dst->cap)) {
        return -CR_EEXIST;
    }
    if (irqs.line[line].issued) {
        return -CR_EBUSY;
    }
    struct cap c = { .type = CR_OBJ_IRQ_HANDLER, .rights = CR_RIGHTS_ALL, .obj = line };
    cnode_install(ctl, dst, &c, MDB_REVOCABLE);
    irqs.line[line].issued = true;
    return 0;
}

/*
 * irq_set_notification(handler, target, code): binds the line to a notification (each
 * interrupt signals it with that capability's badge; code must be 0) or to a channel
 * (each interrupt is a pulse {code, value = line, badge} on it, dropped if the channel's
 * pulse queue is full or missing), and unmasks the line; target 0 unbinds and masks.
 * Errors: EBADCAP/ENOCAP/EBUSY (lookups), EWRONGTYPE (handler not an IRQ handler, target
 * neither a notification nor a channel), EPERM (target without WRITE), EINVAL (code not 0
 * for a notification, or above 0xffffffff).
 */
int64_t
sys_irq_set_notification(uint64_t handler, uint64_t target, uint64_t code)
{
    struct tcb *self = sched_current();
    struct slot *h;
    struct slot *n = NULL;
    int rc = cnode_lookup_cap(self, handler, CR_OBJ_IRQ_HANDLER, &h);
    if (rc == 0 && target != 0) {
        rc = cnode_lookup_cap(self, target, CR_OBJ_NULL, &n);
        if (rc == 0 && n->cap.type != CR_OBJ_NOTIFICATION && n->cap.type != CR_OBJ_CHANNEL) {
            rc = -CR_EWRONGTYPE;
        }
        if (rc == 0 && !(n->cap.rights & CR_RIGHT_WRITE)) {
            rc = -CR_EPERM;
        }
    }
    if (rc == 0 && (code > 0xffffffffu || (n != NULL && n->cap.type == CR_OBJ_NOTIFICATION &&
                                            code != 0) || (n == NULL && code != 0))) {
        rc = -CR_EINVAL;
    }
    if (rc != 0) {
        return rc;
    }
    unsigned line = (unsigned)h->cap.obj;
    irqs.line[line].ntfn = NULL;
    irqs.line[line].chan = NULL;
    if (n == NULL) {
        arch_irq_mask(line);
        return 0;
    }
    if (n->cap.type == CR_OBJ_NOTIFICATION) {
        irqs.line[line].ntfn = phys_to_virt(n->cap.obj);
    } else {
        irqs.line[line].chan = phys_to_virt(n->cap.obj);
        irqs.line[line].code = (uint32_t)code;
    }
    irqs.line[line].badge = n->cap.w1;
    arch_irq_unmask(line);
    return 0;
}

/*
 * irq_ack(handler): the driver has serviced the line; unmask it.
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE, EINVAL (line bound to nothing).
 */
int64_t
sys_irq_ack(uint64_t handler)
{
    struct slot *h;
    int rc = cnode_lookup_cap(sched_current(), handler, CR_OBJ_IRQ_HANDLER, &h);
    if (rc != 0) {
        return rc;
    }
    unsigned line = (unsigned)h->cap.obj;
    if (irqs.line[line].ntfn == NULL && irqs.line[line].chan == NULL) {
        return -CR_EINVAL;
    }
    arch_irq_unmask(line);
    return 0;
}
