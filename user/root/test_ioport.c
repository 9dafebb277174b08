/* SPDX-License-Identifier: MIT */
/*
 * System tests of the device-access capabilities as capabilities: IRQ handler caps
 * (one per line, held busy while any copy lives, released when the last one goes, bound
 * to notifications with WRITE only) and I/O-port caps (ranges issued from the boot
 * capability only, without overlap; every access must lie inside the range and be 1, 2 or
 * 4 bytes wide). Interrupt delivery itself is tested in test_irq.c.
 */
#include "tests.h"

#include <stddef.h>

#include <courier/abi/caps.h>
#include <courier/sys.h>

#include "testlib.h"

#define ROOT CR_CAP_ROOT_CNODE
#define IRQ_TEST_LINE 5 /* nothing on QEMU's pc machine uses ISA IRQ 5 */
#define COM2 0x2f8      /* no device behind it with -nodefaults: reads are harmless */

TEST(irq_handler_identify_and_release)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t h = tl_slot(&t);
    cr_cptr_t h2 = tl_slot(&t);
    if (!EXPECT_OK(cr_irq_get(CR_CAP_IRQ_CONTROL, IRQ_TEST_LINE, ROOT, h))) {
        goto out;
    }
    struct cr_cap_info info;
    if (EXPECT_OK(tl_identify(h, &info))) {
        EXPECT_EQ(info.type, CR_OBJ_IRQ_HANDLER);
        EXPECT_EQ(info.badge, IRQ_TEST_LINE);
    }
    EXPECT_ERR(-CR_EBUSY, cr_irq_get(CR_CAP_IRQ_CONTROL, IRQ_TEST_LINE, ROOT, h2));
    /* A copy keeps the line issued after the original goes. */
    EXPECT_OK(cr_cap_copy(ROOT, h2, ROOT, h, CR_RIGHTS_ALL));
    EXPECT_OK(cr_cap_delete(ROOT, h));
    EXPECT_ERR(-CR_EBUSY, cr_irq_get(CR_CAP_IRQ_CONTROL, IRQ_TEST_LINE, ROOT, h));
    EXPECT_OK(cr_cap_delete(ROOT, h2));
    EXPECT_OK(cr_irq_get(CR_CAP_IRQ_CONTROL, IRQ_TEST_LINE, ROOT, h));
    /* Handler caps take no badge. */
    EXPECT_ERR(-CR_EINVAL, cr_cap_mint(ROOT, h2, ROOT, h, CR_RIGHTS_ALL, 9));
out:
    tl_end(&t);
}

TEST(irq_get_line_range)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t h = tl_slot(&t);
    /* An IOAPIC has at least 24 lines; line 64 and beyond do not exist. */
    EXPECT_OK(cr_irq_get(CR_CAP_IRQ_CONTROL, 23, ROOT, h));
    EXPECT_OK(cr_cap_delete(ROOT, h));
    static const uint64_t bad[] = { 64, 255, 256, 1000, 1ull << 32, ~0ull };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        EXPECT_ERR(-CR_ERANGE, cr_irq_get(CR_CAP_IRQ_CONTROL, bad[i], ROOT, h));
    }
    EXPECT_ERR(-CR_ENOCAP, tl_identify(h, &(struct cr_cap_info){ 0 }));
    tl_end(&t);
}

TEST(irq_set_notification_rules)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t h = tl_slot(&t);
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    cr_cptr_t ro = n != 0 ? tl_copy(&t, n, CR_RIGHT_READ) : 0;
    cr_cptr_t wrong = tl_new(&t, CR_OBJ_REPLY_TABLE, 1);
    cr_cptr_t empty = tl_slot(&t);
    if (wrong == 0 || !EXPECT_OK(cr_irq_get(CR_CAP_IRQ_CONTROL, IRQ_TEST_LINE, ROOT, h))) {
        goto out;
    }
    EXPECT_ERR(-CR_EPERM, cr_irq_set_notification(h, ro, 0));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_irq_set_notification(h, wrong, 0));
    EXPECT_ERR(-CR_ENOCAP, cr_irq_set_notification(h, empty, 0));
    EXPECT_ERR(-CR_EINVAL, cr_irq_set_notification(h, n, 1));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_irq_set_notification(n, n, 0));
    EXPECT_ERR(-CR_EINVAL, cr_irq_ack(h)); /* still unbound */
    EXPECT_OK(cr_irq_set_notification(h, n, 0));
    EXPECT_OK(cr_irq_ack(h));
    /* Unbinding with 0; then ack has nothing to unmask. */
    EXPECT_OK(cr_irq_set_notification(h, 0, 0));
    EXPECT_ERR(-CR_EINVAL, cr_irq_ack(h));
    /* Destroying the notification unbinds the line as well. */
    EXPECT_OK(cr_irq_set_notification(h, n, 0));
    EXPECT_OK(cr_cap_delete(ROOT, ro));
    EXPECT_OK(cr_cap_delete(ROOT, n));
    EXPECT_ERR(-CR_EINVAL, cr_irq_ack(h));
    /* No event arrived on a quiet line. */
    EXPECT_EQ(cr_null(), 0);
out:
    tl_end(&t);
}

