/* SPDX-License-Identifier: MIT */
/*
 * Native system-call stubs for user code, generated from the kernel ABI's syscalls.def with
 * an X-macro: for every CR_SYSCALL(name, number, argc) there is a
 * `static inline int64_t cr_<name>(uint64_t a0, ..., uint64_t a<argc-1>)` that traps with
 * rax = -number and returns rax (0 or a count on success, -errno from errors.def on
 * failure). There is no hand-written list of calls anywhere in user space: adding a line to
 * syscalls.def adds its stub here. The register convention is the one written down in
 * abi/arch/x86_64/regs.h: arguments in rdi, rsi, rdx, r10, r8, r9; rcx and r11 clobbered by
 * the syscall instruction; every other register preserved by the kernel.
 *
 * Pointer arguments are passed as numbers (the ABI carries addresses as cr_uaddr_t); wrap
 * them in CR_UPTR(p). Besides the stubs this header offers cr_syscall0..cr_syscall6 (any
 * native call by number, for tests that probe numbers outside the table), cr_syscall_raw
 * (any value in rax) and cr_foreign_syscall (a Linux-numbered call, rax >= 0, which the
 * kernel redirects to the thread's upcall or fault channel). Header only; nothing to link.
 */
#pragma once

#include <stdint.h>

#include <courier/abi/arch/x86_64/regs.h>
#include <courier/abi/msg.h>
#include <courier/abi/types.h>

/* A pointer as the uint64_t user address the stubs take. */
#define CR_UPTR(p) ((uint64_t)(uintptr_t)(p))

/*
 * The raw trap: rax = `rax`, all six argument registers loaded. Returns rax after the
 * call. Native calls pass -number; foreign (Linux) calls pass their number, >= 0.
 */
static inline int64_t
cr_syscall_raw(int64_t rax, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
               uint64_t a5)
{
    register uint64_t r10 __asm__("r10") = a3;
    register uint64_t r8 __asm__("r8") = a4;
    register uint64_t r9 __asm__("r9") = a5;
    __asm__ volatile("syscall"
                     : "+a"(rax)
                     : "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return rax;
}

/*
 * cr_syscallN(num, ...): native call number `num` (>= 1; rax = -num) with N arguments.
 * Only the argument registers a call uses are loaded, so the generated stubs cost no more
 * than a hand-written trap.
 */
static inline int64_t
cr_syscall0(uint64_t num)
{
    int64_t rax = -(int64_t)num;
    __asm__ volatile("syscall" : "+a"(rax) : : "rcx", "r11", "memory");
    return rax;
}

static inline int64_t
cr_syscall1(uint64_t num, uint64_t a0)
{
    int64_t rax = -(int64_t)num;
    __asm__ volatile("syscall" : "+a"(rax) : "D"(a0) : "rcx", "r11", "memory");
    return rax;
}

static inline int64_t
cr_syscall2(uint64_t num, uint64_t a0, uint64_t a1)
{
    int64_t rax = -(int64_t)num;
    __asm__ volatile("syscall" : "+a"(rax) : "D"(a0), "S"(a1) : "rcx", "r11", "memory");
    return rax;
}

static inline int64_t
cr_syscall3(uint64_t num, uint64_t a0, uint64_t a1, uint64_t a2)
{
    int64_t rax = -(int64_t)num;
    __asm__ volatile("syscall"
                     : "+a"(rax)
                     : "D"(a0), "S"(a1), "d"(a2)
                     : "rcx", "r11", "memory");
    return rax;
}

static inline int64_t
cr_syscall4(uint64_t num, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t r10 __asm__("r10") = a3;
    int64_t rax = -(int64_t)num;
    __asm__ volatile("syscall"
                     : "+a"(rax)
                     : "D"(a0), "S"(a1), "d"(a2), "r"(r10)
                     : "rcx", "r11", "memory");
    return rax;
}

static inline int64_t
cr_syscall5(uint64_t num, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    register uint64_t r10 __asm__("r10") = a3;
    register uint64_t r8 __asm__("r8") = a4;
    int64_t rax = -(int64_t)num;
    __asm__ volatile("syscall"
                     : "+a"(rax)
                     : "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return rax;
}

static inline int64_t
cr_syscall6(uint64_t num, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
            uint64_t a5)
{
    return cr_syscall_raw(-(int64_t)num, a0, a1, a2, a3, a4, a5);
}

/* A foreign (Linux-numbered) call: rax = nr, which must be >= 0. For tests of the redirect. */
static inline int64_t
cr_foreign_syscall(int64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                   uint64_t a5)
{
    return cr_syscall_raw(nr, a0, a1, a2, a3, a4, a5);
}

/* The native call numbers as constants, CR_SYS_<name> (lower-case name: it is generated). */
enum cr_sysno {
#define CR_SYSCALL(name, num, argc) CR_SYS_##name = (num),
#include <courier/abi/syscalls.def>
#undef CR_SYSCALL
};

/* Every call must fit the register convention and use a native number (>= 1). */
#define CR_SYSCALL(name, num, argc)                                                            \
    _Static_assert((num) >= 1 && (argc) >= 0 && (argc) <= CR_SYSCALL_ARGS_MAX,                 \
                   "syscalls.def: bad number or argument count for " #name);
#include <courier/abi/syscalls.def>
#undef CR_SYSCALL

/* One stub shape per argument count; CR_SYSCALL picks the shape by pasting argc. */
#define CR_STUB_0(name, num)                                                                   \
    static inline int64_t cr_##name(void)                                                      \
    {                                                                                          \
        return cr_syscall0((num));                                                             \
    }
#define CR_STUB_1(name, num)                                                                   \
    static inline int64_t cr_##name(uint64_t a0)                                               \
    {                                                                                          \
        return cr_syscall1((num), a0);                                                         \
    }
#define CR_STUB_2(name, num)                                                                   \
    static inline int64_t cr_##name(uint64_t a0, uint64_t a1)                                 \
    {                                                                                          \
        return cr_syscall2((num), a0, a1);                                                     \
    }
#define CR_STUB_3(name, num)                                                                   \
    static inline int64_t cr_##name(uint64_t a0, uint64_t a1, uint64_t a2)                     \
    {                                                                                          \
        return cr_syscall3((num), a0, a1, a2);                                                 \
    }
#define CR_STUB_4(name, num)                                                                   \
    static inline int64_t cr_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)        \
    {                                                                                          \
        return cr_syscall4((num), a0, a1, a2, a3);                                             \
    }
#define CR_STUB_5(name, num)                                                                   \
    static inline int64_t cr_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,        \
                                    uint64_t a4)                                               \
    {                                                                                          \
        return cr_syscall5((num), a0, a1, a2, a3, a4);                                         \
    }
#define CR_STUB_6(name, num)                                                                   \
    static inline int64_t cr_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,        \
                                    uint64_t a4, uint64_t a5)                                  \
    {                                                                                          \
        return cr_syscall6((num), a0, a1, a2, a3, a4, a5);                                     \
    }

