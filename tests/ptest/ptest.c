/* SPDX-License-Identifier: MIT */
/*
 * ptest: a native Courier program (no libc, no libposix) that the process-manager system
 * tests run (user/root/test_proc.c and others). It speaks proc.h, mem.h and io.h directly
 * through the well-known slots of proto.h; its memory modes are in ptest_mem.c. argv[1]
 * picks what it does:
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
#include "ptest.h"

#include <courier/abi/caps.h>
#include <courier/abi/errors.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/proto/io.h>
#include <courier/proto/mem.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

_Noreturn void ptest_main(uint64_t *sp);

int64_t
call(cr_cptr_t conn, const void *req, size_t len, const void *data, size_t dlen, void *rep,
     size_t rlen)
{
    struct cr_iov s[2] = { { CR_UPTR(req), len }, { CR_UPTR(data), dlen } };
    struct cr_iov r[1] = { { CR_UPTR(rep), rlen } };
    return cr_msg_sendv(conn, CR_UPTR(s), dlen != 0 ? 2 : 1, CR_UPTR(r), rep != NULL);
}

int64_t
mem(uint16_t op, uint16_t flags, uint64_t a0, uint64_t a1, uint64_t a2)
{
    struct mem_req q = { { op, flags, 0 }, { a0, a1, a2 } };
    return call(CR_SLOT_MEM, &q, sizeof(q), NULL, 0, NULL, 0);
}

enum {
    READ_MAX = 256, /* bytes `read N` takes at most */
};

void
say(const char *s)
{
    struct io_req q = { { IO_WRITE, 0, (uint32_t)strlen(s) }, { 0, 0, 0 } };
    call(CR_SLOT_FD(1), &q, sizeof(q), s, strlen(s), NULL, 0);
}

_Noreturn void
quit(int code)
{
    struct proc_req q = { { PROC_EXIT, 0, 0 }, { code, 0, 0 } };
    call(CR_SLOT_PROC, &q, sizeof(q), NULL, 0, NULL, 0);
    for (;;) {
        __asm__ volatile("ud2"); /* not reached: the manager ended us */
    }
}

int64_t
num(const char *s)
{
    int64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s++ - '0');
    }
    return v;
}


int64_t
proc(uint16_t op, uint16_t flags, int64_t a0, int64_t a1, int64_t a2, void *rep, size_t rlen)
{
    struct proc_req q = { { op, flags, 0 }, { a0, a1, a2 } };
    return call(CR_SLOT_PROC, &q, sizeof(q), NULL, 0, rep, rlen);
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

/* Two pages of read-only data, page aligned: mapped straight from the boot image. */
static const char ro_data[8192] __attribute__((aligned(4096))) = "read-only data";

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
        quit(fork_test(strcmp(what, "orphan") == 0, argc > 2 ? (uint64_t)num(argv[2]) : 0));
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

