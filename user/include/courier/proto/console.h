/* SPDX-License-Identifier: MIT */
/*
 * The console server (docs/console.md): the serial console behind every process's fds 0,
 * 1 and 2. Its clients speak the file protocol (io.h: IO_WRITE, IO_READ, IO_IOCTL); this
 * header adds what is the console's own: the one diagnostic op, and the slots in which the
 * root server hands the console its resources when it starts it.
 *
 * The console is a system server: the root starts it (bin/console) outside the process
 * tree (parent pid 0, so no one waits for it), before any program, and starts it again if
 * it ends. It owns COM1 from then on; it calls klog_release, after which the kernel prints
 * only on panic.
 */
#pragma once

#include <courier/proto/proto.h>

enum con_op {
    /* -> 0; reply data: struct con_stats. Any client may ask. */
    CON_STATS = IO_PROTO_BASE + 0x80,
};

/* What the root puts in the console's CSpace (in the program's range, CR_SLOT_FREE on). */
enum con_slot {
    CON_SLOT_CHAN = CR_SLOT_FREE, /* the console channel (READ: it receives there); its
                                   * reply table has 32 slots, its pulse queue 16 */
    CON_SLOT_IOPORT,              /* COM1's eight I/O ports */
    CON_SLOT_IRQ,                 /* the handler of COM1's interrupt line */
};

/* The pulse code COM1's interrupt arrives with on the console channel. */
enum {
    CON_PULSE_IRQ = 1,
};

struct con_stats {
    uint32_t input;    /* 1: the receive interrupt is bound, IO_READ works */
    uint32_t buffered; /* bytes in the input ring, waiting for a reader */
    uint32_t readers;  /* IO_READs waiting for input (dead clients included until found) */
    uint32_t pad;
    uint64_t received; /* bytes taken from the UART since the console started */
    uint64_t dropped;  /* of those, bytes dropped because the ring was full */
    uint64_t overruns; /* bytes the UART itself lost (its FIFO was full) */
    uint64_t pulses;   /* pulses served, the interrupt's and any other */
    uint64_t reads;    /* IO_READs of >= 1 byte taken: answered, kept waiting or refused */
    uint64_t written;  /* bytes written to the UART (IO_WRITE) */
};
_Static_assert(sizeof(struct con_stats) == 64, "protocol ABI");
