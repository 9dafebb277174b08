/* SPDX-License-Identifier: MIT */
/*
 * ptest's memory modes (ptest.c has the list): anonymous memory and the heap read as
 * zero; the quota; a copy-on-write fork, also of more pages than one process's share of
 * the copy-on-write table and with the parent ending first; a write by a process sharing
 * the space to one of its copy-on-write pages; shared memory objects.
 */
#include "ptest.h"

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/proto/io.h>
#include <courier/proto/mem.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

static bool
all_zero_then_fill(volatile uint8_t *p, uint64_t len, uint8_t v)
{
    for (uint64_t i = 0; i < len; i++) {
        if (p[i] != 0) {
            return false;
        }
        p[i] = (uint8_t)(v + i);
    }
    for (uint64_t i = 0; i < len; i++) {
        if (p[i] != (uint8_t)(v + i)) {
            return false;
        }
    }
    return true;
}

int
zero(void)
{
    int64_t a = mem(MEM_MAP_ANON, 0, 0, 65536, MEM_READ | MEM_WRITE);
    if (a <= 0 || !all_zero_then_fill((volatile uint8_t *)(uintptr_t)a, 65536, 7)) {
        return 1;
    }
    int64_t b0 = mem(MEM_BRK, 0, 0, 0, 0);
    int64_t b1 = mem(MEM_BRK, 0, (uint64_t)b0 + 3 * 4096 + 100, 0, 0);
    if (b0 <= 0 || b1 != b0 + 3 * 4096 + 100 ||
        !all_zero_then_fill((volatile uint8_t *)(uintptr_t)b0, 3 * 4096 + 100, 9)) {
        return 2;
    }
    if (mem(MEM_UNMAP, 0, (uint64_t)a, 65536, 0) != 0 ||
        mem(MEM_MAP_ANON, 0, (uint64_t)a, 4096, MEM_READ | MEM_WRITE) != a ||
        !all_zero_then_fill((volatile uint8_t *)(uintptr_t)a, 4096, 1)) {
        return 3; /* an unmapped page comes back zeroed */
    }
    /* PROT_NONE keeps the contents; reading again after it is allowed sees them. */
    ((volatile uint8_t *)(uintptr_t)a)[5] = 0x5a;
    if (mem(MEM_PROTECT, 0, (uint64_t)a, 4096, 0) != 0 ||
        mem(MEM_PROTECT, 0, (uint64_t)a, 4096, MEM_READ) != 0 ||
        ((volatile uint8_t *)(uintptr_t)a)[5] != 0x5a) {
        return 5;
    }
    if (mem(MEM_MAP_ANON, 0, 0, 4096, MEM_WRITE | MEM_EXEC) != -CR_EINVAL ||
        mem(MEM_MAP_ANON, 0, (uint64_t)a, 4096, MEM_READ) != -CR_EEXIST ||
        mem(MEM_PROTECT, 0, 0x500000000000ull, 4096, MEM_READ) != -CR_ENOENT ||
        mem(0x2ff, 0, 0, 0, 0) != -CR_ENOSYS) {
        return 4;
    }
    return 0;
}


int
quota(void)
{
    /* 64 MiB at once, populated now: beyond the quota, refused whole. */
    if (mem(MEM_MAP_ANON, MEM_F_POPULATE, 0, 64ull << 20, MEM_READ | MEM_WRITE) != -CR_ENOMEM) {
        return 1;
    }
    int64_t a = mem(MEM_MAP_ANON, MEM_F_POPULATE, 0, 65536, MEM_READ | MEM_WRITE);
    return a > 0 && all_zero_then_fill((volatile uint8_t *)(uintptr_t)a, 65536, 3) ? 0 : 2;
}


static uint8_t *fork_mem;
static uint8_t fork_data[3 * 4096] = { 1 }; /* in .data: an image page, copied too */
static uint64_t fork_pages = FORK_PAGES;

static uint8_t
pat(char who, uint64_t i)
{
    return (uint8_t)(who + i * 7 + i / 4096);
}

/* Every byte of pages [from, to) of fork_mem is the pattern of who. */
static bool
pages_are(uint64_t from, uint64_t to, char who)
{
    for (uint64_t i = from * 4096; i < to * 4096; i++) {
        if (fork_mem[i] != pat(who, i)) {
            return false;
        }
    }
    return true;
}

static void
pages_fill(uint64_t from, uint64_t to, char who)
{
    for (uint64_t i = from * 4096; i < to * 4096; i++) {
        fork_mem[i] = pat(who, i);
    }
}

static volatile int fork_orphan;

/* The child's first thread: its memory is the parent's at the copy, whatever the parent
 * writes afterwards; its own writes stay its own. */
