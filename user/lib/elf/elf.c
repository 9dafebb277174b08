/* SPDX-License-Identifier: MIT */
/*
 * ELF64 parser and validator (elf.h). elf_parse() reads the file header, then every
 * program header once, in order, stopping at the first fault; then it checks what needs
 * all headers at once (entry point, PT_TLS, PT_PHDR). Nothing is written to the caller's
 * result until the whole image has passed, so a refused image leaves no trace.
 *
 * The image is untrusted input. Every read goes through memcpy into a local struct (the
 * buffer need not be aligned) after a bounds check, and every sum of two file values is
 * checked for wrap-around first: range_in() and add_ok() are the only places that compare
 * offsets and lengths, so a reader can check those two and trust the rest. The work is
 * bounded by ELF_MAX_PHDRS headers plus one pass over each PT_DYNAMIC (at most the image
 * length / 16 entries).
 */
#include "elf.h"

#include <courier/lib/string.h>

/* The ELF constants this parser needs, with the names the ELF specification uses. */
enum {
    ELF_EI_CLASS = 4,
    ELF_EI_DATA = 5,
    ELF_EI_VERSION = 6,
    ELF_CLASS64 = 2,
    ELF_DATA2LSB = 1,
    ELF_EV_CURRENT = 1,
    ELF_ET_EXEC = 2,
    ELF_ET_DYN = 3,
    ELF_EM_X86_64 = 62,
    ELF_PT_LOAD = 1,
    ELF_PT_DYNAMIC = 2,
    ELF_PT_INTERP = 3,
    ELF_PT_PHDR = 6,
    ELF_PT_TLS = 7,
    ELF_PT_GNU_STACK = 0x6474e551,
    ELF_DT_NULL = 0,
    ELF_DT_NEEDED = 1,
};

/* File header (Elf64_Ehdr). */
struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type;
    uint16_t machine;
    uint32_t version;
    uint64_t entry;
    uint64_t phoff;
    uint64_t shoff;
    uint32_t flags;
    uint16_t ehsize;
    uint16_t phentsize;
    uint16_t phnum;
    uint16_t shentsize;
    uint16_t shnum;
    uint16_t shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr");

