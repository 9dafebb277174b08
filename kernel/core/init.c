/* SPDX-License-Identifier: MIT */
/*
 * kernel_main: the order of boot. Boot memory first (nothing else can allocate), then
 * the final page tables, the CPU, the clock and interrupt controllers, then the root
 * server; finally the first exit to user mode. Interrupts stay off in the kernel from
 * here on except in the idle loop and at preemption points.
 */
#include <kernel/boot.h>
#include <kernel/bootmem.h>
#include <kernel/cpu.h>
#include <kernel/irq.h>
#include <kernel/klog.h>
#include <kernel/panic.h>
#include <kernel/rootserver.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <arch/cpu.h>
#include <arch/irq.h>
#include <arch/mmu.h>
#include <arch/timer.h>

/* True if the space-separated command line contains `word`. */
static bool
cmdline_has(const char *line, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = line; *p != '\0';) {
        while (*p == ' ') {
            p++;
        }
        const char *w = p;
        while (*p != '\0' && *p != ' ') {
            p++;
        }
        if ((size_t)(p - w) == n && strncmp(w, word, n) == 0) {
            return true;
        }
    }
    return false;
}

/* Brings the system up and enters the root server. Never returns. */
void
kernel_main(struct boot_params *bp)
{
    uint64_t ram = 0;
    for (unsigned i = 0; i < bp->nregions; i++) {
        if (bp->regions[i].kind == BOOT_REGION_RAM) {
            ram += bp->regions[i].len;
        }
    }
    kprintf("memory: %lu MiB RAM in %u regions, %u modules, cmdline \"%s\"\n", ram >> 20,
            bp->nregions, bp->nmodules, bp->cmdline);
    bootmem_init(bp);
    arch_mmu_init(bp, bootmem_alloc_page);
    arch_cpu_init(this_cpu());
    /* TLB tags (PCIDs) where the CPU has them, unless the command line says nopcid: a
     * switch then keeps the TLB entries of the space it leaves (docs/objects.md). */
    if (!cmdline_has(bp->cmdline, "nopcid") && arch_mmu_tags_init()) {
        kprintf("mmu: PCID on: each VSpace keeps its TLB entries across switches\n");
    } else {
        kprintf("mmu: PCID off: each address-space switch flushes the TLB\n");
    }
    sched_init();
    /* Interrupt controllers before the LAPIC: masking the legacy PIC while the LAPIC
     * still accepts it (virtual wire) lets its pending output drop cleanly. */
    arch_irq_init();
    irq_init();
    arch_timer_init();
    if (cmdline_has(bp->cmdline, "panic-test")) {
        /* For the test that the panic report (reason, registers, backtrace) works. */
        panic("panic-test requested on the command line");
    }
    rootserver_create(bp);
    sched_exit_to_user();
}
