/* SPDX-License-Identifier: MIT */
/*
 * Message-passing ABI (docs/ipc.md): the iov element, the receive info, rcvid layout and
 * the bounds of one call. Messages are copied directly between the two threads' buffers;
 * nothing here is a kernel buffer.
 */
#pragma once

#include <courier/abi/types.h>

/* One buffer of a vectored message: len bytes at base in the caller's address space. */
struct cr_iov {
    cr_uaddr_t base;
    uint64_t len;
};
_Static_assert(sizeof(struct cr_iov) == 16, "ABI");

enum cr_msg_limits {
    CR_IOV_MAX = 1024,     /* entries in one iov array */
    CR_MSG_MAX_CAPS = 4,   /* capabilities one message or reply may carry */
    CR_MSG_REGS = 4,       /* message registers (which ones: abi/arch/<arch>/regs.h) */
    CR_MSG_REG_BYTES = 32, /* bytes they hold: the most a register message carries */
};

/*
 * What msg_receivev reports about the message it received. All lengths are the full
 * lengths the client gave, whatever was copied, so a server sees what it did not receive.
 */
struct cr_msg_info {
    uint64_t rcvid;     /* names the exchange in msg_replyv/msg_error/msg_read/msg_write */
    uint64_t badge;     /* the badge of the client's connection capability */
    uint64_t send_len;  /* total bytes the client sent */
    uint64_t reply_len; /* total bytes of the client's reply buffers */
    uint64_t copied;    /* bytes copied into the receive buffers */
    uint64_t caps;      /* capabilities placed in the receiver's window (msg_caps) */
};
_Static_assert(sizeof(struct cr_msg_info) == 48, "ABI");

/*
 * A pulse: a small event that never blocks its sender (pulse_send). msg_receivev returns
 * rcvid 0 for a pulse and writes this struct into the receive buffers (as much as fits);
 * info.badge is the sender's badge too. Pulses are taken before messages.
 */
struct cr_pulse {
    uint32_t code;  /* the sender's code */
    uint32_t reserved;
    uint64_t value; /* the sender's value */
    uint64_t badge; /* badge of the connection it came through */
};
_Static_assert(sizeof(struct cr_pulse) == 24, "ABI");

/* channel_bind flags (with a reply table). */
enum cr_channel_flags {
    /* A REPLY-blocked client whose timeout expires stays blocked and the server gets a
     * pulse {CR_PULSE_UNBLOCK, rcvid}, to answer (e.g. msg_error ETIMEDOUT) when it can
     * (QNX _NTO_CHF_UNBLOCK). Needs a pulse queue; without room the client just leaves. */
    CR_CHANNEL_UNBLOCK = 1u << 0,
};

/* Pulse codes the kernel sends; user codes should stay below 0x80000000. */
enum cr_pulse_code {
    CR_PULSE_UNBLOCK = 0xfffffffeu, /* value = rcvid of the client that wants out */
};

/* The receive half of msg_reply_recv: where the next message goes. */
struct cr_msg_recv {
    cr_uaddr_t iov;  /* struct cr_iov array */
    uint64_t n;      /* entries */
    cr_uaddr_t info; /* struct cr_msg_info */
};
_Static_assert(sizeof(struct cr_msg_recv) == 24, "ABI");

/*
 * rcvid: bits 0..31 are the reply-table slot index (slot 0 is the table's header, so the
 * index is >= 1), bits 32..62 the slot's generation; it is always > 0, and a stale or
 * forged one fails with ESRCH.
 */
#define CR_RCVID_INDEX(r) ((uint32_t)((r) & 0xffffffffu))
#define CR_RCVID_GEN(r) ((uint32_t)((r) >> 32))
