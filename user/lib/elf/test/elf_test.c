/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the ELF parser (user/lib/elf/elf.c), part one: every field of the result
 * for the canonical executable and static PIE (test/elfimg.c), the bias rules, and each
 * refusal of the file header and program header table with its exact error code. The
 * program headers themselves are refused in elf_segment_test.c; corrupted and real images
 * are in elf_fuzz_test.c. Every image sits in a heap block of exactly its length.
 */
/* test-sources: user/lib/elf/elf.c user/lib/elf/test/elfimg.c */
#include "test.h"

#include <stdlib.h>

#include "user/lib/elf/test/elfimg.h"

/* A page-aligned bias in the upper part of the user half, where Linux puts PIEs. */
#define PIE_BIAS 0x00007f1234560000ull

TEST(elf_exec_parses_every_field)
{
    struct elfimg m = elfimg_exec();
    struct elf_image im;
    char why[128];

    ASSERT_ELF(ELF_OK, elf_parse(m.buf, m.len, 0, &im));
    ASSERT_TRUE(!im.is_pie);
    ASSERT_EQ(im.bias, 0);
    ASSERT_EQ(im.entry, EXEC_ENTRY);
    ASSERT_EQ(im.align, 0x1000);
    ASSERT_EQ(im.phoff, 64);
    ASSERT_EQ(im.phnum, EXEC_PHNUM);
    ASSERT_EQ(im.phentsize, 56);
    /* No PT_PHDR: the table is at e_phoff inside the first segment. */
    ASSERT_EQ(im.phdr_vaddr, 0x400040);
    ASSERT_EQ(im.nsegs, 4);

    ASSERT_EQ(im.segs[0].vaddr, 0x400000);
    ASSERT_EQ(im.segs[0].memsz, 0x400);
    ASSERT_EQ(im.segs[0].filesz, 0x400);
    ASSERT_EQ(im.segs[0].offset, 0);
    ASSERT_EQ(im.segs[0].map_start, 0x400000);
    ASSERT_EQ(im.segs[0].map_end, 0x401000);
    ASSERT_EQ(im.segs[0].prot, ELF_PROT_R);

    ASSERT_EQ(im.segs[1].vaddr, 0x401000);
    ASSERT_EQ(im.segs[1].memsz, 0x800);
    ASSERT_EQ(im.segs[1].filesz, 0x800);
    ASSERT_EQ(im.segs[1].offset, 0x1000);
    ASSERT_EQ(im.segs[1].map_start, 0x401000);
    ASSERT_EQ(im.segs[1].map_end, 0x402000);
    ASSERT_EQ(im.segs[1].prot, ELF_PROT_R | ELF_PROT_X);

    ASSERT_EQ(im.segs[2].vaddr, 0x402000);
    ASSERT_EQ(im.segs[2].map_end, 0x403000);
    ASSERT_EQ(im.segs[2].prot, ELF_PROT_R);

    /* Data starts mid-page and its bss runs two pages further. */
    ASSERT_EQ(im.segs[3].vaddr, 0x403f00);
    ASSERT_EQ(im.segs[3].memsz, 0x1300);
    ASSERT_EQ(im.segs[3].filesz, 0x200);
    ASSERT_EQ(im.segs[3].offset, 0x2f00);
    ASSERT_EQ(im.segs[3].map_start, 0x403000);
    ASSERT_EQ(im.segs[3].map_end, 0x406000);
    ASSERT_EQ(im.segs[3].prot, ELF_PROT_R | ELF_PROT_W);

    ASSERT_TRUE(im.has_tls);
    ASSERT_EQ(im.tls.vaddr, 0x403f00);
    ASSERT_EQ(im.tls.filesz, 0x40);
    ASSERT_EQ(im.tls.memsz, 0x80);
    ASSERT_EQ(im.tls.align, 16);
    ASSERT_TRUE(im.has_gnu_stack);
    ASSERT_EQ(im.stack_prot, ELF_PROT_R | ELF_PROT_W);
    ASSERT_TRUE(elfimg_check(m.buf, m.len, &im, why, sizeof(why)));
    free(m.buf);
}

