/* SPDX-License-Identifier: MIT */
/*
 * Starting the managers (docs/process.md). pm_start, called once by the root's main
 * thread, builds the pool, the managers' CSpace, their channels (and the console's) and
 * the root's own entry in the process table (pid 1), then starts two threads — the server
 * and the pager — FIFO at one priority, so each runs until it blocks in its receive and
 * they never interleave in the middle of a request. The server thread finishes the set-up
 * that needs the managers' CSpace, and starts the console server (system.c), before it
 * serves anything; pm_start waits for that. pm_console_attach then moves the root's own
 * output from COM1 to the console server (docs/console.md, "Who writes to COM1").
 */
#include "pm.h"

#include <stdarg.h>

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/lib/print.h>
#include <courier/lib/string.h>
#include <courier/proto/console.h>
#include <courier/proto/io.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

#include "../root.h"
#include "../slot.h"
#include <courier/lib/uart.h>

enum {
    NTHREADS = 2,
    STACK = 16384,
    SRV_TABLE_BITS = 7, /* 127 open exchanges: a held wait per process and more */
    /* 31 open exchanges: the console's waiting readers (16 at most) and one request. */
    CON_TABLE_BITS = 5,
    /* 14 pending pulses: COM1's interrupt needs one (its line stays masked until
     * irq_ack); the rest absorbs pulses clients send on their connections. */
    CON_PULSES_BITS = 4,
    /* COM1 is ISA IRQ 4; its line (GSI) is bootinfo's isa_irq_line[4], which the kernel
     * took from the ACPI MADT's overrides (4 on PCs and QEMU). */
    CON_ISA_IRQ = 4,
    /* How long a line of the root's waits for the console before it goes to COM1
     * directly: far longer than any write takes, short enough not to wedge the root. */
    CON_WRITE_TIMEOUT_NS = 2000000000,
};

void pm_server_set_chan(cr_cptr_t chan);
void pm_pager_set_chan(cr_cptr_t chan);
void pm_server_loop(void);
void pm_pager_loop(void);
bool pm_vm_init(struct pm_proc *root);
struct pm_proc *pm_proc_at(unsigned i);

static struct {
    bool started;
    bool ok;
    cr_cptr_t chunk;          /* the managers' own objects */
    cr_cptr_t ready;          /* notification: the server thread finished its set-up */
    cr_cptr_t conn_proc;      /* the root main thread's connection (pid 1) */
    cr_cptr_t con;            /* the console channel */
    cr_cptr_t con_io;         /* COM1's ports and interrupt handler, for the console */
    cr_cptr_t con_irq;
    cr_cptr_t conn_con;       /* the root's connection to the console (badge 1) */
    bool attached;            /* the root's output goes to the console server */
    struct pm_proc *root;
    unsigned nthreads;
    void (*fn[NTHREADS])(void);
} pm;

static uint8_t stacks[NTHREADS][STACK] __attribute__((aligned(16)));

/* Gives the caller's next call (a send to the console) CON_WRITE_TIMEOUT_NS. */
static void
console_deadline(void)
{
    uint64_t now = 0;
    cr_clock_get(CR_UPTR(&now));
    cr_timeout_set(now + CON_WRITE_TIMEOUT_NS);
}

/*
 * Writes s[0..n) for any thread of the root: to the console server while it runs (an
 * IO_WRITE on the root's connection, given up after CON_WRITE_TIMEOUT_NS), else — before
 * it starts, while it is being started again, or if it does not answer — to COM1 itself.
 */
static void
root_write(const char *s, size_t n)
{
    if (pm.attached && pm_system_console() != 0) {
        struct io_req q = { { IO_WRITE, 0, (uint32_t)n }, { 0, 0, 0 } };
        struct cr_iov iov[2] = { { CR_UPTR(&q), sizeof(q) }, { CR_UPTR(s), n } };
        console_deadline();
        if (cr_msg_sendv(pm.conn_con, CR_UPTR(iov), 2, 0, 0) == (int64_t)n) {
            return;
        }
    }
    uart_write(s, n);
}

