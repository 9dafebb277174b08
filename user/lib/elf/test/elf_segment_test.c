/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the ELF parser (user/lib/elf/elf.c), part two: the program headers. Each
 * refusal (dynamic linking, every PT_LOAD rule, the entry point, PT_TLS, PT_PHDR) is
 * produced by one change to a canonical image (test/elfimg.c) and asserted with its exact
 * code, next to the nearest image that is still accepted, so that a bound that is off by
 * one shows up on one side or the other.
 */
/* test-sources: user/lib/elf/elf.c user/lib/elf/test/elfimg.c */
#include "test.h"

#include <stdlib.h>

#include "user/lib/elf/test/elfimg.h"

#define PIE_BIAS 0x00007f1234560000ull

TEST(elf_refuses_pt_interp)
{
    struct elfimg m = elfimg_exec();

    elfimg_phdr(m, EXEC_PH_NOTE)->p_type = PT_INTERP;
    ASSERT_ELF(ELF_E_INTERP, elfimg_parse_free(m, 0, NULL));
    m = elfimg_pie();
    elfimg_phdr(m, PIE_PH_STACK)->p_type = PT_INTERP;
    ASSERT_ELF(ELF_E_INTERP, elfimg_parse_free(m, PIE_BIAS, NULL));
}

TEST(elf_refuses_dt_needed)
{
    struct elfimg m = elfimg_pie();
    Elf64_Dyn *dyn = (Elf64_Dyn *)(m.buf + 0x1f00);

    dyn[1].d_tag = DT_NEEDED;
    ASSERT_ELF(ELF_E_NEEDED, elfimg_parse_free(m, PIE_BIAS, NULL));

    /* The last whole entry of the segment is read. */
    m = elfimg_pie();
    dyn = (Elf64_Dyn *)(m.buf + 0x1f00);
    dyn[1].d_tag = DT_NEEDED;
    elfimg_phdr(m, PIE_PH_DYN)->p_filesz = 2 * sizeof(Elf64_Dyn);
    ASSERT_ELF(ELF_E_NEEDED, elfimg_parse_free(m, PIE_BIAS, NULL));

    /* An ET_EXEC with a PT_DYNAMIC is checked the same way. */
    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_NOTE)->p_type = PT_DYNAMIC;
    dyn = (Elf64_Dyn *)(m.buf + 0x3e0);
    dyn[0] = (Elf64_Dyn){ .d_tag = DT_NEEDED, .d_un.d_val = 1 };
    ASSERT_ELF(ELF_E_NEEDED, elfimg_parse_free(m, 0, NULL));
}

TEST(elf_dynamic_scan_stops_at_dt_null_and_segment_end)
{
    struct elfimg m = elfimg_pie();
    Elf64_Dyn *dyn = (Elf64_Dyn *)(m.buf + 0x1f00);

    /* After DT_NULL: not read. */
    dyn[3].d_tag = DT_NEEDED;
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, PIE_BIAS, NULL));

    /* Past p_filesz (two entries and a half): not read either. */
    m = elfimg_pie();
    dyn = (Elf64_Dyn *)(m.buf + 0x1f00);
    dyn[2].d_tag = DT_NEEDED;
    elfimg_phdr(m, PIE_PH_DYN)->p_filesz = 2 * sizeof(Elf64_Dyn) + 8;
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, PIE_BIAS, NULL));
}

TEST(elf_refuses_pt_dynamic_outside_the_image)
{
    static const uint64_t offs[] = { PIE_LEN - 8, PIE_LEN + 1, UINT64_MAX, UINT64_MAX - 15 };

    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        struct elfimg m = elfimg_pie();

        elfimg_phdr(m, PIE_PH_DYN)->p_offset = offs[i];
        ASSERT_ELF(ELF_E_DYNAMIC, elfimg_parse_free(m, PIE_BIAS, NULL));
    }
    struct elfimg m = elfimg_pie();

    elfimg_phdr(m, PIE_PH_DYN)->p_filesz = UINT64_MAX;
    ASSERT_ELF(ELF_E_DYNAMIC, elfimg_parse_free(m, PIE_BIAS, NULL));
}

