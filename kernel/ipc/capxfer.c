/* SPDX-License-Identifier: MIT */
/*
 * Capability transfer. A thread names, with msg_caps, up to CR_MSG_MAX_CAPS capabilities
 * for its next msg_sendv or msg_replyv, and a receive window (a run of slots in one of
 * its CNodes). When the message is received (or the reply delivered) the kernel places a
 * copy of each named capability in the next empty slot of the receiver's window: a copy
 * as cap_copy makes it (same rights and badge, a sibling or child in the derivation tree,
 * so revoking the original takes the copy too). Transfer stops at the first capability
 * that cannot be copied (gone, not copyable) or when the window has no empty slot left;
 * the receiver is told how many arrived. Sending capabilities with a message needs the
 * GRANT right on the connection; a reply carries them with no rights check (the server
 * owns its channel). The sender's list is used once. O(CR_MSG_MAX_CAPS + window).
 */
#include <kernel/capxfer.h>
#include <kernel/cdt.h>
#include <kernel/cnode.h>
#include <kernel/cpu.h>
#include <kernel/errors.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/tcb.h>
#include <kernel/usercopy.h>

/*
 * msg_caps(send, nsend, recv_cnode, recv_index, nrecv): the capabilities (an array of
 * nsend cptrs at `send`) the caller's next msg_sendv or msg_replyv carries, and its
 * receive window: slots recv_index .. recv_index + nrecv - 1 of CNode recv_cnode (nrecv
 * 0: receive none). Errors: EINVAL (nsend > CR_MSG_MAX_CAPS, nrecv > 4096), EFAULT
 * (send unreadable), EBADCAP/ENOCAP/EWRONGTYPE/EBUSY (recv_cnode when nrecv > 0),
 * ERANGE (window past the CNode's end). O(nsend).
 */
int64_t
sys_msg_caps(uint64_t send, uint64_t nsend, uint64_t recv_cnode, uint64_t recv_index,
             uint64_t nrecv)
{
    struct tcb *self = sched_current();
    if (nsend > CR_MSG_MAX_CAPS || nrecv > 4096) {
        return -CR_EINVAL;
    }
    uint64_t list[CR_MSG_MAX_CAPS];
    int rc = copy_from_user(self, list, uaddr(send), nsend * sizeof(list[0]));
    if (rc != 0) {
        return rc;
    }
    if (nrecv > 0) {
        struct slot *first;
        rc = cnode_lookup_dest(self, recv_cnode, recv_index, &first);
        if (rc == 0) {
            rc = cnode_lookup_dest(self, recv_cnode, recv_index + nrecv - 1, &first);
        }
        if (rc != 0) {
            return rc;
        }
    }
    for (uint64_t i = 0; i < nsend; i++) {
        self->xfer.send[i] = list[i];
    }
    self->xfer.nsend = (uint32_t)nsend;
    self->xfer.recv_cnode = recv_cnode;
    self->xfer.recv_index = recv_index;
    self->xfer.nrecv = (uint32_t)nrecv;
    return 0;
}

static struct slot *
window_slot(struct tcb *to, uint32_t *next)
{
    /* Bounded by the window size. */
    while (*next < to->xfer.nrecv) {
        struct slot *s;
        uint64_t idx = to->xfer.recv_index + (*next)++;
        struct cap *root = tcb_cspace_root(to);
        struct slot *cn;
        if (cnode_resolve(root, to->xfer.recv_cnode, CPTR_BITS, &cn) != 0 ||
            cn->cap.type != CR_OBJ_CNODE || idx >= (1ull << cn->cap.size_bits)) {
            return NULL;
        }
        s = &cnode_slots(&cn->cap)[idx];
        if (cap_is_null(&s->cap)) {
            return s;
        }
    }
    return NULL;
}

/*
 * Copies from's pending capabilities into to's window; returns how many arrived. from's
 * list is used up either way.
 */
unsigned
capxfer_move(struct tcb *from, struct tcb *to)
{
    unsigned placed = 0;
    uint32_t next = 0;
    for (uint32_t i = 0; i < from->xfer.nsend; i++) {
        struct slot *src;
        if (cnode_resolve(tcb_cspace_root(from), from->xfer.send[i], CPTR_BITS, &src) != 0 ||
            cap_is_null(&src->cap) || src->cap.type == CAP_ZOMBIE) {
            break;
        }
        struct cap c;
        if (cap_derive(src, CR_RIGHTS_ALL, &c) != 0) {
            break;
        }
        struct slot *dst = window_slot(to, &next);
        if (dst == NULL) {
            break;
        }
        cnode_install(src, dst, &c, 0);
        placed++;
    }
    from->xfer.nsend = 0;
    return placed;
}
