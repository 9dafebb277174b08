/* SPDX-License-Identifier: MIT */
/*
 * First instructions of the kernel. Both boot protocols enter here in 32-bit protected
 * mode with paging off: multiboot 1 (QEMU's -kernel, through the address fields of the
 * header, since QEMU will not load an ELF64) and multiboot 2 (GRUB, from the ISO).
 * eax holds the loader's magic and ebx the physical address of its information block;
 * both are passed unchanged to arch_boot_main(), which tells the two apart.
 *
 * Boot page tables map the first 4 GiB three times with 2 MiB pages: identity (to
 * survive the switch), at the direct map base and at KERNEL_VBASE (the image). The C code
 * replaces them with the final tables (mmu.c) before it reads anything above 4 GiB.
 */
#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS ((1 << 0) | (1 << 1) | (1 << 16))
#define MB2_MAGIC 0xe85250d6
#define KERNEL_VBASE 0xffffffff80000000
#define CR0_PG (1 << 31)
#define CR0_WP (1 << 16)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

    .section .multiboot, "a"
    .align 4
mb1_header:
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)
    .long mb1_header        /* header_addr */
    .long _boot_start       /* load_addr */
    .long 0                 /* load_end_addr: the whole file */
    .long _bss_end_phys     /* bss_end_addr */
    .long _start            /* entry_addr */

    .align 8
mb2_header:
    .long MB2_MAGIC
    .long 0                 /* i386 protected mode */
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
    .align 8
    .word 6, 0              /* module alignment tag: page-align modules */
    .long 8
    .align 8
    .word 0, 0              /* end tag */
    .long 8
mb2_header_end:

    .section .boot.text, "ax"
    .code32
    .global _start
_start:
    cli
    cld
    mov %eax, %edi          /* loader magic: first argument of arch_boot_main */
    mov %ebx, %esi          /* info block: second argument */
    mov $boot_stack_top, %esp

    /* PML4[0] and PML4[256] -> low PDPT (identity and direct map), PML4[511] -> high. */
    mov $boot_pdpt_low, %eax
    or $3, %eax
    mov %eax, boot_pml4
    mov %eax, boot_pml4 + 256 * 8
    mov $boot_pdpt_high, %eax
    or $3, %eax
    mov %eax, boot_pml4 + 511 * 8

    /* low PDPT[0..3] -> boot_pd[0..3]; high PDPT[510..511] -> boot_pd[0..1]. */
    mov $boot_pd, %eax
    or $3, %eax
    xor %ecx, %ecx
1:  mov %eax, boot_pdpt_low(, %ecx, 8)
    add $4096, %eax
    inc %ecx
    cmp $4, %ecx
    jne 1b
    mov $boot_pd, %eax
    or $3, %eax
    mov %eax, boot_pdpt_high + 510 * 8
    add $4096, %eax
    mov %eax, boot_pdpt_high + 511 * 8

    /* 2048 PD entries of 2 MiB: present, writable, large. */
    mov $0x83, %eax
    xor %ecx, %ecx
2:  mov %eax, boot_pd(, %ecx, 8)
    movl $0, boot_pd + 4(, %ecx, 8)
    add $0x200000, %eax
    inc %ecx
    cmp $2048, %ecx
    jne 2b

    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or $(EFER_LME | EFER_NXE), %eax
    wrmsr
    mov %cr0, %eax
    or $(CR0_PG | CR0_WP), %eax
    mov %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x08, $long_mode

    .code64
long_mode:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    movabs $higher_half, %rax
    jmp *%rax

    .section .boot.data, "aw"
    .align 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff   /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff   /* 0x10: data */
boot_gdt_ptr:
    .word boot_gdt_ptr - boot_gdt - 1
    .long boot_gdt

    .align 4096
    .global boot_pml4
boot_pml4:
    .fill 512, 8, 0
boot_pdpt_low:
    .fill 512, 8, 0
boot_pdpt_high:
    .fill 512, 8, 0
boot_pd:
    .fill 2048, 8, 0
    .fill 1024, 1, 0
boot_stack_top:

    .text
higher_half:
    movabs $kernel_stack_top, %rsp
    xor %ebp, %ebp
    /* edi/esi still hold magic and info address (zero-extended by the 32-bit moves). */
    call arch_boot_main
3:  cli
    hlt
    jmp 3b
