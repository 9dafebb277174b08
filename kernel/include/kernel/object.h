/* SPDX-License-Identifier: MIT */
/*
 * Object lifecycle hooks shared by all object types: what deleting a capability does to
 * its object (obj_cleanup), and zero-initialisation of freshly retyped objects.
 */
#pragma once

#include <kernel/cap.h>

void obj_cleanup(struct cap *c, bool final);
void obj_init(unsigned type, paddr_t pa, unsigned size_bits);
