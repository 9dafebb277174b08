/* SPDX-License-Identifier: MIT */
/*
 * ptest: a native Courier program (no libc, no libposix) that the process-manager system
 * tests run (user/root/test_proc.c). It speaks proc.h, mem.h and io.h directly through
 * the well-known slots of proto.h. argv[1] picks what it does:
 *
 *   exit N     exit with status N
 *   hello      write "ptest: hello" to fd 1, exit 0
 *   zero       anonymous memory and the heap read as zero and keep what is written
 *   fault      write to a read-only page (the manager ends it: 256 + SIGSEGV)
 *   none       read a page made PROT_NONE (the manager ends it: 256 + SIGSEGV)
 *   rowrite    make a page of its read-only data (mapped from the boot image) writable
 *              and write it: its own copy changes; exit 0
 *   rocheck    exit 0 if that read-only data is as built (the image was not written)
 *   threads P A  start a second thread (it spins), then exec P with argument A: the exec
 *              must end both threads
 *   quota      ask for more memory than its quota (ENOMEM), then go on: exit 0
 *   exec P A   replace itself with boot-image program P, argument A
 *   sleep      block until killed
 *   args       exit 0 if argv is "args x y" and COURIER_TEST=1 is in the environment
 *   touch N    map N anonymous pages and write one byte to each (the pager fills them)
 *   churn N    map, fill and unmap 4 MiB N times (N x 4 MiB past the quota is fine)
 *   wonly      map write-only memory and write it (x86: W implies R)
 *   sharewrite a process sharing its space writes one of its copy-on-write pages
 *   random     exit with the first byte of its AT_RANDOM bytes
 *   zombie     spawn `ptest exit 9` and end once it has ended, uncollected
 *   cred U G   run as uid U, gid G (not 0): a child of its own may get these ids only
 *   fork [N], orphan [N]  copy-on-write fork of N pages (8); one whose parent ends first
 *   forge      TCB calls its own capability may not make (EPERM)
 *   read N S   IO_READ from fd 0 until N bytes (at most 256) or a newline have come; exit
 *              0 if they are S (the newline not counted), 1 if not, 100 + errno if an
 *              IO_READ fails (111: EAGAIN)
 */
#include <stdbool.h>
#include <stdint.h>

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/proto/io.h>
#include <courier/proto/mem.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

_Noreturn void ptest_main(uint64_t *sp);

static int64_t
call(cr_cptr_t conn, const void *req, size_t len, const void *data, size_t dlen, void *rep,
     size_t rlen)
{
    struct cr_iov s[2] = { { CR_UPTR(req), len }, { CR_UPTR(data), dlen } };
    struct cr_iov r[1] = { { CR_UPTR(rep), rlen } };
    return cr_msg_sendv(conn, CR_UPTR(s), dlen != 0 ? 2 : 1, CR_UPTR(r), rep != NULL);
}

static int64_t
mem(uint16_t op, uint16_t flags, uint64_t a0, uint64_t a1, uint64_t a2)
{
    struct mem_req q = { { op, flags, 0 }, { a0, a1, a2 } };
    return call(CR_SLOT_MEM, &q, sizeof(q), NULL, 0, NULL, 0);
}

enum {
    READ_MAX = 256, /* bytes `read N` takes at most */
};

static void
say(const char *s)
{
    struct io_req q = { { IO_WRITE, 0, (uint32_t)strlen(s) }, { 0, 0, 0 } };
    call(CR_SLOT_FD(1), &q, sizeof(q), s, strlen(s), NULL, 0);
}

static _Noreturn void
quit(int code)
{
    struct proc_req q = { { PROC_EXIT, 0, 0 }, { code, 0, 0 } };
    call(CR_SLOT_PROC, &q, sizeof(q), NULL, 0, NULL, 0);
    for (;;) {
        __asm__ volatile("ud2"); /* not reached: the manager ended us */
    }
}

static int64_t
num(const char *s)
{
    int64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s++ - '0');
    }
    return v;
}

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

static int
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