TEST(elf_pie_parses_with_bias)
{
    struct elfimg m = elfimg_pie();
    struct elf_image im;
    char why[128];

    ASSERT_ELF(ELF_OK, elf_parse(m.buf, m.len, PIE_BIAS, &im));
    ASSERT_TRUE(im.is_pie);
    ASSERT_EQ(im.bias, PIE_BIAS);
    ASSERT_EQ(im.entry, PIE_BIAS + PIE_ENTRY);
    ASSERT_EQ(im.phnum, PIE_PHNUM);
    /* From PT_PHDR, biased. */
    ASSERT_EQ(im.phdr_vaddr, PIE_BIAS + 64);
    ASSERT_EQ(im.nsegs, 3);
    ASSERT_EQ(im.segs[0].vaddr, PIE_BIAS);
    ASSERT_EQ(im.segs[0].map_start, PIE_BIAS);
    ASSERT_EQ(im.segs[1].vaddr, PIE_BIAS + 0x1000);
    ASSERT_EQ(im.segs[1].prot, ELF_PROT_R | ELF_PROT_X);
    ASSERT_EQ(im.segs[2].vaddr, PIE_BIAS + 0x2f00);
    ASSERT_EQ(im.segs[2].offset, 0x1f00);
    ASSERT_EQ(im.segs[2].map_start, PIE_BIAS + 0x2000);
    ASSERT_EQ(im.segs[2].map_end, PIE_BIAS + 0x4000);
    ASSERT_TRUE(!im.has_tls);
    ASSERT_TRUE(elfimg_check(m.buf, m.len, &im, why, sizeof(why)));
    free(m.buf);
}

/* Linked at 0, a static PIE run without a bias would map page 0. */
TEST(elf_pie_without_bias_maps_page0)
{
    ASSERT_ELF(ELF_E_SEG_PAGE0, elfimg_parse_free(elfimg_pie(), 0, NULL));
}

TEST(elf_pie_bias_must_be_page_aligned)
{
    ASSERT_ELF(ELF_E_BIAS, elfimg_parse_free(elfimg_pie(), PIE_BIAS + 0x800, NULL));
    ASSERT_ELF(ELF_E_BIAS, elfimg_parse_free(elfimg_pie(), 1, NULL));
}

TEST(elf_pie_bias_past_the_user_half_is_refused)
{
    /* The first segment would start at the top. */
    ASSERT_ELF(ELF_E_SEG_RANGE, elfimg_parse_free(elfimg_pie(), ELF_USER_TOP, NULL));
    /* Far past it, a page below 2^64. */
    ASSERT_ELF(ELF_E_SEG_RANGE, elfimg_parse_free(elfimg_pie(), 0xfffffffffffff000ull, NULL));
}

TEST(elf_exec_ignores_bias)
{
    struct elf_image im;

    ASSERT_ELF(ELF_OK, elfimg_parse_free(elfimg_exec(), 0x1235, &im));
    ASSERT_EQ(im.bias, 0);
    ASSERT_EQ(im.entry, EXEC_ENTRY);
}

/* The parser copies every header it reads, so any alignment of the buffer works. */
TEST(elf_unaligned_buffer_parses_the_same)
{
    struct elfimg m = elfimg_exec();
    unsigned char *odd = malloc(m.len + 1);
    struct elf_image a;
    struct elf_image b;

    ASSERT_TRUE(odd != NULL);
    memcpy(odd + 1, m.buf, m.len);
    ASSERT_ELF(ELF_OK, elf_parse(m.buf, m.len, 0, &a));
    ASSERT_ELF(ELF_OK, elf_parse(odd + 1, m.len, 0, &b));
    ASSERT_TRUE(elfimg_same(&a, &b));
    free(odd);
    free(m.buf);
}

