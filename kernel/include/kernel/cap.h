/* SPDX-License-Identifier: MIT */
/*
 * Capabilities and slots. A capability is 32 bytes: object type, rights, and the
 * object's physical address plus two type-specific words. Every capability lives in a
 * slot (a CNode entry or a TCB's internal slot); a slot is 64 bytes: the capability and
 * its links in the capability derivation tree (cdt.c).
 *
 * Type-specific words:
 *   untyped   obj = base, size_bits = size, w1 = watermark (bytes used), flags DEVICE
 *   cnode     obj = base, size_bits = radix, w1 = guard value, aux = guard bits
 *   tcb, channel, notification: obj = base; w1 = badge (channel, notification)
 *   frame     obj = base, size_bits 12 or 21, w1 = mapped vaddr, aux = mapped ASID
 *             (flags MAPPED, and MAP_UNCACHED or MAP_WC for the mapping's cache mode),
 *             flags DEVICE for device memory
 *   pt/pd/pdpt obj = base, w1 = mapped vaddr, aux = mapped ASID (flags MAPPED)
 *   vspace    obj = base, aux = ASID
 *   irq handler: obj = irq number;  ioport: obj = first port, w1 = last port
 *   zombie    (kernel-internal, a final CNode/TCB being destroyed) obj = base,
 *             size_bits = radix, aux = original type, w1 = slots left, w2 = link
 */
#pragma once

#include <kernel/types.h>
#include <courier/abi/caps.h>

enum {
    CAP_ZOMBIE = 0x40, /* internal type, never handed to user space */
};

enum cap_flags {
    CAP_F_DEVICE = 1u << 0,
    CAP_F_MAPPED = 1u << 1,
    CAP_F_ZOMBIE_TOP = 1u << 2,
    CAP_F_IOPORT_CONTROL = 1u << 3, /* the boot I/O-port capability: may issue ranges */
    CAP_F_MAP_UNCACHED = 1u << 4,   /* frame mapped uncached (kept for vspace_remap) */
    CAP_F_MAP_WC = 1u << 5,         /* frame mapped write-combining */
    CAP_F_TABLE_USED = 1u << 6,     /* page table installed before: may hold old entries */
    CAP_F_MAP_ATTRS = CAP_F_MAP_UNCACHED | CAP_F_MAP_WC,
};

struct cap {
    uint8_t type; /* enum cr_obj_type or CAP_ZOMBIE */
    uint8_t rights;
    uint8_t size_bits;
    uint8_t flags;
    uint32_t aux;
    uint64_t obj; /* physical address or number, see above */
    uint64_t w1;
    uint64_t w2;
};
_Static_assert(sizeof(struct cap) == 32, "cap layout");

enum slot_mdb_flags {
    MDB_REVOCABLE = 1u << 0,    /* may have children: originals and first-badged mints */
    MDB_FIRST_BADGED = 1u << 1, /* the first cap carrying its badge */
};

/*
 * A capability slot. prev/next thread all slots holding capabilities in one list in
 * derivation (pre-)order: a cap's descendants follow it directly (seL4's MDB).
 */
struct slot {
    struct cap cap;
    struct slot *prev;
    struct slot *next;
    uint32_t mdb;
    uint32_t pad[3];
};
_Static_assert(sizeof(struct slot) == (1u << CR_CNODE_SLOT_BITS), "slot layout");

static inline bool
cap_is_null(const struct cap *c)
{
    return c->type == CR_OBJ_NULL;
}

/* Size in bytes of the object a capability names (0 for non-memory objects). */
uint64_t cap_obj_size(const struct cap *c);
/* Size in bits of an object of type `type` with size parameter size_bits, or -1. */
int obj_size_bits(unsigned type, unsigned size_bits);
