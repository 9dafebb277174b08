/* SPDX-License-Identifier: MIT */
/*
 * x86_64 processor setup: GDT with user segments ordered for sysret, a TSS whose rsp0
 * follows the running thread (entry.S), IST stacks for double fault, NMI and machine
 * check, the IDT, the syscall MSRs, PAT (entry 1 = write-combining), and the protection
 * features the CPU has: NX (always), SMEP and SMAP (the kernel never touches user
 * memory through user addresses, see usercopy.c, so SMAP needs no stac/clac), and
 * global pages. FPU/SSE is enabled for user code; the kernel is built without it.
 */
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/tss.h>
#include <kernel/cpu.h>
#include <kernel/klog.h>
#include <kernel/string.h>

enum {
    MSR_EFER = 0xc0000080,
    MSR_STAR = 0xc0000081,
    MSR_LSTAR = 0xc0000082,
    MSR_FMASK = 0xc0000084,
    MSR_FS_BASE = 0xc0000100,
    MSR_GS_BASE = 0xc0000101,
    MSR_KERNEL_GS_BASE = 0xc0000102,
    MSR_PAT = 0x277,
    EFER_SCE = 1u << 0,
    EFER_NXE = 1u << 11,
    CR0_MP = 1u << 1,
    CR0_EM = 1u << 2,
    CR0_TS = 1u << 3,
    CR0_NE = 1u << 5,
    CR4_PGE = 1u << 7,
    CR4_OSFXSR = 1u << 9,
    CR4_OSXMMEXCPT = 1u << 10,
    CR4_PCIDE = 1u << 17,
    CR4_SMEP = 1u << 20,
    CR4_SMAP = 1u << 21,
    IST_STACK_SIZE = 4096,
    KSTACK_SIZE = 16384,
};

struct idt_entry {
    uint16_t off0;
    uint16_t sel;
    uint8_t ist;
    uint8_t type;
    uint16_t off1;
    uint32_t off2;
    uint32_t reserved;
};

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

static uint64_t gdt[7];
struct tss x86_tss;
static struct idt_entry idt[256];
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));
uint8_t kernel_stack[KSTACK_SIZE] __attribute__((aligned(16)));
extern uint8_t kernel_stack_top[];
__asm__(".global kernel_stack_top\n.set kernel_stack_top, kernel_stack + 16384");

extern char isr_stubs[];
extern char syscall_entry[];

static struct {
    bool smep, smap, pcid, tsc_deadline, x2apic, xsave, pdpe1gb, invariant_tsc;
} features;

static inline void
cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

static inline uint64_t
rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void
wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t
read_cr0(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

static inline uint64_t
read_cr4(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

/* Writes an MSR; exposed for the LAPIC and TLS code in this arch. */
void x86_wrmsr(uint32_t msr, uint64_t v);
uint64_t x86_rdmsr(uint32_t msr);

void
x86_wrmsr(uint32_t msr, uint64_t v)
{
    wrmsr(msr, v);
}

uint64_t
x86_rdmsr(uint32_t msr)
{
    return rdmsr(msr);
}

static void
detect_features(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    uint32_t max = r[0];
    cpuid(1, 0, r);
    features.tsc_deadline = (r[2] >> 24) & 1;
    features.x2apic = (r[2] >> 21) & 1;
    features.pcid = (r[2] >> 17) & 1;
    features.xsave = (r[2] >> 26) & 1;
    if (max >= 7) {
        cpuid(7, 0, r);
        features.smep = (r[1] >> 7) & 1;
        features.smap = (r[1] >> 20) & 1;
    }
    cpuid(0x80000000, 0, r);
    uint32_t emax = r[0];
    if (emax >= 0x80000001) {
        cpuid(0x80000001, 0, r);
        features.pdpe1gb = (r[3] >> 26) & 1;
    }
    if (emax >= 0x80000007) {
        cpuid(0x80000007, 0, r);
        features.invariant_tsc = (r[3] >> 8) & 1;
    }
}

/* True if the CPU has the named feature (smep smap pcid tsc-deadline x2apic xsave). */
bool
arch_cpu_has_feature(const char *name)
{
    static const struct {
        const char *name;
        const bool *flag;
    } table[] = {
        { "smep", &features.smep },         { "smap", &features.smap },
        { "pcid", &features.pcid },         { "tsc-deadline", &features.tsc_deadline },
        { "x2apic", &features.x2apic },     { "xsave", &features.xsave },
        { "pdpe1gb", &features.pdpe1gb },   { "invariant-tsc", &features.invariant_tsc },
    };
    for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
        if (strncmp(table[i].name, name, 32) == 0) {
            return *table[i].flag;
        }
    }
    return false;
}

static void
set_gate(unsigned vec, void *handler, unsigned ist, unsigned dpl)
{
    uint64_t a = (uint64_t)handler;
    idt[vec] = (struct idt_entry){
        .off0 = a & 0xffff,
        .sel = SEL_KCODE,
        .ist = ist,
        .type = (uint8_t)(0x8e | (dpl << 5)), /* present, 64-bit interrupt gate */
        .off1 = (a >> 16) & 0xffff,
        .off2 = a >> 32,
    };
}

static void
load_tables(void)
{
    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffffull; /* kernel code */
    gdt[2] = 0x00cf92000000ffffull; /* kernel data */
    gdt[3] = 0x00cff2000000ffffull; /* user data, DPL 3 */
    gdt[4] = 0x00affa000000ffffull; /* user code, DPL 3 */
    uint64_t t = (uint64_t)&x86_tss;
    uint64_t limit = sizeof(x86_tss) - 1;
    gdt[5] = (limit & 0xffff) | ((t & 0xffffff) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xf) << 48) | (((t >> 24) & 0xff) << 56);
    gdt[6] = t >> 32;
    x86_tss.iopb = sizeof(x86_tss); /* no I/O bitmap: user port I/O goes through ioport caps */
    for (int i = 0; i < 3; i++) {
        x86_tss.ist[i] = (uint64_t)&ist_stacks[i][IST_STACK_SIZE];
    }
    x86_tss.rsp[0] = (uint64_t)kernel_stack_top;

    struct desc_ptr gp = { sizeof(gdt) - 1, (uint64_t)gdt };
    __asm__ volatile("lgdt %0" : : "m"(gp));
    __asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%ss" : : "r"(SEL_KDATA));
    __asm__ volatile("pushq %0; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:"
                     : : "i"(SEL_KCODE) : "rax", "memory");
    __asm__ volatile("ltr %w0" : : "r"(SEL_TSS));

    for (unsigned v = 0; v < 256; v++) {
        unsigned ist = v == 8 ? 1 : v == 2 ? 2 : v == 18 ? 3 : 0;
        /* Only int3 may be raised by user code (debuggers' breakpoints); any other
         * `int n` from user mode is a #GP. */
        set_gate(v, isr_stubs + 16 * v, ist, v == 3 ? 3 : 0);
    }
    struct desc_ptr ip = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" : : "m"(ip));
}

