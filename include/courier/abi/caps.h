/* SPDX-License-Identifier: MIT */
/*
 * Capability-level ABI: object types, rights, well-known slots of the root server's
 * CSpace, and the small structures the object calls exchange (cap info, registers,
 * fault messages). See docs/objects.md for the object model and docs/abi.md for calls.
 */
#pragma once

#include <courier/abi/types.h>

/* Object types: what a capability refers to and what untyped_retype can make. */
enum cr_obj_type {
    CR_OBJ_NULL = 0,
    CR_OBJ_UNTYPED = 1,
    CR_OBJ_CNODE = 2,
    CR_OBJ_TCB = 3,
    CR_OBJ_CHANNEL = 4,
    CR_OBJ_NOTIFICATION = 5,
    CR_OBJ_FRAME = 6,    /* 4 KiB page, or 2 MiB with size_bits 21 */
    CR_OBJ_PT = 7,       /* page table: maps 2 MiB with 4 KiB entries */
    CR_OBJ_PD = 8,       /* page directory: maps 1 GiB */
    CR_OBJ_PDPT = 9,     /* page-directory pointer table: maps 512 GiB */
    CR_OBJ_VSPACE = 10,  /* top level (PML4): an address space */
    CR_OBJ_IRQ_CONTROL = 11,
    CR_OBJ_IRQ_HANDLER = 12,
    CR_OBJ_IOPORT = 13,
    CR_OBJ_REPLY_TABLE = 14, /* the rcvid space of a channel: 2^size_bits open exchanges */
    CR_OBJ_PULSE_QUEUE = 15, /* a channel's pending pulses: a ring of 2^size_bits entries */
    CR_OBJ_TYPE_COUNT = 16,
};

/* Rights bits carried by a capability. Derived capabilities may only lose rights. */
enum cr_rights {
    CR_RIGHT_READ = 1u << 0,
    CR_RIGHT_WRITE = 1u << 1,
    CR_RIGHT_EXEC = 1u << 2,  /* frames: mapping may be executable */
    CR_RIGHT_GRANT = 1u << 3, /* channels: may carry capabilities */
    CR_RIGHTS_ALL = 0xfu,
};

/* Size rules for retype. Sizes are powers of two, in bits. */
enum cr_obj_size {
    CR_UNTYPED_MIN_BITS = 4,
    CR_UNTYPED_MAX_BITS = 47,
    CR_CNODE_SLOT_BITS = 6,     /* each CNode slot is 64 bytes */
    CR_CNODE_MIN_RADIX = 1,
    CR_CNODE_MAX_RADIX = 20,
    CR_TCB_BITS = 12,
    CR_CHANNEL_BITS = 7,
    CR_NOTIFICATION_BITS = 6,
    CR_TABLE_BITS = 12,         /* PT, PD, PDPT and VSPACE are one 4 KiB page each */
    CR_REPLY_SLOT_BITS = 6,     /* each reply-table slot is 64 bytes */
    CR_REPLY_MIN_BITS = 1,      /* a reply table has 2^1 .. 2^12 slots; slot 0 is its */
    CR_REPLY_MAX_BITS = 12,     /* header, so it holds 2^size_bits - 1 open exchanges */
    CR_PULSE_ENTRY_BITS = 5,    /* each pulse-queue entry is 32 bytes; the first two are */
    CR_PULSE_MIN_BITS = 2,      /* its header, so it holds 2^size_bits - 2 pulses */
    CR_PULSE_MAX_BITS = 12,
    CR_RETYPE_MAX_COUNT = 4096, /* objects per retype call: bounds its cost */
};

/* Well-known slots in the root server's CNode (radix CR_ROOT_CNODE_RADIX, one level). */
enum cr_root_slot {
    CR_CAP_NULL = 0,
    CR_CAP_ROOT_CNODE = 1,
    CR_CAP_ROOT_VSPACE = 2,
    CR_CAP_ROOT_TCB = 3,
    CR_CAP_IRQ_CONTROL = 4,
    CR_CAP_IOPORT = 5,        /* all 65536 I/O ports */
    CR_CAP_BOOTINFO_FRAME = 6,
    CR_CAP_FIRST_FREE_FIXED = 7,
    CR_ROOT_CNODE_RADIX = 12,
};

