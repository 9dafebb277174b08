/* SPDX-License-Identifier: MIT */
/*
 * Thread control blocks. A TCB is one 4 KiB object made by retype. It holds the saved
 * user registers and FPU state, scheduling fields and three internal capability slots
 * (CSpace root, VSpace root, fault channel) holding copies of the capabilities given to
 * tcb_configure, so those objects cannot be destroyed while the thread uses them.
 * Owner: the kernel, entered one call at a time (no locks yet; SMP will add one).
 */
#pragma once

#include <kernel/cap.h>
#include <kernel/cnode.h>
#include <kernel/copyrun.h>
#include <arch/machine.h>
#include <arch/mmu.h>
#include <courier/abi/caps.h>
#include <courier/abi/msg.h>

enum tcb_slot {
    TCB_SLOT_CSPACE = 0,
    TCB_SLOT_VSPACE = 1,
    TCB_SLOT_FAULT = 2,
    TCB_NSLOTS = 3,
};

enum thread_state {
    TS_INACTIVE = 0,     /* never started or suspended */
    TS_READY = 1,        /* on a ready queue, or running */
    TS_BLOCKED_NOTIFY,   /* waiting on a notification */
    TS_BLOCKED_FAULT_Q,  /* faulted; queued on its fault channel */
    TS_BLOCKED_FAULT,    /* faulted; the handler has the message; waits for resume */
    TS_BLOCKED_RECV,     /* waiting in fault_recv on a channel */
    TS_BLOCKED_SEND,     /* msg_sendv: queued on a channel until a server receives */
    TS_BLOCKED_REPLY,    /* msg_sendv: received (held in a reply slot) until replied */
    TS_BLOCKED_MSG_RECV, /* msg_receivev: waiting for a message */
};

/*
 * IPC state of a thread (kernel/ipc/msg.c). As a client: its send and reply iov arrays
 * (user addresses, read on demand), their total lengths, the connection's badge, and the
 * channel or reply slot holding it. As a server: the reply slot whose copy it has in
 * progress (the one operation it may have pending), so a preempted call resumes there.
 */
struct tcb_ipc {
    struct channel *chan;     /* client: channel it sent on */
    struct reply_table *rt;   /* client: table of its slot (REPLY-blocked) */
    uint32_t slot;            /* client: its slot index */
    uint32_t sn;              /* client: entries in siov */
    uint32_t rn;              /* client: entries in riov */
    uint32_t op_slot;         /* server: slot of its operation in progress, 0 = none */
    uint32_t recv_sysno;      /* server: the call it waits in (receive or reply_recv) */
    uint32_t in_receive;      /* server: blocked in (or woken back into) a receive */
    uint32_t reply_done;      /* server: msg_reply_recv's reply half is done; a restart
                               * of the call goes straight to its receive half */
    uint32_t regs;            /* client: msg_send_regs (message in mr_send, reply buffer
                               * in its message registers) */
    uint32_t recv_regs;       /* server: waits in msg_reply_recv_regs */
    uint32_t recv_n;          /* server: its receive's iov count, iov array and info, */
    uint64_t recv_iov;        /* recorded when it blocks (a sender may complete the */
    uint64_t recv_info;       /* receive: msg_receive_direct) */
    struct reply_table *op_rt; /* server: table of op_slot */
    uint64_t siov;
    uint64_t riov;
    uint64_t send_len;
    uint64_t reply_len;
    uint64_t badge;
    uint64_t mr_send[CR_MSG_REGS]; /* client: the register message, as sent */
};

/*
 * Capability transfer (kernel/ipc/capxfer.c), set with msg_caps: the capabilities the
 * thread's next msg_sendv or msg_replyv carries (cptrs in its own CSpace, used once), and
 * its receive window, where capabilities it receives land (kept until changed).
 */
struct tcb_capxfer {
    uint64_t send[CR_MSG_MAX_CAPS];
    uint32_t nsend;
    uint32_t nrecv;      /* window size, 0 = receive no capabilities */
    uint64_t recv_cnode; /* cptr of the window's CNode */
    uint64_t recv_index; /* first slot of the window */
};

struct tcb {
    struct arch_context ctx;
    struct arch_fpu fpu;
    struct slot slots[TCB_NSLOTS];
    struct cnode_memo memo; /* its last capability lookup (cnode_lookup) */

    /* Scheduling: ready-queue or wait-queue links; a thread is on at most one queue. */
    struct tcb *q_next;
    struct tcb *q_prev;
    void *wait_obj;      /* object whose wait queue holds the thread, or NULL */
    uint8_t state;       /* enum thread_state */
    uint8_t prio;        /* 0..255, higher runs first */
    uint8_t mcp;         /* maximum priority this thread may give (itself or others) */
    uint8_t policy;      /* enum cr_sched_policy */
    uint32_t flags;      /* TCB_F_* */
    uint64_t slice_ns;   /* round-robin timeslice length */
    uint64_t slice_left; /* ns left of the current slice */

