/* SPDX-License-Identifier: MIT */
/*
 * The process and memory managers' server loop (proto/proc.h, proto/mem.h): one channel,
 * one thread. Each request is checked for length, unpacked and passed to the typed code
 * (proc.c, vm.c, load.c), and answered; the caller is the pid in the connection's badge,
 * which nobody can forge. A PROC_WAIT with nothing to collect stays open (its rcvid is
 * kept) until a child of the caller ends. Nothing a client sends can stop the loop.
 */
#include "pm.h"

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/proto/mem.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

#include "../slot.h"

enum {
    DATA_MAX = 16384, /* bytes of a request's variable part: path, argv and envp */
    LIST_MAX = 64,    /* entries one PROC_LIST reply carries */
};

struct pm_proc *pm_proc_at(unsigned i);

static struct {
    cr_cptr_t chan;
    cr_cptr_t recv_slot; /* root slot: the window where a request's capability lands */
    cr_cptr_t give_slot; /* root slot: a capability a reply carries (shm handles) */
    uint64_t identity;   /* cap_identify's identity of chan: handles must match it */
    uint8_t buf[sizeof(struct proc_image_req) + DATA_MAX] __attribute__((aligned(8)));
    const char *strs[PM_IMAGE_STRS_MAX];
} srv;

cr_cptr_t
pm_server_chan(void)
{
    return srv.chan;
}

void pm_server_set_chan(cr_cptr_t chan);

void
pm_server_set_chan(cr_cptr_t chan)
{
    srv.chan = chan;
}

static int64_t
reply(uint64_t rcvid, int64_t status, const void *data, size_t len)
{
    if (status < 0) {
        return cr_msg_error(srv.chan, rcvid, (uint64_t)-status);
    }
    struct cr_iov iov = { CR_UPTR(data), len };
    return cr_msg_replyv(srv.chan, rcvid, (uint64_t)status, CR_UPTR(&iov), data != NULL);
}

/* The caller's child `pid` (or the caller itself when self_ok), or NULL with *err. */
static struct pm_proc *
target(struct pm_proc *caller, int64_t pid, bool self_ok, int *err)
{
    struct pm_proc *t = pm_proc_get(pid);
    if (t == NULL || t->state == PROC_S_ZOMBIE) {
        *err = -CR_ESRCH;
        return NULL;
    }
    if (!(t->ppid == caller->pid || (self_ok && t == caller))) {
        *err = -CR_EPERM;
        return NULL;
    }
    return t;
}

/* A child still being built (no thread started), for the construction ops. */
static struct pm_proc *
blank_child(struct pm_proc *caller, int64_t pid, int *err)
{
    struct pm_proc *t = target(caller, pid, false, err);
    if (t != NULL && t->state != PROC_S_BLANK) {
        *err = -CR_EBUSY;
        return NULL;
    }
    return t;
}

/* A zombie child of p matching pid (-1: any): collected into rep. */
static bool
collect(struct pm_proc *p, int64_t pid, struct proc_wait_rep *rep, bool *any_child)
{
    *any_child = false;
    for (unsigned i = 0; i < PM_MAX_PROCS; i++) {
        struct pm_proc *c = pm_proc_at(i);
        if (c->pid == 0 || c->ppid != p->pid || (pid != -1 && c->pid != pid)) {
            continue;
        }
        *any_child = true;
        if (c->state == PROC_S_ZOMBIE) {
            *rep = (struct proc_wait_rep){ c->pid, c->exit_status };
            pm_proc_reap(c);
            return true;
        }
    }
    return false;
}

/* A child of parent ended: answer its pending PROC_WAIT if that child matches. */
void
pm_server_child_exited(struct pm_proc *parent, int64_t child)
{
    if (parent->notify != 0) {
        cr_pulse_send(pm_res_cptr(parent, parent->notify), PROC_PULSE_CHILD, (uint64_t)child);
    }
    if (parent->wait_rcvid == 0) {
        return;
    }
    struct proc_wait_rep rep;
    bool any;
    if (collect(parent, parent->wait_pid, &rep, &any)) {
        uint64_t rcvid = parent->wait_rcvid;
        parent->wait_rcvid = 0;
        reply(rcvid, rep.pid, &rep, sizeof(rep));
    }
}

