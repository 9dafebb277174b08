/* SPDX-License-Identifier: MIT */
/*
 * Test helpers (elfimg.h): builders for the canonical images the ELF tests mutate, a
 * model of what a loader following struct elf_image puts in memory, and the invariant
 * check that every accepted image, however it was corrupted, must pass.
 */
#include "elfimg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Byte off of every file the builders make, outside the headers: distinct per offset. */
unsigned char
elfimg_file_byte(size_t off)
{
    return (unsigned char)(off * 7 + off / 251 + 1);
}

/*
 * An image of len bytes: the pattern everywhere, then an ELF header of the given type and
 * entry and the phnum program headers at offset 64.
 */
struct elfimg
elfimg_build(uint16_t type, uint64_t entry, const Elf64_Phdr *ph, int phnum, size_t len)
{
    struct elfimg m = { .buf = malloc(len), .len = len };
    Elf64_Ehdr eh = {
        .e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
        .e_type = type,
        .e_machine = EM_X86_64,
        .e_version = EV_CURRENT,
        .e_entry = entry,
        .e_phoff = sizeof(Elf64_Ehdr),
        .e_ehsize = sizeof(Elf64_Ehdr),
        .e_phentsize = sizeof(Elf64_Phdr),
        .e_phnum = (uint16_t)phnum,
    };

    if (m.buf == NULL) {
        abort();
    }
    for (size_t i = 0; i < len; i++) {
        m.buf[i] = elfimg_file_byte(i);
    }
    memcpy(m.buf, &eh, sizeof(eh));
    memcpy(m.buf + sizeof(eh), ph, (size_t)phnum * sizeof(*ph));
    return m;
}

struct elfimg
elfimg_exec(void)
{
    const Elf64_Phdr ph[EXEC_PHNUM] = {
        [EXEC_PH_HDRS] = { PT_LOAD, PF_R, 0, 0x400000, 0x400000, 0x400, 0x400, 0x1000 },
        [EXEC_PH_TEXT] = { PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x401000, 0x800, 0x800,
                           0x1000 },
        [EXEC_PH_RODATA] = { PT_LOAD, PF_R, 0x2000, 0x402000, 0x402000, 0x300, 0x300,
                             0x1000 },
        [EXEC_PH_DATA] = { PT_LOAD, PF_R | PF_W, 0x2f00, 0x403f00, 0x403f00, 0x200, 0x1300,
                           0x1000 },
        [EXEC_PH_TLS] = { PT_TLS, PF_R, 0x2f00, 0x403f00, 0x403f00, 0x40, 0x80, 16 },
        [EXEC_PH_STACK] = { PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16 },
        [EXEC_PH_NOTE] = { PT_NOTE, PF_R, 0x3e0, 0x4003e0, 0x4003e0, 0x20, 0x20, 4 },
    };

    return elfimg_build(ET_EXEC, EXEC_ENTRY, ph, EXEC_PHNUM, EXEC_LEN);
}

struct elfimg
elfimg_pie(void)
{
    const Elf64_Phdr ph[PIE_PHNUM] = {
        [PIE_PH_PHDR] = { PT_PHDR, PF_R, 64, 64, 64, PIE_PHNUM * sizeof(Elf64_Phdr),
                          PIE_PHNUM * sizeof(Elf64_Phdr), 8 },
        [PIE_PH_HDRS] = { PT_LOAD, PF_R, 0, 0, 0, 0x400, 0x400, 0x1000 },
        [PIE_PH_TEXT] = { PT_LOAD, PF_R | PF_X, 0x1000, 0x1000, 0x1000, 0x800, 0x800, 0x1000 },
        [PIE_PH_DATA] = { PT_LOAD, PF_R | PF_W, 0x1f00, 0x2f00, 0x2f00, 0x200, 0x400, 0x1000 },
        [PIE_PH_DYN] = { PT_DYNAMIC, PF_R | PF_W, 0x1f00, 0x2f00, 0x2f00,
                         PIE_DYN_COUNT * sizeof(Elf64_Dyn), PIE_DYN_COUNT * sizeof(Elf64_Dyn),
                         8 },
        [PIE_PH_STACK] = { PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16 },
    };
    const Elf64_Dyn dyn[PIE_DYN_COUNT] = {
        { .d_tag = DT_DEBUG, .d_un.d_val = 0 },
        { .d_tag = DT_FLAGS_1, .d_un.d_val = DF_1_PIE },
        { .d_tag = DT_NULL, .d_un.d_val = 0 },
        { .d_tag = DT_NULL, .d_un.d_val = 0 },
    };
    struct elfimg m = elfimg_build(ET_DYN, PIE_ENTRY, ph, PIE_PHNUM, PIE_LEN);

    memcpy(m.buf + 0x1f00, dyn, sizeof(dyn));
    return m;
}