/* Program header (Elf64_Phdr). */
struct elf64_phdr {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr");

/* Dynamic section entry (Elf64_Dyn). */
struct elf64_dyn {
    int64_t tag;
    uint64_t val;
};
_Static_assert(sizeof(struct elf64_dyn) == 16, "Elf64_Dyn");

/* The headers that are checked only after the loop, once every segment is known. */
struct later {
    bool has_phdr;
    uint64_t phdr_vaddr; /* PT_PHDR p_vaddr, unbiased */
    struct elf64_phdr tls;
};

/* True if [off, off + n) lies inside [0, total), written so that off + n cannot wrap. */
static bool
range_in(uint64_t off, uint64_t n, uint64_t total)
{
    return off <= total && n <= total - off;
}

/* Stores a + b in *sum and returns true, or returns false if the sum wraps. */
static bool
add_ok(uint64_t a, uint64_t b, uint64_t *sum)
{
    if (b > UINT64_MAX - a) {
        return false;
    }
    *sum = a + b;
    return true;
}

static uint64_t
page_down(uint64_t v)
{
    return v & ~(uint64_t)(ELF_PAGE_SIZE - 1);
}

/* Only for v <= ELF_USER_TOP, which is page aligned, so the result cannot wrap. */
static uint64_t
page_up(uint64_t v)
{
    return page_down(v + ELF_PAGE_SIZE - 1);
}

static bool
is_pow2(uint64_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

/*
 * The segment s holding [va, va + n) in its first `limit` bytes (filesz or memsz), or
 * NULL. Segments are sorted, but there are few of them, so a plain scan does.
 */
static const struct elf_segment *
find_segment(const struct elf_image *im, uint64_t va, uint64_t n, bool file_only)
{
    for (uint32_t i = 0; i < im->nsegs; i++) {
        const struct elf_segment *s = &im->segs[i];
        uint64_t limit = file_only ? s->filesz : s->memsz;

        if (va >= s->vaddr && range_in(va - s->vaddr, n, limit)) {
            return s;
        }
    }
    return NULL;
}

static enum elf_error
check_header(const struct elf64_ehdr *eh, size_t len, uint64_t bias)
{
    if (eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->ident[2] != 'L' ||
        eh->ident[3] != 'F') {
        return ELF_E_MAGIC;
    }
    if (eh->ident[ELF_EI_CLASS] != ELF_CLASS64) {
        return ELF_E_CLASS;
    }
    if (eh->ident[ELF_EI_DATA] != ELF_DATA2LSB) {
        return ELF_E_DATA;
    }
    if (eh->ident[ELF_EI_VERSION] != ELF_EV_CURRENT || eh->version != ELF_EV_CURRENT) {
        return ELF_E_VERSION;
    }
    if (eh->machine != ELF_EM_X86_64) {
        return ELF_E_MACHINE;
    }
    if (eh->type != ELF_ET_EXEC && eh->type != ELF_ET_DYN) {
        return ELF_E_TYPE;
    }
    if (eh->type == ELF_ET_DYN && bias % ELF_PAGE_SIZE != 0) {
        return ELF_E_BIAS;
    }
    if (eh->phnum > ELF_MAX_PHDRS) {
        return ELF_E_PHNUM;
    }
    if (eh->phentsize != sizeof(struct elf64_phdr)) {
        return ELF_E_PHENTSIZE;
    }
    /* phnum <= ELF_MAX_PHDRS, so the product is small. */
    if (!range_in(eh->phoff, (uint64_t)eh->phnum * sizeof(struct elf64_phdr), len)) {
        return ELF_E_PHDR_RANGE;
    }
    return ELF_OK;
}

/*
 * Checks one PT_LOAD and appends it to im. Empty segments (memsz 0) map nothing and are
 * skipped. Segments must come in ascending vaddr order (the ELF specification requires
 * it) and may not share a page, because a page has one set of permissions.
 */
static enum elf_error
add_segment(struct elf_image *im, const struct elf64_phdr *ph, size_t len)
{
    uint64_t start;
    uint64_t end;

    if (ph->filesz > ph->memsz) {
        return ELF_E_SEG_FILESZ;
    }
    if (ph->memsz == 0) {
        return ELF_OK;
    }
    if (!range_in(ph->offset, ph->filesz, len)) {
        return ELF_E_SEG_FILE;
    }
    if (ph->vaddr % ELF_PAGE_SIZE != ph->offset % ELF_PAGE_SIZE) {
        return ELF_E_SEG_ALIGN;
    }
    if (!add_ok(ph->vaddr, im->bias, &start) || !add_ok(start, ph->memsz, &end) ||
        end > ELF_USER_TOP) {
        return ELF_E_SEG_RANGE;
    }
    if (start < ELF_USER_MIN) {
        return ELF_E_SEG_PAGE0;
    }
    /* W^X: a page that is writable and executable lets any write become code. */
    if ((ph->flags & ELF_PROT_W) != 0 && (ph->flags & ELF_PROT_X) != 0) {
        return ELF_E_SEG_WX;
    }
    if (im->nsegs > 0) {
        const struct elf_segment *prev = &im->segs[im->nsegs - 1];

        if (start < prev->vaddr) {
            return ELF_E_SEG_ORDER;
        }
        if (page_down(start) < prev->map_end) {
            return ELF_E_SEG_OVERLAP;
        }
    }
    if (im->nsegs == ELF_MAX_SEGMENTS) {
        return ELF_E_SEGMENTS;
    }
    im->segs[im->nsegs++] = (struct elf_segment){
        .vaddr = start,
        .memsz = ph->memsz,
        .filesz = ph->filesz,
        .offset = ph->offset,
        .map_start = page_down(start),
        .map_end = page_up(end),
        .prot = ph->flags & (ELF_PROT_R | ELF_PROT_W | ELF_PROT_X),
    };
    if (is_pow2(ph->align) && ph->align > im->align) {
        im->align = ph->align;
    }
    return ELF_OK;
}

/*
 * Refuses a PT_DYNAMIC that lies outside the image or names a shared library. The scan
 * stops at DT_NULL or the end of the segment's file bytes, whichever comes first.
 */
static enum elf_error
check_dynamic(const uint8_t *img, size_t len, const struct elf64_phdr *ph)
{
    struct elf64_dyn d;

    if (!range_in(ph->offset, ph->filesz, len)) {
        return ELF_E_DYNAMIC;
    }
    for (uint64_t off = 0; ph->filesz - off >= sizeof(d); off += sizeof(d)) {
        memcpy(&d, img + ph->offset + off, sizeof(d));
        if (d.tag == ELF_DT_NULL) {
            break;
        }
        if (d.tag == ELF_DT_NEEDED) {
            return ELF_E_NEEDED;
        }
    }
    return ELF_OK;
}

/* Checks one program header of any type; PT_TLS and PT_PHDR are kept for later. */
static enum elf_error
check_phdr(struct elf_image *im, struct later *lt, const struct elf64_phdr *ph,
           const uint8_t *img, size_t len)
{
    switch (ph->type) {
    case ELF_PT_LOAD:
        return add_segment(im, ph, len);
    case ELF_PT_INTERP:
        return ELF_E_INTERP;
    case ELF_PT_DYNAMIC:
        return check_dynamic(img, len, ph);
    case ELF_PT_TLS:
        if (im->has_tls) {
            return ELF_E_TLS;
        }
        im->has_tls = true;
        lt->tls = *ph;
        return ELF_OK;
    case ELF_PT_PHDR:
        if (lt->has_phdr) {
            return ELF_E_PHDR;
        }
        lt->has_phdr = true;
        lt->phdr_vaddr = ph->vaddr;
        return ELF_OK;
    case ELF_PT_GNU_STACK:
        im->has_gnu_stack = true;
        im->stack_prot = ph->flags & (ELF_PROT_R | ELF_PROT_W | ELF_PROT_X);
        return ELF_OK;
    default:
        /* PT_NOTE, PT_GNU_RELRO, PT_GNU_PROPERTY and the like change nothing here. */
        return ELF_OK;
    }
}

/* The entry point must be inside an executable segment, or the first fetch faults. */
static enum elf_error
check_entry(struct elf_image *im, uint64_t e_entry)
{
    const struct elf_segment *s;

    if (!add_ok(e_entry, im->bias, &im->entry)) {
        return ELF_E_ENTRY;
    }
    s = find_segment(im, im->entry, 1, false);
    if (s == NULL || (s->prot & ELF_PROT_X) == 0) {
        return ELF_E_ENTRY;
    }
    return ELF_OK;
}

/*
 * The TLS initial image is read from memory by the C library (musl's static_init_tls,
 * glibc's __libc_setup_tls), so it must be in a loaded segment.
 */
static enum elf_error
check_tls(struct elf_image *im, const struct elf64_phdr *ph)
{
    uint64_t va;

    if (ph->filesz > ph->memsz || ph->memsz > ELF_USER_TOP) {
        return ELF_E_TLS;
    }
    if (ph->align != 0 && !is_pow2(ph->align)) {
        return ELF_E_TLS;
    }
    if (!add_ok(ph->vaddr, im->bias, &va)) {
        return ELF_E_TLS;
    }
    if (ph->filesz > 0 && find_segment(im, va, ph->filesz, false) == NULL) {
        return ELF_E_TLS;
    }
    im->tls = (struct elf_tls){
        .vaddr = va, .filesz = ph->filesz, .memsz = ph->memsz, .align = ph->align
    };
    return ELF_OK;
}

/*
 * Finds AT_PHDR. With PT_PHDR, its address must hold the table's bytes from the file
 * (a static PIE computes its own base as AT_PHDR minus that p_vaddr, so a wrong one
 * would be fatal later and far from the cause). Without it, the table is wherever the
 * segment that holds e_phoff in its file bytes puts it, as Linux computes it; if no
 * segment does, phdr_vaddr stays 0.
 */
static enum elf_error
locate_phdrs(struct elf_image *im, const struct later *lt)
{
    uint64_t size = (uint64_t)im->phnum * im->phentsize;
    const struct elf_segment *s;
    uint64_t va;

    if (lt->has_phdr) {
        if (!add_ok(lt->phdr_vaddr, im->bias, &va)) {
            return ELF_E_PHDR;
        }
        s = find_segment(im, va, size, true);
        if (s == NULL || s->offset + (va - s->vaddr) != im->phoff) {
            return ELF_E_PHDR;
        }
        im->phdr_vaddr = va;
        return ELF_OK;
    }
    for (uint32_t i = 0; i < im->nsegs; i++) {
        s = &im->segs[i];
        if (im->phoff >= s->offset && range_in(im->phoff - s->offset, size, s->filesz)) {
            im->phdr_vaddr = s->vaddr + (im->phoff - s->offset);
            return ELF_OK;
        }
    }
    im->phdr_vaddr = 0;
    return ELF_OK;
}

/*
 * Validates the ELF image in [img, img + len) and describes it in *out. bias is the load
 * bias for a position-independent image (ET_DYN), chosen by the caller and added to every
 * address; it must be a multiple of ELF_PAGE_SIZE, and a multiple of the result's align
 * if the program wants its p_align honoured. It is ignored for ET_EXEC, whose bias is 0.
 * img needs no particular alignment. *out is written only on success.
 *
 * Returns ELF_OK or the first fault found (elf_errors.def gives each meaning):
 *   ELF_E_SHORT ... ELF_E_TYPE  the file header is not ELF64, little-endian, version 1,
 *                               x86_64, ET_EXEC or ET_DYN;
 *   ELF_E_BIAS                  bias not page aligned (ET_DYN only);
 *   ELF_E_PHNUM, ELF_E_PHENTSIZE, ELF_E_PHDR_RANGE  the program header table is too
 *                               long, has the wrong entry size or leaves the image;
 *   ELF_E_INTERP, ELF_E_NEEDED  the program is dynamically linked;
 *   ELF_E_DYNAMIC               PT_DYNAMIC leaves the image;
 *   ELF_E_SEG_*, ELF_E_SEGMENTS a PT_LOAD is malformed, too many, out of order,
 *                               overlapping, outside the user half or W+X;
 *   ELF_E_NO_LOAD, ELF_E_ENTRY  nothing to load, or the entry is not in executable code;
 *   ELF_E_TLS, ELF_E_PHDR       PT_TLS or PT_PHDR is malformed, twice or not loaded.
 */
enum elf_error
elf_parse(const void *img, size_t len, uint64_t bias, struct elf_image *out)
{
    const uint8_t *bytes = img;
    struct elf64_ehdr eh;
    struct elf64_phdr ph;
    struct elf_image im = { 0 };
    struct later lt = { 0 };
    enum elf_error rc;

    if (len < sizeof(eh)) {
        return ELF_E_SHORT;
    }
    memcpy(&eh, bytes, sizeof(eh));
    im.is_pie = eh.type == ELF_ET_DYN;
    im.bias = im.is_pie ? bias : 0;
    rc = check_header(&eh, len, im.bias);
    if (rc != ELF_OK) {
        return rc;
    }
    im.align = ELF_PAGE_SIZE;
    im.phoff = eh.phoff;
    im.phnum = eh.phnum;
    im.phentsize = eh.phentsize;
    /* At most ELF_MAX_PHDRS iterations (check_header). */
    for (uint32_t i = 0; i < eh.phnum; i++) {
        memcpy(&ph, bytes + eh.phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
        rc = check_phdr(&im, &lt, &ph, bytes, len);
        if (rc != ELF_OK) {
            return rc;
        }
    }
    if (im.nsegs == 0) {
        return ELF_E_NO_LOAD;
    }
    rc = check_entry(&im, eh.entry);
    if (rc == ELF_OK && im.has_tls) {
        rc = check_tls(&im, &lt.tls);
    }
    if (rc == ELF_OK) {
        rc = locate_phdrs(&im, &lt);
    }
    if (rc != ELF_OK) {
        return rc;
    }
    *out = im;
    return ELF_OK;
}

/* Returns the enumerator's name, "ELF_E_MAGIC" for ELF_E_MAGIC; "ELF_E_?" if unknown. */
const char *
elf_error_name(enum elf_error e)
{
    switch (e) {
    case ELF_OK:
        return "ELF_OK";
#define ELF_ERR(name, text) \
    case ELF_E_##name:      \
        return "ELF_E_" #name;
#include "elf_errors.def"
#undef ELF_ERR
    }
    return "ELF_E_?";
}

/* Returns the one-line meaning of e, for messages; "unknown ELF error" if unknown. */
const char *
elf_error_text(enum elf_error e)
{
    switch (e) {
    case ELF_OK:
        return "valid image";
#define ELF_ERR(name, text) \
    case ELF_E_##name:      \
        return text;
#include "elf_errors.def"
#undef ELF_ERR
    }
    return "unknown ELF error";
}
