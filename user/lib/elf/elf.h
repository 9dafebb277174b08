/* SPDX-License-Identifier: MIT */
/*
 * ELF loader, parsing half: validates a static ELF64 x86_64 program held in memory and
 * describes how to load it, without mapping anything. The caller (the root server for
 * the first programs, the process manager for exec) allocates, copies and maps through
 * its own calls by reading struct elf_image; initstack.h then builds the initial stack.
 * Pure and freestanding: no allocation, no globals, no kernel ABI, so host tests
 * (user/lib/elf/test/) run the same file under ASan and UBSan.
 *
 * Accepted: ET_EXEC, and ET_DYN without PT_INTERP or DT_NEEDED (a static PIE, which
 * relocates itself; the caller picks its load bias). Everything else is refused with a
 * distinct enum elf_error; docs/elf.md lists the rules and the reasons for them.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    ELF_PAGE_SIZE = 4096, /* the granule of segment alignment checks and map ranges */
    /*
     * Program headers read at most. Linux refuses tables over one page (73 entries);
     * linkers emit about 10 for a static program, so 64 is generous and keeps the
     * parse loop short.
     */
    ELF_MAX_PHDRS = 64,
    /* Non-empty PT_LOAD segments kept; a static program has 2 to 5. */
    ELF_MAX_SEGMENTS = 16,
};

/*
 * The user half a segment may occupy: [ELF_USER_MIN, ELF_USER_TOP). Page 0 stays unmapped
 * so that null pointers fault. The top page below 2^47 is excluded as Linux's TASK_SIZE
 * does (a sysret to a non-canonical rip faults in the kernel) and as Courier's
 * CR_USER_MAX does; the loader does not include the kernel ABI, so the value is repeated
 * here. Macros, because an enum constant cannot hold a 64-bit value in C11.
 */
#define ELF_USER_MIN 0x1000ull
#define ELF_USER_TOP 0x00007ffffffff000ull

/* Segment and stack permissions, the bits of p_flags (PF_X, PF_W, PF_R). */
enum {
    ELF_PROT_X = 1,
    ELF_PROT_W = 2,
    ELF_PROT_R = 4,
};

/*
 * Why an image was refused; the list with meanings is in elf_errors.def. elf_parse()
 * returns this instead of the usual 0 or -E...: to a program calling exec every one of
 * these is ENOEXEC, but the loader's caller and the tests need to know which rule failed.
 */
enum elf_error {
    ELF_OK = 0,
#define ELF_ERR(name, text) ELF_E_##name,
#include "elf_errors.def"
#undef ELF_ERR
};

/*
 * One non-empty PT_LOAD segment with the load bias applied. To load it: back
 * [map_start, map_end) with zeroed pages, copy filesz bytes from the image at offset to
 * vaddr, and map the pages with prot. Every other byte of the range stays zero.
 */
struct elf_segment {
    uint64_t vaddr;     /* address of the first byte (p_vaddr + bias) */
    uint64_t memsz;     /* bytes in memory, > 0 */
    uint64_t filesz;    /* bytes from the file at the start, <= memsz */
    uint64_t offset;    /* file offset of the first byte; offset + filesz <= image length */
    uint64_t map_start; /* vaddr rounded down to a page */
    uint64_t map_end;   /* vaddr + memsz rounded up to a page; <= ELF_USER_TOP */
    uint32_t prot;      /* ELF_PROT_* bits; never both W and X */
};

/* PT_TLS: the initial image of the thread-local block (addresses biased). */
struct elf_tls {
    uint64_t vaddr;  /* initialised part; [vaddr, vaddr + filesz) lies in one segment */
    uint64_t filesz; /* bytes to copy from vaddr */
    uint64_t memsz;  /* whole block; the bytes past filesz are zero */
    uint64_t align;  /* 0 or a power of two */
};

/*
 * What elf_parse() found. Invariants once it returns ELF_OK: segs[0..nsegs) are sorted by
 * vaddr, share no page, lie in [ELF_USER_MIN, ELF_USER_TOP) and inside the image; entry
 * lies in an executable one; tls (if has_tls) lies in one; phdr_vaddr is 0 or the address
 * of the program header table inside a segment's file bytes.
 */
struct elf_image {
    bool is_pie;          /* ET_DYN: addresses below include bias */
    bool has_tls;         /* a PT_TLS was found; tls is valid */
    bool has_gnu_stack;   /* a PT_GNU_STACK was found; stack_prot is its p_flags */
    uint32_t stack_prot;  /* ELF_PROT_* asked for the stack (0 without PT_GNU_STACK) */
    uint64_t bias;        /* added to every p_vaddr; 0 for ET_EXEC */
    uint64_t entry;       /* e_entry + bias */
    uint64_t align;       /* largest power-of-two p_align of the PT_LOADs, >= page */
    /*
     * AT_PHDR: where the program headers are in memory, from PT_PHDR if present, else
     * from the segment whose file bytes hold e_phoff; 0 if no segment maps them.
     */
    uint64_t phdr_vaddr;
    uint64_t phoff;       /* e_phoff: the table's place in the file */
    uint16_t phnum;       /* AT_PHNUM, <= ELF_MAX_PHDRS */
    uint16_t phentsize;   /* AT_PHENT, always 56 */
    uint32_t nsegs;       /* entries of segs in use, 1..ELF_MAX_SEGMENTS */
    struct elf_segment segs[ELF_MAX_SEGMENTS];
    struct elf_tls tls;
};

enum elf_error elf_parse(const void *img, size_t len, uint64_t bias, struct elf_image *out);
const char *elf_error_name(enum elf_error e);
const char *elf_error_text(enum elf_error e);
