/* SPDX-License-Identifier: MIT */
/*
 * Reads the multiboot 1 (QEMU -kernel) or multiboot 2 (GRUB) information block into a
 * struct boot_params (with the ACPI RSDP copy of a multiboot 2 loader), reads the
 * platform's interrupt description (plat_acpi_init), then calls kernel_main(). Runs on
 * the boot page tables, which map the first 4 GiB at the direct-map base; both loaders
 * place their information and modules below 4 GiB.
 */
#include <kernel/boot.h>
#include <kernel/klog.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <arch/mmu.h>
#include <arch/cpu.h>
#include <plat/acpi_boot.h>
#include <plat/console.h>

enum {
    MB1_BOOT_MAGIC = 0x2badb002,
    MB2_BOOT_MAGIC = 0x36d76289,
    MB1_INFO_CMDLINE = 1u << 2,
    MB1_INFO_MODS = 1u << 3,
    MB1_INFO_MMAP = 1u << 6,
    MB2_TAG_END = 0,
    MB2_TAG_CMDLINE = 1,
    MB2_TAG_MODULE = 3,
    MB2_TAG_MMAP = 6,
    MB2_TAG_ACPI_OLD = 14, /* a copy of the ACPI 1.0 RSDP */
    MB2_TAG_ACPI_NEW = 15, /* a copy of the ACPI 2.0+ RSDP, preferred */
    BOOT_LOW_LIMIT = 0x100000000ull, /* boot tables map only the first 4 GiB */
};

struct mb1_info {
    uint32_t flags;
    uint32_t mem_lower;
    uint32_t mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count;
    uint32_t mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length;
    uint32_t mmap_addr;
} __attribute__((packed));

struct mb1_mmap {
    uint32_t size;
    uint64_t addr;
    uint64_t len;
    uint32_t type;
} __attribute__((packed));

struct mb1_mod {
    uint32_t start;
    uint32_t end;
    uint32_t string;
    uint32_t reserved;
};

struct mb2_tag {
    uint32_t type;
    uint32_t size;
};

struct mb2_mmap_entry {
    uint64_t addr;
    uint64_t len;
    uint32_t type;
    uint32_t reserved;
};

static struct boot_params boot_params;

static const void *
low_ptr(uint64_t pa)
{
    if (pa >= BOOT_LOW_LIMIT) {
        panic("boot: loader data at %lx is above 4 GiB", pa);
    }
    return phys_to_virt(pa);
}

static void
copy_str(char *dst, size_t n, const char *src)
{
    size_t i = 0;
    for (; i + 1 < n && src[i] != '\0'; i++) {
        dst[i] = src[i];
    }
    dst[i] = '\0';
}

static void
add_region(struct boot_params *bp, uint64_t base, uint64_t len, uint32_t mbtype)
{
    if (bp->nregions == BOOT_MAX_REGIONS) {
        kprintf("boot: too many memory regions, ignoring %lx+%lx\n", base, len);
        return;
    }
    struct boot_region *r = &bp->regions[bp->nregions++];
    r->base = base;
    r->len = len;
    r->kind = mbtype == 1 ? BOOT_REGION_RAM : BOOT_REGION_RESERVED;
}

static void
add_module(struct boot_params *bp, uint64_t start, uint64_t end, const char *name)
{
    if (bp->nmodules == BOOT_MAX_MODULES || end < start) {
        kprintf("boot: ignoring module %lx-%lx\n", start, end);
        return;
    }
    struct boot_module *m = &bp->modules[bp->nmodules++];
    m->base = start;
    m->len = end - start;
    copy_str(m->name, sizeof(m->name), name);
}

static void
parse_mb1(struct boot_params *bp, uint64_t info_pa)
{
    const struct mb1_info *mi = low_ptr(info_pa);
    bp->loader = "multiboot1";
    if (mi->flags & MB1_INFO_CMDLINE) {
        copy_str(bp->cmdline, sizeof(bp->cmdline), low_ptr(mi->cmdline));
    }
    if (!(mi->flags & MB1_INFO_MMAP)) {
        panic("boot: multiboot1 loader gave no memory map");
    }
    uint64_t p = mi->mmap_addr;
    uint64_t end = p + mi->mmap_length;
    while (p < end) {
        const struct mb1_mmap *e = low_ptr(p);
        add_region(bp, e->addr, e->len, e->type);
        p += e->size + 4;
    }
    if (mi->flags & MB1_INFO_MODS) {
        const struct mb1_mod *mods = low_ptr(mi->mods_addr);
        for (uint32_t i = 0; i < mi->mods_count; i++) {
            add_module(bp, mods[i].start, mods[i].end,
                       mods[i].string ? low_ptr(mods[i].string) : "");
        }
    }
}

static void
parse_mb2(struct boot_params *bp, uint64_t info_pa)
{
    const uint8_t *base = low_ptr(info_pa);
    uint32_t total = *(const uint32_t *)base;
    bp->loader = "multiboot2";
    for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
        const struct mb2_tag *t = (const void *)(base + off);
        if (t->type == MB2_TAG_END || t->size < sizeof(*t)) {
            break;
        }
        if (t->type == MB2_TAG_CMDLINE) {
            copy_str(bp->cmdline, sizeof(bp->cmdline), (const char *)(t + 1));
        } else if (t->type == MB2_TAG_MODULE) {
            const uint32_t *w = (const uint32_t *)(t + 1);
            add_module(bp, w[0], w[1], (const char *)(w + 2));
        } else if ((t->type == MB2_TAG_ACPI_NEW ||
                    (t->type == MB2_TAG_ACPI_OLD && bp->rsdp_len == 0))) {
            uint32_t n = MIN(t->size - (uint32_t)sizeof(*t), (uint32_t)BOOT_RSDP_MAX);
            memcpy(bp->rsdp, t + 1, n);
            bp->rsdp_len = n;
        } else if (t->type == MB2_TAG_MMAP) {
            const uint32_t *w = (const uint32_t *)(t + 1);
            uint32_t esize = w[0];
            for (uint32_t e = 16; esize >= sizeof(struct mb2_mmap_entry) && e + esize <= t->size;
                 e += esize) {
                const struct mb2_mmap_entry *me = (const void *)((const uint8_t *)t + e);
                add_region(bp, me->addr, me->len, me->type);
            }
        }
        off += ALIGN_UP(t->size, 8);
    }
}

/* Entered from head.S on the boot page tables. Never returns. */
void arch_boot_main(uint32_t magic, uint32_t info_pa);

void
arch_boot_main(uint32_t magic, uint32_t info_pa)
{
    struct boot_params *bp = &boot_params;
    bp->entry_tsc = arch_cpu_cycles();
    plat_console_init();
    if (magic == MB1_BOOT_MAGIC) {
        parse_mb1(bp, info_pa);
    } else if (magic == MB2_BOOT_MAGIC) {
        parse_mb2(bp, info_pa);
    } else {
        panic("boot: unknown loader magic %x", magic);
    }
    kprintf("\nCourier microkernel (x86_64), booted by %s\n", bp->loader);
    plat_acpi_init(bp);
    kernel_main(bp);
}
