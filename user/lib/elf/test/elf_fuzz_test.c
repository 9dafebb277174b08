/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the ELF parser (user/lib/elf/elf.c), part three: images it has never
 * seen. A corruption corpus takes the canonical executable and static PIE
 * (test/elfimg.c), changes one to six things at random (bits and bytes anywhere, header
 * and program header fields set to boundary values, headers swapped) and parses the
 * result from a heap block of exactly its length, so ASan stops any read out of bounds.
 * Whatever is accepted must keep every promise of elf.h (elfimg_check). Every prefix of
 * both images must be refused. The generator is a fixed-seed xorshift, so a failure
 * reproduces. Last, a real static program from the host, if one is installed, is parsed
 * and compared field by field with its raw headers read through the host's <elf.h>.
 */
/* test-sources: user/lib/elf/elf.c user/lib/elf/test/elfimg.c */
#include "test.h"

#include <stdlib.h>

#include "user/lib/elf/test/elfimg.h"

#define PIE_BIAS 0x00007f1234560000ull

enum {
    FUZZ_ROUNDS = 20000, /* per canonical image; about a second under ASan */
    FUZZ_SEED = 0x5eed,
};

static uint64_t fuzz_state = FUZZ_SEED;

/* xorshift64*: small, fast, and the same sequence on every host. */
static uint64_t
rnd(void)
{
    fuzz_state ^= fuzz_state >> 12;
    fuzz_state ^= fuzz_state << 25;
    fuzz_state ^= fuzz_state >> 27;
    return fuzz_state * 0x2545f4914f6cdd1dull;
}

static uint64_t
rnd_below(uint64_t n)
{
    return rnd() % n;
}

/* Values next to every bound the parser checks, plus the field's own value nudged. */
static uint64_t
interesting(uint64_t old, size_t len)
{
    const uint64_t v[] = { 0, 1, 8, 16, 56, 64, 0xfff, 0x1000, 0x1001, 0x2000, len - 1, len,
                           len + 1, ELF_USER_MIN - 1, ELF_USER_TOP - 0x1000, ELF_USER_TOP,
                           ELF_USER_TOP + 1, 1ull << 47, 1ull << 63, UINT64_MAX,
                           UINT64_MAX - 0xfff, UINT64_MAX - 55, 0x400000, 0x401000 };
    uint64_t pick = rnd_below(sizeof(v) / sizeof(v[0]) + 3);

    if (pick == sizeof(v) / sizeof(v[0])) {
        return rnd();
    }
    if (pick == sizeof(v) / sizeof(v[0]) + 1) {
        return old + (rnd_below(0x2001) - 0x1000);
    }
    if (pick == sizeof(v) / sizeof(v[0]) + 2) {
        return old ^ (1ull << rnd_below(64));
    }
    return v[pick];
}

static uint32_t
interesting_type(void)
{
    const uint32_t v[] = { PT_NULL, PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE, PT_PHDR, PT_TLS,
                           PT_GNU_STACK, PT_GNU_RELRO, PT_LOAD, PT_LOAD, PT_TLS };

    return v[rnd_below(sizeof(v) / sizeof(v[0]))];
}