static struct arch_fpu fpu_template;

/*
 * Sets up this CPU: descriptor tables, syscall MSRs, protection features, FPU.
 * Called once per CPU at boot, interrupts off.
 */
void
arch_cpu_init(struct cpu *c)
{
    detect_features();
    load_tables();

    c->arch.self = (uint64_t)c;
    c->arch.kstack_top = (uint64_t)kernel_stack_top;
    wrmsr(MSR_GS_BASE, (uint64_t)c);
    wrmsr(MSR_KERNEL_GS_BASE, 0);

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | EFER_NXE);
    wrmsr(MSR_STAR, ((uint64_t)SEL_KDATA << 48) | ((uint64_t)SEL_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC | RFLAGS_NT);

    /* PAT: entry 1 becomes write-combining (PWT alone selects it). */
    uint64_t pat = rdmsr(MSR_PAT);
    pat = (pat & ~(0xffull << 8)) | (0x01ull << 8);
    wrmsr(MSR_PAT, pat);

    uint64_t cr0 = (read_cr0() | CR0_MP | CR0_NE) & ~(uint64_t)(CR0_EM | CR0_TS);
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
    uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_PGE;
    if (features.smep) {
        cr4 |= CR4_SMEP;
    }
    if (features.smap) {
        cr4 |= CR4_SMAP;
    }
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));

    uint32_t mxcsr = 0x1f80;
    __asm__ volatile("fninit; ldmxcsr %1; fxsave64 %0" : "=m"(fpu_template) : "m"(mxcsr));
    kprintf("cpu: smep %d smap %d pcid %d tsc-deadline %d xsave %d\n", features.smep,
            features.smap, features.pcid, features.tsc_deadline, features.xsave);
}

/* Fills f with the clean FPU state a new thread starts with. */
void
arch_fpu_init_state(struct arch_fpu *f)
{
    *f = fpu_template;
}

/*
 * Turns on PCIDs (CR4.PCIDE) if the CPU has them; returns whether they are on. CR3's tag
 * must be 0 at that moment (the kernel's tables are loaded with tag 0). For mmu.c.
 */
bool x86_pcid_enable(void);

bool
x86_pcid_enable(void)
{
    if (!features.pcid || (read_cr4() & CR4_PCIDE)) {
        return features.pcid;
    }
    uint64_t cr4 = read_cr4() | CR4_PCIDE;
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
    return true;
}

/* Returns CR3 (physical address of the loaded PML4). */
uint64_t
arch_cpu_read_cr3(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v & 0x000ffffffffff000ull;
}

/*
 * Loads CR3: the PML4's physical address, and with PCIDs on also the tag (bits 11:0) and
 * the keep bit (63). Flushes the non-global TLB entries (with PCIDs: of that tag only),
 * unless the keep bit is set.
 */
void
arch_cpu_write_cr3(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

/* Invalidates one page's TLB entry. */
void
arch_cpu_invlpg(vaddr_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* Flushes the loaded address space's non-global TLB entries (with PCIDs on: those of
 * the loaded tag, which CR3 keeps; the keep bit always reads as 0). */
void
arch_cpu_flush_tlb(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    arch_cpu_write_cr3(v);
}

/* Reads the time-stamp counter. */
uint64_t
arch_cpu_cycles(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Saves the FPU registers into f. */
void x86_fpu_save(struct arch_fpu *f);
void x86_fpu_restore(const struct arch_fpu *f);

void
x86_fpu_save(struct arch_fpu *f)
{
    __asm__ volatile("fxsave64 %0" : "=m"(*f));
}

void
x86_fpu_restore(const struct arch_fpu *f)
{
    __asm__ volatile("fxrstor64 %0" : : "m"(*f));
}

void arch_idle_loop(uint64_t stack_top) NORETURN;

/* Idles on a fresh kernel stack with interrupts on; an interrupt re-enters the kernel. */
void
arch_cpu_idle(void)
{
    arch_idle_loop((uint64_t)kernel_stack_top);
}
