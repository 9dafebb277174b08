/* SPDX-License-Identifier: MIT */
/*
 * Processes (docs/process.md): the table, a blank process's making, its threads, its fd
 * table, its end. A blank process has its two CNodes and its well-known slots (its
 * connections to the managers, a notification) and nothing else: no address space, no
 * fd table, no thread. The parent adds those by request (server.c); the first thread
 * started makes it RUNNING.
 */
#include "pm.h"

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/lib/string.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

enum {
    CS_GUARD = 64 - PM_CS_RADIX,           /* the process's own view: one level */
    CS_L1_GUARD = 12 - PM_CS_RADIX,        /* seen from the manager's first level */
    RES_CS_SELF = 1,                       /* res slot: cs with the process's guard */
};

static struct pm_proc procs[PM_MAX_PROCS];
static struct pm_fds fds_pool[PM_MAX_PROCS];
static struct pm_ns ns_pool[PM_MAX_PROCS];
static int64_t next_pid = 1;

cr_cptr_t pm_l1_cnode(void);

struct pm_proc *
pm_proc_get(int64_t pid)
{
    if (pid <= 0) {
        return NULL;
    }
    for (unsigned i = 0; i < PM_MAX_PROCS; i++) {
        if (procs[i].pid == pid) {
            return &procs[i];
        }
    }
    return NULL;
}

/* Undoes a half-made process: its chunks (and so every object) and its table entry. */
static void
release(struct pm_proc *p)
{
    pm_shm_exit(p); /* shared memory it maps or made */
    pm_cow_exit(p); /* frames shared with others: copied for them, references dropped */
    p->notify = 0;  /* its capability goes with the resources CNodes */
    /* Threads first, so none runs on while its memory goes away. */
    for (unsigned i = 0; i < PM_MAX_THREADS; i++) {
        if (p->threads[i].tcb != 0) {
            cr_tcb_suspend(pm_res_cptr(p, p->threads[i].tcb));
            p->threads[i].tcb = 0;
        }
    }
    p->nthreads = 0;
    for (unsigned i = p->nchunks; i-- > 0;) {
        if (p->chunks[i] != 0) {
            pm_pool_give(p->chunks[i]);
            p->chunks[i] = 0;
        }
    }
    p->nchunks = 0;
    p->cur_chunk = 0;
    memset(p->res_chunk, 0, sizeof(p->res_chunk));
    pm_l1_free(p->cs_l1);
    pm_handle_free(p->cs_handle);
    for (unsigned i = 0; i < p->nres; i++) {
        pm_l1_free(p->res_l1[i]);
        pm_handle_free(p->res_h[i]);
    }
    p->nres = 0;
    p->cs_l1 = 0;
    p->cs_handle = 0;
    p->pages = 0;
    if (p->as != NULL) {
        pm_as_put(p->as);
        p->as = NULL;
    }
    if (p->fds != NULL) {
        p->fds->refs--;
        p->fds = NULL;
    }
    if (p->ns != NULL) {
        p->ns->refs--;
        p->ns = NULL;
    }
}

/* Makes p's two CNodes and the slots every process has (proto.h). */
static int
make_cnodes(struct pm_proc *p)
{
    int rc = pm_res_extent(p);
    if (rc == 0) {
        rc = pm_alloc(p, CR_OBJ_CNODE, PM_CS_RADIX, CR_CAP_ROOT_CNODE, p->cs_handle);
    }
    if (rc == 0) {
        rc = (int)cr_cap_mint(pm_l1_cnode(), p->cs_l1, CR_CAP_ROOT_CNODE, p->cs_handle,
                              CR_RIGHTS_ALL, CS_L1_GUARD);
    }
    if (rc == 0) {
        rc = (int)cr_cap_mint(p->res_h[0], RES_CS_SELF, CR_CAP_ROOT_CNODE, p->cs_handle,
                              CR_RIGHTS_ALL, CS_GUARD);
        p->res_used[RES_CS_SELF / 8] |= 1u << (RES_CS_SELF % 8);
    }
    cr_cptr_t srv = pm_server_chan();
    if (rc == 0 && srv != 0) {
        rc = (int)cr_cap_mint(p->cs_handle, CR_SLOT_PROC, CR_CAP_ROOT_CNODE, srv,
                              CR_RIGHT_WRITE | CR_RIGHT_GRANT, (uint64_t)p->pid);
        if (rc == 0) {
            rc = (int)cr_cap_copy(p->cs_handle, CR_SLOT_MEM, p->cs_handle, CR_SLOT_PROC,
                                  CR_RIGHT_WRITE | CR_RIGHT_GRANT);
        }
    }
    if (rc == 0) {
        rc = pm_alloc(p, CR_OBJ_NOTIFICATION, 0, p->cs_handle, CR_SLOT_NTFN);
    }
    if (rc == 0) {
        rc = (int)cr_cap_mint(p->cs_handle, CR_SLOT_CSPACE, CR_CAP_ROOT_CNODE, p->cs_handle,
                              CR_RIGHTS_ALL, CS_GUARD);
    }
    return rc;
}