/* One random change to the image in m. */
static void
mutate(struct elfimg m)
{
    Elf64_Ehdr *eh = elfimg_ehdr(m);
    int phnum = eh->e_phnum < 8 ? eh->e_phnum : 8;
    size_t hdrs = sizeof(*eh) + (size_t)phnum * sizeof(Elf64_Phdr);
    Elf64_Phdr *ph = phnum > 0 ? elfimg_phdr(m, (int)rnd_below((uint64_t)phnum)) : NULL;

    switch (rnd_below(8)) {
    case 0:
        m.buf[rnd_below(hdrs)] ^= (unsigned char)(1u << rnd_below(8));
        break;
    case 1:
        m.buf[rnd_below(m.len)] = (unsigned char)rnd();
        break;
    case 2:
    case 3:
        if (ph != NULL) {
            uint64_t *f[] = { &ph->p_offset, &ph->p_vaddr, &ph->p_filesz, &ph->p_memsz,
                              &ph->p_align };
            uint64_t *field = f[rnd_below(5)];

            *field = interesting(*field, m.len);
        }
        break;
    case 4:
        if (ph != NULL) {
            ph->p_type = interesting_type();
        }
        break;
    case 5:
        if (ph != NULL) {
            ph->p_flags = (uint32_t)rnd_below(8);
        }
        break;
    case 6:
        switch (rnd_below(5)) {
        case 0:
            eh->e_entry = interesting(eh->e_entry, m.len);
            break;
        case 1:
            eh->e_phoff = interesting(eh->e_phoff, m.len);
            break;
        case 2:
            eh->e_phnum = (uint16_t)interesting(eh->e_phnum, 80);
            break;
        case 3:
            eh->e_phentsize = (uint16_t)interesting(eh->e_phentsize, 56);
            break;
        default:
            eh->e_type = (uint16_t)(eh->e_type == ET_EXEC ? ET_DYN : ET_EXEC);
            break;
        }
        break;
    default:
        if (phnum > 1) {
            Elf64_Phdr t = *ph;
            Elf64_Phdr *other = elfimg_phdr(m, (int)rnd_below((uint64_t)phnum));

            *ph = *other;
            *other = t;
        }
        break;
    }
}

static uint64_t
random_bias(void)
{
    const uint64_t v[] = { 0, ELF_PAGE_SIZE, PIE_BIAS, ELF_USER_TOP - 0x4000, ELF_USER_TOP,
                           0x555555554000ull };

    switch (rnd_below(16)) {
    case 0:
        return rnd(); /* rarely page aligned: ELF_E_BIAS for a PIE */
    case 1:
    case 2:
    case 3:
        return rnd() & ~0xfffull;
    default:
        return v[rnd_below(sizeof(v) / sizeof(v[0]))];
    }
}

/* Runs the corpus on one canonical image; counts what was accepted and refused. */
static void
fuzz(struct elfimg (*make)(void), int *accepted, int *hits, int nhits)
{
    char why[160];

    for (int round = 0; round < FUZZ_ROUNDS; round++) {
        struct elfimg m = make();
        int changes = 1 + (int)rnd_below(6);
        uint64_t bias = random_bias();
        struct elf_image im;
        enum elf_error rc;

        for (int i = 0; i < changes; i++) {
            mutate(m);
        }
        rc = elf_parse(m.buf, m.len, bias, &im);
        if (rc == ELF_OK && !elfimg_check(m.buf, m.len, &im, why, sizeof(why))) {
            char msg[256];

            snprintf(msg, sizeof(msg), "round %d: accepted image breaks: %s", round, why);
            test_fail(__FILE__, __LINE__, msg);
            free(m.buf);
            return;
        }
        free(m.buf);
        ASSERT_TRUE((int)rc >= 0 && (int)rc < nhits);
        *accepted += rc == ELF_OK;
        hits[rc]++;
    }
}

TEST(elf_fuzz_corrupted_images_are_refused_or_sound)
{
    /* ELF_OK and every code of the list. */
    enum {
        RESULTS = 1
#define ELF_ERR(name, text) +1
#include "user/lib/elf/elf_errors.def"
#undef ELF_ERR
    };
    int hits[RESULTS] = { 0 };
    int accepted = 0;
    int codes = 0;

    fuzz(elfimg_exec, &accepted, hits, RESULTS);
    if (test_failed()) {
        return;
    }
    fuzz(elfimg_pie, &accepted, hits, RESULTS);
    if (test_failed()) {
        return;
    }
    for (int i = 0; i < RESULTS; i++) {
        codes += hits[i] > 0;
    }
    printf("elf fuzz: %d of %d corrupted images accepted, %d distinct results\n", accepted,
           2 * FUZZ_ROUNDS, codes);
    /*
     * Not degenerate: some images survive and the refusals are reached, all but
     * ELF_E_SHORT and ELF_E_SEGMENTS, which need another length or more headers.
     */
    ASSERT_TRUE(accepted > FUZZ_ROUNDS / 50);
    ASSERT_TRUE(accepted < 2 * FUZZ_ROUNDS);
    ASSERT_EQ(codes, RESULTS - 2);
    ASSERT_EQ(hits[ELF_E_SHORT] + hits[ELF_E_SEGMENTS], 0);
}

