/* SPDX-License-Identifier: MIT */
/*
 * The task-state segment (one per CPU; one CPU for now). Only rsp[0] changes after boot:
 * every exit to user mode points it just past the context of the thread it leaves into,
 * so that the CPU pushes that thread's interrupt frame into its TCB (entry.S).
 */
#pragma once

#include <stdint.h>

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iopb;
} __attribute__((packed));

extern struct tss x86_tss;