/* `read N S`: see the file comment. Each IO_READ asks for what is still missing. */
static int
read_line(uint64_t n, const char *want)
{
    static char got[READ_MAX];
    if (n == 0 || n > READ_MAX) {
        return 2;
    }
    uint64_t have = 0;
    uint64_t end = 0; /* length of the line: up to the first newline */
    bool line = false;
    while (have < n && !line) {
        struct io_req q = { { IO_READ, 0, 0 }, { n - have, 0, 0 } };
        int64_t rc = call(CR_SLOT_FD(0), &q, sizeof(q), NULL, 0, got + have, n - have);
        if (rc < 0) {
            return 100 + (int)-rc;
        }
        if (rc == 0 || (uint64_t)rc > n - have) {
            return 3; /* a blocking read returns at least one byte, at most what was asked */
        }
        have += (uint64_t)rc;
        while (end < have && !line) {
            line = got[end] == '\n';
            end += !line;
        }
    }
    return end == strlen(want) && memcmp(got, want, end) == 0 ? 0 : 1;
}

static int
quota(void)
{
    /* 64 MiB at once, populated now: beyond the quota, refused whole. */
    if (mem(MEM_MAP_ANON, MEM_F_POPULATE, 0, 64ull << 20, MEM_READ | MEM_WRITE) != -CR_ENOMEM) {
        return 1;
    }
    int64_t a = mem(MEM_MAP_ANON, MEM_F_POPULATE, 0, 65536, MEM_READ | MEM_WRITE);
    return a > 0 && all_zero_then_fill((volatile uint8_t *)(uintptr_t)a, 65536, 3) ? 0 : 2;
}

enum {
    FORK_PAGES = 8, /* pages `fork` and `orphan` copy unless told another number */
};

/* Two pages of read-only data, page aligned: mapped straight from the boot image. */
static const char ro_data[8192] __attribute__((aligned(4096))) = "read-only data";

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

static int64_t
proc(uint16_t op, uint16_t flags, int64_t a0, int64_t a1, int64_t a2, void *rep, size_t rlen)
{
    struct proc_req q = { { op, flags, 0 }, { a0, a1, a2 } };
    return call(CR_SLOT_PROC, &q, sizeof(q), NULL, 0, rep, rlen);
}

static volatile int fork_orphan;
static volatile uint64_t spins;

/*
 * `cred U G`, run with uid U and gid G (not 0): a child of its own may get U and G, and
 * nothing else. Exit 0 if the manager said so, else the number of the failed check.
 */
static int
cred_test(int64_t uid, int64_t gid)
{
    int64_t c = proc(PROC_CREATE, 0, 0, 0, 0, NULL, 0);
    if (c <= 0) {
        return 1;
    }
    int rc = 0;
    if (proc(PROC_CRED_SET, 0, c, 0, 0, NULL, 0) != -CR_EPERM) {
        rc = 2;
    } else if (proc(PROC_CRED_SET, 0, c, uid, gid + 1, NULL, 0) != -CR_EPERM) {
        rc = 3;
    } else if (proc(PROC_CRED_SET, 0, c, -1, gid, NULL, 0) != -CR_EINVAL) {
        rc = 4;
    } else if (proc(PROC_CRED_SET, 0, c, uid, gid, NULL, 0) != 0) {
        rc = 5;
    }
    proc(PROC_KILL, 0, c, 0, 0, NULL, 0);
    proc(PROC_WAIT, 0, c, 0, 0, NULL, 0);
    return rc;
}

/* `random`: the first byte behind AT_RANDOM (auxv entry 25), or 0 if there is none. */
static int
random_byte(char **envp)
{
    while (*envp != NULL) {
        envp++;
    }
    for (uint64_t *av = (uint64_t *)(envp + 1); av[0] != 0; av += 2) {
        if (av[0] == 25) {
            return *(const uint8_t *)(uintptr_t)av[1];
        }
    }
    return 0;
}

/*
 * `zombie`: spawns `bin/ptest exit 9`, waits (without collecting it) until the child has
 * ended, then ends itself: the root gets an orphan that is already a zombie. Exit 0, or
 * 1 if the spawn failed, 2 if the child did not end in time.
 */
static int
zombie_test(void)
{
    static const char data[] = "bin/ptest\0bin/ptest\0exit\0" "9";
    struct proc_image_req q = { { PROC_SPAWN, 0, sizeof(data) }, 0, 3, 0 };
    int64_t c = call(CR_SLOT_PROC, &q, sizeof(q), data, sizeof(data), NULL, 0);
    if (c <= 0) {
        return 1;
    }
    for (int i = 0; i < 100000; i++) {
        struct proc_info info;
        if (proc(PROC_LIST, 0, c, 0, 0, &info, sizeof(info)) >= 1 && info.pid == c &&
            info.state == PROC_S_ZOMBIE) {
            return 0;
        }
        cr_yield();
    }
    return 2;
}