/*
 * PROC_NOTIFY: the capability the request carried (or none) becomes p's notification.
 * Checked first: a refused request leaves the one set before in place.
 */
static int64_t
set_notify(struct pm_proc *p, uint64_t caps)
{
    struct cr_cap_info ci;
    uint16_t slot = 0;
    if (caps != 0 && (caps != 1 || cr_cap_identify(srv.recv_slot, CR_UPTR(&ci)) != 0 ||
                      ci.type != CR_OBJ_CHANNEL)) {
        return -CR_EINVAL;
    }
    if (caps != 0) {
        int rc = pm_res_take(p, &slot);
        if (rc == 0) {
            rc = (int)cr_cap_move(pm_res_handle(p, slot), pm_res_index(slot),
                                  CR_CAP_ROOT_CNODE, srv.recv_slot);
            if (rc != 0) {
                pm_res_untake(p, slot);
            }
        }
        if (rc != 0) {
            return rc;
        }
    }
    if (p->notify != 0) {
        pm_res_drop(p, p->notify);
    }
    p->notify = slot;
    return 0;
}

static int64_t
proc_op(struct pm_proc *p, uint64_t rcvid, const uint8_t *m, size_t len, bool *replied,
        uint64_t caps)
{
    const struct proto_hdr *h = (const void *)m;
    const struct proc_req *q = (const void *)m;
    const struct proc_image_req *ir = (const void *)m;
    bool image_op = h->op == PROC_LOAD || h->op == PROC_SPAWN || h->op == PROC_EXEC;
    size_t need = image_op ? sizeof(*ir) : h->op == PROC_GETPID ? sizeof(*h) : sizeof(*q);
    if (len < need || (image_op && len != sizeof(*ir) + h->len)) {
        return -CR_EINVAL;
    }
    int err = 0;
    struct pm_proc *t;
    if (image_op) {
        err = pm_image_split((const char *)m + sizeof(*ir), h->len, ir->argc, ir->envc, srv.strs);
        if (err != 0) {
            return err;
        }
    }
    switch (h->op) {
    case PROC_GETPID: {
        struct proc_getpid_rep rep = { p->pid, p->ppid };
        *replied = true;
        reply(rcvid, p->pid, &rep, sizeof(rep));
        return 0;
    }
    case PROC_EXIT:
        if (p->pid == 1) {
            return -CR_EPERM; /* the root server holds the managers' own objects */
        }
        pm_proc_exit(p, (int)(q->a[0] & 0xff));
        *replied = true; /* its thread is gone: nobody to answer */
        return 0;
    case PROC_CREATE: {
        t = pm_proc_new(p->pid, &err);
        if (t != NULL) {
            t->cred = p->cred;
        }
        return t != NULL ? t->pid : err;
    }
    case PROC_AS_NEW:
        if ((t = blank_child(p, q->a[0], &err)) == NULL) {
            return err;
        }
        if (t->as != NULL) {
            return -CR_EEXIST;
        }
        t->as = pm_as_new(t, &err);
        return t->as != NULL ? 0 : err;
    case PROC_AS_SHARE: {
        struct pm_proc *from = target(p, q->a[1], true, &err);
        if ((t = blank_child(p, q->a[0], &err)) == NULL || from == NULL) {
            return err;
        }
        if (t->as != NULL) {
            return -CR_EEXIST;
        }
        if (from->as == NULL) {
            return -CR_ENOCTX;
        }
        t->as = from->as;
        t->as->refs++;
        return 0;
    }
    case PROC_AS_COPY: {
        struct pm_proc *from = target(p, q->a[1], true, &err);
        if ((t = blank_child(p, q->a[0], &err)) == NULL || from == NULL) {
            return err;
        }
        if (t->as != NULL) {
            return -CR_EEXIST;
        }
        if (from->as == NULL) {
            return -CR_ENOCTX;
        }
        t->as = pm_as_new(t, &err);
        if (t->as == NULL) {
            return err;
        }
        err = pm_cow_copy(t, from);
        if (err != 0) {
            pm_vm_destroy(t->as); /* nothing half-copied stays */
            pm_as_put(t->as);
            t->as = NULL;
        }
        return err;
    }
    case PROC_LOAD: {
        if ((t = blank_child(p, ir->pid, &err)) == NULL) {
            return err;
        }
        /* Into an empty space of the child's own only, so that a failed load, which
         * empties the space, leaves it exactly as it was. */
        if (t->as == NULL || t->as->owner != t) {
            return -CR_ENOCTX;
        }
        if (t->as->npages != 0 || region_count_free(t->as->regions) != PM_MAX_REGIONS) {
            return -CR_EEXIST;
        }
        struct proc_load_rep rep;
        err = pm_load(t, srv.strs[0], &srv.strs[1], ir->argc, &srv.strs[1 + ir->argc],
                      ir->envc, &rep.entry, &rep.sp);
        if (err != 0) {
            pm_vm_clear(t); /* all or nothing: a failed load leaves the space empty */
            return err;
        }
        pm_image_name(t, srv.strs[0]);
        *replied = true;
        reply(rcvid, 0, &rep, sizeof(rep));
        return 0;
    }
    case PROC_FDS_NEW:
    case PROC_FDS_SHARE:
    case PROC_FDS_COPY: {
        if ((t = blank_child(p, q->a[0], &err)) == NULL) {
            return err;
        }
        if (h->op == PROC_FDS_NEW) {
            return pm_proc_fds(t, NULL, false);
        }
        struct pm_proc *from = target(p, q->a[1], true, &err);
        if (from == NULL) {
            return err;
        }
        if (from->fds == NULL) {
            return -CR_ENOCTX;
        }
        return pm_proc_fds(t, from->fds, h->op == PROC_FDS_COPY);
    }
    case PROC_NS_NEW:
    case PROC_NS_SHARE: {
        if ((t = blank_child(p, q->a[0], &err)) == NULL) {
            return err;
        }
        if (h->op == PROC_NS_NEW) {
            return pm_proc_ns(t, NULL);
        }
        struct pm_proc *from = target(p, q->a[1], true, &err);
        if (from == NULL) {
            return err;
        }
        if (t->ns != NULL) {
            return -CR_EEXIST;
        }
        return from->ns != NULL ? pm_proc_ns(t, from->ns) : -CR_ENOCTX;
    }
    case PROC_CRED_SET:
        if ((t = blank_child(p, q->a[0], &err)) == NULL) {
            return err;
        }
        if (q->a[1] < 0 || q->a[1] > UINT32_MAX || q->a[2] < 0 || q->a[2] > UINT32_MAX) {
            return -CR_EINVAL;
        }
        /* Only uid 0 gives other ids than its own (as setuid/setgid would allow). */
        if (p->cred.uid != 0 && (q->a[1] != p->cred.uid || q->a[2] != p->cred.gid)) {
            return -CR_EPERM;
        }
        t->cred = (struct pm_cred){ (uint32_t)q->a[1], (uint32_t)q->a[2] };
        return 0;
    case PROC_THREAD_NEW: {
        if ((t = target(p, q->a[0], true, &err)) == NULL) {
            return err;
        }
        int64_t tid;
        err = pm_proc_thread_new(t, (uint64_t)q->a[1], (uint64_t)q->a[2], 0, &tid);
        return err != 0 ? err : tid;
    }
    case PROC_SPAWN:
        return pm_image_spawn(p, srv.strs, ir->argc, ir->envc);
    case PROC_EXEC:
        err = (int)pm_image_exec(p, srv.strs, ir->argc, ir->envc);
        if (err == 0) {
            *replied = true; /* the caller's thread is gone; the new image runs */
        }
        return err;
    case PROC_WAIT: {
        struct proc_wait_rep rep;
        bool any;
        if (collect(p, q->a[0], &rep, &any)) {
            *replied = true;
            reply(rcvid, rep.pid, &rep, sizeof(rep));
            return 0;
        }
        if (!any) {
            return -CR_ECHILD;
        }
        if (h->flags & PROC_WNOHANG) {
            return 0;
        }
        if (p->wait_rcvid != 0) {
            return -CR_EBUSY; /* one thread of a process waits at a time */
        }
        p->wait_rcvid = rcvid;
        p->wait_pid = q->a[0];
        *replied = true;
        return 0;
    }
    case PROC_KILL:
        t = target(p, q->a[0], true, &err);
        if (t == NULL && err == -CR_EPERM && p->pid == 1 && pm_proc_get(q->a[0])->ppid == 0) {
            /* EPERM: the pid lives. The root may end a system server it started. */
            t = pm_proc_get(q->a[0]);
        }
        if (t == NULL) {
            return err;
        }
        if (t->pid == 1) {
            return -CR_EPERM;
        }
        pm_proc_exit(t, 256 + 9);
        if (t == p) {
            *replied = true;
        }
        return 0;
    case PROC_NOTIFY:
        return set_notify(p, caps);
    case PROC_LIST: {
        static struct proc_info list[LIST_MAX];
        size_t n;
        pm_proc_list(q->a[0], list, LIST_MAX, &n);
        *replied = true;
        reply(rcvid, (int64_t)n, list, n * sizeof(list[0]));
        return 0;
    }
    default:
        return -CR_ENOSYS;
    }
}