/* Every prefix of an image whose last segment ends at the end of the file is refused. */
static void
truncate_all(struct elfimg full, uint64_t bias)
{
    struct elf_image im;

    for (size_t len = 0; len < full.len; len++) {
        struct elfimg m = elfimg_copy(full.buf, len);
        enum elf_error rc = elf_parse(m.buf, m.len, bias, &im);

        free(m.buf);
        if (rc == ELF_OK) {
            char msg[64];

            snprintf(msg, sizeof(msg), "prefix of %zu bytes accepted", len);
            test_fail(__FILE__, __LINE__, msg);
            return;
        }
    }
    ASSERT_ELF(ELF_OK, elf_parse(full.buf, full.len, bias, &im));
}

TEST(elf_fuzz_every_truncation_is_refused)
{
    struct elfimg m = elfimg_exec();

    truncate_all(m, 0);
    free(m.buf);
    if (test_failed()) {
        return;
    }
    m = elfimg_pie();
    truncate_all(m, PIE_BIAS);
    free(m.buf);
}

/* Random bytes behind a valid identification, so that the parse gets past the magic. */
TEST(elf_fuzz_random_headers)
{
    struct elf_image im;
    char why[160];

    for (int round = 0; round < FUZZ_ROUNDS; round++) {
        size_t len = (size_t)rnd_below(1024);
        struct elfimg m = { .buf = malloc(len == 0 ? 1 : len), .len = len };

        ASSERT_TRUE(m.buf != NULL);
        for (size_t i = 0; i < len; i++) {
            m.buf[i] = (unsigned char)rnd();
        }
        if (len >= sizeof(Elf64_Ehdr)) {
            static const unsigned char id[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };

            memcpy(m.buf, id, sizeof(id));
            elfimg_ehdr(m)->e_machine = EM_X86_64;
            elfimg_ehdr(m)->e_version = EV_CURRENT;
            elfimg_ehdr(m)->e_phentsize = sizeof(Elf64_Phdr);
            elfimg_ehdr(m)->e_phoff = rnd_below(len);
            elfimg_ehdr(m)->e_phnum = (uint16_t)rnd_below(12);
        }
        if (elf_parse(m.buf, m.len, random_bias(), &im) == ELF_OK &&
            !elfimg_check(m.buf, m.len, &im, why, sizeof(why))) {
            test_fail(__FILE__, __LINE__, why);
            free(m.buf);
            return;
        }
        free(m.buf);
    }
}

/* Reads a whole file into an exact-size heap block; m.buf is NULL if it cannot. */
static struct elfimg
read_file(const char *path)
{
    struct elfimg m = { NULL, 0 };
    FILE *f = fopen(path, "rb");
    long size;

    if (f == NULL) {
        return m;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        m.buf = malloc((size_t)size);
        m.len = (size_t)size;
        if (m.buf != NULL && fread(m.buf, 1, m.len, f) != m.len) {
            free(m.buf);
            m.buf = NULL;
        }
    }
    fclose(f);
    return m;
}

/*
 * Compares the parse of a real program with its raw headers, recomputed the way readelf
 * shows them: the entry, the table, each PT_LOAD in order, PT_TLS, PT_GNU_STACK, PT_PHDR.
 */
