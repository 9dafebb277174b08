/* SPDX-License-Identifier: MIT */
/*
 * Polled 8250/16550 UART driver for the root server's console, driven entirely through an
 * I/O-port capability (cr_ioport_in / cr_ioport_out), so every register access is a kernel
 * call. To keep that cost down it uses the 16-byte transmit FIFO when the chip has one:
 * once the line status register says the holding register is empty, the whole FIFO is
 * free, so up to 16 bytes go out per status poll instead of one. Every wait is a bounded
 * spin: a missing or wedged UART slows output down but never hangs the root server.
 * Transmit only; input arrives with the console server and its interrupt.
 */
#include "uart.h"

#include <stdbool.h>

#include <courier/sys.h>

enum {
    UART_DATA = 0, /* transmit holding register; divisor low byte with DLAB */
    UART_IER = 1,  /* interrupt enable; divisor high byte with DLAB */
    UART_FCR = 2,  /* FIFO control (write) */
    UART_IIR = 2,  /* interrupt identification (read): bits 7:6 = 11 when FIFOs work */
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    LCR_DLAB = 0x80,
    LCR_8N1 = 0x03,
    FCR_ENABLE_CLEAR = 0xc7, /* enable FIFOs, clear both, 14-byte receive trigger */
    MCR_DTR_RTS = 0x03,
    IIR_FIFO_MASK = 0xc0,
    LSR_THRE = 0x20, /* transmit holding register (and FIFO) empty */
    LSR_TEMT = 0x40, /* transmitter completely idle */
    UART_FIFO_DEPTH = 16,
    /* Polls before giving up on a status bit: far longer than one character at 9600 baud
     * on any machine, and still bounded if the port reads all ones or all zeros. */
    UART_SPIN_MAX = 100000,
};

static struct uart_state {
    cr_cptr_t cap;  /* I/O-port capability covering base .. base + 7 */
    uint16_t base;  /* first port of the UART */
    unsigned burst; /* bytes per THRE poll: UART_FIFO_DEPTH with working FIFOs, else 1 */
    unsigned room;  /* bytes that may still be written without polling */
    bool ready;     /* uart_init succeeded */
} uart;

static int64_t
uart_out(unsigned reg, uint8_t v)
{
    return cr_ioport_out(uart.cap, uart.base + reg, 1, v);
}

/* Spins until the LSR shows `bit`, or UART_SPIN_MAX polls, or the port cannot be read. */
static void
uart_wait(uint8_t bit)
{
    for (int i = 0; i < UART_SPIN_MAX; i++) {
        int64_t lsr = cr_ioport_in(uart.cap, uart.base + UART_LSR, 1);
        if (lsr < 0 || (lsr & bit) != 0) {
            return;
        }
    }
}

static void
uart_putb(uint8_t b)
{
    if (uart.room == 0) {
        uart_wait(LSR_THRE);
        uart.room = uart.burst;
    }
    uart_out(UART_DATA, b);
    uart.room--;
}

/*
 * Takes over the UART at `base` through `ioport_cap` and programs it for 115200 8N1 with
 * FIFOs on and interrupts off. Waits (bounded) for the transmitter to drain first so the
 * kernel's last boot lines are not cut off by the FIFO reset.
 * Returns 0, or the negative error of the first failed port access exactly as
 * cr_ioport_in / cr_ioport_out report it (a bad, empty or wrong-type capability, or ports
 * outside its range); the console is then unusable and the caller should fall back.
 */
int
uart_init(cr_cptr_t ioport_cap, uint16_t base)
{
    uart.cap = ioport_cap;
    uart.base = base;
    uart.ready = false;

    int64_t lsr = cr_ioport_in(uart.cap, uart.base + UART_LSR, 1);
    if (lsr < 0) {
        return (int)lsr;
    }
    uart_wait(LSR_TEMT);

    static const uint8_t setup[][2] = {
        { UART_IER, 0 },
        { UART_LCR, LCR_DLAB },
        { UART_DATA, 1 }, /* divisor 1: 115200 baud */
        { UART_IER, 0 },
        { UART_LCR, LCR_8N1 },
        { UART_FCR, FCR_ENABLE_CLEAR },
        { UART_MCR, MCR_DTR_RTS },
    };
    for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++) {
        int64_t rc = uart_out(setup[i][0], setup[i][1]);
        if (rc < 0) {
            return (int)rc;
        }
    }

    int64_t iir = cr_ioport_in(uart.cap, uart.base + UART_IIR, 1);
    bool fifo = iir >= 0 && (iir & IIR_FIFO_MASK) == IIR_FIFO_MASK;
    uart.burst = fifo ? UART_FIFO_DEPTH : 1;
    uart.room = 0;
    uart.ready = true;
    return 0;
}

/*
 * Writes n bytes, turning each '\n' into "\r\n". Does nothing before a successful
 * uart_init. Matches the output-function type of cr_set_output.
 */
void
uart_write(const char *s, size_t n)
{
    if (!uart.ready) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            uart_putb('\r');
        }
        uart_putb((uint8_t)s[i]);
    }
}