    /* Blocking-call arguments kept while blocked (results are written at wake-up). */
    uint64_t wait_uaddr;
    uint64_t fault_badge;
    struct cr_fault_msg fault; /* valid in TS_BLOCKED_FAULT_Q / TS_BLOCKED_FAULT */
    uint64_t upcall_entry;     /* foreign-call entry point, 0 = none */
    struct tcb_ipc ipc;
    struct tcb_capxfer xfer;

    /*
     * Priority inheritance (kernel/ipc/inherit.c): `prio` above is the effective
     * priority, the maximum of base_prio and of the clients whose exchanges this thread
     * holds (received, not yet replied), counted per priority with a bitmap on top.
     */
    /* Timeouts (sched/timeout.c): set for the next call, armed while blocked in it. */
    uint64_t timeout_next; /* absolute ns for the next kernel call, 0 = none */
    uint64_t timeout_call; /* the current call's deadline, until it blocks on it */
    uint64_t timeout_at;   /* armed deadline while on the timeout list */
    struct tcb *to_next;
    struct tcb *to_prev;
    bool on_timeouts;

    /* One cached user translation (usercopy.c), valid while arch_mmu_generation() is. */
    uint64_t xlat_gen;
    void *xlat_pml4;
    uint64_t xlat_va; /* page */
    uint64_t xlat_pa; /* page */
    bool xlat_write;

    /* The copier's page-table caches (copy.c): [0] where the thread's bytes were last
     * read from, [1] where they were last written to. They check themselves. */
    struct arch_xlat copy_xlat[2];
    struct copyrun_cache copy_runs[2]; /* the runs found through them, the same way */

    uint8_t base_prio;
    struct channel *served; /* channel it last took a message from (channel->server) */
    struct reply_slot *held_head;
    struct reply_slot *parked; /* a free slot whose credit it keeps (inherit.h), or NULL */
    uint64_t held_map[4];
    uint16_t held_count[256];
};

enum tcb_flags {
    TCB_F_CONFIGURED = 1u << 0,
};

_Static_assert(sizeof(struct tcb) <= (1u << CR_TCB_BITS), "TCB must fit its object");

struct vspace;
struct channel;
struct reply_table;
struct reply_slot;
void tcb_init(struct tcb *t);
void tcb_finalise(struct tcb *t);

/* The slot t's last lookup of cptr gave, while its memo holds (cnode.h: same cptr, same
 * CSpace epoch), else NULL. The slot's content is the caller's to check. */
static inline struct slot *
tcb_memo_slot(const struct tcb *t, uint64_t cptr)
{
    return t->memo.cptr == cptr && t->memo.epoch == cnode_epoch ? t->memo.slot : NULL;
}

/*
 * Returns the page-table root t runs in. A thread can lose its VSpace while it may run:
 * the TCB's copy of the capability is a child of the original and of its untyped, so a
 * revoke of either deletes it. Such a thread (and an unconfigured one) gets the kernel's
 * own tables, which map nothing for user mode: it page-faults at its next instruction
 * and every user copy fails with EFAULT. Never NULL. Inline: every switch to another
 * address space and every copy asks.
 */
static inline void *
tcb_vspace_root(const struct tcb *t)
{
    const struct cap *c = &t->slots[TCB_SLOT_VSPACE].cap;
    return LIKELY(c->type == CR_OBJ_VSPACE) ? phys_to_virt(c->obj) : arch_mmu_kernel_pml4();
}

/* Returns the ASID (index and generation) of t's VSpace, 0 if it has none (the kernel's
 * tables, which tcb_vspace_root then gives). */
static inline uint32_t
tcb_vspace_asid(const struct tcb *t)
{
    const struct cap *c = &t->slots[TCB_SLOT_VSPACE].cap;
    return c->type == CR_OBJ_VSPACE ? c->aux : 0;
}

/* Names t's VSpace: its capability's object, 0 for none (the slot holds nothing else). */
static inline uint64_t
tcb_vspace_id(const struct tcb *t)
{
    return t->slots[TCB_SLOT_VSPACE].cap.obj;
}

struct cap *tcb_cspace_root(struct tcb *t);
void tcb_deliver_fault(struct tcb *t, unsigned kind, unsigned vector, uint64_t code,
                       uint64_t addr);
void tcb_unblock(struct tcb *t, int64_t result);
void tcb_detach_wait(struct tcb *t);
