/* SPDX-License-Identifier: MIT */
/*
 * Local APIC: end-of-interrupt and the one-shot timer. The TSC is the clock; it is
 * calibrated against the PIT (plat/pc/pit.c) at boot, and so is the LAPIC timer when
 * the CPU lacks TSC-deadline mode. With TSC-deadline the deadline is written as a TSC
 * value, otherwise as a LAPIC count computed from the time left. No periodic mode.
 */
#include <arch/timer.h>
#include <arch/mmu.h>
#include <arch/cpu.h>
#include <kernel/klog.h>
#include <kernel/panic.h>
#include <plat/acpi_boot.h>
#include <plat/madt.h>
#include <plat/pit.h>

enum {
    MSR_APIC_BASE = 0x1b,
    MSR_TSC_DEADLINE = 0x6e0,
    APIC_BASE_ENABLE = 1u << 11,
    LAPIC_ID = 0x20,
    LAPIC_EOI = 0xb0,
    LAPIC_SVR = 0xf0,
    LAPIC_LVT_TIMER = 0x320,
    LAPIC_LVT_LINT0 = 0x350,
    LAPIC_LVT_LINT1 = 0x360,
    LAPIC_LVT_ERROR = 0x370,
    LAPIC_TIMER_INIT = 0x380,
    LAPIC_TIMER_CUR = 0x390,
    LAPIC_TIMER_DIV = 0x3e0,
    LVT_MASKED = 1u << 16,
    LVT_TSC_DEADLINE = 2u << 17,
    CALIBRATE_MS = 10,
};

void x86_wrmsr(uint32_t msr, uint64_t v);
uint64_t x86_rdmsr(uint32_t msr);

static struct {
    volatile uint32_t *mmio;
    uint64_t tsc_hz;
    uint64_t lapic_hz;
    uint64_t ns_mult;  /* ns = tsc * ns_mult >> 32 */
    uint64_t tsc_mult; /* tsc ticks = ns * tsc_mult >> 32 */
    uint64_t apic_mult; /* lapic counts = ns * apic_mult >> 32 */
    bool deadline_mode;
} lapic;

static inline uint32_t
lapic_read(unsigned reg)
{
    return lapic.mmio[reg / 4];
}

static inline void
lapic_write(unsigned reg, uint32_t v)
{
    lapic.mmio[reg / 4] = v;
}

/* (hz << 32) / 1e9 without 128-bit division. */
static uint64_t
per_ns_mult(uint64_t hz)
{
    return ((hz / 1000000000u) << 32) + ((hz % 1000000000u) << 32) / 1000000000u;
}

/* Enables the LAPIC, calibrates the TSC (and LAPIC timer) against the PIT. */
void
arch_timer_init(void)
{
    uint64_t base = x86_rdmsr(MSR_APIC_BASE);
    x86_wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    paddr_t pa = base & 0x000ffffffffff000ull;
    if (plat_madt()->lapic_addr != pa) {
        /* The MSR is what this CPU decodes; the MADT only describes it. */
        kprintf("timer: local APIC at 0x%lx by its MSR, 0x%lx by the MADT; using the MSR\n", pa,
                plat_madt()->lapic_addr);
    }
    lapic.mmio = phys_to_virt(pa);
    lapic_write(LAPIC_SVR, 0x100 | SPURIOUS_VECTOR);
    lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
    lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
    lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    lapic_write(LAPIC_TIMER_DIV, 0xb); /* divide by 1 */

    lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
    uint64_t t0 = arch_cpu_cycles();
    pit_wait_ms(CALIBRATE_MS);
    uint64_t t1 = arch_cpu_cycles();
    uint32_t left = lapic_read(LAPIC_TIMER_CUR);
    lapic_write(LAPIC_TIMER_INIT, 0);
    lapic.tsc_hz = (t1 - t0) * (1000 / CALIBRATE_MS);
    lapic.lapic_hz = (uint64_t)(0xffffffffu - left) * (1000 / CALIBRATE_MS);
    if (lapic.tsc_hz == 0 || lapic.lapic_hz == 0) {
        panic("timer: calibration failed (tsc %lu Hz, lapic %lu Hz)", lapic.tsc_hz,
              lapic.lapic_hz);
    }
    lapic.ns_mult = (1000000000ull << 32) / lapic.tsc_hz;
    lapic.tsc_mult = per_ns_mult(lapic.tsc_hz);
    lapic.apic_mult = per_ns_mult(lapic.lapic_hz);
    lapic.deadline_mode = arch_cpu_has_feature("tsc-deadline");
    lapic_write(LAPIC_LVT_TIMER,
                TIMER_VECTOR | (lapic.deadline_mode ? LVT_TSC_DEADLINE : 0) | LVT_MASKED);
    kprintf("timer: tsc %lu kHz, lapic %lu kHz, %s\n", lapic.tsc_hz / 1000,
            lapic.lapic_hz / 1000, lapic.deadline_mode ? "tsc-deadline" : "one-shot");
}

/* Returns the calibrated TSC frequency in Hz. */
uint64_t
arch_timer_tsc_hz(void)
{
    return lapic.tsc_hz;
}

/* Returns nanoseconds since the TSC started (boot). */
uint64_t
arch_timer_now_ns(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); /* arch_cpu_cycles, without the call */
    uint64_t tsc = ((uint64_t)hi << 32) | lo;
    return (uint64_t)(((unsigned __int128)tsc * lapic.ns_mult) >> 32);
}

/* Arms the one-shot timer to fire at deadline_ns (now or earlier fires at once). */
void
arch_timer_arm(uint64_t deadline_ns)
{
    uint64_t now = arch_timer_now_ns();
    uint64_t delta = deadline_ns > now ? deadline_ns - now : 1000;
    if (lapic.deadline_mode) {
        lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR | LVT_TSC_DEADLINE);
        uint64_t ticks = (uint64_t)(((unsigned __int128)delta * lapic.tsc_mult) >> 32);
        x86_wrmsr(MSR_TSC_DEADLINE, arch_cpu_cycles() + ticks + 1);
        return;
    }
    uint64_t count = (uint64_t)(((unsigned __int128)delta * lapic.apic_mult) >> 32);
    if (count == 0) {
        count = 1;
    }
    if (count > 0xffffffffu) {
        count = 0xffffffffu;
    }
    lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR);
    lapic_write(LAPIC_TIMER_INIT, (uint32_t)count);
}

/* Cancels any armed deadline. */
void
arch_timer_disarm(void)
{
    if (lapic.deadline_mode) {
        x86_wrmsr(MSR_TSC_DEADLINE, 0);
    } else {
        lapic_write(LAPIC_TIMER_INIT, 0);
    }
}

/* Signals end of interrupt to the local APIC (timer and IOAPIC lines alike). */
void
arch_timer_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}