/* cap_identify result. */
struct cr_cap_info {
    uint32_t type;      /* enum cr_obj_type */
    uint32_t rights;    /* enum cr_rights */
    /* Channel, notification: the badge; IRQ handler: the line; I/O port: the last port;
     * otherwise 0. */
    uint64_t badge;
    uint64_t paddr;     /* untyped, frame: physical base; I/O port: first port; channel,
                         * notification: an opaque identity, equal exactly when two
                         * capabilities name the same object; else 0 */
    uint32_t size_bits; /* untyped: size; CNode: radix; frame: 12 or 21; else 0 */
    uint32_t flags;     /* CR_CAPINFO_* */
};
_Static_assert(sizeof(struct cr_cap_info) == 32, "ABI");

enum cr_capinfo_flags {
    CR_CAPINFO_DEVICE = 1u << 0, /* untyped/frame covers device memory */
    CR_CAPINFO_MAPPED = 1u << 1, /* this frame/table capability holds a mapping */
    /* Revocable (may have children): an original (retype, boot, irq_get, ioport_issue) or
     * the first badged mint of a channel or notification. */
    CR_CAPINFO_ORIGINAL = 1u << 2,
};

/* vspace_map attributes. */
enum cr_map_attr {
    CR_MAP_UNCACHED = 1u << 0,
    CR_MAP_WRITE_COMBINE = 1u << 1,
};

/* Scheduling policies for tcb_set_priority. */
enum cr_sched_policy {
    CR_SCHED_FIFO = 0,
    CR_SCHED_RR = 1,
};
#define CR_NUM_PRIOS 256

/* tcb_write_regs flags. */
enum cr_regs_flags {
    CR_REGS_RESUME = 1u << 0,
};

/* The user-visible register set of a thread (tcb_read_regs / tcb_write_regs, upcalls). */
struct cr_regs {
    uint64_t rip;
    uint64_t rsp;
    uint64_t rflags;
    uint64_t rax;
    uint64_t rbx;
    uint64_t rcx;
    uint64_t rdx;
    uint64_t rsi;
    uint64_t rdi;
    uint64_t rbp;
    uint64_t r8;
    uint64_t r9;
    uint64_t r10;
    uint64_t r11;
    uint64_t r12;
    uint64_t r13;
    uint64_t r14;
    uint64_t r15;
    uint64_t fs_base;
    uint64_t reserved;
};
_Static_assert(sizeof(struct cr_regs) == 160, "ABI");

/* Fault kinds reported to a thread's fault channel. */
enum cr_fault_kind {
    CR_FAULT_NONE = 0,
    CR_FAULT_PAGE = 1,    /* addr = faulting address, code = x86 page-fault error code */
    CR_FAULT_GP = 2,      /* general protection; also `int n` (n != 3), non-canonical rip */
    CR_FAULT_UD = 3,      /* invalid opcode */
    CR_FAULT_DIV = 4,     /* divide error */
    CR_FAULT_OTHER = 5,   /* any other exception; code = its error code (0 if none) */
    CR_FAULT_FOREIGN = 6, /* foreign system call with no upcall; code = rax */
    CR_FAULT_FPU = 7,     /* x87 or SIMD floating-point exception */
    CR_FAULT_DEBUG = 8,   /* int3 (vector 3) or a debug trap such as single step (1); a
                           * trap, so rip is the next instruction */
};

/* fault_recv flags. */
enum cr_fault_recv_flags {
    CR_FAULT_RECV_NONBLOCK = 1u << 0, /* return EAGAIN instead of blocking */
};

/* What fault_recv returns: one fault of one thread. The thread stays stopped until its
 * TCB is resumed (tcb_resume or tcb_write_regs with CR_REGS_RESUME). */
struct cr_fault_msg {
    uint64_t badge; /* the badge set with tcb_set_fault_badge */
    uint32_t kind;  /* enum cr_fault_kind */
    uint32_t vector;
    uint64_t code;
    uint64_t addr;
    uint64_t rip;
    uint64_t rsp;
};
_Static_assert(sizeof(struct cr_fault_msg) == 48, "ABI");

/* Frame pushed on the user stack for a foreign-call upcall; the handler finishes with
 * upcall_return(frame). regs.rax holds the foreign call number on entry. */
struct cr_upcall_frame {
    struct cr_regs regs;
    uint64_t magic; /* CR_UPCALL_MAGIC */
    uint64_t reserved;
};
_Static_assert(sizeof(struct cr_upcall_frame) == 176, "ABI");
#define CR_UPCALL_MAGIC 0x6c6c6163726f6675ull
