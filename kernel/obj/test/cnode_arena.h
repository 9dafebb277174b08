/* SPDX-License-Identifier: MIT */
/*
 * The fixture of the host tests of capability deletion and revocation
 * (cnode_delete_test.c, cnode_preempt_test.c). Objects are carved from a host buffer that
 * a test untyped capability covers (the host arch shim makes phys_to_virt the identity),
 * and linked into the derivation tree as untyped_retype links them; the tests keep their
 * capabilities in a CNode outside it (root[]). Every object made is registered, so that a
 * test can check afterwards that every slot is empty and, with the recording stubs of
 * cnode_stubs.h, that every object was finalised exactly once.
 *
 * Each test program includes this header once: the state is static, so each program has
 * its own, and the functions are static inline so that one a test file does not use
 * still builds with -Werror. fixture() starts every test afresh.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kernel/cdt.h>
#include <kernel/cnode.h>
#include <kernel/tcb.h>

#include "cnode_stubs.h"

enum {
    ARENA_BITS = 20,
    MAX_OBJS = 2048,
    ROOT_SLOTS = 256,
};

/* The untyped memory, its capability, and a CNode outside it that holds the tests' caps. */
static _Alignas(4096) unsigned char arena[1u << ARENA_BITS];
static size_t arena_used;
static struct slot ut;
static struct slot root[ROOT_SLOTS];

/* Every object made from the arena, so a test can check them all afterwards. */
static struct obj {
    unsigned type;
    unsigned radix;
    void *mem;
} objs[MAX_OBJS];
static int nobjs;

static inline void
fixture(void)
{
    memset(arena, 0, sizeof(arena));
    arena_used = 0;
    memset(root, 0, sizeof(root));
    memset(objs, 0, sizeof(objs));
    nobjs = 0;
    memset(&ut, 0, sizeof(ut));
    struct cap u = { .type = CR_OBJ_UNTYPED,
                     .size_bits = ARENA_BITS,
                     .obj = (uint64_t)(uintptr_t)arena };
    cnode_install(NULL, &ut, &u, MDB_REVOCABLE);
    stubs_reset();
}

/*
 * Makes an object of `type` (radix for CNodes) from the arena and installs its original
 * capability in dst, linked after the untyped as untyped_retype does. Returns the
 * object's memory, or NULL if the arena or the registry is full.
 */
static inline void *
make(unsigned type, unsigned radix, struct slot *dst)
{
    int bits = obj_size_bits(type, radix);
    if (bits < 0 || nobjs == MAX_OBJS) {
        return NULL;
    }
    uint64_t size = 1ull << bits;
    size_t at = ALIGN_UP(arena_used, size);
    if (at + size > sizeof(arena)) {
        return NULL;
    }
    arena_used = at + size;
    void *mem = &arena[at];
    objs[nobjs++] = (struct obj){ .type = type, .radix = radix, .mem = mem };
    struct cap c = { .type = (uint8_t)type,
                     .rights = CR_RIGHTS_ALL,
                     .size_bits = (uint8_t)(type == CR_OBJ_CNODE ? radix : 0),
                     .obj = (uint64_t)(uintptr_t)mem };
    cnode_install(&ut, dst, &c, MDB_REVOCABLE);
    return mem;
}

static inline struct slot *
make_cnode(unsigned radix, struct slot *dst)
{
    return make(CR_OBJ_CNODE, radix, dst);
}

static inline uint64_t
make_obj(unsigned type, struct slot *dst)
{
    return (uint64_t)(uintptr_t)make(type, 0, dst);
}

/* cap_copy: the same capability, not revocable, linked after its source. */
static inline void
copy(struct slot *src, struct slot *dst)
{
    cnode_install(src, dst, &src->cap, 0);
}

/* cap_mint with a badge: revocable and first of its badge. */
static inline void
mint(struct slot *src, struct slot *dst, uint64_t badge)
{
    struct cap c = src->cap;
    c.w1 = badge;
    cnode_install(src, dst, &c, MDB_REVOCABLE | MDB_FIRST_BADGED);
}

static inline bool
slot_empty(const struct slot *s)
{
    return cap_is_null(&s->cap) && s->prev == NULL && s->next == NULL && s->mdb == 0;
}

/* Number of non-empty slots in every CNode and TCB made from the arena. */
static inline long
live_slots(void)
{
    long n = 0;
    for (int i = 0; i < nobjs; i++) {
        struct slot *s = objs[i].mem;
        long count = 0;
        if (objs[i].type == CR_OBJ_CNODE) {
            count = 1l << objs[i].radix;
        } else if (objs[i].type == CR_OBJ_TCB) {
            s = ((struct tcb *)objs[i].mem)->slots;
            count = TCB_NSLOTS;
        }
        for (long k = 0; k < count; k++) {
            n += !slot_empty(&s[k]);
        }
    }
    return n;
}

/* Number of non-empty slots in root. */
static inline long
live_root_slots(void)
{
    long n = 0;
    for (int k = 0; k < ROOT_SLOTS; k++) {
        n += !slot_empty(&root[k]);
    }
    return n;
}

/*
 * Number of arena objects not finalised exactly once: channels and notifications need
 * one obj_cleanup(final), TCBs one tcb_finalise. Also counts any bad stub call.
 */
static inline long
bad_finals(void)
{
    long bad = stubs.bad_calls;
    for (int i = 0; i < nobjs; i++) {
        uint64_t obj = (uint64_t)(uintptr_t)objs[i].mem;
        switch (objs[i].type) {
        case CR_OBJ_CHANNEL:
        case CR_OBJ_NOTIFICATION:
            bad += stubs_cleanups_of(obj, true) != 1;
            break;
        case CR_OBJ_TCB:
            bad += stubs_tcb_finalised_count(objs[i].mem) != 1;
            break;
        default:
            break;
        }
    }
    return bad;
}

/* Length of the derivation list from s, or -1 if a prev/next pair disagrees. */
static inline long
list_len(const struct slot *s)
{
    long n = 0;
    for (; s != NULL; s = s->next) {
        if (s->next != NULL && s->next->prev != s) {
            return -1;
        }
        n++;
    }
    return n;
}

/*
 * CNode C holds the only capability to itself (C[0]) and a channel; CNodes A and B
 * each hold the only capability to the other. Nothing outside refers to them, so only
 * a revoke of their untyped can reach them, and it must empty everything.
 */
static inline void
build_cycles(void)
{
    struct slot *c = make_cnode(2, &root[4]);
    cdt_move(&c[0], &root[4]);
    make_obj(CR_OBJ_CHANNEL, &c[2]);
    struct slot *a = make_cnode(1, &root[5]);
    struct slot *b = make_cnode(1, &root[6]);
    cdt_move(&b[0], &root[5]);
    cdt_move(&a[0], &root[6]);
    make_obj(CR_OBJ_NOTIFICATION, &a[1]);
}