/* A heap copy of len bytes of buf, exactly len long (malloc(0) may still give a block). */
struct elfimg
elfimg_copy(const unsigned char *buf, size_t len)
{
    struct elfimg m = { .buf = malloc(len == 0 ? 1 : len), .len = len };

    if (m.buf == NULL) {
        abort();
    }
    memcpy(m.buf, buf, len);
    return m;
}

Elf64_Ehdr *
elfimg_ehdr(struct elfimg m)
{
    return (Elf64_Ehdr *)m.buf;
}

Elf64_Phdr *
elfimg_phdr(struct elfimg m, int i)
{
    return (Elf64_Phdr *)(m.buf + sizeof(Elf64_Ehdr)) + i;
}

/* Parses m with the given bias into *out (or a scratch result if out is NULL), frees m. */
enum elf_error
elfimg_parse_free(struct elfimg m, uint64_t bias, struct elf_image *out)
{
    struct elf_image scratch;
    enum elf_error rc = elf_parse(m.buf, m.len, bias, out != NULL ? out : &scratch);

    free(m.buf);
    return rc;
}

/* True if a and b describe the same image, field by field (padding is not compared). */
bool
elfimg_same(const struct elf_image *a, const struct elf_image *b)
{
    if (a->is_pie != b->is_pie || a->has_tls != b->has_tls ||
        a->has_gnu_stack != b->has_gnu_stack || a->stack_prot != b->stack_prot ||
        a->bias != b->bias || a->entry != b->entry || a->align != b->align ||
        a->phdr_vaddr != b->phdr_vaddr || a->phoff != b->phoff || a->phnum != b->phnum ||
        a->phentsize != b->phentsize || a->nsegs != b->nsegs) {
        return false;
    }
    if (a->has_tls && (a->tls.vaddr != b->tls.vaddr || a->tls.filesz != b->tls.filesz ||
                       a->tls.memsz != b->tls.memsz || a->tls.align != b->tls.align)) {
        return false;
    }
    for (uint32_t i = 0; i < a->nsegs; i++) {
        const struct elf_segment *x = &a->segs[i];
        const struct elf_segment *y = &b->segs[i];

        if (x->vaddr != y->vaddr || x->memsz != y->memsz || x->filesz != y->filesz ||
            x->offset != y->offset || x->map_start != y->map_start ||
            x->map_end != y->map_end || x->prot != y->prot) {
            return false;
        }
    }
    return true;
}

/*
 * The byte a loader following im leaves at va: the file byte for the first filesz bytes of
 * a segment, zero for the rest of its pages, or -1 if no segment maps va.
 */
int
elfimg_mem_byte(const unsigned char *buf, const struct elf_image *im, uint64_t va)
{
    for (uint32_t i = 0; i < im->nsegs; i++) {
        const struct elf_segment *s = &im->segs[i];

        if (va >= s->map_start && va < s->map_end) {
            if (va >= s->vaddr && va - s->vaddr < s->filesz) {
                return buf[s->offset + (va - s->vaddr)];
            }
            return 0;
        }
    }
    return -1;
}

/* True if [va, va + n) lies in the first limit bytes of one segment. */
static bool
in_segment(const struct elf_image *im, uint64_t va, uint64_t n, bool file_only)
{
    for (uint32_t i = 0; i < im->nsegs; i++) {
        const struct elf_segment *s = &im->segs[i];
        uint64_t limit = file_only ? s->filesz : s->memsz;

        if (va >= s->vaddr && va - s->vaddr <= limit && n <= limit - (va - s->vaddr)) {
            return true;
        }
    }
    return false;
}

