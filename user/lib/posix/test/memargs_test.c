/* SPDX-License-Identifier: MIT */
/*
 * Host tests of memargs.c: each refusal of mmap, munmap and mprotect with its exact
 * Linux errno, next to the nearest call that is accepted, and what an accepted call asks
 * the memory manager for (range rounded to pages, protection bits, replace or not).
 */
/* test-sources: user/lib/posix/memargs.c */
#include "test.h"

#include <courier/abi/types.h>
#include <courier/proto/mem.h>

#include "user/lib/posix/linux.h"
#include "user/lib/posix/memargs.h"

enum {
    PAGE = 4096,
    RW = LINUX_PROT_READ | LINUX_PROT_WRITE,
    ANON = LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS,
};

TEST(memargs_mmap_anonymous_private_anywhere)
{
    struct memargs m;

    ASSERT_ERR(0, memargs_mmap(0, 1, RW, ANON, 0, &m));
    ASSERT_EQ(m.addr, 0);
    ASSERT_EQ(m.len, PAGE);
    ASSERT_EQ(m.prot, MEM_READ | MEM_WRITE);
    ASSERT_TRUE(!m.replace);
    ASSERT_ERR(0, memargs_mmap(0, 3 * PAGE, LINUX_PROT_EXEC | LINUX_PROT_READ, ANON, 0, &m));
    ASSERT_EQ(m.len, 3 * PAGE);
    ASSERT_EQ(m.prot, MEM_READ | MEM_EXEC);
    ASSERT_ERR(0, memargs_mmap(0, PAGE, 0, ANON, 0, &m));
    ASSERT_EQ(m.prot, 0);
}

TEST(memargs_mmap_hint_is_ignored)
{
    struct memargs m;

    ASSERT_ERR(0, memargs_mmap(0x10000000, PAGE, RW, ANON, 0, &m));
    ASSERT_EQ(m.addr, 0);
    /* An unaligned hint is no error either: only a fixed address must be aligned. */
    ASSERT_ERR(0, memargs_mmap(0x10000001, PAGE, RW, ANON, 0, &m));
}

TEST(memargs_mmap_fixed_replaces_noreplace_does_not)
{
    struct memargs m;

    ASSERT_ERR(0, memargs_mmap(0x10000000, PAGE + 1, RW, ANON | LINUX_MAP_FIXED, 0, &m));
    ASSERT_EQ(m.addr, 0x10000000);
    ASSERT_EQ(m.len, 2 * PAGE);
    ASSERT_TRUE(m.replace);
    ASSERT_ERR(0, memargs_mmap(0x10000000, PAGE, RW, ANON | LINUX_MAP_FIXED_NOREPLACE, 0, &m));
    ASSERT_EQ(m.addr, 0x10000000);
    ASSERT_TRUE(!m.replace);
    ASSERT_ERR(0, memargs_mmap(0x10000000, PAGE, RW,
                               ANON | LINUX_MAP_FIXED | LINUX_MAP_FIXED_NOREPLACE, 0, &m));
    ASSERT_TRUE(!m.replace);
}

TEST(memargs_mmap_ignores_hint_flags)
{
    struct memargs m;
    /* MAP_NORESERVE, _POPULATE, _NONBLOCK, _STACK, _LOCKED, _DENYWRITE, _EXECUTABLE. */
    int hints = 0x4000 | 0x8000 | 0x10000 | 0x20000 | 0x2000 | 0x800 | 0x1000;

    ASSERT_ERR(0, memargs_mmap(0, PAGE, RW, ANON | hints, 0, &m));
}

TEST(memargs_mmap_refuses_bad_offset_and_length)
{
    struct memargs m;

    ASSERT_ERR(-LINUX_EINVAL, memargs_mmap(0, PAGE, RW, ANON, 1, &m));
    ASSERT_ERR(-LINUX_EINVAL, memargs_mmap(0, PAGE, RW, ANON, PAGE - 1, &m));
    ASSERT_ERR(0, memargs_mmap(0, PAGE, RW, ANON, PAGE, &m));
    ASSERT_ERR(-LINUX_EINVAL, memargs_mmap(0, 0, RW, ANON, 0, &m));
    ASSERT_ERR(0, memargs_mmap(0, CR_USER_MAX, RW, ANON, 0, &m));
    ASSERT_EQ(m.len, CR_USER_MAX);
    ASSERT_ERR(-LINUX_ENOMEM, memargs_mmap(0, CR_USER_MAX + 1, RW, ANON, 0, &m));
    ASSERT_ERR(-LINUX_ENOMEM, memargs_mmap(0, UINT64_MAX, RW, ANON, 0, &m));
}

TEST(memargs_mmap_refuses_what_is_not_private_anonymous)
{
    struct memargs m;

    ASSERT_ERR(-LINUX_ENODEV, memargs_mmap(0, PAGE, RW, LINUX_MAP_PRIVATE, 0, &m));
    ASSERT_ERR(-LINUX_ENODEV, memargs_mmap(0, PAGE, RW, LINUX_MAP_SHARED, 0, &m));
    ASSERT_ERR(-LINUX_EINVAL,
               memargs_mmap(0, PAGE, RW, LINUX_MAP_SHARED | LINUX_MAP_ANONYMOUS, 0, &m));
    ASSERT_ERR(-LINUX_EINVAL,
               memargs_mmap(0, PAGE, RW, LINUX_MAP_SHARED_VALIDATE | LINUX_MAP_ANONYMOUS, 0, &m));
    /* No type, or a type Linux does not know. */
    ASSERT_ERR(-LINUX_EINVAL, memargs_mmap(0, PAGE, RW, LINUX_MAP_ANONYMOUS, 0, &m));
    ASSERT_ERR(-LINUX_EINVAL, memargs_mmap(0, PAGE, RW, LINUX_MAP_ANONYMOUS | 0x0f, 0, &m));
    ASSERT_ERR(-LINUX_EINVAL, memargs_mmap(0, PAGE, RW, ANON | LINUX_MAP_32BIT, 0, &m));
    ASSERT_ERR(-LINUX_EINVAL, memargs_mmap(0, PAGE, RW, ANON | LINUX_MAP_GROWSDOWN, 0, &m));
    ASSERT_ERR(-LINUX_EINVAL, memargs_mmap(0, PAGE, RW, ANON | LINUX_MAP_HUGETLB, 0, &m));
}