TEST(elf_skips_empty_pt_load)
{
    struct elfimg m = elfimg_exec();
    Elf64_Phdr *ph = elfimg_phdr(m, EXEC_PH_NOTE);
    struct elf_image im;

    /* memsz 0 maps nothing, so even a wild offset and address are ignored. */
    *ph = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
                        .p_offset = UINT64_MAX, .p_vaddr = 0 };
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, &im));
    ASSERT_EQ(im.nsegs, 4);
}

TEST(elf_refuses_filesz_over_memsz)
{
    struct elfimg m = elfimg_exec();

    elfimg_phdr(m, EXEC_PH_TEXT)->p_filesz = 0x801;
    ASSERT_ELF(ELF_E_SEG_FILESZ, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_NOTE)->p_type = PT_LOAD;
    elfimg_phdr(m, EXEC_PH_NOTE)->p_memsz = 0;
    ASSERT_ELF(ELF_E_SEG_FILESZ, elfimg_parse_free(m, 0, NULL));
}

TEST(elf_refuses_segment_file_range_outside_the_image)
{
    struct elfimg m = elfimg_exec();
    Elf64_Phdr *ph = elfimg_phdr(m, EXEC_PH_DATA);

    /* The data segment ends exactly at the end of the file: one byte more is out. */
    ph->p_filesz = 0x201;
    ASSERT_ELF(ELF_E_SEG_FILE, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    ph = elfimg_phdr(m, EXEC_PH_DATA);
    ph->p_offset = UINT64_MAX - 0xff; /* offset + filesz wraps */
    ASSERT_ELF(ELF_E_SEG_FILE, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    ph = elfimg_phdr(m, EXEC_PH_DATA);
    ph->p_offset += 0x1000;
    ph->p_vaddr += 0x1000;
    ASSERT_ELF(ELF_E_SEG_FILE, elfimg_parse_free(m, 0, NULL));
}

TEST(elf_refuses_vaddr_and_offset_out_of_step)
{
    struct elfimg m = elfimg_exec();

    elfimg_phdr(m, EXEC_PH_TEXT)->p_vaddr += 1;
    ASSERT_ELF(ELF_E_SEG_ALIGN, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_DATA)->p_offset -= 0x100;
    ASSERT_ELF(ELF_E_SEG_ALIGN, elfimg_parse_free(m, 0, NULL));
}

TEST(elf_segment_may_end_at_the_top_of_the_user_half)
{
    struct elfimg m = elfimg_exec();
    uint64_t va = ELF_USER_TOP - 0x1100; /* 0x...df00: same page offset as 0x2f00 */
    struct elf_image im;

    elfimg_phdr(m, EXEC_PH_DATA)->p_vaddr = va;
    elfimg_phdr(m, EXEC_PH_DATA)->p_memsz = 0x1100;
    elfimg_phdr(m, EXEC_PH_TLS)->p_vaddr = va;
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, &im));
    ASSERT_EQ(im.segs[3].map_end, ELF_USER_TOP);

    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_DATA)->p_vaddr = va;
    elfimg_phdr(m, EXEC_PH_DATA)->p_memsz = 0x1101;
    elfimg_phdr(m, EXEC_PH_TLS)->p_vaddr = va;
    ASSERT_ELF(ELF_E_SEG_RANGE, elfimg_parse_free(m, 0, NULL));
}

TEST(elf_refuses_segments_outside_the_user_half)
{
    struct elfimg m = elfimg_exec();

    /* vaddr + memsz wraps around 2^64. */
    elfimg_phdr(m, EXEC_PH_DATA)->p_memsz = UINT64_MAX;
    ASSERT_ELF(ELF_E_SEG_RANGE, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_DATA)->p_vaddr = 0xffff800000003f00ull;
    ASSERT_ELF(ELF_E_SEG_RANGE, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_DATA)->p_vaddr = 0x0000800000003f00ull;
    ASSERT_ELF(ELF_E_SEG_RANGE, elfimg_parse_free(m, 0, NULL));
    /* The bias is added before the check: a PIE whose last segment wraps. */
    m = elfimg_pie();
    elfimg_phdr(m, PIE_PH_DATA)->p_vaddr = 0xffffffffffffef00ull;
    ASSERT_ELF(ELF_E_SEG_RANGE, elfimg_parse_free(m, 0x2000, NULL));
}

