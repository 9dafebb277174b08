/* SPDX-License-Identifier: MIT */
/*
 * The IPC fuzzer's shared parts (test_ipc_fuzz.c runs it, test_ipc_fuzz_args.c draws its
 * arguments): the sacrificial CNode's slots, the fuzzer's state, the argument generator.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <courier/abi/caps.h>
#include <courier/sys.h>

#define ROOT CR_CAP_ROOT_CNODE
#define RW (CR_RIGHT_READ | CR_RIGHT_WRITE)
#define FUZZ_CALLS 14000u
#define FUZZ_FIRST_NR CR_SYS_channel_bind
#define FUZZ_NCALLS 7u
#define FUZZ_CNODE_RADIX 8u
#define KERNEL_ADDR 0xffff800000000000ull

enum {
    FUZZ_PRIO = 50,
    PEER_PRIO = 60, /* the C1 server and the C2 clients: above the fuzzer */
    FZ_CLIENTS = 4,
    FZ_C2_TABLE_BITS = 2, /* 3 exchanges: fewer than the clients, so EBUSY happens */
    FZ_MAX_OPEN = 8,
    FZ_SERVE_BUF = 256,
};

/* Slots of the sacrificial CNode. */
enum fz_slot {
    FZ_C1 = 1,    /* connection to C1 (RW, badge 0xc1), served by the server thread */
    FZ_C2 = 2,    /* C2 (RW, badge 0xc2): the fuzzer receives, the clients send */
    FZ_C3 = 3,    /* an unbound channel (RW) */
    FZ_T1 = 4,    /* C1's reply table */
    FZ_T2 = 5,    /* C2's reply table */
    FZ_T3 = 6,    /* a spare reply table */
    FZ_NTFN = 7,  /* wrong type */
    FZ_C2_RO = 8, /* C2, READ only (badge 0xc22) */
    FZ_C1_WO = 9, /* C1, WRITE only (badge 0xc11) */
    FZ_TCB = 10,  /* the fuzzer's own TCB, only for tl_thread_exit */
    FZ_NSLOTS = 11,
};

struct fuzz_state {
    uint64_t seed;
    uint8_t *scratch;               /* pages: 0-1 RW, 2 unmapped, 3 read-only */
    volatile uint64_t *server_dead; /* the C1 server stopped: nobody answers on C1 */
    bool c3_bound;
    uint64_t open[FZ_MAX_OPEN]; /* rcvids of C2 exchanges the fuzzer holds */
    unsigned nopen;
    uint64_t calls[FUZZ_NCALLS];
    uint64_t skipped;
    uint64_t ok;
    uint64_t received; /* C2 messages received */
    uint64_t answered; /* C2 exchanges ended by the fuzzer */
    uint64_t sent;     /* C1 round trips that got a reply (status or error) */
    uint64_t bad;
    uint64_t bad_nr;
    int64_t bad_rc;
    uint64_t bad_args[5];
    volatile uint64_t at;     /* calls made so far */
    volatile uint64_t now_nr; /* the call in progress, for a hang report */
    volatile uint64_t now_args[5];
    volatile uint64_t done;
};

/* Arguments for call nr (FUZZ_FIRST_NR .. + FUZZ_NCALLS - 1) drawn from the PRNG state s:
 * good, bad and wild cptrs, addresses, iov arrays, counts, rcvids and values. */
void fz_args(struct fuzz_state *f, uint64_t *s, uint64_t nr, uint64_t a[5]);
