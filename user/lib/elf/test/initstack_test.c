/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the initial stack builder (user/lib/elf/initstack.c). The main check
 * builds a stack whose user addresses are the host addresses of the buffer, then reads
 * it with the very steps musl's _start_c and __init_libc take (argc at rsp, argv after
 * it, envp after argv's NULL, auxv after envp's NULL, then aux[] filled by key), so every
 * pointer the program would follow is followed for real, under ASan. Other tests place
 * the buffer at a user address and translate; check the Linux ordering of the strings
 * and the top word; 16-byte alignment for many shapes and unaligned tops; the exact
 * point where -CR_E2BIG stops (and that a refused call writes nothing); every -CR_EINVAL
 * and -CR_E2BIG; the copy of program headers the image does not map; and that the AT_*
 * keys are Linux's, checked against the host's <elf.h>.
 */
/* test-sources: user/lib/elf/initstack.c user/lib/elf/elf.c user/lib/elf/test/elfimg.c */
#include "test.h"

#include <stdlib.h>

#include "user/lib/elf/initstack.h"
#include "user/lib/elf/test/elfimg.h"

#define PIE_BIAS 0x00007f1234560000ull

enum {
    AUX_CNT = 38,      /* musl's size of aux[] in __init_libc: keys below it are kept */
    BUF_LEN = 0x4000,  /* four pages, plenty for the small argument lists here */
    HWCAP = 0x178bfbff, /* what a Linux x86_64 guest reports as CPUID.1:EDX */
};

static const char *const test_argv[] = { "prog", "-x", "hello world" };
static const char *const test_envp[] = { "HOME=/", "PATH=/bin:/usr/bin" };
static const uint8_t test_random[INITSTACK_RANDOM_SIZE] = { 1, 2, 3, 4, 5, 6, 7, 8,
                                                            9, 10, 11, 12, 13, 14, 15, 16 };

/* The arguments most tests use, for the image im. */
static struct initstack_args
std_args(const struct elf_image *im)
{
    return (struct initstack_args){
        .argv = test_argv, .argc = 3, .envp = test_envp, .envc = 2,
        .execfn = "/bin/prog", .platform = "x86_64", .random = test_random, .image = im,
        .hwcap = HWCAP, .clktck = 100, .uid = 1, .euid = 2, .gid = 3, .egid = 4, .secure = 0,
    };
}

/* Parses the canonical executable into *im (the image itself is freed). */
static bool
exec_image(struct elf_image *im)
{
    return elfimg_parse_free(elfimg_exec(), 0, im) == ELF_OK;
}

TEST(initstack_keys_are_linux_keys)
{
    ASSERT_EQ(INITSTACK_AT_NULL, AT_NULL);
    ASSERT_EQ(INITSTACK_AT_PHDR, AT_PHDR);
    ASSERT_EQ(INITSTACK_AT_PHENT, AT_PHENT);
    ASSERT_EQ(INITSTACK_AT_PHNUM, AT_PHNUM);
    ASSERT_EQ(INITSTACK_AT_PAGESZ, AT_PAGESZ);
    ASSERT_EQ(INITSTACK_AT_BASE, AT_BASE);
    ASSERT_EQ(INITSTACK_AT_FLAGS, AT_FLAGS);
    ASSERT_EQ(INITSTACK_AT_ENTRY, AT_ENTRY);
    ASSERT_EQ(INITSTACK_AT_UID, AT_UID);
    ASSERT_EQ(INITSTACK_AT_EUID, AT_EUID);
    ASSERT_EQ(INITSTACK_AT_GID, AT_GID);
    ASSERT_EQ(INITSTACK_AT_EGID, AT_EGID);
    ASSERT_EQ(INITSTACK_AT_PLATFORM, AT_PLATFORM);
    ASSERT_EQ(INITSTACK_AT_HWCAP, AT_HWCAP);
    ASSERT_EQ(INITSTACK_AT_CLKTCK, AT_CLKTCK);
    ASSERT_EQ(INITSTACK_AT_SECURE, AT_SECURE);
    ASSERT_EQ(INITSTACK_AT_RANDOM, AT_RANDOM);
    ASSERT_EQ(INITSTACK_AT_EXECFN, AT_EXECFN);
}

/* What musl's start-up code takes from the stack. */
struct musl_view {
    int argc;
    char **argv;
    char **envp;
    size_t *auxv;
    size_t aux[AUX_CNT];
};