TEST(elf_refuses_mapping_page0)
{
    struct elfimg m = elfimg_exec();
    Elf64_Phdr *ph = elfimg_phdr(m, EXEC_PH_HDRS);
    struct elf_image im;

    ph->p_vaddr = 0;
    ASSERT_ELF(ELF_E_SEG_PAGE0, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    ph = elfimg_phdr(m, EXEC_PH_HDRS);
    ph->p_vaddr = ELF_USER_MIN;
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, &im));
    ASSERT_EQ(im.segs[0].map_start, ELF_USER_MIN);
    ASSERT_EQ(im.phdr_vaddr, ELF_USER_MIN + 64);
}

TEST(elf_refuses_writable_executable_segments)
{
    static const uint32_t bad[] = { PF_R | PF_W | PF_X, PF_W | PF_X };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct elfimg m = elfimg_exec();

        elfimg_phdr(m, EXEC_PH_TEXT)->p_flags = bad[i];
        ASSERT_ELF(ELF_E_SEG_WX, elfimg_parse_free(m, 0, NULL));
        m = elfimg_exec();
        elfimg_phdr(m, EXEC_PH_DATA)->p_flags = bad[i];
        ASSERT_ELF(ELF_E_SEG_WX, elfimg_parse_free(m, 0, NULL));
    }
}

TEST(elf_refuses_segments_out_of_order)
{
    struct elfimg m = elfimg_exec();
    Elf64_Phdr t = *elfimg_phdr(m, EXEC_PH_TEXT);

    *elfimg_phdr(m, EXEC_PH_TEXT) = *elfimg_phdr(m, EXEC_PH_RODATA);
    *elfimg_phdr(m, EXEC_PH_RODATA) = t;
    ASSERT_ELF(ELF_E_SEG_ORDER, elfimg_parse_free(m, 0, NULL));
}

TEST(elf_refuses_segments_sharing_a_page)
{
    struct elfimg m = elfimg_exec();
    Elf64_Phdr *ro = elfimg_phdr(m, EXEC_PH_RODATA);

    /* The same start as the text. */
    ro->p_vaddr = 0x401000;
    ASSERT_ELF(ELF_E_SEG_OVERLAP, elfimg_parse_free(m, 0, NULL));
    /* Disjoint bytes (text ends at 0x401800) but the same page. */
    m = elfimg_exec();
    ro = elfimg_phdr(m, EXEC_PH_RODATA);
    ro->p_offset = 0x1900;
    ro->p_vaddr = 0x401900;
    ASSERT_ELF(ELF_E_SEG_OVERLAP, elfimg_parse_free(m, 0, NULL));
    /* Starting on the next page is fine. */
    m = elfimg_exec();
    ro = elfimg_phdr(m, EXEC_PH_RODATA);
    ro->p_offset = 0x1000;
    ro->p_vaddr = 0x402000;
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, NULL));
}

/* An image of n one-page read-only segments after one text page. */
static struct elfimg
many_segments(int n)
{
    Elf64_Phdr ph[ELF_MAX_SEGMENTS + 2];

    for (int i = 0; i < n; i++) {
        ph[i] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = i == 0 ? PF_R | PF_X : PF_R,
                              .p_offset = 0x1000 * (uint64_t)(i + 1),
                              .p_vaddr = 0x400000 + 0x1000 * (uint64_t)i,
                              .p_filesz = 0x10, .p_memsz = 0x10, .p_align = 0x1000 };
    }
    return elfimg_build(ET_EXEC, 0x400000, ph, n, 0x1000 * (size_t)(n + 1));
}

TEST(elf_refuses_too_many_segments)
{
    struct elf_image im;

    ASSERT_ELF(ELF_OK, elfimg_parse_free(many_segments(ELF_MAX_SEGMENTS), 0, &im));
    ASSERT_EQ(im.nsegs, ELF_MAX_SEGMENTS);
    ASSERT_ELF(ELF_E_SEGMENTS, elfimg_parse_free(many_segments(ELF_MAX_SEGMENTS + 1), 0, NULL));
}