TEST(ioport_issue_and_access)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t p = tl_slot(&t);
    if (!EXPECT_OK(cr_ioport_issue(CR_CAP_IOPORT, COM2, COM2 + 7, ROOT, p))) {
        goto out;
    }
    struct cr_cap_info info;
    if (EXPECT_OK(tl_identify(p, &info))) {
        EXPECT_EQ(info.type, CR_OBJ_IOPORT);
        EXPECT_EQ(info.paddr, COM2);
        EXPECT_EQ(info.badge, COM2 + 7);
    }
    /* Inside the range, every width. */
    int64_t v = cr_ioport_in(p, COM2 + 5, 1);
    EXPECT_TRUE(v >= 0 && v <= 0xff);
    v = cr_ioport_in(p, COM2 + 6, 2);
    EXPECT_TRUE(v >= 0 && v <= 0xffff);
    v = cr_ioport_in(p, COM2 + 4, 4);
    EXPECT_TRUE(v >= 0 && v <= 0xffffffffll);
    EXPECT_OK(cr_ioport_out(p, COM2 + 7, 1, 0x5a));
    /* Outside it, or crossing its end. */
    EXPECT_ERR(-CR_EPERM, cr_ioport_in(p, COM2 - 1, 1));
    EXPECT_ERR(-CR_EPERM, cr_ioport_in(p, COM2 + 8, 1));
    EXPECT_ERR(-CR_EPERM, cr_ioport_in(p, COM2 + 6, 4));
    EXPECT_ERR(-CR_EPERM, cr_ioport_in(p, COM2 + 7, 2));
    EXPECT_ERR(-CR_EPERM, cr_ioport_out(p, 0xf4, 4, 0)); /* the debug-exit port */
    EXPECT_ERR(-CR_EPERM, cr_ioport_in(p, ~0ull, 1));
    /* Widths other than 1, 2, 4. */
    static const uint64_t widths[] = { 0, 3, 5, 8, 16, ~0ull };
    for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
        EXPECT_ERR(-CR_EINVAL, cr_ioport_in(p, COM2, widths[i]));
        EXPECT_ERR(-CR_EINVAL, cr_ioport_out(p, COM2, widths[i], 0));
    }
    EXPECT_ERR(-CR_EWRONGTYPE, cr_ioport_in(ROOT, COM2, 1));
out:
    tl_end(&t);
}

TEST(ioport_issue_rules)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t p = tl_slot(&t);
    cr_cptr_t q = tl_slot(&t);
    cr_cptr_t c = tl_slot(&t);
    if (!EXPECT_OK(cr_ioport_issue(CR_CAP_IOPORT, COM2, COM2 + 7, ROOT, p))) {
        goto out;
    }
    /* Only the boot capability issues ranges. */
    EXPECT_ERR(-CR_EPERM, cr_ioport_issue(p, COM2, COM2 + 1, ROOT, q));
    /* Overlap with an issued range. */
    EXPECT_ERR(-CR_EBUSY, cr_ioport_issue(CR_CAP_IOPORT, COM2 + 7, COM2 + 8, ROOT, q));
    EXPECT_ERR(-CR_EBUSY, cr_ioport_issue(CR_CAP_IOPORT, COM2 - 8, COM2, ROOT, q));
    EXPECT_ERR(-CR_EBUSY, cr_ioport_issue(CR_CAP_IOPORT, 0, 0xffff, ROOT, q));
    /* Bad ranges and destinations. */
    EXPECT_ERR(-CR_EINVAL, cr_ioport_issue(CR_CAP_IOPORT, COM2 + 9, COM2 + 8, ROOT, q));
    EXPECT_ERR(-CR_EINVAL, cr_ioport_issue(CR_CAP_IOPORT, 0xfff0, 0x10000, ROOT, q));
    EXPECT_ERR(-CR_EEXIST, cr_ioport_issue(CR_CAP_IOPORT, COM2 + 8, COM2 + 9, ROOT, p));
    EXPECT_ERR(-CR_ERANGE, cr_ioport_issue(CR_CAP_IOPORT, COM2 + 8, COM2 + 9, ROOT,
                                           1ull << CR_ROOT_CNODE_RADIX));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_ioport_issue(ROOT, COM2 + 8, COM2 + 9, ROOT, q));
    EXPECT_ERR(-CR_ENOCAP, tl_identify(q, &(struct cr_cap_info){ 0 }));
    /* Adjacent is fine. */
    EXPECT_OK(cr_ioport_issue(CR_CAP_IOPORT, COM2 + 8, COM2 + 8, ROOT, q));
    EXPECT_OK(cr_cap_delete(ROOT, q));
    /* A copy keeps the range issued; the last capability frees it. */
    EXPECT_OK(cr_cap_copy(ROOT, c, ROOT, p, CR_RIGHTS_ALL));
    EXPECT_OK(cr_cap_delete(ROOT, p));
    EXPECT_ERR(-CR_EBUSY, cr_ioport_issue(CR_CAP_IOPORT, COM2, COM2, ROOT, p));
    EXPECT_TRUE(cr_ioport_in(c, COM2 + 5, 1) >= 0);
    EXPECT_OK(cr_cap_delete(ROOT, c));
    EXPECT_OK(cr_ioport_issue(CR_CAP_IOPORT, COM2, COM2 + 7, ROOT, p));
    /* Revoking the boot capability's children is not ours to do; revoking the issued
     * capability removes its copies. */
    EXPECT_OK(cr_cap_copy(ROOT, c, ROOT, p, CR_RIGHTS_ALL));
    EXPECT_OK(cr_cap_revoke(ROOT, p));
    EXPECT_ERR(-CR_ENOCAP, tl_identify(c, &(struct cr_cap_info){ 0 }));
out:
    tl_end(&t);
}
