/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the message calls: kernel/ipc/msg.c (binding, pulses, the client's
 * send, error, read and write), kernel/ipc/recv.c (receive and reply) and
 * kernel/ipc/regs.c (register messages and the fast path). docs/ipc.md is the design.
 */
#pragma once

#include <kernel/cnode.h>
#include <kernel/ipccopy.h>
#include <kernel/tcb.h>
#include <kernel/types.h>
#include <courier/abi/msg.h>

struct channel;
struct reply_table;

/* Where a receive delivers: an iov list and a struct cr_msg_info in memory, or the
 * receiver's message and result registers. */
struct recv_to {
    uint64_t iov;
    uint32_t n;
    uint64_t info;
    bool regs;
};

/*
 * cnode_lookup_cap(t, cptr, CR_OBJ_CHANNEL, out), with the same results and errors: a
 * repeat of t's last lookup that still names a channel comes from t's memo inline
 * (cnode.h; the test is tcb_memo_slot's, written out so the hit is the straight path);
 * anything else, errors included, goes through cnode_lookup_cap. Every message call looks
 * up a channel capability, and a client or server names the same one call after call.
 */
static ALWAYS_INLINE int
msg_channel_slot(struct tcb *t, uint64_t cptr, struct slot **out)
{
    if (LIKELY(t->memo.cptr == cptr && t->memo.epoch == cnode_epoch &&
               t->memo.slot->cap.type == CR_OBJ_CHANNEL)) {
        *out = t->memo.slot;
        return 0;
    }
    return cnode_lookup_cap(t, cptr, CR_OBJ_CHANNEL, out);
}

int msg_lookup_chan(uint64_t cptr, uint32_t need, struct channel **out);
int msg_lookup_open(uint64_t chan, uint64_t rcvid, struct reply_table **rt, uint32_t *idx,
                    unsigned op);
int64_t msg_settle(struct tcb *self, int64_t rc);
int msg_send_check(struct tcb *self, uint64_t conn, struct channel **ch, uint64_t *badge);
void msg_send_queue(struct tcb *self, struct channel *ch);
int64_t msg_receive(uint64_t chan, const struct recv_to *to, unsigned sysno);
bool msg_receive_direct(struct tcb *self, struct channel *ch);
int64_t msg_reply(uint64_t chan, uint64_t rcvid, uint64_t status, const struct ipc_side *src,
                  const struct recv_to *then, unsigned sysno);
void msg_regs_deliver(struct tcb *self, struct channel *ch, struct tcb *server, uint32_t idx);
int64_t msg_send_regs_general(struct tcb *self, uint64_t conn, uint64_t send_len,
                              uint64_t reply_len);
int64_t msg_reply_recv_regs_general(struct tcb *self, uint64_t chan, uint64_t rcvid,
                                    uint64_t status, uint64_t reply_len);

void msg_copy_mrs_part(uint64_t *dst, const uint64_t *src, uint64_t n);

/* Copies n <= CR_MSG_REG_BYTES (32) bytes between message-register blocks; bytes of dst
 * past n keep their values. Inline, for the whole block and the empty message: the fast
 * path copies a block three times per round trip; other lengths take a call. */
static ALWAYS_INLINE void
msg_copy_mrs(uint64_t *dst, const uint64_t *src, uint64_t n)
{
    if (n == CR_MSG_REG_BYTES) {
        dst[0] = src[0];
        dst[1] = src[1];
        dst[2] = src[2];
        dst[3] = src[3];
    } else if (n != 0) {
        msg_copy_mrs_part(dst, src, n);
    }
}

/*
 * The client's side of a copy: its send buffers (reply false) or its reply buffers, from
 * byte `offset`: iov lists in its memory, or, for msg_send_regs, the message as sent
 * (kept in its TCB) and its message registers as the reply buffer. Inline: every copy
 * of a message asks for it.
 */
static inline struct ipc_side
msg_client_side(struct tcb *c, bool reply, uint64_t offset)
{
    if (c->ipc.regs) {
        void *buf = reply ? (void *)arch_context_msg_regs(&c->ctx) : (void *)c->ipc.mr_send;
        return (struct ipc_side){ c, 0, 0, offset, buf,
                                  reply ? c->ipc.reply_len : c->ipc.send_len };
    }
    return (struct ipc_side){ c, reply ? c->ipc.riov : c->ipc.siov,
                              reply ? c->ipc.rn : c->ipc.sn, offset, NULL, 0 };
}
