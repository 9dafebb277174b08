/* SPDX-License-Identifier: MIT */
/*
 * Interrupt delivery end to end, with a real device: the PIT (channel 0, ISA IRQ 0,
 * whose line bootinfo's isa_irq_line[0] gives: GSI 2 on PCs and QEMU, by the MADT's
 * override). The root server takes the line's
 * handler capability, binds it to a notification, programs the PIT through its I/O-port
 * capability for one terminal-count interrupt, and waits on the notification. The kernel
 * masks the line when it fires; until irq_ack unmasks it, further edges are dropped.
 */
#include "root.h"
#include "slot.h"
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/sys.h>

enum {
    PIT_ISA_IRQ = 0,
    PIT_CH0 = 0x40,
    PIT_CMD = 0x43,
    PIT_MODE0 = 0x30,  /* channel 0, lo/hi byte, mode 0: interrupt on terminal count */
    PIT_COUNT = 1193,  /* about 1 ms */
    NTFN_BADGE = 0x40,
};

/* The PIT's line, from the kernel's reading of the firmware tables. */
static uint64_t
pit_line(void)
{
    return root_bootinfo()->isa_irq_line[PIT_ISA_IRQ];
}

static cr_cptr_t
small_untyped(void)
{
    const struct cr_bootinfo *bi = root_bootinfo();
    cr_cptr_t best = 0;
    unsigned best_bits = 64;
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct cr_untyped_desc *d = &bi->untyped[i];
        if (!d->is_device && d->size_bits >= 12 && d->size_bits < best_bits) {
            best = bi->untyped_first + i;
            best_bits = d->size_bits;
        }
    }
    return best;
}

static void
pit_fire_once(void)
{
    cr_ioport_out(CR_CAP_IOPORT, PIT_CMD, 1, PIT_MODE0);
    cr_ioport_out(CR_CAP_IOPORT, PIT_CH0, 1, PIT_COUNT & 0xff);
    cr_ioport_out(CR_CAP_IOPORT, PIT_CH0, 1, PIT_COUNT >> 8);
}

TEST(irq_pit_interrupt_signals_notification)
{
    cr_cptr_t ut = small_untyped();
    cr_cptr_t ntfn = root_slot_alloc();
    cr_cptr_t badged = root_slot_alloc();
    cr_cptr_t handler = root_slot_alloc();
    if (!EXPECT_TRUE(ut != 0 && ntfn != 0 && badged != 0 && handler != 0)) {
        return;
    }
    if (!EXPECT_OK(cr_untyped_retype(ut, CR_OBJ_NOTIFICATION, 0, CR_CAP_ROOT_CNODE, ntfn, 1))) {
        return;
    }
    EXPECT_OK(cr_cap_mint(CR_CAP_ROOT_CNODE, badged, CR_CAP_ROOT_CNODE, ntfn, CR_RIGHTS_ALL,
                          NTFN_BADGE));
    EXPECT_OK(cr_irq_get(CR_CAP_IRQ_CONTROL, pit_line(), CR_CAP_ROOT_CNODE, handler));
    EXPECT_ERR(-CR_EBUSY, cr_irq_get(CR_CAP_IRQ_CONTROL, pit_line(), CR_CAP_ROOT_CNODE, 0));
    EXPECT_ERR(-CR_EINVAL, cr_irq_ack(handler)); /* not bound yet */
    EXPECT_OK(cr_irq_set_notification(handler, badged, 0));

    uint64_t bits = 0;
    pit_fire_once();
    EXPECT_OK(cr_notify_wait(ntfn, CR_UPTR(&bits)));
    EXPECT_EQ(NTFN_BADGE, bits);

    /* Masked until acknowledged: a countdown now is lost (the line is edge-triggered). */
    pit_fire_once();
    for (int i = 0; i < 2000; i++) {
        cr_yield();
    }
    EXPECT_ERR(-CR_EAGAIN, cr_notify_poll(ntfn, CR_UPTR(&bits)));
    EXPECT_OK(cr_irq_ack(handler));
    pit_fire_once();
    EXPECT_OK(cr_notify_wait(ntfn, CR_UPTR(&bits)));
    EXPECT_EQ(NTFN_BADGE, bits);

    /* Deleting the handler frees the line for a new handler capability. */
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, handler));
    EXPECT_OK(cr_irq_get(CR_CAP_IRQ_CONTROL, pit_line(), CR_CAP_ROOT_CNODE, handler));
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, handler));
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, badged));
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, ntfn));
}

