/* SPDX-License-Identifier: MIT */
/*
 * Per-type actions when a capability goes away, and initialisation of new objects.
 * Mappings belong to capabilities (each frame or table capability maps at most once),
 * so deleting any frame or table capability undoes its own mapping; everything else
 * happens only when the last capability to the object goes (final). CNodes and TCBs are
 * not handled here: cnode.c destroys them through zombies.
 */
#include <kernel/object.h>
#include <kernel/channel.h>
#include <kernel/ioport.h>
#include <kernel/irq.h>
#include <kernel/notification.h>
#include <kernel/panic.h>
#include <kernel/pulse.h>
#include <kernel/reply.h>
#include <kernel/string.h>
#include <kernel/tcb.h>
#include <kernel/vspace.h>
#include <arch/mmu.h>

/* Undoes what capability c holds; final says it was the last one to its object. */
void
obj_cleanup(struct cap *c, bool final)
{
    switch (c->type) {
    case CR_OBJ_FRAME:
    case CR_OBJ_PT:
    case CR_OBJ_PD:
    case CR_OBJ_PDPT:
        vspace_unmap_cap(c);
        break;
    case CR_OBJ_VSPACE:
        if (final) {
            vspace_finalise(c);
        }
        break;
    case CR_OBJ_CHANNEL:
        if (final) {
            channel_finalise(phys_to_virt(c->obj));
        }
        break;
    case CR_OBJ_NOTIFICATION:
        if (final) {
            notification_finalise(phys_to_virt(c->obj));
        }
        break;
    case CR_OBJ_REPLY_TABLE:
        if (final) {
            reply_table_finalise(phys_to_virt(c->obj));
        }
        break;
    case CR_OBJ_PULSE_QUEUE:
        if (final) {
            pulse_queue_finalise(phys_to_virt(c->obj));
        }
        break;
    case CR_OBJ_IRQ_HANDLER:
        if (final) {
            irq_release((unsigned)c->obj);
        }
        break;
    case CR_OBJ_IOPORT:
        if (final) {
            ioport_release(c);
        }
        break;
    case CR_OBJ_CNODE:
    case CR_OBJ_TCB:
        KASSERT(!final);
        break;
    default:
        break;
    }
}

/*
 * Prepares the object just carved out of untyped memory at pa. Untyped memory is kept
 * zeroed above its watermark, so only objects with non-zero initial state need work.
 */
void
obj_init(unsigned type, paddr_t pa, unsigned size_bits)
{
    switch (type) {
    case CR_OBJ_TCB:
        tcb_init(phys_to_virt(pa));
        break;
    case CR_OBJ_VSPACE:
        arch_mmu_init_vspace(phys_to_virt(pa));
        break;
    case CR_OBJ_REPLY_TABLE:
        reply_table_init(phys_to_virt(pa), size_bits);
        break;
    case CR_OBJ_PULSE_QUEUE:
        pulse_queue_init(phys_to_virt(pa), size_bits);
        break;
    default:
        break;
    }
}