static bool
fail(char *why, size_t n, const char *what, uint32_t i)
{
    snprintf(why, n, "%s (segment %u)", what, i);
    return false;
}

static bool
check_segment(const unsigned char *buf, size_t len, const struct elf_image *im, uint32_t i,
              char *why, size_t n)
{
    const struct elf_segment *s = &im->segs[i];

    (void)buf;
    if (s->memsz == 0 || s->filesz > s->memsz) {
        return fail(why, n, "memsz 0 or filesz > memsz", i);
    }
    if (s->offset > len || s->filesz > len - s->offset) {
        return fail(why, n, "file bytes outside the image", i);
    }
    if (s->vaddr < ELF_USER_MIN || s->vaddr > ELF_USER_TOP ||
        s->memsz > ELF_USER_TOP - s->vaddr) {
        return fail(why, n, "outside the user half", i);
    }
    if (s->vaddr % ELF_PAGE_SIZE != s->offset % ELF_PAGE_SIZE) {
        return fail(why, n, "vaddr and offset differ modulo the page", i);
    }
    if (s->map_start != (s->vaddr & ~0xfffull) ||
        s->map_end != ((s->vaddr + s->memsz + 0xfff) & ~0xfffull)) {
        return fail(why, n, "map range is not the page-rounded segment", i);
    }
    if ((s->prot & ~7u) != 0 || (s->prot & (ELF_PROT_W | ELF_PROT_X)) ==
                                    (ELF_PROT_W | ELF_PROT_X)) {
        return fail(why, n, "bad or W+X prot", i);
    }
    if (i > 0 && s->map_start < im->segs[i - 1].map_end) {
        return fail(why, n, "not sorted or shares a page with the previous", i);
    }
    return true;
}

/*
 * Checks everything elf.h promises of an accepted image against the bytes it came from.
 * Returns true, or false with the broken promise in why.
 */
bool
elfimg_check(const unsigned char *buf, size_t len, const struct elf_image *im, char *why,
             size_t n)
{
    uint64_t table = (uint64_t)im->phnum * im->phentsize;
    bool entry_ok = false;

    if (im->nsegs == 0 || im->nsegs > ELF_MAX_SEGMENTS) {
        return fail(why, n, "segment count", im->nsegs);
    }
    for (uint32_t i = 0; i < im->nsegs; i++) {
        const struct elf_segment *s = &im->segs[i];

        if (!check_segment(buf, len, im, i, why, n)) {
            return false;
        }
        if ((s->prot & ELF_PROT_X) != 0 && im->entry >= s->vaddr &&
            im->entry - s->vaddr < s->memsz) {
            entry_ok = true;
        }
    }
    if (!entry_ok) {
        return fail(why, n, "entry not in an X segment", 0);
    }
    if (im->phentsize != sizeof(Elf64_Phdr) || im->phnum > ELF_MAX_PHDRS ||
        im->phoff > len || table > len - im->phoff) {
        return fail(why, n, "program header table", 0);
    }
    if (im->is_pie ? im->bias % ELF_PAGE_SIZE != 0 : im->bias != 0) {
        return fail(why, n, "bias", 0);
    }
    if (im->align < ELF_PAGE_SIZE || (im->align & (im->align - 1)) != 0) {
        return fail(why, n, "align", 0);
    }
    if (im->has_tls && (im->tls.filesz > im->tls.memsz ||
                        (im->tls.filesz > 0 &&
                         !in_segment(im, im->tls.vaddr, im->tls.filesz, false)))) {
        return fail(why, n, "TLS", 0);
    }
    if (im->phdr_vaddr != 0) {
        if (!in_segment(im, im->phdr_vaddr, table, true)) {
            return fail(why, n, "AT_PHDR not in file bytes", 0);
        }
        for (uint64_t i = 0; i < table; i++) {
            if (elfimg_mem_byte(buf, im, im->phdr_vaddr + i) != buf[im->phoff + i]) {
                return fail(why, n, "AT_PHDR does not hold the table", (uint32_t)i);
            }
        }
    }
    return true;
}
