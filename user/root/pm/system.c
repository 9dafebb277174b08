/* SPDX-License-Identifier: MIT */
/*
 * System servers (docs/process.md): programs the root starts itself, outside the process
 * tree — parent pid 0, so no PROC_WAIT sees them and their status goes nowhere — with
 * capabilities no ordinary process gets, put in their CSpace before their first thread
 * runs, and FIFO at the managers' priority. Today there is one, the console (bin/console,
 * proto/console.h): the console channel to receive on, COM1's I/O ports and COM1's
 * interrupt handler. When it ends (a fault, a kill by the root), it is started again with
 * the same channel, so every fd that names the console works again; after CON_STARTS_MAX
 * starts (a server that keeps dying is not started for ever), it stays down and the root
 * writes to COM1 itself. Runs in the manager threads (the server at start, later whichever
 * thread ended the console), which never interleave.
 */
#include "pm.h"

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/lib/print.h>
#include <courier/proto/console.h>
#include <courier/sys.h>

#define CONSOLE_PATH "bin/console"

enum {
    CON_STARTS_MAX = 8, /* starts in the system's life; then the console stays down */
    SYSTEM_STACK_PAGES = 16, /* stack pages a system server gets at start */
};

static struct {
    cr_cptr_t chan;   /* the console channel (root CNode) */
    cr_cptr_t ioport; /* COM1's ports */
    cr_cptr_t irq;    /* COM1's interrupt handler */
    int64_t pid;      /* the running console, 0 if none */
    unsigned starts;  /* starts so far */
} con;

/* What a system server gets: a capability of the root CNode, copied to a slot of its own. */
struct grant {
    uint64_t slot;
    cr_cptr_t cap;
};

/*
 * Starts the program at path as a system server with the capabilities g[0..n-1]; returns
 * its pid or -error (nothing is left behind then).
 */
static int64_t
spawn_system(const char *path, const struct grant *g, unsigned n)
{
    int err;
    struct pm_proc *c = pm_proc_new(0, &err);
    if (c == NULL) {
        return err;
    }
    const char *strs[] = { path, path }; /* the path, then argv: { path } */
    uint64_t entry = 0;
    uint64_t sp = 0;
    int64_t tid;
    err = pm_image_make(c, strs, 1, 0, NULL, NULL, &entry, &sp);
    /* The top of its stack now, so that a driver takes no page fault while it serves:
     * the pager may be waiting for it to print a line (pm_log). */
    uint64_t top = sp & ~(uint64_t)(REGION_PAGE - 1);
    for (uint64_t va = top - (SYSTEM_STACK_PAGES - 1) * REGION_PAGE; err == 0 && va <= top;
         va += REGION_PAGE) {
        struct pm_region *r = pm_vm_region(c->as, va);
        if (r == NULL) {
            err = -CR_EFAULT;
        } else if (pm_vm_page_at(c->as, va) == NULL) {
            err = pm_vm_page(c, va, r->prot, NULL);
        }
    }
    for (unsigned i = 0; err == 0 && i < n; i++) {
        err = (int)cr_cap_copy(c->cs_handle, g[i].slot, CR_CAP_ROOT_CNODE, g[i].cap,
                               CR_RIGHTS_ALL);
    }
    if (err == 0) {
        err = pm_proc_thread_new(c, entry, sp, 0, &tid);
    }
    if (err == 0) {
        err = (int)cr_tcb_set_priority(pm_res_cptr(c, c->threads[0].tcb), PM_PRIO,
                                       CR_SCHED_FIFO);
    }
    if (err != 0) {
        pm_proc_discard(c);
        return err;
    }
    return c->pid;
}

static void
start_console(void)
{
    const struct grant g[] = {
        { CON_SLOT_CHAN, con.chan },
        { CON_SLOT_IOPORT, con.ioport },
        { CON_SLOT_IRQ, con.irq },
    };
    con.starts++;
    int64_t pid = spawn_system(CONSOLE_PATH, g, sizeof(g) / sizeof(g[0]));
    con.pid = pid > 0 ? pid : 0;
    if (pid < 0) {
        pm_log("pm: cannot start %s: %s\n", CONSOLE_PATH, cr_errname((int)pid));
    }
}

/*
 * Starts the console with its channel, COM1's ports and COM1's interrupt handler (root
 * CNode slots, the same cptrs in the managers' CSpace). Server thread, at set-up.
 */
void
pm_system_start(cr_cptr_t chan, cr_cptr_t ioport, cr_cptr_t irq)
{
    con.chan = chan;
    con.ioport = ioport;
    con.irq = irq;
    start_console();
}

/* The console's pid, 0 while none runs. */
int64_t
pm_system_console(void)
{
    return con.pid;
}

/*
 * A process without a parent ended (pm_proc_exit): if it was the console, it is started
 * again, unless it has been started CON_STARTS_MAX times.
 */
void
pm_system_ended(int64_t pid, int status)
{
    if (pid != con.pid || pid == 0) {
        return;
    }
    con.pid = 0;
    if (con.starts >= CON_STARTS_MAX) {
        pm_log("pm: %s (pid %lld) ended with status %d; not started again\n", CONSOLE_PATH,
               (long long)pid, status);
        return;
    }
    pm_log("pm: %s (pid %lld) ended with status %d; starting it again\n", CONSOLE_PATH,
           (long long)pid, status);
    start_console();
}
