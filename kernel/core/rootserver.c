/* SPDX-License-Identifier: MIT */
/*
 * Builds the first user thread. Boot module 0 is the root server (a static ELF64),
 * module 1 (optional) the boot image. Objects come from boot memory, so their
 * capabilities are originals with no untyped parent; the page tables made for the
 * image, stack and bootinfo have no capabilities and live as long as the root VSpace.
 * Slot layout of the root CNode is fixed by cr_root_slot (caps.h); the rest is listed
 * in the bootinfo page.
 */
#include <kernel/rootserver.h>
#include <kernel/boot.h>
#include <kernel/bootmem.h>
#include <kernel/cdt.h>
#include <kernel/cnode.h>
#include <kernel/cpu.h>
#include <kernel/klog.h>
#include <kernel/object.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/tcb.h>
#include <kernel/vspace.h>
#include <arch/cpu.h>
#include <arch/irq.h>
#include <arch/mmu.h>
#include <arch/timer.h>
#include <courier/abi/bootinfo.h>

enum {
    ELF_PT_LOAD = 1,
    ELF_PF_X = 1,
    ELF_PF_W = 2,
    ROOT_PRIO = 255,
};

struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static struct slot *root_slots;

static void
put_cap(unsigned slot, struct cap c)
{
    cnode_install(NULL, &root_slots[slot], &c, MDB_REVOCABLE);
}

static uint64_t
load_elf(void *pml4, const struct boot_module *m)
{
    const uint8_t *img = phys_to_virt(m->base);
    const struct elf64_ehdr *eh = (const void *)img;
    if (m->len < sizeof(*eh) || memcmp(eh->ident, "\177ELF\2\1", 6) != 0 || eh->machine != 62 ||
        eh->phentsize != sizeof(struct elf64_phdr) ||
        eh->phoff + (uint64_t)eh->phnum * sizeof(struct elf64_phdr) > m->len) {
        panic("root server: module 0 is not an x86_64 ELF64 executable");
    }
    const struct elf64_phdr *ph = (const void *)(img + eh->phoff);
    for (unsigned i = 0; i < eh->phnum; i++) {
        if (ph[i].type != ELF_PT_LOAD || ph[i].memsz == 0) {
            continue;
        }
        if (ph[i].filesz > ph[i].memsz || ph[i].offset + ph[i].filesz > m->len ||
            ph[i].vaddr < CR_USER_MIN || ph[i].vaddr + ph[i].memsz > CR_ROOT_STACK_TOP) {
            panic("root server: bad segment %u", i);
        }
        unsigned perm = MMU_PERM_READ;
        perm |= (ph[i].flags & ELF_PF_W) ? MMU_PERM_WRITE : 0;
        perm |= (ph[i].flags & ELF_PF_X) ? MMU_PERM_EXEC : 0;
        uint64_t start = ALIGN_DOWN(ph[i].vaddr, 4096);
        uint64_t end = ALIGN_UP(ph[i].vaddr + ph[i].memsz, 4096);
        for (uint64_t va = start; va < end; va += 4096) {
            paddr_t pa = bootmem_alloc_page();
            uint8_t *dst = phys_to_virt(pa);
            /* Copy the part of the file that falls into this page. */
            uint64_t fstart = ph[i].vaddr;
            uint64_t fend = ph[i].vaddr + ph[i].filesz;
            uint64_t lo = MAX(va, fstart);
            uint64_t hi = MIN(va + 4096, fend);
            if (lo < hi) {
                memcpy(dst + (lo - va), img + ph[i].offset + (lo - fstart), hi - lo);
            }
            if (arch_mmu_map_boot(pml4, va, pa, perm, bootmem_alloc_page) != 0) {
                panic("root server: segments overlap at %lx", va);
            }
        }
    }
    return eh->entry;
}