/* Logs a line from a manager thread (printf's buffer is the main thread's). */
void
pm_log(const char *fmt, ...)
{
    char line[200];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n > 0) {
        root_write(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    }
}

static cr_cptr_t
new_obj(unsigned type, unsigned bits)
{
    cr_cptr_t s = root_slot_alloc();
    if (s == 0 || cr_untyped_retype(pm.chunk, type, bits, CR_CAP_ROOT_CNODE, s, 1) != 0) {
        return 0;
    }
    return s;
}

static void
server_main(void)
{
    pm.ok = pm_vm_init(pm.root);
    if (pm.ok) {
        pm_system_start(pm.con, pm.con_io, pm.con_irq);
    }
    cr_notify_signal(pm.ready);
    if (pm.ok) {
        pm_server_loop();
    }
    for (;;) {
        uint64_t bits;
        cr_notify_wait(pm.ready, CR_UPTR(&bits));
    }
}

/* Entry of every manager thread: rdi is its index. */
static void
thread_entry(uint64_t i)
{
    pm.fn[i]();
    for (;;) {
        cr_yield();
    }
}

/* Starts fn as a manager thread (the managers' CSpace, the root's address space). */
bool
pm_thread_start(void (*fn)(void), unsigned prio)
{
    if (pm.nthreads >= NTHREADS) {
        return false;
    }
    unsigned i = pm.nthreads++;
    pm.fn[i] = fn;
    cr_cptr_t tcb = new_obj(CR_OBJ_TCB, 0);
    struct cr_regs r = { .rip = (uint64_t)(uintptr_t)thread_entry,
                         .rsp = (uint64_t)(uintptr_t)&stacks[i][STACK - 8], .rdi = i };
    return tcb != 0 && cr_tcb_configure(tcb, pm_cspace_root(), CR_CAP_ROOT_VSPACE, 0, 0) == 0 &&
           cr_tcb_set_priority(tcb, prio, CR_SCHED_FIFO) == 0 &&
           cr_tcb_write_regs(tcb, CR_UPTR(&r), CR_REGS_RESUME) == 0;
}

/* A channel with a reply table of 2^table_bits slots (none if 0) and a pulse queue of
 * 2^pulse_bits entries (none if 0); 0 on failure. */
static cr_cptr_t
new_channel(unsigned table_bits, unsigned pulse_bits)
{
    cr_cptr_t ch = new_obj(CR_OBJ_CHANNEL, 0);
    cr_cptr_t rt = table_bits != 0 ? new_obj(CR_OBJ_REPLY_TABLE, table_bits) : 0;
    cr_cptr_t pq = pulse_bits != 0 ? new_obj(CR_OBJ_PULSE_QUEUE, pulse_bits) : 0;
    if (ch == 0 || (table_bits != 0 && (rt == 0 || cr_channel_bind(ch, rt, 0) != 0)) ||
        (pulse_bits != 0 && (pq == 0 || cr_channel_bind(ch, pq, 0) != 0))) {
        return 0;
    }
    return ch;
}