TEST(elf_refusal_leaves_the_result_untouched)
{
    struct elfimg m = elfimg_exec();
    struct elf_image im;
    unsigned char before[sizeof(im)];

    memset(&im, 0xa5, sizeof(im));
    memcpy(before, &im, sizeof(im));
    elfimg_ehdr(m)->e_entry = 0x402000;
    ASSERT_ELF(ELF_E_ENTRY, elfimg_parse_free(m, 0, &im));
    ASSERT_EQ(memcmp(before, &im, sizeof(im)), 0);
}

TEST(elf_refuses_short_images)
{
    struct elfimg m = elfimg_exec();
    struct elf_image im;

    ASSERT_ELF(ELF_E_SHORT, elf_parse(m.buf, 0, 0, &im));
    ASSERT_ELF(ELF_E_SHORT, elf_parse(m.buf, sizeof(Elf64_Ehdr) - 1, 0, &im));
    ASSERT_ELF(ELF_E_SHORT, elf_parse(NULL, 0, 0, &im));
    /* The header alone is enough to reach the program header check. */
    ASSERT_ELF(ELF_E_PHDR_RANGE, elf_parse(m.buf, sizeof(Elf64_Ehdr), 0, &im));
    free(m.buf);
}

TEST(elf_refuses_bad_magic)
{
    for (int i = 0; i < 4; i++) {
        struct elfimg m = elfimg_exec();

        elfimg_ehdr(m)->e_ident[i] ^= 0x20;
        ASSERT_ELF(ELF_E_MAGIC, elfimg_parse_free(m, 0, NULL));
    }
}

TEST(elf_refuses_wrong_class)
{
    static const unsigned char bad[] = { ELFCLASSNONE, ELFCLASS32, 3, 0xff };

    for (size_t i = 0; i < sizeof(bad); i++) {
        struct elfimg m = elfimg_exec();

        elfimg_ehdr(m)->e_ident[EI_CLASS] = bad[i];
        ASSERT_ELF(ELF_E_CLASS, elfimg_parse_free(m, 0, NULL));
    }
}

TEST(elf_refuses_big_endian)
{
    struct elfimg m = elfimg_exec();

    elfimg_ehdr(m)->e_ident[EI_DATA] = ELFDATA2MSB;
    ASSERT_ELF(ELF_E_DATA, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    elfimg_ehdr(m)->e_ident[EI_DATA] = ELFDATANONE;
    ASSERT_ELF(ELF_E_DATA, elfimg_parse_free(m, 0, NULL));
}

TEST(elf_refuses_unknown_version)
{
    struct elfimg m = elfimg_exec();

    elfimg_ehdr(m)->e_ident[EI_VERSION] = 2;
    ASSERT_ELF(ELF_E_VERSION, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    elfimg_ehdr(m)->e_version = EV_NONE;
    ASSERT_ELF(ELF_E_VERSION, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    elfimg_ehdr(m)->e_version = 0x101;
    ASSERT_ELF(ELF_E_VERSION, elfimg_parse_free(m, 0, NULL));
}

TEST(elf_refuses_other_machines)
{
    static const uint16_t bad[] = { EM_NONE, EM_386, EM_AARCH64, EM_RISCV, 0x3e00 };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct elfimg m = elfimg_exec();

        elfimg_ehdr(m)->e_machine = bad[i];
        ASSERT_ELF(ELF_E_MACHINE, elfimg_parse_free(m, 0, NULL));
    }
}

TEST(elf_refuses_other_types)
{
    static const uint16_t bad[] = { ET_NONE, ET_REL, ET_CORE, ET_LOOS, 0xffff };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct elfimg m = elfimg_exec();

        elfimg_ehdr(m)->e_type = bad[i];
        ASSERT_ELF(ELF_E_TYPE, elfimg_parse_free(m, 0, NULL));
    }
}

TEST(elf_refuses_too_many_program_headers)
{
    struct elfimg m = elfimg_exec();

    elfimg_ehdr(m)->e_phnum = ELF_MAX_PHDRS + 1;
    ASSERT_ELF(ELF_E_PHNUM, elfimg_parse_free(m, 0, NULL));
    /* PN_XNUM (the count lives in section 0) is not supported. */
    m = elfimg_exec();
    elfimg_ehdr(m)->e_phnum = PN_XNUM;
    ASSERT_ELF(ELF_E_PHNUM, elfimg_parse_free(m, 0, NULL));
}

TEST(elf_accepts_program_headers_up_to_the_bound)
{
    struct elfimg m = elfimg_exec();
    size_t used = sizeof(Elf64_Ehdr) + EXEC_PHNUM * sizeof(Elf64_Phdr);
    size_t end = sizeof(Elf64_Ehdr) + ELF_MAX_PHDRS * sizeof(Elf64_Phdr);
    struct elf_image im;

    /* The extra entries are PT_NULL (all zero); the table now reaches past segment 0. */
    memset(m.buf + used, 0, end - used);
    elfimg_ehdr(m)->e_phnum = ELF_MAX_PHDRS;
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, &im));
    ASSERT_EQ(im.phnum, ELF_MAX_PHDRS);
    ASSERT_EQ(im.nsegs, 4);
    ASSERT_EQ(im.phdr_vaddr, 0);
}

