/* SPDX-License-Identifier: MIT */
/*
 * A bitmap of slots with a hint (slotmap.c): which slots of a process's resources CNodes
 * hold an object (obj.c). Bit s of `used` is slot s. The hint is a slot number with no
 * free slot below it, so the lowest free slot is found from there: O(1) while slots are
 * only taken, as they mostly are. Slot 0 is never handed out. No system calls; host-tested
 * by test/slotmap_test.c.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

bool slotmap_is_used(const uint8_t *used, uint16_t slot);
int slotmap_find(const uint8_t *used, unsigned nslots, uint16_t *hint, uint16_t *slot);
void slotmap_take(uint8_t *used, uint16_t *hint, uint16_t slot);
void slotmap_give(uint8_t *used, uint16_t *hint, uint16_t slot);
