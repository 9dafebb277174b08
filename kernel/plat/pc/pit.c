/* SPDX-License-Identifier: MIT */
/*
 * Busy-waits a known time on PIT channel 2 (gated through port 0x61, no interrupt),
 * the classic way to calibrate the TSC. Boot only.
 */
#include <plat/pit.h>
#include <arch/pio.h>

enum {
    PIT_HZ = 1193182,
    PIT_CH2 = 0x42,
    PIT_CMD = 0x43,
    PORT_B = 0x61,
};

/* Waits ms milliseconds (at most 50) by polling PIT channel 2's output. */
void
pit_wait_ms(unsigned ms)
{
    unsigned count = PIT_HZ / 1000 * ms;
    uint8_t b = arch_inb(PORT_B);
    arch_outb(PORT_B, (b & ~0x02) | 0x01); /* gate on, speaker off */
    arch_outb(PIT_CMD, 0xb0);               /* channel 2, lo/hi, mode 0 */
    arch_outb(PIT_CH2, count & 0xff);
    arch_outb(PIT_CH2, (count >> 8) & 0xff);
    for (unsigned long spins = 0; spins < 100000000ul; spins++) {
        if (arch_inb(PORT_B) & 0x20) {
            break;
        }
    }
    arch_outb(PORT_B, b);
}