/* crt1.c _start_c, __libc_start_main and __init_libc, reduced to their stack reads. */
static void
musl_walk(uintptr_t sp, struct musl_view *v)
{
    size_t *p = (size_t *)sp;
    size_t i;

    v->argc = (int)p[0];
    v->argv = (char **)(p + 1);
    v->envp = v->argv + v->argc + 1;
    memset(v->aux, 0, sizeof(v->aux));
    for (i = 0; v->envp[i] != NULL; i++) {
    }
    v->auxv = (size_t *)(v->envp + i + 1);
    for (i = 0; v->auxv[i] != 0; i += 2) {
        if (v->auxv[i] < AUX_CNT) {
            v->aux[v->auxv[i]] = v->auxv[i + 1];
        }
    }
}

TEST(initstack_reads_back_the_way_musl_does)
{
    static const size_t order[] = { AT_HWCAP, AT_PAGESZ, AT_CLKTCK, AT_PHDR, AT_PHENT,
                                    AT_PHNUM, AT_BASE, AT_FLAGS, AT_ENTRY, AT_UID, AT_EUID,
                                    AT_GID, AT_EGID, AT_SECURE, AT_RANDOM, AT_EXECFN,
                                    AT_PLATFORM, AT_NULL };
    unsigned char *buf = malloc(BUF_LEN);
    uint64_t top = (uintptr_t)buf + BUF_LEN;
    struct elf_image im;
    struct initstack_args a;
    struct musl_view v;
    uint64_t sp = 0;

    ASSERT_TRUE(buf != NULL && exec_image(&im));
    a = std_args(&im);
    ASSERT_ERR(0, initstack_build(&a, buf, BUF_LEN, top, &sp));
    ASSERT_EQ(sp % 16, 0);
    ASSERT_TRUE(sp >= (uintptr_t)buf && sp < top);
    musl_walk(sp, &v);

    ASSERT_EQ(v.argc, 3);
    for (int i = 0; i < 3; i++) {
        ASSERT_TRUE(strcmp(v.argv[i], test_argv[i]) == 0);
    }
    ASSERT_TRUE(v.argv[3] == NULL);
    ASSERT_TRUE(strcmp(v.envp[0], test_envp[0]) == 0);
    ASSERT_TRUE(strcmp(v.envp[1], test_envp[1]) == 0);
    ASSERT_TRUE(v.envp[2] == NULL);
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        ASSERT_EQ(v.auxv[2 * i], order[i]);
    }
    ASSERT_EQ(v.aux[AT_HWCAP], HWCAP);
    ASSERT_EQ(v.aux[AT_PAGESZ], 4096);
    ASSERT_EQ(v.aux[AT_CLKTCK], 100);
    ASSERT_EQ(v.aux[AT_PHDR], 0x400040);
    ASSERT_EQ(v.aux[AT_PHENT], 56);
    ASSERT_EQ(v.aux[AT_PHNUM], EXEC_PHNUM);
    ASSERT_EQ(v.aux[AT_BASE], 0);
    ASSERT_EQ(v.aux[AT_FLAGS], 0);
    ASSERT_EQ(v.aux[AT_ENTRY], EXEC_ENTRY);
    ASSERT_EQ(v.aux[AT_UID], 1);
    ASSERT_EQ(v.aux[AT_EUID], 2);
    ASSERT_EQ(v.aux[AT_GID], 3);
    ASSERT_EQ(v.aux[AT_EGID], 4);
    ASSERT_EQ(v.aux[AT_SECURE], 0);
    ASSERT_EQ(memcmp((void *)v.aux[AT_RANDOM], test_random, sizeof(test_random)), 0);
    ASSERT_EQ(v.aux[AT_RANDOM] % 16, 0);
    ASSERT_TRUE(strcmp((char *)v.aux[AT_EXECFN], "/bin/prog") == 0);
    ASSERT_TRUE(strcmp((char *)v.aux[AT_PLATFORM], "x86_64") == 0);
    free(buf);
}

/* Reads the stack of a buffer that stands for [top - len, top). */
struct view {
    const unsigned char *buf;
    uint64_t floor;
    uint64_t top;
};

static bool
in_view(const struct view *w, uint64_t va, uint64_t n)
{
    return va >= w->floor && va <= w->top && n <= w->top - va;
}

static uint64_t
word_at(const struct view *w, uint64_t va)
{
    uint64_t v;

    memcpy(&v, w->buf + (va - w->floor), sizeof(v));
    return v;
}

static const char *
str_at(const struct view *w, uint64_t va)
{
    return (const char *)w->buf + (va - w->floor);
}

