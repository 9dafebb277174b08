/* SPDX-License-Identifier: MIT */
/*
 * Frame-pointer backtrace for panics (the kernel is built with frame pointers). Walks
 * at most 32 frames and stops at any frame pointer outside the kernel image or stack.
 */
#include <arch/cpu.h>
#include <kernel/klog.h>
#include <kernel/ksyms.h>

/* Prints the call chain starting at frame pointer rbp. */
void
arch_backtrace(uint64_t rbp)
{
    kprintf("backtrace:\n");
    for (int i = 0; i < 32; i++) {
        if (rbp < KERNEL_VBASE || (rbp & 7) != 0) {
            break;
        }
        const uint64_t *fp = (const uint64_t *)rbp;
        uint64_t ret = fp[1];
        if (ret < KERNEL_VBASE) {
            break;
        }
        kprintf("  ");
        ksyms_print(ret);
        kprintf("\n");
        rbp = fp[0];
    }
}

/* Halts until the next interrupt. */
void
arch_cpu_halt(void)
{
    __asm__ volatile("hlt");
}
