/* SPDX-License-Identifier: MIT */
/*
 * First system tests: what the kernel provides before any object is created. The bootinfo
 * page must describe a sane root CNode, the well-known slots must hold the objects caps.h
 * names, every untyped cap must match its bootinfo entry, and the system-call path must
 * return 0 for the null call, -ENOSYS for a native number past the table, -ENOCAP for an
 * empty slot and -EFAULT for a result pointer the caller may not write, while preserving
 * every register the ABI says it preserves. Foreign calls (rax >= 0) go to the upcall or
 * fault path and are tested where those exist, not here.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "regcheck.h"
#include "root.h"
#include "slot.h"
#include "testlib.h"

/* A native call number far past the end of syscalls.def. */
#define BOOT_UNKNOWN_SYSCALL 1000

static int64_t
identify(cr_cptr_t cap, struct cr_cap_info *info)
{
    memset(info, 0xa5, sizeof(*info));
    return cr_cap_identify(cap, CR_UPTR(info));
}

TEST(boot_bootinfo_valid)
{
    const struct cr_bootinfo *bi = root_bootinfo();
    EXPECT_EQ(bi->magic, CR_BOOTINFO_MAGIC);
    EXPECT_EQ(bi->version, CR_BOOTINFO_VERSION);
    EXPECT_TRUE(bi->root_cnode_radix >= CR_CNODE_MIN_RADIX);
    EXPECT_TRUE(bi->root_cnode_radix <= CR_CNODE_MAX_RADIX);
    uint64_t slots = 1ull << (bi->root_cnode_radix & 63);
    EXPECT_TRUE(bi->first_free_slot >= CR_CAP_FIRST_FREE_FIXED);
    EXPECT_TRUE(bi->first_free_slot < slots);
    EXPECT_TRUE(bi->untyped_count > 0);
    EXPECT_TRUE(bi->untyped_count <= CR_BOOTINFO_MAX_UNTYPED);
    /* The untyped and boot-image slot ranges lie between the fixed slots and the free ones. */
    EXPECT_TRUE(bi->untyped_first >= CR_CAP_FIRST_FREE_FIXED);
    EXPECT_TRUE(bi->untyped_first + bi->untyped_count <= bi->first_free_slot);
    EXPECT_TRUE(bi->bootimg_frame_first >= CR_CAP_FIRST_FREE_FIXED);
    EXPECT_TRUE(bi->bootimg_frame_first + bi->bootimg_frame_count <= bi->first_free_slot);
    EXPECT_TRUE(bi->bootimg_frame_count * CR_PAGE_SIZE >= bi->bootimg_size);
}

/*
 * The interrupt description the kernel read from QEMU's ACPI MADT (-machine pc, -smp 1):
 * one IOAPIC of 24 pins at GSI base 0, one CPU, ISA IRQ 0 overridden to GSI 2 and the
 * rest identity. The same holds for the GRUB boot, which passes the RSDP in a tag.
 */
TEST(boot_irq_description_from_madt)
{
    const struct cr_bootinfo *bi = root_bootinfo();
    EXPECT_EQ(bi->irq_source, CR_IRQ_SOURCE_ACPI);
    EXPECT_EQ(bi->cpu_count, 1);
    EXPECT_EQ(bi->irq_lines, 24);
    EXPECT_EQ(bi->reserved0, 0);
    EXPECT_EQ(bi->isa_irq_line[0], 2);
    for (unsigned i = 1; i < CR_BOOTINFO_ISA_IRQS; i++) {
        EXPECT_EQ(bi->isa_irq_line[i], i);
    }
}

TEST(boot_cmdline_terminated)
{
    const struct cr_bootinfo *bi = root_bootinfo();
    size_t len = strnlen(bi->cmdline, sizeof(bi->cmdline));
    EXPECT_TRUE(len < sizeof(bi->cmdline));
    EXPECT_EQ(bi->cmdline_len, len);
}

TEST(null_call_returns_zero)
{
    EXPECT_EQ(cr_null(), 0);
}

TEST(yield_alone_returns_zero)
{
    EXPECT_EQ(cr_yield(), 0);
}

TEST(unknown_syscall_is_enosys)
{
    EXPECT_ERR(-CR_ENOSYS, cr_syscall6(BOOT_UNKNOWN_SYSCALL, 1, 2, 3, 4, 5, 6));
    EXPECT_ERR(-CR_ENOSYS, cr_syscall0(BOOT_UNKNOWN_SYSCALL));
    /* The most negative rax: its negation overflows, a classic table-index bug. */
    EXPECT_ERR(-CR_ENOSYS, cr_syscall_raw(INT64_MIN, 0, 0, 0, 0, 0, 0));
}

TEST(syscall_preserves_registers)
{
    EXPECT_EQ(regcheck_syscall(-(int64_t)CR_SYS_null), 0);
    EXPECT_EQ(regcheck_syscall(-(int64_t)BOOT_UNKNOWN_SYSCALL), 0);
}

