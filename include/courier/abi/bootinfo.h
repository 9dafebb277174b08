/* SPDX-License-Identifier: MIT */
/*
 * The bootinfo page: what the kernel hands the root server at start. It is mapped
 * read-only at CR_BOOTINFO_VADDR in the root server's address space, and its address is
 * also passed in rdi. It lists the capabilities the kernel placed in the root CNode.
 */
#pragma once

#include <courier/abi/types.h>

#define CR_BOOTINFO_MAGIC 0x4f464e49544f4f42ull /* "BOOTINFO" */
#define CR_BOOTINFO_VERSION 3
#define CR_BOOTINFO_VADDR 0x7fe00000ull     /* one page */
#define CR_BOOTIMG_VADDR 0x40000000ull      /* boot image, mapped read-only */
#define CR_ROOT_STACK_TOP 0x7ff00000ull     /* root server initial stack top */
#define CR_ROOT_STACK_PAGES 16
#define CR_BOOTINFO_MAX_UNTYPED 192
#define CR_BOOTINFO_ISA_IRQS 16
#define CR_IRQ_SOURCE_DEFAULT 0 /* no usable ACPI MADT: the PC defaults */
#define CR_IRQ_SOURCE_ACPI 1    /* read from the ACPI MADT */

struct cr_untyped_desc {
    uint64_t paddr;
    uint8_t size_bits;
    uint8_t is_device;
    uint8_t reserved[6];
};
_Static_assert(sizeof(struct cr_untyped_desc) == 16, "ABI");

struct cr_bootinfo {
    uint64_t magic;
    uint32_t version;
    uint32_t root_cnode_radix;
    uint64_t first_free_slot;   /* first empty slot in the root CNode */
    uint64_t untyped_first;     /* slot of the first untyped cap */
    uint64_t untyped_count;
    uint64_t bootimg_frame_first; /* slots of the boot image's frames, in order */
    uint64_t bootimg_frame_count;
    uint64_t bootimg_vaddr;     /* where the boot image is mapped, read-only */
    uint64_t bootimg_size;      /* bytes */
    uint64_t tsc_hz;            /* calibrated TSC frequency */
    uint64_t kernel_entry_tsc;  /* TSC when the kernel's C code started */
    uint64_t cmdline_len;
    char cmdline[256];          /* kernel command line, NUL-terminated */
    struct cr_untyped_desc untyped[CR_BOOTINFO_MAX_UNTYPED];
    /* Interrupts (version 3). An irq_get line is a GSI, an IOAPIC input; ISA devices
     * find theirs here. */
    uint32_t irq_lines;         /* every line is below this; some below may not exist */
    uint32_t irq_source;        /* CR_IRQ_SOURCE_ACPI or CR_IRQ_SOURCE_DEFAULT */
    uint32_t cpu_count;         /* processors the firmware lists as enabled; one runs */
    uint32_t reserved0;         /* zero */
    uint32_t isa_irq_line[CR_BOOTINFO_ISA_IRQS]; /* the line ISA IRQ n arrives on */
};
_Static_assert(__builtin_offsetof(struct cr_bootinfo, irq_lines) == 3424, "ABI");
_Static_assert(sizeof(struct cr_bootinfo) == 3504, "ABI");
_Static_assert(sizeof(struct cr_bootinfo) <= 4096, "bootinfo must fit one page");
