/* SPDX-License-Identifier: MIT */
/*
 * The root server's entry module (main.c): the bootinfo page, machine power-off and the
 * exit codes the root server reports to the host when it powers QEMU off. Everything in
 * the root server that needs the boot description or ends the run includes this.
 */
#pragma once

#include <stdbool.h>

#include <courier/abi/bootinfo.h>

/*
 * Codes passed to root_poweroff. Under QEMU's isa-debug-exit the emulator's own exit status
 * becomes (code << 1) | 1, so 0 -> 1, 1 -> 3, 2 -> 5, 3 -> 7.
 */
enum root_exit {
    ROOT_EXIT_OK = 0,           /* all tests passed, or benchmarks finished */
    ROOT_EXIT_TESTS_FAILED = 1, /* at least one system test failed */
    ROOT_EXIT_BAD_BOOT = 2,     /* the bootinfo page is missing or of the wrong version */
    ROOT_EXIT_RETURNED = 3,     /* cr_main returned, which it should not */
};

/* QEMU isa-debug-exit device: a 4-byte write here ends the emulator. */
#define ROOT_QEMU_EXIT_PORT 0xf4

const struct cr_bootinfo *root_bootinfo(void);
int root_test_pool_index(void);
bool root_boot_programs(void);
void root_reap_children(void);
uint64_t root_start_tsc(void);
_Noreturn void root_poweroff(int code);
