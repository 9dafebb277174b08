/* SPDX-License-Identifier: MIT */
/*
 * CNodes and capability addressing. A CNode is 2^radix slots; its capability carries
 * a guard (value and bit count). A capability pointer is resolved through the CSpace
 * root a thread was configured with, consuming guard + radix bits per level, as seL4
 * does. Also the capability operations (copy, mint, move, mutate, delete, revoke) and
 * destruction of the objects that contain slots (CNodes and TCBs) through zombies.
 */
#pragma once

#include <kernel/cap.h>

struct tcb;

enum {
    CPTR_BITS = 64,
    /* Work between preemption checks: deletions in slot_revoke, slot visits in zombie
     * reaping (CNode and TCB destruction). */
    CNODE_REVOKE_BATCH = 64,
};

/*
 * The last lookup a thread made (struct tcb's memo): cptr resolved to slot while the
 * CSpace epoch was `epoch`. cnode_epoch advances whenever a resolution could change: a
 * CNode capability leaves a slot (deleted, revoked, moved, mutated, made a zombie) or a
 * thread is given another CSpace. Capabilities arriving in empty slots change no
 * resolution that succeeded, and the slot's content is read afresh on every use, so a
 * memo of the current epoch gives what a walk would.
 */
struct cnode_memo {
    uint64_t cptr;
    uint64_t epoch;
    struct slot *slot;
};

extern uint64_t cnode_epoch;
void cnode_paths_changed(void);

int cnode_resolve(const struct cap *root, uint64_t cptr, unsigned depth, struct slot **out);
int cnode_lookup(struct tcb *t, uint64_t cptr, struct slot **out);
int cnode_lookup_cap(struct tcb *t, uint64_t cptr, unsigned type, struct slot **out);
int cnode_lookup_dest(struct tcb *t, uint64_t cnode, uint64_t index, struct slot **out);
struct slot *cnode_slots(const struct cap *cnode);
void cnode_install(struct slot *parent, struct slot *dst, const struct cap *c, uint32_t mdb);
int slot_delete(struct slot *s);
int cap_derive(const struct slot *src, uint64_t rights, struct cap *out);
int slot_revoke(struct slot *s);