/* The shared-memory handle a request carried: its badge, if it is a connection to our own
 * channel with a handle's badge; else 0. */
static uint64_t
handle_badge(uint64_t caps)
{
    struct cr_cap_info ci;
    if (caps != 1 || cr_cap_identify(srv.recv_slot, CR_UPTR(&ci)) != 0 ||
        ci.type != CR_OBJ_CHANNEL || ci.paddr != srv.identity ||
        !(ci.badge & PM_SHM_BADGE)) {
        return 0;
    }
    return ci.badge;
}

/* MEM_SHM_NEW: the object, and its handle in the reply. */
static int64_t
shm_new(struct pm_proc *p, uint64_t len, uint64_t rcvid, bool *replied)
{
    uint64_t badge;
    int err = pm_shm_new(p, len, &badge);
    if (err != 0) {
        return err;
    }
    if (cr_cap_mint(CR_CAP_ROOT_CNODE, srv.give_slot, CR_CAP_ROOT_CNODE, srv.chan,
                    CR_RIGHT_WRITE | CR_RIGHT_GRANT, badge) != 0) {
        pm_shm_close(badge);
        return -CR_ENOMEM;
    }
    cr_msg_caps(CR_UPTR(&srv.give_slot), 1, CR_CAP_ROOT_CNODE, srv.recv_slot, 1);
    *replied = true;
    reply(rcvid, 0, NULL, 0);
    cr_msg_caps(0, 0, CR_CAP_ROOT_CNODE, srv.recv_slot, 1); /* nothing left named */
    cr_cap_delete(CR_CAP_ROOT_CNODE, srv.give_slot);
    return 0;
}