/* Starts the managers once; false (and a log line) if they cannot run. */
bool
pm_start(void)
{
    if (pm.started) {
        return pm.ok;
    }
    pm.started = true;
    int err = 0;
    if (!pm_pool_init() || (pm.chunk = pm_pool_take()) == 0 || !pm_cspace_init(pm.chunk)) {
        printf("pm: no memory pool; processes unavailable\n");
        return false;
    }
    cr_cptr_t srv = new_channel(SRV_TABLE_BITS, 0);
    cr_cptr_t flt = new_channel(0, 0);
    pm.con = new_channel(CON_TABLE_BITS, CON_PULSES_BITS);
    pm.ready = new_obj(CR_OBJ_NOTIFICATION, 0);
    pm.conn_proc = root_slot_alloc();
    pm.conn_con = root_slot_alloc();
    pm.con_io = root_slot_alloc();
    pm.con_irq = root_slot_alloc();
    if (srv == 0 || flt == 0 || pm.con == 0 || pm.ready == 0 || pm.conn_proc == 0 ||
        pm.conn_con == 0 || pm.con_io == 0 || pm.con_irq == 0 ||
        cr_cap_mint(CR_CAP_ROOT_CNODE, pm.conn_con, CR_CAP_ROOT_CNODE, pm.con, CR_RIGHT_WRITE,
                    1) != 0) {
        printf("pm: cannot make the managers' channels\n");
        return false;
    }
    /* The console server's share of the hardware; without it, it still writes. */
    int64_t rc = cr_ioport_issue(CR_CAP_IOPORT, UART_COM1, UART_COM1 + 7, CR_CAP_ROOT_CNODE,
                                 pm.con_io);
    if (rc == 0) {
        rc = cr_irq_get(CR_CAP_IRQ_CONTROL, root_bootinfo()->isa_irq_line[CON_ISA_IRQ],
                        CR_CAP_ROOT_CNODE, pm.con_irq);
    }
    if (rc != 0) {
        printf("pm: cannot give the console COM1 (%s)\n", cr_errname((int)rc));
    }
    pm_server_set_chan(srv);
    pm_pager_set_chan(flt);
    pm.root = pm_proc_new(0, &err); /* pid 1: the root server itself */
    if (pm.root == NULL || pm.root->pid != 1 ||
        cr_cap_mint(CR_CAP_ROOT_CNODE, pm.conn_proc, CR_CAP_ROOT_CNODE, srv,
                    CR_RIGHT_WRITE | CR_RIGHT_GRANT, 1) != 0) {
        printf("pm: cannot make the root's process entry (%s)\n", cr_errname(err));
        return false;
    }
    pm.root->state = PROC_S_RUNNING;
    memcpy(pm.root->name, "root", 5);
    if (!pm_thread_start(server_main, PM_PRIO) || !pm_thread_start(pm_pager_loop, PM_PRIO)) {
        printf("pm: cannot start the manager threads\n");
        return false;
    }
    uint64_t bits;
    cr_notify_wait(pm.ready, CR_UPTR(&bits));
    if (!pm.ok) {
        printf("pm: set-up in the server thread failed\n");
    } else if (!pm_console_attach()) {
        printf("pm: the console server does not answer; the root writes to COM1 itself\n");
    }
    return pm.ok;
}

cr_cptr_t
pm_conn_proc(void)
{
    return pm.conn_proc;
}

cr_cptr_t
pm_console_chan(void)
{
    return pm.con;
}

/*
 * Moves the root's output to the console server, once it answers a CON_STATS; true if
 * it did. Called by the main thread after pm_start; until then, and if the console does
 * not answer in CON_WRITE_TIMEOUT_NS, the root writes to COM1 itself.
 */
bool
pm_console_attach(void)
{
    if (pm.attached) {
        return true;
    }
    if (!pm.ok || pm_system_console() == 0) {
        return false;
    }
    cr_flush_output();
    struct proto_hdr q = { CON_STATS, 0, 0 };
    struct con_stats st;
    struct cr_iov s = { CR_UPTR(&q), sizeof(q) };
    struct cr_iov r = { CR_UPTR(&st), sizeof(st) };
    console_deadline();
    if (cr_msg_sendv(pm.conn_con, CR_UPTR(&s), 1, CR_UPTR(&r), 1) != 0) {
        return false;
    }
    pm.attached = true;
    cr_set_output(root_write);
    return true;
}


void
pm_stats(struct pm_stats *s)
{
    s->chunks_free = pm_pool_free_count();
    s->chunks_total = pm_pool_total();
    s->procs = 0;
    for (unsigned i = 0; i < PM_MAX_PROCS; i++) {
        s->procs += pm_proc_at(i)->pid != 0;
    }
}