TEST(elf_refuses_wrong_program_header_size)
{
    static const uint16_t bad[] = { 0, 32, 55, 57, 64 };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct elfimg m = elfimg_exec();

        elfimg_ehdr(m)->e_phentsize = bad[i];
        ASSERT_ELF(ELF_E_PHENTSIZE, elfimg_parse_free(m, 0, NULL));
    }
}

TEST(elf_refuses_program_header_table_outside_the_image)
{
    static const uint64_t bad[] = { EXEC_LEN, EXEC_LEN - 1, EXEC_LEN - 56 * 7 + 1,
                                    UINT64_MAX, UINT64_MAX - 55, 1ull << 63 };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct elfimg m = elfimg_exec();

        elfimg_ehdr(m)->e_phoff = bad[i];
        ASSERT_ELF(ELF_E_PHDR_RANGE, elfimg_parse_free(m, 0, NULL));
    }
}

TEST(elf_refuses_no_program_headers)
{
    struct elfimg m = elfimg_exec();

    elfimg_ehdr(m)->e_phnum = 0;
    ASSERT_ELF(ELF_E_NO_LOAD, elfimg_parse_free(m, 0, NULL));
}

TEST(elf_error_names_and_texts_are_distinct)
{
    /* The last code, counted from the list so that a new entry is covered too. */
    enum {
        LAST = 0
#define ELF_ERR(name, text) +1
#include "user/lib/elf/elf_errors.def"
#undef ELF_ERR
    };

    for (int i = 0; i <= LAST; i++) {
        const char *name = elf_error_name((enum elf_error)i);
        const char *text = elf_error_text((enum elf_error)i);

        ASSERT_TRUE(strncmp(name, i == 0 ? "ELF_OK" : "ELF_E_", 6) == 0);
        ASSERT_TRUE(strcmp(name, "ELF_E_?") != 0);
        ASSERT_TRUE(strlen(text) > 5);
        for (int j = 0; j < i; j++) {
            ASSERT_TRUE(strcmp(name, elf_error_name((enum elf_error)j)) != 0);
            ASSERT_TRUE(strcmp(text, elf_error_text((enum elf_error)j)) != 0);
        }
    }
    ASSERT_TRUE(strcmp(elf_error_name(ELF_E_MAGIC), "ELF_E_MAGIC") == 0);
    ASSERT_TRUE(strcmp(elf_error_name((enum elf_error)(LAST + 1)), "ELF_E_?") == 0);
    ASSERT_TRUE(strcmp(elf_error_text((enum elf_error)-1), "unknown ELF error") == 0);
}