TEST(irq_bad_arguments)
{
    cr_cptr_t slot = root_slot_alloc();
    EXPECT_ERR(-CR_ERANGE, cr_irq_get(CR_CAP_IRQ_CONTROL, 1000, CR_CAP_ROOT_CNODE, slot));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_irq_get(CR_CAP_IOPORT, 3, CR_CAP_ROOT_CNODE, slot));
    EXPECT_ERR(-CR_ENOCAP, cr_irq_get(slot, 3, CR_CAP_ROOT_CNODE, slot));
    EXPECT_ERR(-CR_EEXIST, cr_irq_get(CR_CAP_IRQ_CONTROL, 3, CR_CAP_ROOT_CNODE,
                                      CR_CAP_ROOT_TCB));
    EXPECT_ERR(-CR_ERANGE, cr_irq_get(CR_CAP_IRQ_CONTROL, 3, CR_CAP_ROOT_CNODE, 1u << 12));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_irq_ack(CR_CAP_IOPORT));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_irq_set_notification(CR_CAP_ROOT_TCB, 0, 0));
}

TEST(irq_pit_interrupt_as_pulse_on_a_channel)
{
    cr_cptr_t ut = small_untyped();
    cr_cptr_t chan = root_slot_alloc();
    cr_cptr_t pq = root_slot_alloc();
    cr_cptr_t conn = root_slot_alloc();
    cr_cptr_t handler = root_slot_alloc();
    if (!EXPECT_TRUE(ut != 0 && chan != 0 && pq != 0 && conn != 0 && handler != 0)) {
        return;
    }
    if (!EXPECT_OK(cr_untyped_retype(ut, CR_OBJ_CHANNEL, 0, CR_CAP_ROOT_CNODE, chan, 1)) ||
        !EXPECT_OK(cr_untyped_retype(ut, CR_OBJ_PULSE_QUEUE, 2, CR_CAP_ROOT_CNODE, pq, 1))) {
        return;
    }
    EXPECT_OK(cr_channel_bind(chan, pq, 0));
    EXPECT_OK(cr_cap_mint(CR_CAP_ROOT_CNODE, conn, CR_CAP_ROOT_CNODE, chan, CR_RIGHT_WRITE,
                          0x99));
    EXPECT_OK(cr_irq_get(CR_CAP_IRQ_CONTROL, pit_line(), CR_CAP_ROOT_CNODE, handler));
    EXPECT_ERR(-CR_EINVAL, cr_irq_set_notification(handler, conn, 1ull << 32));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_irq_set_notification(handler, pq, 5));
    EXPECT_OK(cr_irq_set_notification(handler, conn, 0x1234));

    /* The interrupt arrives as a pulse: code as bound, value = line, the conn's badge. */
    pit_fire_once();
    struct cr_pulse p;
    struct cr_iov iov[1] = { { CR_UPTR(&p), sizeof(p) } };
    struct cr_msg_info info;
    EXPECT_EQ(0, cr_msg_receivev(chan, CR_UPTR(iov), 1, CR_UPTR(&info)));
    EXPECT_EQ(0x1234, p.code);
    EXPECT_EQ(pit_line(), p.value);
    EXPECT_EQ(0x99, p.badge);
    EXPECT_OK(cr_irq_ack(handler));
    pit_fire_once();
    EXPECT_EQ(0, cr_msg_receivev(chan, CR_UPTR(iov), 1, CR_UPTR(&info)));

    /* Destroying the channel unbinds the line; irq_ack then has nothing to unmask. */
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, conn));
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, chan));
    EXPECT_ERR(-CR_EINVAL, cr_irq_ack(handler));
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, handler));
    EXPECT_OK(cr_cap_delete(CR_CAP_ROOT_CNODE, pq));
}