TEST(initstack_lays_out_strings_like_linux)
{
    unsigned char *buf = malloc(BUF_LEN);
    struct view w = { buf, ELF_USER_TOP - BUF_LEN, ELF_USER_TOP };
    uint64_t ptrs[5];
    struct elf_image im;
    struct initstack_args a;
    uint64_t sp;
    uint64_t execfn = 0;
    uint64_t platform = 0;
    uint64_t random = 0;

    ASSERT_TRUE(buf != NULL && exec_image(&im));
    a = std_args(&im);
    ASSERT_ERR(0, initstack_build(&a, buf, BUF_LEN, ELF_USER_TOP, &sp));
    ASSERT_EQ(sp % 16, 0);
    ASSERT_EQ(word_at(&w, sp), 3);
    /* argv[0..2], then (after NULL) envp[0..1]: ascending, back to back, in order. */
    for (int i = 0; i < 5; i++) {
        uint64_t slot = sp + 8 + 8 * (uint64_t)(i < 3 ? i : i + 1);

        ptrs[i] = word_at(&w, slot);
        ASSERT_TRUE(in_view(&w, ptrs[i], 1));
        ASSERT_TRUE(strcmp(str_at(&w, ptrs[i]), i < 3 ? test_argv[i] : test_envp[i - 3]) == 0);
        if (i > 0) {
            ASSERT_EQ(ptrs[i], ptrs[i - 1] + strlen(str_at(&w, ptrs[i - 1])) + 1);
        }
    }
    ASSERT_EQ(word_at(&w, sp + 8 * 4), 0);
    ASSERT_EQ(word_at(&w, sp + 8 * 7), 0);
    for (uint64_t p = sp + 8 * 8; word_at(&w, p) != AT_NULL; p += 16) {
        uint64_t val = word_at(&w, p + 8);

        execfn = word_at(&w, p) == AT_EXECFN ? val : execfn;
        platform = word_at(&w, p) == AT_PLATFORM ? val : platform;
        random = word_at(&w, p) == AT_RANDOM ? val : random;
    }
    /* execfn follows the environment and ends just below the zero word at the top. */
    ASSERT_EQ(execfn, ptrs[4] + strlen(test_envp[1]) + 1);
    ASSERT_EQ(execfn + strlen("/bin/prog") + 1, ELF_USER_TOP - 8);
    ASSERT_EQ(word_at(&w, ELF_USER_TOP - 8), 0);
    /* The platform string sits right below argv[0], the random bytes below it. */
    ASSERT_EQ(platform + strlen("x86_64") + 1, ptrs[0]);
    ASSERT_TRUE(strcmp(str_at(&w, platform), "x86_64") == 0);
    ASSERT_TRUE(random + INITSTACK_RANDOM_SIZE <= platform && random % 16 == 0);
    ASSERT_EQ(memcmp(str_at(&w, random), test_random, INITSTACK_RANDOM_SIZE), 0);
    free(buf);
}

TEST(initstack_aligns_every_shape)
{
    static const char *const strs[] = { "", "a", "bb", "ccc", "dddd", "eeeee", "ffffff",
                                        "ggggggg", "hhhhhhhh", "iiiiiiiii" };
    unsigned char *buf = malloc(BUF_LEN + 16);
    struct elf_image im;

    ASSERT_TRUE(buf != NULL && exec_image(&im));
    for (size_t argc = 0; argc < 10; argc++) {
        for (size_t envc = 0; envc < 10; envc++) {
            for (uint64_t shift = 0; shift < 16; shift += 3) {
                struct initstack_args a = std_args(&im);
                uint64_t top = (uintptr_t)buf + BUF_LEN + shift;
                struct musl_view v;
                uint64_t sp;

                a.argv = strs;
                a.argc = argc;
                a.envp = strs + (10 - envc);
                a.envc = envc;
                a.execfn = (argc & 1) != 0 ? strs[argc] : NULL;
                a.platform = (envc & 1) != 0 ? "x86_64" : NULL;
                ASSERT_ERR(0, initstack_build(&a, buf + shift, BUF_LEN, top, &sp));
                ASSERT_EQ(sp % 16, 0);
                musl_walk(sp, &v);
                ASSERT_EQ(v.argc, argc);
                ASSERT_TRUE(v.argv[argc] == NULL);
                ASSERT_TRUE(envc == 0 || strcmp(v.envp[envc - 1], strs[9]) == 0);
                ASSERT_TRUE(v.envp[envc] == NULL);
                ASSERT_EQ(v.aux[AT_PAGESZ], 4096);
                ASSERT_EQ(v.aux[AT_EXECFN] != 0, a.execfn != NULL);
                ASSERT_EQ(v.aux[AT_PLATFORM] != 0, a.platform != NULL);
            }
        }
    }
    free(buf);
}