#define CR_SYSCALL(name, num, argc) CR_STUB_##argc(name, num)
#include <courier/abi/syscalls.def>
#undef CR_SYSCALL

/* Stubs only: nothing below the generated list uses the shapes again. */
#undef CR_STUB_0
#undef CR_STUB_1
#undef CR_STUB_2
#undef CR_STUB_3
#undef CR_STUB_4
#undef CR_STUB_5
#undef CR_STUB_6

/*
 * Register messages (docs/ipc.md, abi/arch/x86_64/regs.h): the message travels in the
 * message registers MR0..MR3 (r15, r14, r13, r12), so the generated stubs of
 * msg_send_regs and msg_reply_recv_regs, which load only argument registers, are not
 * what to call: these are.
 *
 * cr_msg_send_mr: sends the first send_len bytes of mr (<= CR_MSG_REG_BYTES) and takes up
 * to reply_len bytes of reply back into mr. Returns what msg_sendv returns.
 */
static inline int64_t
cr_msg_send_mr(uint64_t conn, uint64_t mr[4], uint64_t send_len, uint64_t reply_len)
{
    register uint64_t r15 __asm__("r15") = mr[0];
    register uint64_t r14 __asm__("r14") = mr[1];
    register uint64_t r13 __asm__("r13") = mr[2];
    register uint64_t r12 __asm__("r12") = mr[3];
    int64_t rax = -(int64_t)CR_SYS_msg_send_regs;
    __asm__ volatile("syscall"
                     : "+a"(rax), "+r"(r15), "+r"(r14), "+r"(r13), "+r"(r12)
                     : "D"(conn), "S"(send_len), "d"(reply_len)
                     : "rcx", "r11", "memory");
    mr[0] = r15;
    mr[1] = r14;
    mr[2] = r13;
    mr[3] = r12;
    return rax;
}

/*
 * cr_msg_reply_recv_mr: replies to rcvid (0: no reply) with status and the first
 * reply_len bytes of mr, then receives the next message (or pulse) into mr. Returns the
 * rcvid, 0 for a pulse, or -errno; on success *info describes what was received.
 */
static inline int64_t
cr_msg_reply_recv_mr(uint64_t chan, uint64_t rcvid, uint64_t status, uint64_t reply_len,
                     uint64_t mr[4], struct cr_msg_info *info)
{
    register uint64_t r10 __asm__("r10") = reply_len;
    register uint64_t r8 __asm__("r8") = 0;
    register uint64_t r15 __asm__("r15") = mr[0];
    register uint64_t r14 __asm__("r14") = mr[1];
    register uint64_t r13 __asm__("r13") = mr[2];
    register uint64_t r12 __asm__("r12") = mr[3];
    int64_t rax = -(int64_t)CR_SYS_msg_reply_recv_regs;
    uint64_t rdi = chan;
    uint64_t rsi = rcvid;
    uint64_t rdx = status;
    __asm__ volatile("syscall"
                     : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8),
                       "+r"(r15), "+r"(r14), "+r"(r13), "+r"(r12)
                     :
                     : "rcx", "r11", "memory");
    mr[0] = r15;
    mr[1] = r14;
    mr[2] = r13;
    mr[3] = r12;
    if (rax >= 0) {
        *info = (struct cr_msg_info){ .rcvid = (uint64_t)rax, .badge = rdi, .send_len = rsi,
                                      .reply_len = rdx, .copied = r10, .caps = r8 };
    }
    return rax;
}