TEST(elf_refuses_images_without_pt_load)
{
    static const int loads[] = { EXEC_PH_HDRS, EXEC_PH_TEXT, EXEC_PH_RODATA, EXEC_PH_DATA };
    struct elfimg m = elfimg_exec();

    for (int i = 0; i < 4; i++) {
        elfimg_phdr(m, loads[i])->p_type = PT_NULL;
    }
    ASSERT_ELF(ELF_E_NO_LOAD, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    for (int i = 0; i < 4; i++) {
        elfimg_phdr(m, loads[i])->p_filesz = 0;
        elfimg_phdr(m, loads[i])->p_memsz = 0;
    }
    ASSERT_ELF(ELF_E_NO_LOAD, elfimg_parse_free(m, 0, NULL));
}

TEST(elf_refuses_entry_outside_executable_segments)
{
    /* Headers (R), one past the text, the text's page tail, data, page 0, unmapped. */
    static const uint64_t bad[] = { 0x400000, 0x401800, 0x401fff, 0x404000, 0, 0x500000 };
    static const uint64_t good[] = { 0x401000, 0x4017ff };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct elfimg m = elfimg_exec();

        elfimg_ehdr(m)->e_entry = bad[i];
        ASSERT_ELF(ELF_E_ENTRY, elfimg_parse_free(m, 0, NULL));
    }
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct elfimg m = elfimg_exec();

        elfimg_ehdr(m)->e_entry = good[i];
        ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, NULL));
    }
    /* e_entry + bias wraps. */
    struct elfimg m = elfimg_pie();

    elfimg_ehdr(m)->e_entry = UINT64_MAX - 0x100;
    ASSERT_ELF(ELF_E_ENTRY, elfimg_parse_free(m, PIE_BIAS, NULL));
}

TEST(elf_refuses_bad_pt_tls)
{
    struct elfimg m = elfimg_exec();
    Elf64_Phdr *tls = elfimg_phdr(m, EXEC_PH_TLS);

    *elfimg_phdr(m, EXEC_PH_NOTE) = *tls; /* two of them */
    ASSERT_ELF(ELF_E_TLS, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_TLS)->p_filesz = 0x81;
    ASSERT_ELF(ELF_E_TLS, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_TLS)->p_align = 24;
    ASSERT_ELF(ELF_E_TLS, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_TLS)->p_vaddr = 0x500000;
    ASSERT_ELF(ELF_E_TLS, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_TLS)->p_vaddr = 0x500000;
    elfimg_phdr(m, EXEC_PH_TLS)->p_filesz = 1;
    ASSERT_ELF(ELF_E_TLS, elfimg_parse_free(m, 0, NULL));
    /* Starts inside the data segment but runs past its memsz (it ends at 0x405200). */
    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_TLS)->p_vaddr = 0x405200 - 0x20;
    ASSERT_ELF(ELF_E_TLS, elfimg_parse_free(m, 0, NULL));
    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_TLS)->p_memsz = UINT64_MAX;
    ASSERT_ELF(ELF_E_TLS, elfimg_parse_free(m, 0, NULL));
}

TEST(elf_accepts_tls_edge_cases)
{
    struct elfimg m = elfimg_exec();
    struct elf_image im;

    /* Only .tbss: no initial image to find, so its address is not checked. */
    elfimg_phdr(m, EXEC_PH_TLS)->p_filesz = 0;
    elfimg_phdr(m, EXEC_PH_TLS)->p_vaddr = 0x900000;
    elfimg_phdr(m, EXEC_PH_TLS)->p_align = 0;
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, &im));
    ASSERT_TRUE(im.has_tls);
    ASSERT_EQ(im.tls.filesz, 0);
    ASSERT_EQ(im.tls.align, 0);
    /* The initial image may reach into the bss part, up to the segment's last byte. */
    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_TLS)->p_vaddr = 0x405200 - 0x40;
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, &im));
    ASSERT_EQ(im.tls.vaddr, 0x4051c0);
}

