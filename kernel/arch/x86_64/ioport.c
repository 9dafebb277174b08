/* SPDX-License-Identifier: MIT */
/*
 * I/O-port capabilities (x86 only): a capability covers ports first..last; ioport_issue
 * makes a capability for a range, from the boot I/O-port capability only, and refuses
 * ranges that overlap one already issued (a bitmap of issued ports, as seL4 keeps), so
 * every range has one parent in the derivation tree. The range is free again when its
 * last capability goes. ioport_in/out perform one access of 1, 2 or 4 bytes entirely
 * inside the range. The TSS has no I/O bitmap: user code reaches ports only through
 * these calls.
 */
#include <kernel/cdt.h>
#include <kernel/cnode.h>
#include <kernel/cpu.h>
#include <kernel/errors.h>
#include <kernel/ioport.h>
#include <kernel/klog.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <arch/pio.h>
#include <plat/console.h>

enum {
    NPORTS = 65536,
};

static uint64_t issued[NPORTS / 64];

static bool
range_is_free(uint64_t first, uint64_t last)
{
    /* At most NPORTS iterations: a constant bound. */
    for (uint64_t p = first; p <= last; p++) {
        if (issued[p / 64] & (1ull << (p % 64))) {
            return false;
        }
    }
    return true;
}

static void
range_mark(uint64_t first, uint64_t last, bool used)
{
    for (uint64_t p = first; p <= last; p++) {
        if (used) {
            issued[p / 64] |= 1ull << (p % 64);
        } else {
            issued[p / 64] &= ~(1ull << (p % 64));
        }
    }
}

/* The last capability to an issued range is gone: its ports may be issued again. */
void
ioport_release(const struct cap *c)
{
    if (!(c->flags & CAP_F_IOPORT_CONTROL) && c->obj <= c->w1 && c->w1 < NPORTS) {
        range_mark(c->obj, c->w1, false);
    }
}

static int
lookup(uint64_t cptr, uint64_t port, uint64_t width, struct slot **out)
{
    int rc = cnode_lookup_cap(sched_current(), cptr, CR_OBJ_IOPORT, out);
    if (rc != 0) {
        return rc;
    }
    if (width != 1 && width != 2 && width != 4) {
        return -CR_EINVAL;
    }
    if (port < (*out)->cap.obj || port > (*out)->cap.w1 || width - 1 > (*out)->cap.w1 - port) {
        return -CR_EPERM;
    }
    return 0;
}

/*
 * ioport_issue(ioport, first, last, dst_cnode, dst_index): makes a capability for ports
 * first..last. Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE (lookups), EPERM (the source is
 * not the boot I/O-port capability), EINVAL (first > last or last > 0xffff), ERANGE
 * (index), EEXIST (destination occupied), EBUSY (a port in the range is already issued).
 * Cost: O(last - first), at most 65536.
 */
int64_t
sys_ioport_issue(uint64_t cptr, uint64_t first, uint64_t last, uint64_t dst_cnode,
                 uint64_t dst_index)
{
    struct tcb *self = sched_current();
    struct slot *src;
    struct slot *dst;
    int rc = cnode_lookup_cap(self, cptr, CR_OBJ_IOPORT, &src);
    if (rc != 0) {
        return rc;
    }
    if (!(src->cap.flags & CAP_F_IOPORT_CONTROL)) {
        return -CR_EPERM;
    }
    if (first > last || last >= NPORTS) {
        return -CR_EINVAL;
    }
    rc = cnode_lookup_dest(self, dst_cnode, dst_index, &dst);
    if (rc != 0) {
        return rc;
    }
    if (!cap_is_null(&dst->cap)) {
        return -CR_EEXIST;
    }
    if (!range_is_free(first, last)) {
        return -CR_EBUSY;
    }
    struct cap c = { .type = CR_OBJ_IOPORT, .rights = CR_RIGHTS_ALL, .obj = first, .w1 = last };
    cnode_install(src, dst, &c, MDB_REVOCABLE);
    range_mark(first, last, true);
    return 0;
}

/*
 * ioport_in(ioport, port, width): reads 1, 2 or 4 bytes; returns the value.
 * Errors: EBADCAP/ENOCAP/EBUSY/EWRONGTYPE, EINVAL (width), EPERM (access not inside the
 * range).
 */
int64_t
sys_ioport_in(uint64_t cptr, uint64_t port, uint64_t width)
{
    struct slot *s;
    int rc = lookup(cptr, port, width, &s);
    if (rc != 0) {
        return rc;
    }
    switch (width) {
    case 1:
        return arch_inb((uint16_t)port);
    case 2:
        return arch_inw((uint16_t)port);
    default:
        return arch_inl((uint16_t)port);
    }
}

/*
 * ioport_out(ioport, port, width, value): writes 1, 2 or 4 bytes.
 * Errors: as ioport_in.
 */
int64_t
sys_ioport_out(uint64_t cptr, uint64_t port, uint64_t width, uint64_t value)
{
    struct slot *s;
    int rc = lookup(cptr, port, width, &s);
    if (rc != 0) {
        return rc;
    }
    switch (width) {
    case 1:
        arch_outb((uint16_t)port, (uint8_t)value);
        break;
    case 2:
        arch_outw((uint16_t)port, (uint16_t)value);
        break;
    default:
        arch_outl((uint16_t)port, (uint32_t)value);
        break;
    }
    return 0;
}

/*
 * klog_release(ioport): the caller's driver owns the kernel's debug console from now on
 * (the console server, docs/console.md): the kernel stops printing, except on panic, and
 * debug_putc fails with EBUSY. The capability must cover every port of the debug console's
 * device (or be the boot I/O-port capability). Releasing again changes nothing. Errors:
 * EBADCAP/ENOCAP/EWRONGTYPE (lookup), EPERM (the range misses a port of the device).
 * Cost: O(1).
 */
int64_t
sys_klog_release(uint64_t cptr)
{
    struct slot *s;
    int rc = cnode_lookup_cap(sched_current(), cptr, CR_OBJ_IOPORT, &s);
    if (rc != 0) {
        return rc;
    }
    uint16_t first;
    uint16_t last;
    plat_console_ports(&first, &last);
    if (!(s->cap.flags & CAP_F_IOPORT_CONTROL) && (s->cap.obj > first || s->cap.w1 < last)) {
        return -CR_EPERM;
    }
    klog_release();
    return 0;
}