/*
 * A new blank process, child of ppid (0 for the root itself). ENOMEM: no free entry,
 * first-level slots, handles or memory.
 */
struct pm_proc *
pm_proc_new(int64_t ppid, int *err)
{
    struct pm_proc *p = NULL;
    for (unsigned i = 0; i < PM_MAX_PROCS && p == NULL; i++) {
        if (procs[i].pid == 0) {
            p = &procs[i];
        }
    }
    *err = -CR_ENOMEM;
    if (p == NULL) {
        return NULL;
    }
    memset(p, 0, sizeof(*p));
    p->pid = next_pid++;
    p->ppid = ppid;
    p->state = PROC_S_BLANK;
    p->cs_handle = pm_handle_alloc();
    if (p->cs_handle == 0 || !pm_l1_alloc(&p->cs_l1)) {
        release(p);
        p->pid = 0;
        return NULL;
    }
    *err = make_cnodes(p);
    if (*err != 0) {
        release(p);
        p->pid = 0;
        return NULL;
    }
    return p;
}

/* Installs the console at the fds of `f` in p's CSpace (badge: the pid). */
static int
install_fds(struct pm_proc *p, const struct pm_fds *f)
{
    cr_cptr_t con = pm_console_chan();
    /* Bounded by CR_FD_MAX; a slot is touched only if it holds or gets a capability,
     * eight fds at a time where none does. */
    for (unsigned fd = 0; fd < CR_FD_MAX; fd++) {
        if (fd % 8 == 0 && p->fd_slots[fd / 8] == 0 && f->open[fd / 8] == 0) {
            fd += 7;
            continue;
        }
        uint8_t bit = (uint8_t)(1u << (fd % 8));
        if (p->fd_slots[fd / 8] & bit) {
            cr_cap_delete(p->cs_handle, CR_SLOT_FD(fd));
            p->fd_slots[fd / 8] &= (uint8_t)~bit;
        }
        if (con != 0 && (f->open[fd / 8] & bit)) {
            int rc = (int)cr_cap_mint(p->cs_handle, CR_SLOT_FD(fd), CR_CAP_ROOT_CNODE, con,
                                      CR_RIGHT_WRITE, (uint64_t)p->pid);
            if (rc != 0) {
                return rc;
            }
            p->fd_slots[fd / 8] |= bit;
        }
    }
    return 0;
}

/*
 * Gives p an fd table: a new one with the console at 0, 1 and 2 (share NULL), `share`
 * itself (copy false), or a copy of it. EEXIST: p has one.
 */
int
pm_proc_fds(struct pm_proc *p, struct pm_fds *share, bool copy)
{
    if (p->fds != NULL) {
        return -CR_EEXIST;
    }
    struct pm_fds *f = share;
    if (share == NULL || copy) {
        f = NULL;
        for (unsigned i = 0; i < PM_MAX_PROCS && f == NULL; i++) {
            if (fds_pool[i].refs == 0) {
                f = &fds_pool[i];
            }
        }
        if (f == NULL) {
            return -CR_ENOMEM;
        }
        memset(f, 0, sizeof(*f));
        if (share != NULL) {
            memcpy(f->open, share->open, sizeof(f->open));
        } else {
            f->open[0] = 0x7; /* stdin, stdout, stderr: the console */
        }
    }
    int rc = install_fds(p, f);
    if (rc != 0) {
        return rc;
    }
    f->refs++;
    p->fds = f;
    return 0;
}