static _Noreturn void
fork_child(void)
{
    if (fork_orphan) {
        struct proc_getpid_rep r = { 0, 0 };
        /* Bounded wait for the parent's end (the root adopts us then). */
        for (int i = 0; i < 100000 && r.ppid != 1; i++) {
            proc(PROC_GETPID, 0, 0, 0, 0, &r, sizeof(r));
            cr_yield();
        }
        if (r.ppid != 1) {
            quit(9);
        }
    }
    if (!pages_are(0, fork_pages, 'P') || fork_data[5] != 'd') {
        quit(10);
    }
    pages_fill(fork_pages / 2, fork_pages, 'C');
    fork_data[5] = 'c';
    quit(pages_are(0, fork_pages / 2, 'P') && pages_are(fork_pages / 2, fork_pages, 'C') &&
                 fork_data[5] == 'c'
             ? 0
             : 11);
}

int
fork_test(bool orphan, uint64_t pages)
{
    fork_pages = pages != 0 ? pages : FORK_PAGES;
    int64_t a = mem(MEM_MAP_ANON, 0, 0, fork_pages * 4096, MEM_READ | MEM_WRITE);
    int64_t stack = mem(MEM_MAP_ANON, 0, 0, 16384, MEM_READ | MEM_WRITE);
    struct proc_getpid_rep me;
    if (a <= 0 || stack <= 0 || proc(PROC_GETPID, 0, 0, 0, 0, &me, sizeof(me)) <= 0) {
        return 20;
    }
    fork_mem = (uint8_t *)(uintptr_t)a;
    fork_orphan = orphan;
    pages_fill(0, fork_pages, 'P');
    fork_data[5] = 'd';
    int64_t c = proc(PROC_CREATE, 0, 0, 0, 0, NULL, 0);
    if (c <= 0 || proc(PROC_AS_COPY, 0, c, me.pid, 0, NULL, 0) != 0 ||
        proc(PROC_AS_COPY, 0, c, me.pid, 0, NULL, 0) != -CR_EEXIST ||
        proc(PROC_FDS_COPY, 0, c, me.pid, 0, NULL, 0) != 0 ||
        proc(PROC_THREAD_NEW, 0, c, (int64_t)(uintptr_t)fork_child, stack + 16384 - 8, NULL,
             0) <= 0) {
        return 21;
    }
    if (orphan) {
        return 0; /* the child outlives us: the root collects it */
    }
    pages_fill(0, fork_pages / 2, 'Q'); /* our writes: not the child's */
    fork_data[5] = 'q';
    struct proc_wait_rep w = { 0, -1 };
    if (proc(PROC_WAIT, 0, c, 0, 0, &w, sizeof(w)) != c || w.status != 0) {
        return 22 + (int)(w.status == 10) + 2 * (int)(w.status == 11);
    }
    /* The child's writes did not reach us. */
    return pages_are(0, fork_pages / 2, 'Q') && pages_are(fork_pages / 2, fork_pages, 'P') &&
                   fork_data[5] == 'q'
               ? 0
               : 25;
}

static volatile uint8_t *share_mem;

/* Runs in the process sharing our space: writes a copy-on-write page of it. */
static _Noreturn void
share_writer(void)
{
    share_mem[0] = 'W';
    quit(share_mem[0] == 'W' ? 0 : 1);
}

/*
 * `sharewrite`: our pages become copy-on-write (a copy of our space for a blank child),
 * then a process sharing our space (PROC_AS_SHARE) writes one: it gets the page for the
 * space — which is ours too, so we see its write — and the copy keeps the old bytes.
 * Exit 0, 30 if setting up failed, 31 + the writer's status if it did not exit with 0,
 * 34 if its write did not reach us.
 */
int
share_write_test(void)
{
    int64_t a = mem(MEM_MAP_ANON, 0, 0, 4096, MEM_READ | MEM_WRITE);
    int64_t stack = mem(MEM_MAP_ANON, 0, 0, 16384, MEM_READ | MEM_WRITE);
    struct proc_getpid_rep me;
    if (a <= 0 || stack <= 0 || proc(PROC_GETPID, 0, 0, 0, 0, &me, sizeof(me)) <= 0) {
        return 30;
    }
    share_mem = (volatile uint8_t *)(uintptr_t)a;
    share_mem[0] = 'P';
    ((volatile uint8_t *)(uintptr_t)stack)[0] = 0; /* the writer's stack, ours to make */
    int64_t copy = proc(PROC_CREATE, 0, 0, 0, 0, NULL, 0);
    int64_t b = proc(PROC_CREATE, 0, 0, 0, 0, NULL, 0);
    if (copy <= 0 || b <= 0 || proc(PROC_AS_COPY, 0, copy, me.pid, 0, NULL, 0) != 0 ||
        proc(PROC_AS_SHARE, 0, b, me.pid, 0, NULL, 0) != 0 ||
        proc(PROC_FDS_NEW, 0, b, 0, 0, NULL, 0) != 0 ||
        proc(PROC_THREAD_NEW, 0, b, (int64_t)(uintptr_t)share_writer, stack + 16384 - 8,
             NULL, 0) <= 0) {
        return 30;
    }
    struct proc_wait_rep w = { 0, -1 };
    if (proc(PROC_WAIT, 0, b, 0, 0, &w, sizeof(w)) != b || w.status != 0) {
        return 31 + (int)(w.status == 256 + 11);
    }
    proc(PROC_KILL, 0, copy, 0, 0, NULL, 0);
    proc(PROC_WAIT, 0, copy, 0, 0, NULL, 0);
    return share_mem[0] == 'W' ? 0 : 34;
}

