/* SPDX-License-Identifier: MIT */
/*
 * The console's input side (docs/console.md): an interrupt-driven 8250 receiver and the
 * readers waiting for it. con_input_init, run once at start, binds the handler of COM1's
 * interrupt line (which the root gave the server) to the console channel as the pulse
 * CON_PULSE_IRQ and turns on the UART's receive interrupt. From then on a pulse drains the
 * receive FIFO into the ring (con_ring.c), acknowledges the line and answers the waiting
 * readers; an IO_READ takes bytes at once or waits, in FIFO order, for the next ones.
 *
 * Invariant: readers wait only while the ring is empty (every pulse that adds bytes
 * answers them before it returns), so a new IO_READ finding bytes never jumps a queue.
 * A waiting reader is an open exchange (its rcvid); at most CON_MAX_READERS of them, so
 * they never fill the channel's reply table. A reader whose client died is found when its
 * reply fails with ESRCH, or earlier, when the queue is full (probe_readers).
 *
 * Line discipline: raw, except that CR becomes NL (termios ICRNL), so that the Enter key
 * of a terminal, which sends CR, ends a line. No echo, no line editing, no signals: the
 * POSIX tty layer will do those.
 */
#include "console.h"

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/abi/msg.h>
#include <courier/lib/print.h>
#include <courier/lib/string.h>
#include <courier/lib/uart.h>
#include <courier/sys.h>

#include "con_ring.h"

enum {
    CON_MAX_READERS = 16,
    /* Bytes read from the UART per pass: a full ring plus a full FIFO. Input at 115200
     * baud arrives far slower than a pass reads it, so only a UART that never stops
     * reporting data reaches the bound. */
    CON_DRAIN_MAX = CON_RING_SIZE + 16,
};

struct con_reader {
    uint64_t rcvid; /* the open IO_READ exchange */
    uint64_t max;   /* the most bytes it asked for, >= 1 */
};

static struct con_input_state {
    cr_cptr_t chan;
    cr_cptr_t irq; /* COM1's handler; 0 = no input */
    struct con_ring ring;
    struct con_reader readers[CON_MAX_READERS]; /* oldest first */
    unsigned nreaders;
    uint64_t received; /* bytes taken from the UART */
    uint64_t pulses;   /* pulses served, the interrupt's and any other */
    uint64_t reads;    /* IO_READs of at least one byte taken, answered, kept or refused */
} in;

/*
 * Binds COM1's interrupt line (the handler irq) to the console channel chan and turns
 * the receive interrupt on; prints "console: input on COM1, IRQ 4 (line N)". Returns
 * false (with a line saying why) if input cannot work; output is not affected and
 * IO_READ then fails with EIO.
 */
bool
con_input_init(cr_cptr_t chan, cr_cptr_t irq)
{
    con_ring_init(&in.ring);
    in.chan = chan;
    const char *step = "irq_set_notification";
    int64_t rc = cr_irq_set_notification(irq, chan, CON_PULSE_IRQ);
    if (rc == 0) {
        /* After the binding, so that bytes already waiting raise the line now. */
        step = "uart_enable_rx_irq";
        rc = uart_enable_rx_irq();
    }
    if (rc != 0) {
        printf("console: no input (%s: %s)\n", step, cr_errname((int)rc));
        return false;
    }
    in.irq = irq;
    /* The handler's identity is its line (a GSI): the root took it from bootinfo's
     * isa_irq_line[4], which the kernel read from the ACPI MADT's overrides. */
    struct cr_cap_info ci = { 0 };
    cr_cap_identify(irq, CR_UPTR(&ci));
    printf("console: input on COM1, IRQ 4 (line %llu)\n", (unsigned long long)ci.badge);
    return true;
}

/* Moves up to max bytes from the UART into the ring (CR as NL); returns the count. */
static unsigned
drain(unsigned max)
{
    unsigned n = 0;
    for (int c; n < max && (c = uart_getc()) >= 0; n++) {
        con_ring_put(&in.ring, c == '\r' ? '\n' : (uint8_t)c);
    }
    in.received += n;
    return n;
}