TEST(memargs_mmap_refuses_unknown_prot_bits)
{
    struct memargs m;

    ASSERT_ERR(0, memargs_mmap(0, PAGE, 7, ANON, 0, &m));
    ASSERT_ERR(-LINUX_EINVAL, memargs_mmap(0, PAGE, 8, ANON, 0, &m));
    ASSERT_ERR(-LINUX_EINVAL, memargs_mmap(0, PAGE, RW | LINUX_PROT_GROWSDOWN, ANON, 0, &m));
    ASSERT_ERR(-LINUX_EINVAL, memargs_mmap(0, PAGE, (uint64_t)1 << 40, ANON, 0, &m));
}

TEST(memargs_mmap_fixed_address_bounds)
{
    struct memargs m;
    uint64_t fixed = ANON | LINUX_MAP_FIXED;

    ASSERT_ERR(-LINUX_EINVAL, memargs_mmap(0x10000001, PAGE, RW, fixed, 0, &m));
    ASSERT_ERR(-LINUX_EINVAL,
               memargs_mmap(0x10000800, PAGE, RW, ANON | LINUX_MAP_FIXED_NOREPLACE, 0, &m));
    ASSERT_ERR(-LINUX_EPERM, memargs_mmap(0, PAGE, RW, fixed, 0, &m));
    ASSERT_ERR(0, memargs_mmap(CR_USER_MIN, PAGE, RW, fixed, 0, &m));
    ASSERT_ERR(0, memargs_mmap(CR_USER_MAX - PAGE, PAGE, RW, fixed, 0, &m));
    ASSERT_ERR(-LINUX_ENOMEM, memargs_mmap(CR_USER_MAX - PAGE, PAGE + 1, RW, fixed, 0, &m));
    ASSERT_ERR(-LINUX_ENOMEM, memargs_mmap(CR_USER_MAX, PAGE, RW, fixed, 0, &m));
    ASSERT_ERR(-LINUX_ENOMEM, memargs_mmap(0xfffffffffffff000, PAGE, RW, fixed, 0, &m));
}

TEST(memargs_munmap_checks)
{
    struct memargs m;

    ASSERT_ERR(0, memargs_munmap(0x10000000, 1, &m));
    ASSERT_EQ(m.addr, 0x10000000);
    ASSERT_EQ(m.len, PAGE);
    ASSERT_ERR(-LINUX_EINVAL, memargs_munmap(0x10000001, PAGE, &m));
    ASSERT_ERR(-LINUX_EINVAL, memargs_munmap(0x10000000, 0, &m));
    ASSERT_ERR(0, memargs_munmap(CR_USER_MAX - PAGE, PAGE, &m));
    ASSERT_ERR(-LINUX_EINVAL, memargs_munmap(CR_USER_MAX - PAGE, PAGE + 1, &m));
    ASSERT_ERR(-LINUX_EINVAL, memargs_munmap(0x10000000, UINT64_MAX, &m));
    /* Page 0 may be unmapped: nothing is there, and Linux allows it too. */
    ASSERT_ERR(0, memargs_munmap(0, PAGE, &m));
}

TEST(memargs_mprotect_checks)
{
    struct memargs m;

    ASSERT_ERR(0, memargs_mprotect(0x10000000, PAGE + 1, LINUX_PROT_READ, &m));
    ASSERT_EQ(m.addr, 0x10000000);
    ASSERT_EQ(m.len, 2 * PAGE);
    ASSERT_EQ(m.prot, MEM_READ);
    ASSERT_ERR(0, memargs_mprotect(0x10000000, PAGE, 0, &m));
    ASSERT_EQ(m.prot, 0);
    ASSERT_ERR(-LINUX_EINVAL, memargs_mprotect(0x10000001, PAGE, RW, &m));
    ASSERT_ERR(-LINUX_EINVAL, memargs_mprotect(0x10000000, PAGE, 8, &m));
    ASSERT_ERR(-LINUX_EINVAL, memargs_mprotect(0x10000000, PAGE, RW | LINUX_PROT_GROWSUP, &m));
    ASSERT_ERR(-LINUX_ENOMEM, memargs_mprotect(CR_USER_MAX - PAGE, PAGE + 1, RW, &m));
    ASSERT_ERR(-LINUX_ENOMEM, memargs_mprotect(0x10000000, UINT64_MAX, RW, &m));
}

TEST(memargs_mprotect_of_nothing_succeeds_with_nothing_to_do)
{
    struct memargs m;

    ASSERT_ERR(0, memargs_mprotect(0x10000000, 0, RW, &m));
    ASSERT_EQ(m.len, 0);
    /* As Linux: with len 0 even bad protection bits succeed, but not a bad address. */
    ASSERT_ERR(0, memargs_mprotect(0x10000000, 0, 8, &m));
    ASSERT_EQ(m.len, 0);
    ASSERT_ERR(-LINUX_EINVAL, memargs_mprotect(0x10000001, 0, RW, &m));
}
