/* SPDX-License-Identifier: MIT */
/*
 * Construction of the root server at boot: its CNode, VSpace, TCB and bootinfo page,
 * its ELF image and stack, the boot image frames and every untyped capability.
 */
#pragma once

struct boot_params;

void rootserver_create(const struct boot_params *bp);
