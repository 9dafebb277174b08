/* SPDX-License-Identifier: MIT */
/*
 * Capability derivation tree, kept as seL4's mapping database: one doubly linked list of
 * slots in pre-order, where a capability's descendants directly follow it. Parenthood is
 * derived from capability contents (cdt_is_parent), so insertion and removal are O(1)
 * and no per-node child lists exist. Pure logic: compiled into host unit tests.
 */
#pragma once

#include <kernel/cap.h>

bool cdt_same_region(const struct cap *a, const struct cap *b);
bool cdt_same_object(const struct cap *a, const struct cap *b);
bool cdt_is_parent(const struct slot *a, const struct slot *b);
bool cdt_is_final(const struct slot *s);
bool cdt_has_children(const struct slot *s);
void cdt_insert_after(struct slot *parent, struct slot *child);
void cdt_insert_root(struct slot *s);
void cdt_remove(struct slot *s);
void cdt_move(struct slot *dst, struct slot *src);