/* Replies to rcvid with up to max bytes from the front of the ring, which must hold
 * some, and drops them from the ring if the reply went out. Returns the reply's result. */
static int64_t
answer(uint64_t rcvid, uint64_t max)
{
    struct con_span s[2];
    unsigned k = con_ring_peek(&in.ring, max, s);
    struct cr_iov iov[2];
    size_t n = 0;
    for (unsigned i = 0; i < k; i++) {
        iov[i] = (struct cr_iov){ CR_UPTR(s[i].p), s[i].len };
        n += s[i].len;
    }
    int64_t rc = cr_msg_replyv(in.chan, rcvid, n, CR_UPTR(iov), k);
    if (rc == 0) {
        con_ring_consume(&in.ring, n);
    }
    return rc;
}

static void
drop_reader(unsigned i)
{
    in.nreaders--;
    memmove(&in.readers[i], &in.readers[i + 1], (in.nreaders - i) * sizeof(in.readers[0]));
}

/* Answers waiting readers, oldest first, while the ring has bytes. A reply that fails
 * (the client is gone: ESRCH) drops the reader and leaves the bytes for the next one. */
static void
answer_readers(void)
{
    while (in.nreaders > 0 && con_ring_count(&in.ring) > 0) {
        answer(in.readers[0].rcvid, in.readers[0].max);
        drop_reader(0);
    }
}

/*
 * Forgets the readers whose clients are gone: msg_read at an offset past any message
 * touches nothing and fails with ESRCH only for an exchange that no longer exists.
 * O(CON_MAX_READERS) calls; run only when the queue is full.
 */
static void
probe_readers(void)
{
    for (unsigned i = 0; i < in.nreaders;) {
        if (cr_msg_read(in.chan, in.readers[i].rcvid, UINT64_MAX, 0, 0) == -CR_ESRCH) {
            drop_reader(i);
        } else {
            i++;
        }
    }
}

/*
 * Serves a pulse on the console channel: drains the UART, acknowledges the line and
 * answers waiting readers. Any pulse does this, not only the interrupt's: a pass with
 * nothing to read costs two port reads and an irq_ack, and a client's pulses taking the
 * interrupt's place in a full queue then cannot leave input stuck behind a masked line.
 */
void
con_input_pulse(void)
{
    in.pulses++;
    if (in.irq == 0) {
        return;
    }
    unsigned n = drain(CON_DRAIN_MAX);
    cr_irq_ack(in.irq);
    /* A byte that arrived between the last status read and the ack raised the line while
     * it was masked, and an edge-triggered IOAPIC pin forgets such an edge: read again
     * now that the line is unmasked. Emptying the FIFO lowers the line, so the next byte
     * raises it again and is not missed. */
    drain(CON_DRAIN_MAX - n);
    answer_readers();
}

/*
 * IO_READ of up to max (>= 1) bytes for the exchange rcvid: replies at once with what the
 * ring holds, up to max (status = the count), or keeps the exchange open until input
 * arrives. Returns 0 when it replied or keeps the reader, else the error for the caller to
 * send: EIO (the console has no input: con_input_init failed), EAGAIN
 * (CON_MAX_READERS readers wait already).
 */
int
con_input_read(uint64_t rcvid, uint64_t max)
{
    in.reads++;
    if (in.irq == 0) {
        return -CR_EIO;
    }
    if (con_ring_count(&in.ring) > 0) {
        answer(rcvid, max); /* a failure means the client is gone: nothing to do */
        return 0;
    }
    if (in.nreaders == CON_MAX_READERS) {
        probe_readers();
    }
    if (in.nreaders == CON_MAX_READERS) {
        return -CR_EAGAIN;
    }
    in.readers[in.nreaders++] = (struct con_reader){ rcvid, max };
    return 0;
}

/* The input side's counters and state (CON_STATS). */
void
con_input_stats(struct con_stats *s)
{
    s->input = in.irq != 0;
    s->received = in.received;
    s->dropped = in.ring.dropped;
    s->overruns = uart_rx_overruns();
    s->pulses = in.pulses;
    s->reads = in.reads;
    s->buffered = (uint32_t)con_ring_count(&in.ring);
    s->readers = in.nreaders;
}