static int64_t
mem_op(struct pm_proc *p, const uint8_t *m, size_t len, uint64_t rcvid, bool *replied,
       uint64_t caps)
{
    const struct mem_req *q = (const void *)m;
    if (len < sizeof(*q)) {
        return -CR_EINVAL;
    }
    uint64_t out = 0;
    int err;
    /* Flags are reserved (STYLE §7) except MEM_F_POPULATE on MEM_MAP_ANON. */
    uint16_t allowed = q->hdr.op == MEM_MAP_ANON ? MEM_F_POPULATE : 0;
    if ((q->hdr.flags & ~allowed) != 0 && q->hdr.op >= MEM_MAP_ANON && q->hdr.op < MEM_OP_END) {
        return -CR_EINVAL;
    }
    switch (q->hdr.op) {
    case MEM_MAP_ANON:
        err = pm_vm_map_anon(p, q->a[0], q->a[1], (uint32_t)q->a[2], PM_R_ANON, &out);
        if (err == 0 && (q->hdr.flags & MEM_F_POPULATE)) {
            err = pm_vm_populate(p, out, q->a[1]);
        }
        return err != 0 ? err : (int64_t)out;
    case MEM_UNMAP:
        return pm_vm_unmap(p, q->a[0], q->a[1]);
    case MEM_PROTECT:
        return pm_vm_protect(p, q->a[0], q->a[1], (uint32_t)q->a[2]);
    case MEM_BRK:
        err = pm_vm_brk(p, q->a[0], &out);
        return err != 0 ? err : (int64_t)out;
    case MEM_INFO:
        return (int64_t)p->pages;
    case MEM_SHM_NEW:
        return shm_new(p, q->a[0], rcvid, replied);
    case MEM_SHM_MAP: {
        uint64_t badge = handle_badge(caps);
        if (badge == 0) {
            return -CR_EINVAL;
        }
        err = pm_shm_map(p, badge, q->a[0], (uint32_t)q->a[1], &out);
        return err != 0 ? err : (int64_t)out;
    }
    case MEM_SHM_CLOSE: {
        uint64_t badge = handle_badge(caps);
        return badge != 0 ? pm_shm_close(badge) : -CR_EINVAL;
    }
    default:
        return -CR_ENOSYS;
    }
}

