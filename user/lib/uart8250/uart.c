/* SPDX-License-Identifier: MIT */
/*
 * Polled 8250/16550 UART driver (courier/lib/uart.h), driven entirely through an
 * I/O-port capability (cr_ioport_in / cr_ioport_out), so every register access is a kernel
 * call. To keep that cost down it uses the 16-byte transmit FIFO when the chip has one:
 * once the line status register says the holding register is empty, the whole FIFO is
 * free, so up to 16 bytes go out per status poll instead of one. Every wait is a bounded
 * spin: a missing or wedged UART slows output down but never hangs its program.
 * Receive is interrupt-driven and belongs to the console server (servers/console/input.c):
 * it turns the interrupt on with uart_enable_rx_irq and reads bytes with uart_getc when
 * the interrupt's pulse comes; nothing here waits for input.
 */
#include <courier/lib/uart.h>

#include <stdbool.h>

#include <courier/abi/errors.h>
#include <courier/sys.h>

enum {
    UART_DATA = 0, /* transmit holding (write) and receive buffer (read) registers;
                    * divisor low byte with DLAB */
    UART_IER = 1,  /* interrupt enable; divisor high byte with DLAB */
    UART_FCR = 2,  /* FIFO control (write) */
    UART_IIR = 2,  /* interrupt identification (read): bits 7:6 = 11 when FIFOs work */
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    LCR_DLAB = 0x80,
    LCR_8N1 = 0x03,
    /* Enable FIFOs, clear both, interrupt at 1 received byte: the console wants each key
     * at once, and a deeper trigger level would leave the last few bytes of a burst to
     * the character-timeout interrupt. */
    FCR_ENABLE_CLEAR = 0x07,
    MCR_DTR_RTS = 0x03,
    MCR_OUT2 = 0x08, /* gates the UART's interrupt output onto the ISA IRQ line on PCs */
    IER_RDA = 0x01,  /* interrupt while received data is available */
    IIR_FIFO_MASK = 0xc0,
    LSR_DR = 0x01,   /* a received byte is waiting in RBR (the FIFO is not empty) */
    LSR_OE = 0x02,   /* overrun: a byte arrived with the FIFO full and was lost */
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
    uint64_t overruns; /* LSR_OE seen by uart_getc: bytes the chip itself dropped */
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

/*
 * Turns the receive interrupt on: received-data-available in IER and OUT2 in MCR (the PC
 * wires the interrupt through OUT2). The caller binds the IRQ line first, so that data
 * already waiting raises it now and is not missed. Only the console server calls this.
 * Returns 0, EIO before a successful uart_init, or the error of the failed port write.
 */
int
uart_enable_rx_irq(void)
{
    if (!uart.ready) {
        return -CR_EIO;
    }
    int64_t rc = uart_out(UART_MCR, MCR_DTR_RTS | MCR_OUT2);
    if (rc == 0) {
        rc = uart_out(UART_IER, IER_RDA);
    }
    return (int)rc;
}

/*
 * Takes one received byte: returns it (0..255), or -1 when none is waiting (also before
 * uart_init, when the port cannot be read, and when the LSR reads all ones, which is what
 * a missing UART gives: no real status has every bit set). Counts the chip's overruns.
 * Two port reads; never waits.
 */
int
uart_getc(void)
{
    if (!uart.ready) {
        return -1;
    }
    int64_t lsr = cr_ioport_in(uart.cap, uart.base + UART_LSR, 1);
    if (lsr < 0 || lsr == 0xff || (lsr & LSR_DR) == 0) {
        return -1;
    }
    if (lsr & LSR_OE) {
        uart.overruns++;
    }
    int64_t b = cr_ioport_in(uart.cap, uart.base + UART_DATA, 1);
    return b < 0 ? -1 : (int)(b & 0xff);
}

/* Bytes the UART lost to overruns (its receive FIFO was full), as uart_getc saw them. */
uint64_t
uart_rx_overruns(void)
{
    return uart.overruns;
}