/*
 * The same stack in buffers of every smaller length below the same top: each is refused
 * with -CR_E2BIG and left untouched, and the exact length fits with the same sp.
 */
TEST(initstack_e2big_exactly_until_it_fits)
{
    unsigned char *buf = malloc(BUF_LEN);
    struct elf_image im;
    struct initstack_args a;
    uint64_t top = ELF_USER_TOP;
    uint64_t sp;
    uint64_t sp2 = 0;
    size_t need;

    ASSERT_TRUE(buf != NULL && exec_image(&im));
    a = std_args(&im);
    ASSERT_ERR(0, initstack_build(&a, buf, BUF_LEN, top, &sp));
    need = (size_t)(top - sp);
    for (size_t len = 0; len < need; len++) {
        memset(buf, 0xcc, BUF_LEN);
        ASSERT_ERR(-CR_E2BIG, initstack_build(&a, buf, len, top, &sp2));
        for (size_t i = 0; i < BUF_LEN; i++) {
            ASSERT_EQ(buf[i], 0xcc);
        }
    }
    ASSERT_ERR(0, initstack_build(&a, buf, need, top, &sp2));
    ASSERT_EQ(sp2, sp);
    /* Buffers that reach down to address 0, where a careless subtraction would wrap. */
    for (size_t len = 0; len < need + 64; len++) {
        int rc = initstack_build(&a, buf, len, len, &sp2);

        ASSERT_TRUE(rc == -CR_E2BIG || (rc == 0 && sp2 <= len && sp2 % 16 == 0));
    }
    free(buf);
}

TEST(initstack_writes_no_stale_bytes)
{
    unsigned char *one = malloc(BUF_LEN);
    unsigned char *two = malloc(BUF_LEN);
    uint64_t top = ELF_USER_TOP;
    size_t below;
    struct elf_image im;
    struct initstack_args a;
    uint64_t sp;

    ASSERT_TRUE(one != NULL && two != NULL && exec_image(&im));
    a = std_args(&im);
    /* Built over two different fillings: any byte that differs in [sp, top) is stale. */
    memset(one, 0xcc, BUF_LEN);
    memset(two, 0x33, BUF_LEN);
    ASSERT_ERR(0, initstack_build(&a, one, BUF_LEN, top, &sp));
    ASSERT_ERR(0, initstack_build(&a, two, BUF_LEN, top, &sp));
    below = (size_t)(sp - (top - BUF_LEN));
    ASSERT_EQ(memcmp(one + below, two + below, BUF_LEN - below), 0);
    /* Below sp nothing was touched. */
    ASSERT_EQ(one[below - 1], 0xcc);
    ASSERT_EQ(two[below - 1], 0x33);
    free(one);
    free(two);
}

TEST(initstack_argc_zero)
{
    unsigned char *buf = malloc(BUF_LEN);
    struct elf_image im;
    struct initstack_args a;
    struct musl_view v;
    uint64_t sp;

    ASSERT_TRUE(buf != NULL && exec_image(&im));
    a = std_args(&im);
    a.argv = NULL;
    a.argc = 0;
    a.envp = NULL;
    a.envc = 0;
    ASSERT_ERR(0, initstack_build(&a, buf, BUF_LEN, (uintptr_t)buf + BUF_LEN, &sp));
    musl_walk(sp, &v);
    ASSERT_EQ(v.argc, 0);
    ASSERT_TRUE(v.argv[0] == NULL && v.envp[0] == NULL);
    ASSERT_EQ(v.aux[AT_ENTRY], EXEC_ENTRY);
    free(buf);
}

TEST(initstack_static_pie)
{
    unsigned char *buf = malloc(BUF_LEN);
    struct elf_image im;
    struct initstack_args a;
    struct musl_view v;
    uint64_t sp;

    ASSERT_TRUE(buf != NULL);
    ASSERT_ELF(ELF_OK, elfimg_parse_free(elfimg_pie(), PIE_BIAS, &im));
    a = std_args(&im);
    ASSERT_ERR(0, initstack_build(&a, buf, BUF_LEN, (uintptr_t)buf + BUF_LEN, &sp));
    musl_walk(sp, &v);
    /* musl's _dlstart_c finds its base as AT_PHDR minus PT_PHDR's p_vaddr (64). */
    ASSERT_EQ(v.aux[AT_PHDR] - 64, PIE_BIAS);
    ASSERT_EQ(v.aux[AT_ENTRY], PIE_BIAS + PIE_ENTRY);
    ASSERT_EQ(v.aux[AT_PHNUM], PIE_PHNUM);
    ASSERT_EQ(v.aux[AT_BASE], 0);
    free(buf);
}