/* The loop: never returns. */
void pm_server_loop(void);

void
pm_server_loop(void)
{
    struct cr_iov iov = { CR_UPTR(srv.buf), sizeof(srv.buf) };
    struct cr_msg_info info;
    /* One capability may come with a request (PROC_NOTIFY's): it lands in recv_slot. */
    srv.recv_slot = root_slot_alloc();
    srv.give_slot = root_slot_alloc();
    cr_msg_caps(0, 0, CR_CAP_ROOT_CNODE, srv.recv_slot, srv.recv_slot != 0);
    struct cr_cap_info ci;
    srv.identity = cr_cap_identify(srv.chan, CR_UPTR(&ci)) == 0 ? ci.paddr : 0;
    for (;;) {
        int64_t rcvid = cr_msg_receivev(srv.chan, CR_UPTR(&iov), 1, CR_UPTR(&info));
        if (rcvid <= 0) {
            continue; /* a pulse or an error: nothing to answer */
        }
        struct pm_proc *p = pm_proc_get((int64_t)info.badge);
        int64_t rc;
        bool replied = false;
        const struct proto_hdr *h = (const void *)srv.buf;
        if (p == NULL || p->state == PROC_S_ZOMBIE) {
            rc = -CR_ESRCH;
        } else if (info.send_len > sizeof(srv.buf)) {
            rc = -CR_E2BIG;
        } else if (info.send_len < sizeof(*h)) {
            rc = -CR_EINVAL;
        } else if (h->op >= PROC_PROTO_BASE && h->op < PROC_OP_END) {
            rc = proc_op(p, (uint64_t)rcvid, srv.buf, info.copied, &replied, info.caps);
        } else if (h->op >= MEM_PROTO_BASE && h->op < MEM_OP_END) {
            rc = mem_op(p, srv.buf, info.copied, (uint64_t)rcvid, &replied, info.caps);
        } else {
            rc = -CR_ENOSYS;
        }
        if (info.caps != 0) {
            cr_cap_delete(CR_CAP_ROOT_CNODE, srv.recv_slot); /* one not taken: dropped */
        }
        if (!replied) {
            reply((uint64_t)rcvid, rc, NULL, 0);
        }
    }
}
