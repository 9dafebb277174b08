/* SPDX-License-Identifier: MIT */
/*
 * The process-manager protocol (docs/process.md): a program to the root server's process
 * manager, through the connection in CR_SLOT_PROC, whose badge is the caller's pid. The
 * manager keeps every process as a pid, its threads, its command line and handles to four
 * context objects — address space, fd table, namespace, credentials — each shared only
 * when asked.
 *
 * A new process is blank (PROC_CREATE: no threads, no memory, no fds) and its parent
 * builds it step by step, in any order that has what each step needs: an address space
 * (PROC_AS_NEW, PROC_AS_SHARE or PROC_AS_COPY) before PROC_LOAD or PROC_THREAD_NEW, an fd
 * table (PROC_FDS_NEW, _SHARE or _COPY) before its first thread runs. PROC_SPAWN does all
 * of it in one request. Only the parent may build a process, and only until its first
 * thread starts; after that its image changes only by its own PROC_EXEC (PROC_THREAD_NEW
 * still adds threads).
 *
 * Errors every op may give: ENOSYS (op outside the protocol), EINVAL (request shorter
 * than its struct, or `len` disagreeing with what was sent), E2BIG (a request over
 * 16,408 bytes, or more than 256 strings in an image request), ESRCH (no such live pid),
 * EPERM (not the caller's child, or not the caller), ENOMEM (out of memory: the quota of
 * the process the memory is for — the child being built, or the caller for its own — or
 * the pool all processes share; for PROC_CREATE and PROC_SPAWN also a full process table
 * of 64 entries). Per op, as listed.
 */
#pragma once

#include <courier/proto/proto.h>

enum proc_op {
    PROC_GETPID = PROC_PROTO_BASE, /* -> pid; rep: proc_getpid_rep */
    PROC_EXIT,       /* code (low 8 bits kept): the caller ends; no reply. EPERM: pid 1 */
    PROC_CREATE,     /* -> pid of a new blank child */
    PROC_AS_NEW,     /* pid: a new, empty address space. EEXIST, EBUSY */
    PROC_AS_SHARE,   /* pid, from: share from's address space, which ends with the process
                      * that made it. EEXIST, EBUSY, ENOCTX */
    PROC_LOAD,       /* pid + path, argv, envp: the ELF image and its stack; a failed load
                      * leaves the child's own space empty. ENOCTX, ENOENT (no such file),
                      * ENOEXEC (refused image), EEXIST (overlaps a mapping), E2BIG (the
                      * initial stack over 16 KiB), ENOSPC, EBUSY; rep: proc_load_rep */
    PROC_FDS_NEW,    /* pid: a new fd table with fds 0, 1 and 2 open (the console).
                      * EEXIST, EBUSY */
    PROC_FDS_SHARE,  /* pid, from: share from's fd table. EEXIST, EBUSY, ENOCTX */
    PROC_FDS_COPY,   /* pid, from: a copy of from's fd table. EEXIST, EBUSY, ENOCTX */
    PROC_CRED_SET,   /* pid, uid, gid: the child's credentials. EBUSY; EINVAL (an id
                      * outside 0..2^32-1); EPERM (a caller whose uid is not 0 may give
                      * only its own uid and gid) */
    PROC_THREAD_NEW, /* pid (a child, blank or running, or the caller), entry, sp: a
                      * thread, started, every other register 0 (no start argument).
                      * ENOCTX (no address space or fd table), ENOSPC (8 threads) -> tid */
    PROC_SPAWN,      /* path, argv, envp: CREATE, AS_NEW, LOAD, FDS_COPY of the caller's
                      * (FDS_NEW if it has none), its credentials, THREAD_NEW at the entry
                      * -> pid. On failure no child is left (nothing to wait for) */
    PROC_EXEC,       /* path, argv, envp: replace the caller's threads and image, keep
                      * its pid and fds; no reply on success. ENOCTX (no address space of
                      * its own); a failed load leaves the old image running */
    PROC_WAIT,       /* pid (-1: any child), flags PROC_WNOHANG -> pid (0: none yet);
                      * rep: proc_wait_rep. ECHILD; EBUSY (another thread of the caller
                      * waits). Blocks until a child has exited */
    PROC_KILL,       /* pid (a child, or the caller; for pid 1 also a system server, which
                      * is started again): ends it with status 256 + 9, as
                      * SIGKILL would. EPERM (also for pid 1) */
    PROC_LIST,       /* first pid -> count; reply data: struct proc_info[] */
    PROC_AS_COPY,    /* pid, from: a copy-on-write copy of from's address space (from: the
                      * caller or its child, owning its space). EEXIST, EBUSY, ENOCTX;
                      * ENOMEM also when the system's copy-on-write shares are used up */
    PROC_NS_NEW,     /* pid: a new, empty filesystem namespace (the pathname manager will
                      * give it a root and a cwd). EEXIST, EBUSY */
    PROC_NS_SHARE,   /* pid, from: share from's namespace. EEXIST, EBUSY, ENOCTX */
    PROC_NOTIFY,     /* with one capability (msg_caps, so on CR_SLOT_PROC, the connection
                      * with GRANT): a connection to a channel with a pulse queue; each
                      * time a child of the caller ends a pulse {PROC_PULSE_CHILD, child
                      * pid} goes there (dropped if the queue is full). Without one: no
                      * more pulses. Any PROC_NOTIFY first drops the one set before. Only
                      * one capability is received (the server's window holds one).
                      * EINVAL: not a channel */
    PROC_OP_END,
};

/* Pulse codes the process manager sends (PROC_NOTIFY). */
enum proc_pulse {
    PROC_PULSE_CHILD = 0x100, /* value: the pid of a child that ended */
};

enum proc_flags {
    PROC_WNOHANG = 1u << 0, /* PROC_WAIT: return 0 at once if no child has exited */
};

/* Requests that carry only numbers. `a` means what the op's comment says, in order. */
struct proc_req {
    struct proto_hdr hdr;
    int64_t a[3];
};
_Static_assert(sizeof(struct proc_req) == 32, "fits the message registers");

/*
 * PROC_LOAD, PROC_SPAWN, PROC_EXEC: the fixed part; then `len` bytes: the path, argc
 * argument strings and envc environment strings, each NUL-terminated, back to back.
 */
struct proc_image_req {
    struct proto_hdr hdr;
    int64_t pid;     /* PROC_LOAD only: the process to load into */
    uint32_t argc;
    uint32_t envc;
};
_Static_assert(sizeof(struct proc_image_req) == 24, "protocol ABI");

struct proc_getpid_rep {
    int64_t pid;
    int64_t ppid;
};

struct proc_load_rep {
    uint64_t entry; /* where the first thread should start */
    uint64_t sp;    /* its initial stack pointer (argc, argv, envp, auxv) */
};

struct proc_wait_rep {
    int64_t pid;
    int64_t status; /* exit code (0..255), or 256 + n: ended as by signal n (9: PROC_KILL,
                     * a failed exec, the end of a shared space's owner; a fault: 11, 4,
                     * 8 or 31) */
};

enum proc_state {
    PROC_S_BLANK = 1, /* being built: no thread started yet */
    PROC_S_RUNNING,
    PROC_S_ZOMBIE,    /* exited, not yet waited for */
};

struct proc_info {
    int64_t pid;
    int64_t ppid;
    uint32_t state;    /* enum proc_state */
    uint32_t threads;
    uint64_t pages;    /* memory charged to it, in 4 KiB pages */
    char name[32];     /* command name, NUL-terminated */
};
_Static_assert(sizeof(struct proc_info) == 64, "protocol ABI");