static void
compare_with_raw(const char *path, struct elfimg m)
{
    const Elf64_Ehdr *eh = elfimg_ehdr(m);
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(m.buf + eh->e_phoff);
    uint64_t bias = eh->e_type == ET_DYN ? PIE_BIAS : 0;
    struct elf_image im;
    uint32_t seg = 0;
    bool interp = false;
    char why[160];

    for (int i = 0; i < eh->e_phnum; i++) {
        interp |= ph[i].p_type == PT_INTERP;
    }
    if (interp) {
        printf("elf host binary %s: dynamically linked, must be refused\n", path);
        ASSERT_ELF(ELF_E_INTERP, elf_parse(m.buf, m.len, bias, &im));
        return;
    }
    ASSERT_ELF(ELF_OK, elf_parse(m.buf, m.len, bias, &im));
    ASSERT_TRUE(elfimg_check(m.buf, m.len, &im, why, sizeof(why)));
    ASSERT_EQ(im.is_pie, eh->e_type == ET_DYN);
    ASSERT_EQ(im.entry, eh->e_entry + bias);
    ASSERT_EQ(im.phnum, eh->e_phnum);
    ASSERT_EQ(im.phentsize, eh->e_phentsize);
    ASSERT_EQ(im.phoff, eh->e_phoff);
    ASSERT_TRUE(im.phdr_vaddr != 0);
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && ph[i].p_memsz > 0) {
            ASSERT_TRUE(seg < im.nsegs);
            ASSERT_EQ(im.segs[seg].vaddr, ph[i].p_vaddr + bias);
            ASSERT_EQ(im.segs[seg].memsz, ph[i].p_memsz);
            ASSERT_EQ(im.segs[seg].filesz, ph[i].p_filesz);
            ASSERT_EQ(im.segs[seg].offset, ph[i].p_offset);
            ASSERT_EQ(im.segs[seg].prot, ph[i].p_flags & 7);
            seg++;
        } else if (ph[i].p_type == PT_TLS) {
            ASSERT_TRUE(im.has_tls);
            ASSERT_EQ(im.tls.vaddr, ph[i].p_vaddr + bias);
            ASSERT_EQ(im.tls.filesz, ph[i].p_filesz);
            ASSERT_EQ(im.tls.memsz, ph[i].p_memsz);
        } else if (ph[i].p_type == PT_GNU_STACK) {
            ASSERT_TRUE(im.has_gnu_stack);
            ASSERT_EQ(im.stack_prot, ph[i].p_flags & 7);
        } else if (ph[i].p_type == PT_PHDR) {
            ASSERT_EQ(im.phdr_vaddr, ph[i].p_vaddr + bias);
        }
    }
    ASSERT_EQ(seg, im.nsegs);
    printf("elf host binary %s: %u segments, entry %#llx, AT_PHDR %#llx, phnum %u\n", path,
           im.nsegs, (unsigned long long)im.entry, (unsigned long long)im.phdr_vaddr,
           im.phnum);
}

/* Debian's busybox-static and friends; the test passes with a note if none is present. */
TEST(elf_parses_host_static_binaries)
{
    /* Where Debian installs them (/usr/bin is the same directory on merged-/usr hosts). */
    static const char *const paths[] = { "/bin/busybox", "/bin/bash-static",
                                         "/bin/mksh-static" };
    int found = 0;

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct elfimg m = read_file(paths[i]);

        if (m.buf == NULL) {
            continue;
        }
        if (m.len < sizeof(Elf64_Ehdr) || memcmp(m.buf, ELFMAG, SELFMAG) != 0 ||
            m.buf[EI_CLASS] != ELFCLASS64 || elfimg_ehdr(m)->e_machine != EM_X86_64 ||
            elfimg_ehdr(m)->e_phoff > m.len || elfimg_ehdr(m)->e_phoff % 8 != 0 ||
            elfimg_ehdr(m)->e_phnum * sizeof(Elf64_Phdr) > m.len - elfimg_ehdr(m)->e_phoff) {
            free(m.buf);
            continue;
        }
        found++;
        compare_with_raw(paths[i], m);
        free(m.buf);
        if (test_failed()) {
            return;
        }
    }
    if (found == 0) {
        printf("elf host binary: none of the static programs is installed; skipped\n");
    }
}