TEST(identify_root_caps)
{
    static const struct {
        cr_cptr_t slot;
        uint32_t type;
    } want[] = {
        { CR_CAP_ROOT_CNODE, CR_OBJ_CNODE },
        { CR_CAP_ROOT_VSPACE, CR_OBJ_VSPACE },
        { CR_CAP_ROOT_TCB, CR_OBJ_TCB },
        { CR_CAP_IRQ_CONTROL, CR_OBJ_IRQ_CONTROL },
        { CR_CAP_IOPORT, CR_OBJ_IOPORT },
        { CR_CAP_BOOTINFO_FRAME, CR_OBJ_FRAME },
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        struct cr_cap_info info;
        if (EXPECT_OK(identify(want[i].slot, &info))) {
            EXPECT_EQ(info.type, want[i].type);
        }
    }
}

TEST(identify_empty_slot)
{
    cr_cptr_t slot = root_slot_alloc();
    if (!EXPECT_TRUE(slot != 0)) {
        return;
    }
    struct cr_cap_info info;
    EXPECT_ERR(-CR_ENOCAP, identify(slot, &info));
    EXPECT_ERR(-CR_ENOCAP, identify(CR_CAP_NULL, &info));
}

TEST(identify_bad_pointer_faults)
{
    static const uint64_t bad[] = {
        0xffff800000000000ull, /* kernel half */
        0,                     /* null page */
        0x0000800000000000ull, /* first non-canonical address */
        CR_USER_MAX - 8,       /* straddles the end of user space */
        0xffffffffffffffe0ull, /* wraps around with the struct's length */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        EXPECT_ERR(-CR_EFAULT, cr_cap_identify(CR_CAP_ROOT_CNODE, bad[i]));
    }
}

TEST(identify_readonly_pointer_faults)
{
    /* Mapped but not writable: the bootinfo page and the program's own text. */
    EXPECT_ERR(-CR_EFAULT, cr_cap_identify(CR_CAP_ROOT_CNODE, CR_BOOTINFO_VADDR));
    EXPECT_ERR(-CR_EFAULT, cr_cap_identify(CR_CAP_ROOT_CNODE, CR_UPTR(regcheck_syscall)));
    EXPECT_EQ(root_bootinfo()->magic, CR_BOOTINFO_MAGIC);
}

TEST(untyped_caps_are_untyped)
{
    const struct cr_bootinfo *bi = root_bootinfo();
    uint64_t n = bi->untyped_count;
    if (!EXPECT_TRUE(n <= CR_BOOTINFO_MAX_UNTYPED)) {
        return;
    }
    for (uint64_t i = 0; i < n; i++) {
        const struct cr_untyped_desc *u = &bi->untyped[i];
        struct cr_cap_info info;
        if (!EXPECT_OK(identify(bi->untyped_first + i, &info))) {
            continue;
        }
        EXPECT_EQ(info.type, CR_OBJ_UNTYPED);
        EXPECT_EQ(info.size_bits, u->size_bits);
        EXPECT_EQ(info.paddr, u->paddr);
        EXPECT_EQ((info.flags & CR_CAPINFO_DEVICE) != 0, u->is_device != 0);
        EXPECT_TRUE(u->size_bits >= CR_UNTYPED_MIN_BITS);
        EXPECT_TRUE(u->size_bits <= CR_UNTYPED_MAX_BITS);
    }
}

TEST(bootimg_caps_are_frames)
{
    const struct cr_bootinfo *bi = root_bootinfo();
    for (uint64_t i = 0; i < bi->bootimg_frame_count && i < (1u << CR_CNODE_MAX_RADIX); i++) {
        struct cr_cap_info info;
        if (EXPECT_OK(identify(bi->bootimg_frame_first + i, &info))) {
            EXPECT_EQ(info.type, CR_OBJ_FRAME);
            EXPECT_EQ(CR_RIGHT_READ | CR_RIGHT_EXEC, info.rights); /* never writable */
        }
    }
}

/*
 * klog_release refuses anything but an I/O-port capability covering all of the kernel
 * console's UART (COM1, 0x3f8..0x3ff); a refused call leaves the kernel printing, so
 * debug_putc still works. The call that succeeds is the console server's (test_console.c
 * checks its effect). This runs before the console starts (the tests run in file order),
 * while a range covering half of COM1 can still be issued.
 */
TEST(klog_release_rules)
{
    struct tl t;
    if (!tl_begin(&t)) {
        return;
    }
    cr_cptr_t part = tl_slot(&t);
    cr_cptr_t other = tl_slot(&t);
    cr_cptr_t n = tl_new(&t, CR_OBJ_NOTIFICATION, 0);
    bool released = cr_debug_putc('\r') == -CR_EBUSY; /* the console server runs already */
    EXPECT_ERR(-CR_ENOCAP, cr_klog_release(tl_slot(&t)));
    EXPECT_ERR(-CR_EWRONGTYPE, cr_klog_release(n));
    /* COM2, and the first half of COM1: neither covers the whole device. */
    if (EXPECT_OK(cr_ioport_issue(CR_CAP_IOPORT, 0x2f8, 0x2ff, CR_CAP_ROOT_CNODE, other))) {
        EXPECT_ERR(-CR_EPERM, cr_klog_release(other));
    }
    if (!released &&
        EXPECT_OK(cr_ioport_issue(CR_CAP_IOPORT, 0x3f8, 0x3fb, CR_CAP_ROOT_CNODE, part))) {
        EXPECT_ERR(-CR_EPERM, cr_klog_release(part));
    }
    EXPECT_EQ(released ? -CR_EBUSY : 0, cr_debug_putc('\r'));
    tl_end(&t);
}