TEST(elf_refuses_bad_pt_phdr)
{
    /* Text (mapped, wrong bytes), unmapped, data bss (no file bytes), wraps with bias. */
    static const uint64_t bad[] = { 0x1000, 0x5000, 0x3100, UINT64_MAX - 8 };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct elfimg m = elfimg_pie();

        elfimg_phdr(m, PIE_PH_PHDR)->p_vaddr = bad[i];
        ASSERT_ELF(ELF_E_PHDR, elfimg_parse_free(m, PIE_BIAS, NULL));
    }
    struct elfimg m = elfimg_pie();

    *elfimg_phdr(m, PIE_PH_STACK) = *elfimg_phdr(m, PIE_PH_PHDR); /* two of them */
    ASSERT_ELF(ELF_E_PHDR, elfimg_parse_free(m, PIE_BIAS, NULL));
    /* The table would run past the first segment's file bytes. */
    m = elfimg_pie();
    elfimg_phdr(m, PIE_PH_HDRS)->p_filesz = 64 + 56 * PIE_PHNUM - 1;
    ASSERT_ELF(ELF_E_PHDR, elfimg_parse_free(m, PIE_BIAS, NULL));
}

TEST(elf_pt_phdr_in_an_executable)
{
    struct elfimg m = elfimg_exec();
    struct elf_image im;

    *elfimg_phdr(m, EXEC_PH_NOTE) = (Elf64_Phdr){ .p_type = PT_PHDR, .p_flags = PF_R,
                                                  .p_offset = 64, .p_vaddr = 0x400040 };
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, &im));
    ASSERT_EQ(im.phdr_vaddr, 0x400040);
}

TEST(elf_unmapped_program_headers_give_phdr_zero)
{
    struct elfimg m = elfimg_exec();
    struct elf_image im;

    /* Like Courier's user.ld: the first segment's file bytes stop before the table. */
    elfimg_phdr(m, EXEC_PH_HDRS)->p_filesz = 0x40;
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, &im));
    ASSERT_EQ(im.phdr_vaddr, 0);
    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_HDRS)->p_type = PT_NULL;
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, &im));
    ASSERT_EQ(im.phdr_vaddr, 0);
    ASSERT_EQ(im.nsegs, 3);
}

TEST(elf_reports_stack_flags)
{
    struct elfimg m = elfimg_exec();
    struct elf_image im;

    elfimg_phdr(m, EXEC_PH_STACK)->p_type = PT_NULL;
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, &im));
    ASSERT_TRUE(!im.has_gnu_stack);
    ASSERT_EQ(im.stack_prot, 0);
    /* An executable stack is reported, not refused: the caller decides. */
    m = elfimg_exec();
    elfimg_phdr(m, EXEC_PH_STACK)->p_flags = PF_R | PF_W | PF_X | 0x100000;
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, &im));
    ASSERT_TRUE(im.has_gnu_stack);
    ASSERT_EQ(im.stack_prot, ELF_PROT_R | ELF_PROT_W | ELF_PROT_X);
}

TEST(elf_reports_largest_power_of_two_alignment)
{
    struct elfimg m = elfimg_exec();
    struct elf_image im;

    elfimg_phdr(m, EXEC_PH_TEXT)->p_align = 0x200000;
    elfimg_phdr(m, EXEC_PH_DATA)->p_align = 0x300000; /* not a power of two: ignored */
    ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, &im));
    ASSERT_EQ(im.align, 0x200000);
}

TEST(elf_ignores_other_program_headers)
{
    static const uint32_t types[] = { PT_NULL, PT_NOTE, PT_SHLIB, PT_GNU_RELRO,
                                      PT_GNU_PROPERTY, PT_GNU_EH_FRAME, 0x12345678 };

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct elfimg m = elfimg_exec();

        elfimg_phdr(m, EXEC_PH_NOTE)->p_type = types[i];
        elfimg_phdr(m, EXEC_PH_NOTE)->p_offset = UINT64_MAX;
        ASSERT_ELF(ELF_OK, elfimg_parse_free(m, 0, NULL));
    }
}