/* Builds the root server and makes it ready to run. Panics on malformed boot modules. */
void
rootserver_create(const struct boot_params *bp)
{
    if (bp->nmodules < 1) {
        panic("no root server: boot module 0 missing");
    }
    unsigned radix = CR_ROOT_CNODE_RADIX;
    paddr_t cn_pa = bootmem_alloc_pages((1u << (radix + CR_CNODE_SLOT_BITS)) / 4096);
    root_slots = phys_to_virt(cn_pa);
    put_cap(CR_CAP_ROOT_CNODE, (struct cap){ .type = CR_OBJ_CNODE, .rights = CR_RIGHTS_ALL,
                                             .size_bits = (uint8_t)radix, .aux = 64 - radix,
                                             .obj = cn_pa });

    paddr_t vs_pa = bootmem_alloc_page();
    void *pml4 = phys_to_virt(vs_pa);
    arch_mmu_init_vspace(pml4);
    struct cap vsc = { .type = CR_OBJ_VSPACE, .rights = CR_RIGHTS_ALL, .obj = vs_pa };
    KASSERT(vspace_asid_alloc(pml4, &vsc.aux) == 0);
    put_cap(CR_CAP_ROOT_VSPACE, vsc);

    paddr_t tcb_pa = bootmem_alloc_page();
    struct tcb *t = phys_to_virt(tcb_pa);
    tcb_init(t);
    put_cap(CR_CAP_ROOT_TCB, (struct cap){ .type = CR_OBJ_TCB, .rights = CR_RIGHTS_ALL,
                                           .obj = tcb_pa });
    put_cap(CR_CAP_IRQ_CONTROL, (struct cap){ .type = CR_OBJ_IRQ_CONTROL,
                                              .rights = CR_RIGHTS_ALL });
    put_cap(CR_CAP_IOPORT, (struct cap){ .type = CR_OBJ_IOPORT, .rights = CR_RIGHTS_ALL,
                                         .flags = CAP_F_IOPORT_CONTROL, .obj = 0,
                                         .w1 = 0xffff });

    /* The thread's internal copies of its CSpace root and VSpace. */
    struct cap c = root_slots[CR_CAP_ROOT_CNODE].cap;
    cnode_install(&root_slots[CR_CAP_ROOT_CNODE], &t->slots[TCB_SLOT_CSPACE], &c, 0);
    c = root_slots[CR_CAP_ROOT_VSPACE].cap;
    cnode_install(&root_slots[CR_CAP_ROOT_VSPACE], &t->slots[TCB_SLOT_VSPACE], &c, 0);
    t->flags |= TCB_F_CONFIGURED;

    uint64_t entry = load_elf(pml4, &bp->modules[0]);
    for (unsigned i = 0; i < CR_ROOT_STACK_PAGES; i++) {
        uint64_t va = CR_ROOT_STACK_TOP - (uint64_t)(i + 1) * 4096;
        arch_mmu_map_boot(pml4, va, bootmem_alloc_page(), MMU_PERM_READ | MMU_PERM_WRITE,
                        bootmem_alloc_page);
    }

    paddr_t bi_pa = bootmem_alloc_page();
    struct cr_bootinfo *bi = phys_to_virt(bi_pa);
    arch_mmu_map_boot(pml4, CR_BOOTINFO_VADDR, bi_pa, MMU_PERM_READ, bootmem_alloc_page);
    put_cap(CR_CAP_BOOTINFO_FRAME, (struct cap){ .type = CR_OBJ_FRAME, .rights = CR_RIGHT_READ,
                                                 .size_bits = 12, .flags = CAP_F_MAPPED,
                                                 .obj = bi_pa, .w1 = CR_BOOTINFO_VADDR,
                                                 .aux = vsc.aux });
    bi->magic = CR_BOOTINFO_MAGIC;
    bi->version = CR_BOOTINFO_VERSION;
    bi->root_cnode_radix = radix;
    bi->tsc_hz = arch_timer_tsc_hz();
    bi->kernel_entry_tsc = bp->entry_tsc;
    bi->irq_lines = arch_irq_lines();
    bi->irq_source = arch_irq_from_firmware() ? CR_IRQ_SOURCE_ACPI : CR_IRQ_SOURCE_DEFAULT;
    bi->cpu_count = arch_cpu_count();
    for (unsigned i = 0; i < CR_BOOTINFO_ISA_IRQS; i++) {
        bi->isa_irq_line[i] = arch_irq_isa_line(i);
    }
    unsigned next = CR_CAP_FIRST_FREE_FIXED;

    /* Boot image: one frame capability per page, mapped in order, read-only; with EXEC
     * too, so the process manager can map a program's text straight from the image. */
    if (bp->nmodules >= 2) {
        const struct boot_module *m = &bp->modules[1];
        paddr_t base = m->base;
        if (!IS_ALIGNED(base, 4096)) {
            paddr_t copy = bootmem_alloc_pages((unsigned)(ALIGN_UP(m->len, 4096) / 4096));
            memcpy(phys_to_virt(copy), phys_to_virt(base), m->len);
            base = copy;
        }
        uint64_t pages = ALIGN_UP(m->len, 4096) / 4096;
        if (pages > (1u << radix) / 2) {
            panic("boot image too large (%lu pages)", pages);
        }
        bi->bootimg_frame_first = next;
        bi->bootimg_frame_count = pages;
        bi->bootimg_vaddr = CR_BOOTIMG_VADDR;
        bi->bootimg_size = m->len;
        for (uint64_t i = 0; i < pages; i++) {
            uint64_t va = CR_BOOTIMG_VADDR + i * 4096;
            arch_mmu_map_boot(pml4, va, base + i * 4096, MMU_PERM_READ, bootmem_alloc_page);
            put_cap(next++, (struct cap){ .type = CR_OBJ_FRAME,
                                          .rights = CR_RIGHT_READ | CR_RIGHT_EXEC,
                                          .size_bits = 12, .flags = CAP_F_MAPPED,
                                          .obj = base + i * 4096, .w1 = va, .aux = vsc.aux });
        }
    }

    /* Every other byte of memory, as untyped capabilities. */
    static struct untyped_region ut[CR_BOOTINFO_MAX_UNTYPED];
    unsigned n = bootmem_untyped(bp, ut, CR_BOOTINFO_MAX_UNTYPED);
    bi->untyped_first = next;
    bi->untyped_count = n;
    uint64_t ram = 0;
    for (unsigned i = 0; i < n; i++) {
        bi->untyped[i] = (struct cr_untyped_desc){ .paddr = ut[i].base,
                                                   .size_bits = ut[i].size_bits,
                                                   .is_device = ut[i].device };
        uint64_t size = 1ull << ut[i].size_bits;
        put_cap(next++, (struct cap){ .type = CR_OBJ_UNTYPED, .rights = CR_RIGHTS_ALL,
                                      .size_bits = ut[i].size_bits,
                                      .flags = ut[i].device ? CAP_F_DEVICE : 0,
                                      .obj = ut[i].base,
                                      .w1 = ut[i].device ? 0 : size });
        if (!ut[i].device) {
            ram += size;
        }
    }
    bi->first_free_slot = next;
    size_t cl = strlen(bp->cmdline);
    bi->cmdline_len = cl;
    memcpy(bi->cmdline, bp->cmdline, MIN(cl + 1, sizeof(bi->cmdline)));
    bi->cmdline[sizeof(bi->cmdline) - 1] = '\0';
    kprintf("root server: %u untyped (%lu MiB RAM), %lu boot image pages, entry %lx\n", n,
            ram >> 20, bi->bootimg_frame_count, entry);

    struct cr_regs r = { .rip = entry, .rsp = CR_ROOT_STACK_TOP, .rdi = CR_BOOTINFO_VADDR };
    arch_context_set_regs(&t->ctx, &r);
    t->prio = ROOT_PRIO;
    t->base_prio = ROOT_PRIO;
    t->mcp = ROOT_PRIO;
    t->state = TS_READY;
    sched_make_ready(t);
}
