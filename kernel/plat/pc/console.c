/* SPDX-License-Identifier: MIT */
/*
 * Debug console on the PC's first 8250 UART (COM1, I/O port 0x3f8), polled. The kernel
 * prints at boot, on rejected calls in debug builds and on panic; once the user-level
 * console server holding COM1's I/O-port capability calls klog_release, only on panic.
 */
#include <plat/console.h>
#include <arch/pio.h>

enum {
    COM1 = 0x3f8,
    UART_DATA = 0,
    UART_IER = 1,
    UART_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    LSR_THRE = 0x20,
    LCR_DLAB = 0x80,
    LCR_8N1 = 0x03,
};

/* Programs 115200 8N1, FIFOs on, interrupts off. */
void
plat_console_init(void)
{
    arch_outb(COM1 + UART_IER, 0);
    arch_outb(COM1 + UART_LCR, LCR_DLAB);
    arch_outb(COM1 + UART_DATA, 1); /* divisor 1: 115200 baud */
    arch_outb(COM1 + UART_IER, 0);
    arch_outb(COM1 + UART_LCR, LCR_8N1);
    arch_outb(COM1 + UART_FCR, 0xc7);
    arch_outb(COM1 + UART_MCR, 0x03);
}

/* Writes one character, turning \n into \r\n. Bounded spin on the transmitter. */
void
plat_console_putc(char c)
{
    if (c == '\n') {
        plat_console_putc('\r');
    }
    for (int i = 0; i < 100000; i++) {
        if (arch_inb(COM1 + UART_LSR) & LSR_THRE) {
            break;
        }
    }
    arch_outb(COM1 + UART_DATA, (uint8_t)c);
}

void
plat_console_ports(uint16_t *first, uint16_t *last)
{
    *first = COM1;
    *last = COM1 + 7;
}