/* Gives p a namespace: a new empty one (share NULL) or `share`. EEXIST: p has one. */
int
pm_proc_ns(struct pm_proc *p, struct pm_ns *share)
{
    if (p->ns != NULL) {
        return -CR_EEXIST;
    }
    struct pm_ns *n = share;
    for (unsigned i = 0; i < PM_MAX_PROCS && n == NULL; i++) {
        if (ns_pool[i].refs == 0) {
            n = &ns_pool[i];
        }
    }
    if (n == NULL) {
        return -CR_ENOMEM;
    }
    n->refs++;
    p->ns = n;
    return 0;
}

/*
 * Creates and starts a thread in p at entry with stack sp and rdi = arg. ENOCTX: no
 * address space or fd table yet; ENOSPC: PM_MAX_THREADS reached.
 */
int
pm_proc_thread_new(struct pm_proc *p, uint64_t entry, uint64_t sp, uint64_t arg, int64_t *tid)
{
    if (p->as == NULL || p->fds == NULL) {
        return -CR_ENOCTX;
    }
    unsigned t = 0;
    while (t < PM_MAX_THREADS && p->threads[t].tcb != 0) {
        t++;
    }
    if (t == PM_MAX_THREADS) {
        return -CR_ENOSPC;
    }
    uint16_t slot;
    int rc = pm_res_new(p, CR_OBJ_TCB, 0, &slot);
    if (rc != 0) {
        return rc;
    }
    cr_cptr_t tcb = pm_res_cptr(p, slot);
    struct pm_proc *o = p->as->owner;
    struct cr_regs r = { .rip = entry, .rsp = sp, .rdi = arg };
    rc = (int)cr_tcb_configure(tcb, pm_res_cptr(p, RES_CS_SELF),
                               pm_res_cptr(o, p->as->vspace), pm_fault_chan(), 0);
    if (rc == 0) {
        rc = (int)cr_tcb_set_fault_badge(tcb, ((uint64_t)p->pid << 8) | t);
    }
    if (rc == 0) {
        rc = (int)cr_tcb_set_priority(tcb, PM_DEFAULT_PRIO, CR_SCHED_RR);
    }
    if (rc == 0 && p->as->upcall != 0) {
        rc = (int)cr_tcb_set_upcall(tcb, p->as->upcall); /* Linux calls reach libposix */
    }
    if (rc == 0 && t == 0) {
        cr_cap_delete(p->cs_handle, CR_SLOT_SELF_TCB);
        /* Without GRANT: the program may not reconfigure itself or forge the fault badge
         * (the pager's proof of who faulted). */
        rc = (int)cr_cap_copy(p->cs_handle, CR_SLOT_SELF_TCB, pm_res_handle(p, slot),
                              pm_res_index(slot), CR_RIGHT_READ | CR_RIGHT_WRITE);
    }
    if (rc == 0) {
        rc = (int)cr_tcb_write_regs(tcb, CR_UPTR(&r), CR_REGS_RESUME);
    }
    if (rc != 0) {
        pm_res_drop(p, slot);
        return rc;
    }
    p->threads[t].tcb = slot;
    p->nthreads++;
    p->state = PROC_S_RUNNING;
    *tid = ((int64_t)p->pid << 8) | t;
    return 0;
}

/*
 * p's threads and image go (PROC_EXEC, and the first half of an exit): every thread is
 * destroyed and the address space emptied. Its chunks stay (the CNodes live in them), so
 * only the objects are deleted, one by one.
 */
int
pm_proc_destroy_image(struct pm_proc *p)
{
    cr_cap_delete(p->cs_handle, CR_SLOT_SELF_TCB); /* its last capability goes below */
    for (unsigned i = 0; i < PM_MAX_THREADS; i++) {
        if (p->threads[i].tcb != 0) {
            pm_res_drop(p, p->threads[i].tcb);
            p->threads[i].tcb = 0;
        }
    }
    p->nthreads = 0;
    if (p->as != NULL && p->as->owner == p && p->as->refs == 1) {
        pm_vm_destroy(p->as);
    }
    if (p->as != NULL) {
        pm_as_put(p->as);
        p->as = NULL;
    }
    return 0;
}