enum {
    SHM_WINDOW = 224,   /* CR_SLOT_FREE: where a handle arrives */
    SHM_PAGES = 2,
};

static volatile uint8_t *shm_a;

/* mem() with one capability attached (a shared-memory handle). */
static int64_t
mem_with(cr_cptr_t cap, uint16_t op, uint64_t a0, uint64_t a1)
{
    cr_msg_caps(CR_UPTR(&cap), 1, CR_SLOT_CSPACE, SHM_WINDOW + 1, 1);
    return mem(op, 0, a0, a1, 0);
}

static _Noreturn void
shm_child(void)
{
    /* Shared: the parent's later writes show here, ours there. */
    for (int i = 0; i < 100000 && shm_a[4096] != 'G'; i++) {
        cr_yield();
    }
    if (shm_a[4096] != 'G' || shm_a[0] != 'S') {
        quit(12);
    }
    shm_a[4097] = 'K';
    quit(0);
}

int
shm_test(void)
{
    cr_cptr_t h = SHM_WINDOW;
    if (cr_msg_caps(0, 0, CR_SLOT_CSPACE, SHM_WINDOW, 1) != 0 ||
        mem(MEM_SHM_NEW, 0, SHM_PAGES * 4096, 0, 0) != 0) {
        return 30;
    }
    struct cr_cap_info ci;
    if (cr_cap_identify(h, CR_UPTR(&ci)) != 0 || ci.type != CR_OBJ_CHANNEL) {
        return 31;
    }
    if (mem(MEM_SHM_NEW, 0, 0, 0, 0) != -CR_EINVAL ||
        mem(MEM_SHM_NEW, 0, (4ull << 20) + 1, 0, 0) != -CR_EINVAL ||
        mem(MEM_SHM_MAP, 0, 0, MEM_READ | MEM_WRITE, 0) != -CR_EINVAL ||
        mem_with(CR_SLOT_PROC, MEM_SHM_MAP, 0, MEM_READ) != -CR_EINVAL) {
        return 32; /* no handle, or a capability that is not one */
    }
    int64_t a = mem_with(h, MEM_SHM_MAP, 0, MEM_READ | MEM_WRITE);
    int64_t b = mem_with(h, MEM_SHM_MAP, 0, MEM_READ);
    if (a <= 0 || b <= 0 || a == b) {
        return 33;
    }
    shm_a = (volatile uint8_t *)(uintptr_t)a;
    volatile uint8_t *shm_b = (volatile uint8_t *)(uintptr_t)b;
    if (shm_a[0] != 0 || shm_a[8191] != 0) {
        return 34; /* zeroed */
    }
    shm_a[0] = 'S';
    if (shm_b[0] != 'S') {
        return 35; /* the same frames at both addresses */
    }
    int64_t stack = mem(MEM_MAP_ANON, 0, 0, 16384, MEM_READ | MEM_WRITE);
    struct proc_getpid_rep me;
    proc(PROC_GETPID, 0, 0, 0, 0, &me, sizeof(me));
    int64_t c = proc(PROC_CREATE, 0, 0, 0, 0, NULL, 0);
    if (stack <= 0 || c <= 0 || proc(PROC_AS_COPY, 0, c, me.pid, 0, NULL, 0) != 0 ||
        proc(PROC_FDS_COPY, 0, c, me.pid, 0, NULL, 0) != 0 ||
        proc(PROC_THREAD_NEW, 0, c, (int64_t)(uintptr_t)shm_child, stack + 16384 - 8, NULL,
             0) <= 0) {
        return 36;
    }
    shm_a[4096] = 'G'; /* after the copy: the child sees it only if the page is shared */
    struct proc_wait_rep w = { 0, -1 };
    if (proc(PROC_WAIT, 0, c, 0, 0, &w, sizeof(w)) != c || w.status != 0) {
        return 37;
    }
    if (shm_b[4097] != 'K') {
        return 38; /* the child's write, seen through our other mapping */
    }
    /* Closed and unmapped everywhere: the object ends, its handle goes stale. */
    if (mem_with(h, MEM_SHM_CLOSE, 0, 0) != 0 || mem(MEM_UNMAP, 0, (uint64_t)a, 8192, 0) != 0 ||
        mem(MEM_UNMAP, 0, (uint64_t)b, 8192, 0) != 0 ||
        mem_with(h, MEM_SHM_MAP, 0, MEM_READ) != -CR_ESRCH) {
        return 39;
    }
    return 0;
}