TEST(initstack_copies_unmapped_program_headers)
{
    struct elfimg m = elfimg_exec();
    unsigned char *buf = malloc(BUF_LEN);
    struct elf_image im;
    struct initstack_args a;
    struct musl_view v;
    uint64_t sp;

    ASSERT_TRUE(buf != NULL);
    elfimg_phdr(m, EXEC_PH_HDRS)->p_filesz = 0x40; /* the table is no longer loaded */
    ASSERT_ELF(ELF_OK, elf_parse(m.buf, m.len, 0, &im));
    ASSERT_EQ(im.phdr_vaddr, 0);
    a = std_args(&im);
    a.file = m.buf;
    ASSERT_ERR(0, initstack_build(&a, buf, BUF_LEN, (uintptr_t)buf + BUF_LEN, &sp));
    musl_walk(sp, &v);
    ASSERT_TRUE(v.aux[AT_PHDR] > sp && v.aux[AT_PHDR] % 8 == 0);
    ASSERT_EQ(memcmp((void *)v.aux[AT_PHDR], m.buf + 64, EXEC_PHNUM * sizeof(Elf64_Phdr)), 0);
    /* musl's static_init_tls walks the table to find PT_TLS: do the same. */
    const Elf64_Phdr *ph = (const Elf64_Phdr *)v.aux[AT_PHDR];
    int tls = -1;

    for (size_t i = 0; i < v.aux[AT_PHNUM]; i++) {
        tls = ph[i].p_type == PT_TLS ? (int)i : tls;
    }
    ASSERT_EQ(tls, EXEC_PH_TLS);
    /* Without the file bytes, AT_PHDR is 0 as on Linux. */
    uint64_t with_copy = sp;

    a.file = NULL;
    ASSERT_ERR(0, initstack_build(&a, buf, BUF_LEN, (uintptr_t)buf + BUF_LEN, &sp));
    musl_walk(sp, &v);
    ASSERT_EQ(v.aux[AT_PHDR], 0);
    ASSERT_TRUE(sp > with_copy);
    free(buf);
    free(m.buf);
    /* A table the image maps is never copied, file or not. */
    struct elfimg m2 = elfimg_exec();
    uint64_t sp_file;

    buf = malloc(BUF_LEN);
    ASSERT_TRUE(buf != NULL);
    ASSERT_ELF(ELF_OK, elf_parse(m2.buf, m2.len, 0, &im));
    a = std_args(&im);
    ASSERT_ERR(0, initstack_build(&a, buf, BUF_LEN, ELF_USER_TOP, &sp));
    a.file = m2.buf;
    ASSERT_ERR(0, initstack_build(&a, buf, BUF_LEN, ELF_USER_TOP, &sp_file));
    ASSERT_EQ(sp_file, sp);
    free(buf);
    free(m2.buf);
}

TEST(initstack_refuses_bad_arguments)
{
    static const char *const with_null[] = { "a", NULL };
    unsigned char buf[256];
    struct elf_image im;
    struct initstack_args a;
    uint64_t top = ELF_USER_TOP;
    uint64_t sp;

    ASSERT_TRUE(exec_image(&im));
    a = std_args(&im);
    a.image = NULL;
    ASSERT_ERR(-CR_EINVAL, initstack_build(&a, buf, sizeof(buf), top, &sp));
    a = std_args(&im);
    a.random = NULL;
    ASSERT_ERR(-CR_EINVAL, initstack_build(&a, buf, sizeof(buf), top, &sp));
    a = std_args(&im);
    a.argv = NULL;
    ASSERT_ERR(-CR_EINVAL, initstack_build(&a, buf, sizeof(buf), top, &sp));
    a = std_args(&im);
    a.envp = NULL;
    ASSERT_ERR(-CR_EINVAL, initstack_build(&a, buf, sizeof(buf), top, &sp));
    a = std_args(&im);
    a.argv = with_null;
    a.argc = 2;
    ASSERT_ERR(-CR_EINVAL, initstack_build(&a, buf, sizeof(buf), top, &sp));
    a = std_args(&im);
    a.envp = with_null;
    a.envc = 2;
    ASSERT_ERR(-CR_EINVAL, initstack_build(&a, buf, sizeof(buf), top, &sp));
    a = std_args(&im);
    ASSERT_ERR(-CR_EINVAL, initstack_build(&a, NULL, sizeof(buf), top, &sp));
    ASSERT_ERR(-CR_EINVAL, initstack_build(&a, buf, sizeof(buf), sizeof(buf) - 1, &sp));
    /* Too small, but well formed. */
    ASSERT_ERR(-CR_E2BIG, initstack_build(&a, NULL, 0, top, &sp));
    ASSERT_ERR(-CR_E2BIG, initstack_build(&a, buf, sizeof(buf), top, &sp));
    /* A buffer that reaches down to address 0 must not wrap below it. */
    ASSERT_ERR(-CR_E2BIG, initstack_build(&a, buf, sizeof(buf), sizeof(buf), &sp));
}