/* A second thread that only counts: exec must end it. */
static _Noreturn void
spinner(void)
{
    for (;;) {
        spins++;
        cr_yield();
    }
}

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

static int
fork_test(bool orphan)
{
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
static int
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

static int
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

_Noreturn void
ptest_main(uint64_t *sp)
{
    int64_t argc = (int64_t)sp[0];
    char **argv = (char **)&sp[1];
    char **envp = &argv[argc + 1];
    const char *what = argc > 1 ? argv[1] : "";
    if (strcmp(what, "exit") == 0 && argc > 2) {
        quit((int)num(argv[2]));
    } else if (strcmp(what, "hello") == 0) {
        say("ptest: hello\n");
        quit(0);
    } else if (strcmp(what, "zero") == 0) {
        quit(zero());
    } else if (strcmp(what, "fault") == 0) {
        *(volatile uint64_t *)(uintptr_t)&ptest_main = 1; /* text is read-only */
        quit(1);
    } else if (strcmp(what, "threads") == 0 && argc > 3) {
        struct proc_getpid_rep me;
        int64_t stack = mem(MEM_MAP_ANON, 0, 0, 16384, MEM_READ | MEM_WRITE);
        if (stack <= 0 || proc(PROC_GETPID, 0, 0, 0, 0, &me, sizeof(me)) <= 0 ||
            proc(PROC_THREAD_NEW, 0, me.pid, (int64_t)(uintptr_t)spinner, stack + 16384 - 8,
                 NULL, 0) <= 0) {
            quit(2);
        }
        for (int i = 0; i < 100000 && spins == 0; i++) {
            cr_yield(); /* the second thread runs */
        }
        argv[1] = argv[2]; /* exec argv[2] with argv[3]: reuse the exec mode */
        argv[2] = argv[2];
        char data[128];
        size_t n1 = strlen(argv[2]) + 1;
        size_t n3 = strlen(argv[3]) + 1;
        if (2 * n1 + n3 > sizeof(data) || spins == 0) {
            quit(3);
        }
        memcpy(data, argv[2], n1);
        memcpy(data + n1, argv[2], n1);
        memcpy(data + 2 * n1, argv[3], n3);
        struct proc_image_req q = { { PROC_EXEC, 0, (uint32_t)(2 * n1 + n3) }, 0, 2, 0 };
        call(CR_SLOT_PROC, &q, sizeof(q), data, 2 * n1 + n3, NULL, 0);
        quit(4);
    } else if (strcmp(what, "rowrite") == 0) {
        uint64_t pg = (uint64_t)(uintptr_t)ro_data;
        if (mem(MEM_PROTECT, 0, pg, 4096, MEM_READ | MEM_WRITE) != 0) {
            quit(1);
        }
        volatile char *w = (volatile char *)(uintptr_t)pg;
        w[0] = 'R';
        quit(w[0] == 'R' && w[1] == 'e' ? 0 : 2);
    } else if (strcmp(what, "rocheck") == 0) {
        quit(strcmp(ro_data, "read-only data") == 0 ? 0 : 1);
    } else if (strcmp(what, "none") == 0) {
        int64_t a = mem(MEM_MAP_ANON, 0, 0, 4096, MEM_READ | MEM_WRITE);
        ((volatile uint8_t *)(uintptr_t)a)[0] = 1; /* mapped now */
        mem(MEM_PROTECT, 0, (uint64_t)a, 4096, 0);
        quit(((volatile uint8_t *)(uintptr_t)a)[0] + 40); /* not reached */
    } else if (strcmp(what, "quota") == 0) {
        quit(quota());
    } else if (strcmp(what, "exec") == 0 && argc > 3) {
        char data[128];
        size_t n1 = strlen(argv[2]) + 1;
        size_t n2 = strlen(argv[2]) + 1;
        size_t n3 = strlen(argv[3]) + 1;
        if (n1 + n2 + n3 > sizeof(data)) {
            quit(2);
        }
        memcpy(data, argv[2], n1);
        memcpy(data + n1, argv[2], n2);
        memcpy(data + n1 + n2, argv[3], n3);
        struct proc_image_req q = { { PROC_EXEC, 0, (uint32_t)(n1 + n2 + n3) }, 0, 2, 0 };
        call(CR_SLOT_PROC, &q, sizeof(q), data, n1 + n2 + n3, NULL, 0);
        quit(3); /* exec failed */
    } else if (strcmp(what, "sleep") == 0) {
        for (;;) {
            uint64_t bits;
            cr_notify_wait(CR_SLOT_NTFN, CR_UPTR(&bits));
        }
    } else if (strcmp(what, "shm") == 0) {
        quit(shm_test());
    } else if (strcmp(what, "fork") == 0 || strcmp(what, "orphan") == 0) {
        fork_pages = argc > 2 ? (uint64_t)num(argv[2]) : FORK_PAGES;
        quit(fork_test(strcmp(what, "orphan") == 0));
    } else if (strcmp(what, "churn") == 0 && argc > 2) {
        /* N times 4 MiB mapped, filled and unmapped: more than the quota in all. */
        for (int64_t i = 0; i < num(argv[2]); i++) {
            int64_t a = mem(MEM_MAP_ANON, MEM_F_POPULATE, 0, 4u << 20, MEM_READ | MEM_WRITE);
            if (a <= 0) {
                quit(1);
            }
            ((volatile uint8_t *)(uintptr_t)a)[(4u << 20) - 1] = 1;
            if (mem(MEM_UNMAP, 0, (uint64_t)a, 4u << 20, 0) != 0) {
                quit(2);
            }
        }
        quit(mem(MEM_INFO, 0, 0, 0, 0) < 256 ? 0 : 3); /* the pages went back */
    } else if (strcmp(what, "wonly") == 0) {
        /* Write-only memory, first touched by a write; then made write-only again. */
        int64_t a = mem(MEM_MAP_ANON, 0, 0, 4096, MEM_WRITE);
        volatile uint8_t *m = (volatile uint8_t *)(uintptr_t)a;
        if (a <= 0) {
            quit(1);
        }
        m[0] = 7;
        int64_t rc = mem(MEM_PROTECT, 0, (uint64_t)a, 4096, MEM_WRITE);
        m[1] = 8;
        quit(rc == 0 && m[0] == 7 && m[1] == 8 ? 0 : 2);
    } else if (strcmp(what, "sharewrite") == 0) {
        quit(share_write_test());
    } else if (strcmp(what, "random") == 0) {
        quit(random_byte(envp));
    } else if (strcmp(what, "zombie") == 0) {
        quit(zombie_test());
    } else if (strcmp(what, "cred") == 0 && argc > 3) {
        quit(cred_test(num(argv[2]), num(argv[3])));
    } else if (strcmp(what, "forge") == 0) {
        int64_t a = cr_tcb_set_fault_badge(CR_SLOT_SELF_TCB, 1ull << 8);
        int64_t b = cr_tcb_configure(CR_SLOT_SELF_TCB, 0, 0, 0, 0);
        quit(a == -CR_EPERM && b == -CR_EPERM ? 0 : 1);
    } else if (strcmp(what, "touch") == 0 && argc > 2) {
        uint64_t n = (uint64_t)num(argv[2]);
        int64_t a = n > 0 ? mem(MEM_MAP_ANON, 0, 0, n * 4096, MEM_READ | MEM_WRITE) : 0;
        for (uint64_t i = 0; a > 0 && i < n; i++) {
            ((volatile uint8_t *)(uintptr_t)a)[i * 4096] = 1;
        }
        quit(a >= 0 ? 0 : 1);
    } else if (strcmp(what, "read") == 0 && argc > 3) {
        quit(read_line((uint64_t)num(argv[2]), argv[3]));
    } else if (strcmp(what, "args") == 0) {
        bool env = false;
        for (char **e = envp; *e != NULL; e++) {
            env = env || strcmp(*e, "COURIER_TEST=1") == 0;
        }
        quit(argc == 4 && strcmp(argv[2], "x") == 0 && strcmp(argv[3], "y") == 0 && env ? 0
                                                                                       : 1);
    }
    quit(100);
}
