/* SPDX-License-Identifier: MIT */
/*
 * Test helpers for the host tests of the capability derivation tree (cdt_test.c and
 * cdt_list_test.c): capabilities made from a type and a fake physical address, slots filled
 * and linked the way the kernel links them (a new object, copy or mint directly after the
 * capability it came from), revoke as cnode.c does it without the object cleanup, and
 * checks of list integrity. Nothing is dereferenced but the slots. The functions are
 * static inline so that a test file that does not use one still builds with -Werror.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/cdt.h>

enum {
    UT_BASE = 0x100000, /* the untyped most tests carve from: 1 MiB at 1 MiB */
    UT_BITS = 20,
};

static inline struct cap
untyped(uint64_t base, unsigned bits)
{
    return (struct cap){ .type = CR_OBJ_UNTYPED, .size_bits = (uint8_t)bits, .obj = base };
}

static inline struct cap
object(unsigned type, uint64_t base, unsigned size_bits)
{
    return (struct cap){ .type = (uint8_t)type, .size_bits = (uint8_t)size_bits, .obj = base };
}

static inline struct cap
badged(unsigned type, uint64_t base, uint64_t badge)
{
    return (struct cap){ .type = (uint8_t)type, .obj = base, .w1 = badge };
}

static inline struct cap
ioport(uint64_t first, uint64_t last)
{
    return (struct cap){ .type = CR_OBJ_IOPORT, .obj = first, .w1 = last };
}

/* Fills s with c and mdb and links it directly after `after` (NULL: a root). */
static inline void
put(struct slot *after, struct slot *s, struct cap c, uint32_t mdb)
{
    s->cap = c;
    s->mdb = mdb;
    if (after != NULL) {
        cdt_insert_after(after, s);
    } else {
        cdt_insert_root(s);
    }
}

/* A copy of src, linked after it, as cap_copy does: same capability, not revocable. */
static inline void
copy(struct slot *src, struct slot *dst)
{
    put(src, dst, src->cap, 0);
}

/* A badged mint of the unbadged src, linked after it, as cap_mint does. */
static inline void
mint(struct slot *src, struct slot *dst, uint64_t badge)
{
    struct cap c = src->cap;
    c.w1 = badge;
    put(src, dst, c, MDB_REVOCABLE | MDB_FIRST_BADGED);
}

static inline void
clear(struct slot *s)
{
    cdt_remove(s);
    s->cap = (struct cap){ 0 };
    s->mdb = 0;
}

/*
 * Revoke as kernel/obj/cnode.c slot_revoke does it, without the object cleanup: delete
 * s->next while s is its parent. Returns the number of capabilities deleted.
 */
static inline size_t
revoke(struct slot *s)
{
    size_t n = 0;
    while (s->next != NULL && cdt_is_parent(s, s->next)) {
        clear(s->next);
        n++;
    }
    return n;
}

/*
 * Walks the whole list containing s forwards from its head and backwards from its tail,
 * checking every prev/next pair. Returns the number of slots, or -1 if the links are
 * inconsistent or the two walks disagree.
 */
static inline long
list_check(struct slot *s)
{
    struct slot *head = s;
    /* Bounded by the list length, with a generous cap in case the links form a loop. */
    for (long guard = 0; head->prev != NULL; guard++) {
        if (guard > 10000000 || head->prev->next != head) {
            return -1;
        }
        head = head->prev;
    }
    long forward = 0;
    struct slot *tail = head;
    for (struct slot *x = head; x != NULL; x = x->next) {
        if (x->next != NULL && x->next->prev != x) {
            return -1;
        }
        if (++forward > 10000000) {
            return -1;
        }
        tail = x;
    }
    long backward = 0;
    for (struct slot *x = tail; x != NULL; x = x->prev) {
        backward++;
        if (x->prev == NULL && x != head) {
            return -1;
        }
    }
    return forward == backward ? forward : -1;
}

/* True if the list starting at head holds exactly want[0..n-1], in order. */
static inline bool
list_is(struct slot *head, struct slot *const *want, size_t n)
{
    if (head->prev != NULL) {
        return false;
    }
    struct slot *x = head;
    for (size_t i = 0; i < n; i++, x = x->next) {
        if (x != want[i]) {
            return false;
        }
    }
    return x == NULL;
}

static inline bool
unlinked(const struct slot *s)
{
    return s->prev == NULL && s->next == NULL;
}
