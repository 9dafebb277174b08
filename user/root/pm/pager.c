/* SPDX-License-Identifier: MIT */
/*
 * The pager (docs/memory.md): every process thread's fault channel is this one, with the
 * badge (pid << 8 | thread index). A page fault in an anonymous region gets a zeroed page
 * and the thread goes on; any other fault — a bad address, a write to read-only memory, an
 * illegal instruction, a foreign call with no handler — ends the process with status
 * 256 + signal (SIGSEGV 11, SIGILL 4, SIGFPE 8, SIGSYS 31), as a POSIX kernel would.
 */
#include "pm.h"

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

static cr_cptr_t fault_chan;

cr_cptr_t
pm_fault_chan(void)
{
    return fault_chan;
}

void pm_pager_set_chan(cr_cptr_t chan);

void
pm_pager_set_chan(cr_cptr_t chan)
{
    fault_chan = chan;
}

static int
signal_of(uint32_t kind)
{
    switch (kind) {
    case CR_FAULT_UD:
        return 4;
    case CR_FAULT_DIV:
    case CR_FAULT_FPU:
        return 8;
    case CR_FAULT_FOREIGN:
        return 31;
    default:
        return 11;
    }
}

/* The pager thread's loop: never returns. */
void pm_pager_loop(void);

void
pm_pager_loop(void)
{
    struct cr_fault_msg m;
    for (;;) {
        if (cr_fault_recv(fault_chan, CR_UPTR(&m), 0) != 0) {
            continue;
        }
        struct pm_proc *p = pm_proc_get((int64_t)(m.badge >> 8));
        unsigned t = (unsigned)(m.badge & 0xff);
        if (p == NULL || p->state == PROC_S_ZOMBIE || t >= PM_MAX_THREADS ||
            p->threads[t].tcb == 0) {
            continue; /* gone since: nothing to resume */
        }
        bool write = (m.code & 2) != 0;
        bool present = (m.code & 1) != 0; /* a protection fault: copy-on-write perhaps */
        if (m.kind == CR_FAULT_PAGE && pm_vm_fault(p, m.addr, write, present) == 0) {
            cr_tcb_resume(pm_res_cptr(p, p->threads[t].tcb));
            continue;
        }
        pm_log("pm: %s (pid %lld) fault kind %u at %#llx, ip %#llx: killed\n", p->name,
               (long long)p->pid, m.kind, (unsigned long long)m.addr,
               (unsigned long long)m.rip);
        pm_proc_exit(p, 256 + signal_of(m.kind));
    }
}