/*
 * If p owns its address space, the other processes sharing it end (256 + 9): the space's
 * objects live in p's chunks, so it cannot outlive p's image (an exit or an exec).
 */
void
pm_proc_end_sharers(struct pm_proc *p)
{
    for (unsigned i = 0; p->as != NULL && p->as->owner == p && i < PM_MAX_PROCS; i++) {
        struct pm_proc *o = &procs[i];
        if (o != p && o->pid != 0 && o->as == p->as && o->state != PROC_S_ZOMBIE) {
            pm_proc_exit(o, 256 + 9);
        }
    }
}

/*
 * p ends with `status`: every object goes (its chunks are revoked), it becomes a zombie
 * for its parent, its children pass to the root, and a parent waiting for it is told.
 */
static void
exit_one(struct pm_proc *p, int status)
{
    if (p->state == PROC_S_ZOMBIE) {
        return;
    }
    pm_proc_end_sharers(p);
    release(p);
    p->wait_rcvid = 0; /* a PROC_WAIT of its own ended with its thread */
    p->state = PROC_S_ZOMBIE;
    p->exit_status = status;
    /* Its children pass to pid 1, as to init: running or already ended alike, so the
     * root collects every orphan the same way (an ended one is announced to it now). */
    struct pm_proc *root = pm_proc_get(1);
    for (unsigned i = 0; i < PM_MAX_PROCS; i++) {
        struct pm_proc *c = &procs[i];
        if (c->pid != 0 && c->ppid == p->pid) {
            c->ppid = 1;
            if (c->state == PROC_S_ZOMBIE && root != NULL) {
                pm_server_child_exited(root, c->pid);
            }
        }
    }
    struct pm_proc *parent = pm_proc_get(p->ppid);
    if (parent == NULL) {
        int64_t pid = p->pid;
        pm_proc_reap(p);
        pm_system_ended(pid, status); /* a system server: perhaps started again */
    } else {
        pm_server_child_exited(parent, p->pid);
    }
}

/*
 * p ends with `status` (exit_one), and after it every process that lost a copy-on-write
 * page with the memory of one that ended (cow.c), as by SIGBUS — here, in a loop, not
 * nested in the ends that caused it, so the manager's stack stays shallow. Bounded: each
 * process ends once, and each pass ends one more or stops.
 */
void
pm_proc_exit(struct pm_proc *p, int status)
{
    static bool ending;
    exit_one(p, status);
    if (ending) {
        return; /* an end inside an end (the sharers'): the outermost one looks */
    }
    ending = true;
    for (bool again = true; again;) {
        again = false;
        for (unsigned i = 0; i < PM_MAX_PROCS; i++) {
            struct pm_proc *q = &procs[i];
            if (q->pid != 0 && q->lost_memory) {
                q->lost_memory = false;
                exit_one(q, 256 + 7);
                again = true;
            }
        }
    }
    ending = false;
}

/* A process that never ran for anyone (a spawn that failed): gone without a status. */
void
pm_proc_discard(struct pm_proc *p)
{
    release(p);
    p->pid = 0;
    p->state = 0;
}

/* Frees a zombie's entry (its status has been collected). */
void
pm_proc_reap(struct pm_proc *p)
{
    p->pid = 0;
    p->state = 0;
}

/* PROC_LIST: up to max entries with pid >= first into out; *count says how many. */
int
pm_proc_list(int64_t first, void *out, size_t max, size_t *count)
{
    struct proc_info *info = out;
    size_t n = 0;
    for (unsigned i = 0; i < PM_MAX_PROCS && n < max; i++) {
        struct pm_proc *p = &procs[i];
        if (p->pid == 0 || p->pid < first || p->state == PM_S_OBJECT) {
            continue;
        }
        info[n] = (struct proc_info){ .pid = p->pid, .ppid = p->ppid, .state = p->state,
                                      .threads = p->nthreads, .pages = p->pages };
        memcpy(info[n].name, p->name, sizeof(info[n].name));
        n++;
    }
    *count = n;
    return 0;
}

/* The process table, for the server's searches. */
struct pm_proc *pm_proc_at(unsigned i);

struct pm_proc *
pm_proc_at(unsigned i)
{
    return i < PM_MAX_PROCS ? &procs[i] : NULL;
}