TEST(initstack_refuses_too_many_strings)
{
    const char **many = malloc((INITSTACK_MAX_STRINGS + 1) * sizeof(*many));
    size_t len = 1 << 20;
    unsigned char *buf = malloc(len);
    struct elf_image im;
    struct initstack_args a;
    struct musl_view v;
    uint64_t sp;

    ASSERT_TRUE(many != NULL && buf != NULL && exec_image(&im));
    for (int i = 0; i <= INITSTACK_MAX_STRINGS; i++) {
        many[i] = "x";
    }
    a = std_args(&im);
    a.argv = many;
    a.argc = INITSTACK_MAX_STRINGS + 1;
    a.envc = 0;
    ASSERT_ERR(-CR_E2BIG, initstack_build(&a, buf, len, (uintptr_t)buf + len, &sp));
    /* The bound counts argv and envp together. */
    a.argc = INITSTACK_MAX_STRINGS / 2;
    a.envp = many;
    a.envc = INITSTACK_MAX_STRINGS / 2 + 1;
    ASSERT_ERR(-CR_E2BIG, initstack_build(&a, buf, len, (uintptr_t)buf + len, &sp));
    a.envc = INITSTACK_MAX_STRINGS / 2;
    ASSERT_ERR(0, initstack_build(&a, buf, len, (uintptr_t)buf + len, &sp));
    musl_walk(sp, &v);
    ASSERT_EQ(v.argc, INITSTACK_MAX_STRINGS / 2);
    ASSERT_TRUE(strcmp(v.envp[INITSTACK_MAX_STRINGS / 2 - 1], "x") == 0);
    free(many);
    free(buf);
}

TEST(initstack_refuses_too_long_strings)
{
    size_t len = 1 << 20;
    unsigned char *buf = malloc(len);
    char *s = malloc(INITSTACK_MAX_STRLEN + 1);
    const char *one[1];
    struct elf_image im;
    struct initstack_args a;
    uint64_t top = (uintptr_t)buf + len;
    uint64_t sp;

    ASSERT_TRUE(buf != NULL && s != NULL && exec_image(&im));
    memset(s, 'y', INITSTACK_MAX_STRLEN);
    s[INITSTACK_MAX_STRLEN] = '\0';
    one[0] = s;
    /* INITSTACK_MAX_STRLEN characters need one byte more than the bound. */
    a = std_args(&im);
    a.argv = one;
    a.argc = 1;
    ASSERT_ERR(-CR_E2BIG, initstack_build(&a, buf, len, top, &sp));
    a = std_args(&im);
    a.envp = one;
    a.envc = 1;
    ASSERT_ERR(-CR_E2BIG, initstack_build(&a, buf, len, top, &sp));
    a = std_args(&im);
    a.execfn = s;
    ASSERT_ERR(-CR_E2BIG, initstack_build(&a, buf, len, top, &sp));
    a = std_args(&im);
    a.platform = s;
    ASSERT_ERR(-CR_E2BIG, initstack_build(&a, buf, len, top, &sp));
    /* One character less fits. */
    s[INITSTACK_MAX_STRLEN - 1] = '\0';
    a = std_args(&im);
    a.argv = one;
    a.argc = 1;
    ASSERT_ERR(0, initstack_build(&a, buf, len, top, &sp));
    ASSERT_EQ(strlen(*(char **)(uintptr_t)(sp + 8)), INITSTACK_MAX_STRLEN - 1);
    free(s);
    free(buf);
}
