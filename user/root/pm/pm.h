/* SPDX-License-Identifier: MIT */
/*
 * The root server's process and memory managers (docs/process.md, docs/memory.md): the
 * state they share, and the functions each file offers the others. They run as threads of
 * the root server with a CSpace of their own (cspace.c), in which every process's two
 * CNodes can be named slot by slot; the root's main thread keeps its one-level CSpace and
 * talks to them by message, like any client.
 *
 * Every process owns: a CSpace CNode (`cs`: what the program sees, its well-known slots
 * from proto.h), a resources CNode (`res`: its VSpace, page tables, frames and TCBs, which
 * only the manager sees), and the 1 MiB untyped chunks all of these were made from. Its
 * end revokes the chunks, which destroys every object of the process at once and returns
 * the memory exactly (pool.c).
 *
 * Owner: the manager threads; one request is handled at a time (the server thread and the
 * pager do not run concurrently in the same process's state: the pager only adds pages).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <courier/abi/types.h>

#include "region.h" /* struct pm_region, PM_MAX_REGIONS */

enum {
    PM_MAX_PROCS = 64,       /* live processes (zombies included), the root (pid 1) too */
    PM_CS_RADIX = 8,         /* a process's CSpace: 256 slots (fds end at CR_SLOT_FREE) */
    PM_RES_RADIX = 8,        /* one of its resources CNodes (an extent): 256 objects */
    PM_RES_EXTENTS = 32,     /* extents at most: 8192 objects */
    PM_L1_RADIX = 12,        /* the manager CSpace's first level */
    PM_CHUNK_BITS = 20,      /* untyped chunks of 1 MiB */
    PM_MAX_CHUNKS = 40,      /* per process: its quota, in chunks (40 MiB) */
    PM_MAX_PAGES = 8192,     /* pages (frames and tables) per address space */
    PM_MAX_THREADS = 8,      /* threads per process */
    PM_NAME_MAX = 32,
    PM_IMAGE_STRS_MAX = 256, /* path + argv + envp strings of one image request */
    PM_SHM_MAX = 64,         /* shared memory objects */
    PM_SHM_MAX_PAGES = 1024, /* pages of one (4 MiB) */
    PM_S_OBJECT = 100,       /* a hidden entry holding an object's memory (shm.c) */
    PM_TABLE_LEVELS = 3,     /* page-table levels below the PML4: PT, PD, PDPT */
    PM_PRIO = 254,           /* the manager threads */
    PM_DEFAULT_PRIO = 100,   /* a process's threads */
};

/* The manager CSpace: slot `idx` of the CNode at first-level index `l1`. */
#define PM_CPTR(l1, idx) (((cr_cptr_t)(l1) << PM_L1_RADIX) | (cr_cptr_t)(idx))

/*
 * A mapped page or page table in one word: bits 63..29 the page number, 28..16 the share
 * (cow.c) it belongs to plus one (0: none), 15 a page table, 14 copy-on-write (mapped
 * read-only until written), 12..0 the res slot of its capability.
 */
struct pm_page {
    uint64_t key;
};
#define PM_PAGE_TABLE 0x8000u
#define PM_PAGE_COW 0x4000u
#define PM_PAGE_SHM 0x2000u /* a shared memory page: the share field names the object */
#define PM_SHARE_IMAGE 0x1fffu /* share field of a boot-image page (read-only, the root's) */
#define PM_SHM_BADGE (1ull << 62) /* a shared-memory handle's badge: | gen << 16 | index */
#define PM_PAGE(va, slot, table) \
    ((struct pm_page){ ((uint64_t)(va) >> 12 << 29) | ((table) ? PM_PAGE_TABLE : 0) | (slot) })
#define PM_PAGE_VA(pg) ((pg).key >> 29 << 12)
#define PM_PAGE_SLOT(pg) ((uint16_t)((pg).key & 0x1fffu))
#define PM_PAGE_IS_TABLE(pg) (((pg).key & PM_PAGE_TABLE) != 0)
#define PM_PAGE_IS_COW(pg) (((pg).key & PM_PAGE_COW) != 0)
#define PM_PAGE_SHARE(pg) ((unsigned)(((pg).key >> 16) & 0x1fffu)) /* index + 1 */
#define PM_PAGE_WITH_SHARE(pg, s1) \
    ((struct pm_page){ ((pg).key & ~(0x1fffull << 16)) | ((uint64_t)(s1) << 16) })

struct pm_thread {
    uint16_t tcb;  /* res slot of the TCB, 0 = unused */
};

/* An address space: its VSpace and what is mapped in it. Shared by processes by count. */
struct pm_as {
    int refs;
    struct pm_proc *owner; /* whose res CNode and chunks hold the objects */
    uint16_t vspace;       /* res slot */
    uint16_t spare[PM_TABLE_LEVELS]; /* res slots of tables made, not yet mapped (PT, PD,
                                      * PDPT): page.c add_table; 0 = none */
    uint64_t brk_start;
    uint64_t brk;
    uint64_t upcall;       /* the Linux personality's entry, 0 = none (load.c) */
    struct pm_region regions[PM_MAX_REGIONS];
    uint32_t npages;
    struct pm_page pages[PM_MAX_PAGES];
};

/* An fd table: fd n is a connection (console now); shared by processes by count. */
struct pm_fds {
    int refs;
    uint8_t open[256 / 8]; /* bit n: fd n open (a console connection) */
};

/* A filesystem namespace (DESIGN §6: root, cwd, mount view): empty until the pathname
 * manager exists; shared by processes by count. */
struct pm_ns {
    int refs;
};

struct pm_cred {
    uint32_t uid;
    uint32_t gid;
};

struct pm_proc {
    int64_t pid; /* 0: free entry */
    int64_t ppid;
    uint32_t state; /* enum proc_state */
    int exit_status;
    char name[PM_NAME_MAX];
    unsigned cs_l1;           /* its CSpace: slot i is PM_CPTR(cs_l1, i) */
    cr_cptr_t cs_handle;      /* root-CNode slot naming the CSpace CNode itself */
    unsigned nres;            /* resources extents made */
    uint16_t res_l1[PM_RES_EXTENTS];  /* res slot s is in extent s >> PM_RES_RADIX */
    cr_cptr_t res_h[PM_RES_EXTENTS];  /* their handles */
    cr_cptr_t chunks[PM_MAX_CHUNKS]; /* 0: a hole, the chunk given back (pool.c) */
    uint32_t chunk_live[PM_MAX_CHUNKS]; /* objects made from each and not yet dropped */
    unsigned nchunks;         /* entries of chunks[] in use, holes included */
    unsigned cur_chunk;       /* the one objects are made from now */
    unsigned last_chunk;      /* the one pm_alloc made its last object from */
    uint8_t res_chunk[PM_RES_EXTENTS << PM_RES_RADIX]; /* res slot's object: its chunk + 1,
                                                         * 0 for none (obj.c) */
    uint8_t res_used[(PM_RES_EXTENTS << PM_RES_RADIX) / 8];
    uint16_t res_hint;        /* no free res slot below this one */
    uint8_t fd_slots[256 / 8]; /* bit n: CR_SLOT_FD(n) of its CSpace holds a capability */
    uint64_t pages;           /* frames and tables charged */
    unsigned shares_homed;    /* copy-on-write shares of its frames (cow.c) */
    bool lost_memory;         /* a home's end took a page it mapped: it ends too */
    struct pm_as *as;
    struct pm_fds *fds;
    struct pm_ns *ns;
    struct pm_cred cred;
    bool cred_set;
    unsigned nthreads;
    struct pm_thread threads[PM_MAX_THREADS];
    uint64_t wait_rcvid;      /* a PROC_WAIT it is blocked in, 0 = none */
    uint16_t notify;          /* res slot: where child-exit pulses go (PROC_NOTIFY), 0 none */
    int64_t wait_pid;
};

/* pm.c */
bool pm_start(void);
cr_cptr_t pm_conn_proc(void); /* the root's own connection (pid 1) */
struct pm_stats {
    uint64_t chunks_free; /* chunks in the pool not given to any process */
    uint64_t chunks_total;
    unsigned procs;
};
void pm_stats(struct pm_stats *s);

/* cspace.c */
bool pm_cspace_init(cr_cptr_t ut);
cr_cptr_t pm_cspace_root(void);
bool pm_l1_alloc(unsigned *l1); /* one first-level slot */
void pm_l1_free(unsigned l1);
cr_cptr_t pm_handle_alloc(void);
void pm_handle_free(cr_cptr_t h);

/* pool.c */
bool pm_pool_init(void);
int pm_pool_source(void);
cr_cptr_t pm_pool_take(void);
void pm_pool_give(cr_cptr_t chunk);
uint64_t pm_pool_free_count(void);
uint64_t pm_pool_total(void);
int pm_alloc(struct pm_proc *p, unsigned type, unsigned bits, cr_cptr_t cnode_handle,
             uint64_t idx);
void pm_chunk_drop(struct pm_proc *p, unsigned k);

/* obj.c: objects of a process */
int pm_res_new(struct pm_proc *p, unsigned type, unsigned bits, uint16_t *slot);
void pm_res_drop(struct pm_proc *p, uint16_t slot);
int pm_res_extent(struct pm_proc *p);
int pm_res_take(struct pm_proc *p, uint16_t *slot);
void pm_res_untake(struct pm_proc *p, uint16_t slot);
cr_cptr_t pm_res_cptr(const struct pm_proc *p, uint16_t slot);
cr_cptr_t pm_res_handle(const struct pm_proc *p, uint16_t slot);
uint64_t pm_res_index(uint16_t slot);

/* vm.c */
struct pm_as *pm_as_new(struct pm_proc *owner, int *err);
void pm_as_put(struct pm_as *as);
int pm_vm_map_anon(struct pm_proc *p, uint64_t addr, uint64_t len, uint32_t prot,
                   uint32_t kind, uint64_t *out);
int pm_vm_unmap(struct pm_proc *p, uint64_t addr, uint64_t len);
int pm_vm_populate(struct pm_proc *p, uint64_t addr, uint64_t len);
void pm_vm_clear(struct pm_proc *p);
void pm_vm_destroy(struct pm_as *as);
int pm_vm_protect(struct pm_proc *p, uint64_t addr, uint64_t len, uint32_t prot);
int pm_vm_brk(struct pm_proc *p, uint64_t want, uint64_t *now);
int pm_vm_fault(struct pm_proc *p, uint64_t addr, bool write, bool present);
int pm_vm_page(struct pm_proc *p, uint64_t va, uint32_t prot, void **scratch);
void pm_vm_page_done(void);
struct pm_region *pm_vm_region(struct pm_as *as, uint64_t addr);

/* cow.c: frames shared copy-on-write between address spaces */
int pm_cow_copy(struct pm_proc *child, struct pm_proc *from);
int pm_cow_fault(struct pm_proc *p, struct pm_page *pg);
void pm_cow_release(struct pm_as *as, struct pm_page *pg);
void pm_cow_exit(struct pm_proc *p);
struct pm_page *pm_vm_page_at(struct pm_as *as, uint64_t va);
int pm_vm_map_frame(struct pm_as *as, uint16_t frame, uint64_t va, uint32_t prot);
int pm_vm_map_root_frame(struct pm_proc *p, uint64_t va, uint32_t prot, cr_cptr_t frame);
uint64_t pm_vm_rights(uint32_t prot);
bool pm_vm_scratch(struct pm_proc *o, uint16_t frame, unsigned which, void **va);
void pm_vm_scratch_done(unsigned which);

/* shm.c: shared memory objects */
int pm_shm_new(struct pm_proc *maker, uint64_t len, uint64_t *badge);
int pm_shm_map(struct pm_proc *p, uint64_t badge, uint64_t addr, uint32_t prot, uint64_t *out);
int pm_shm_copy_page(struct pm_proc *child, struct pm_proc *from, const struct pm_page *pg,
                     uint32_t prot);
void pm_shm_release(struct pm_as *as, struct pm_page *pg);
void pm_shm_exit(struct pm_proc *p);
int pm_shm_close(uint64_t badge);

/* image.c: PROC_LOAD/SPAWN/EXEC's typed half */
int pm_image_split(const char *d, size_t len, uint32_t argc, uint32_t envc, const char **strs);
void pm_image_name(struct pm_proc *p, const char *path);
int pm_image_make(struct pm_proc *c, const char *const *strs, uint32_t argc, uint32_t envc,
                  struct pm_fds *fds, struct pm_ns *ns, uint64_t *entry, uint64_t *sp);
int64_t pm_image_spawn(struct pm_proc *caller, const char *const *strs, uint32_t argc,
                       uint32_t envc);
int64_t pm_image_exec(struct pm_proc *p, const char *const *strs, uint32_t argc, uint32_t envc);

/* load.c */
int pm_load(struct pm_proc *p, const char *path, const char *const *argv, size_t argc,
            const char *const *envp, size_t envc, uint64_t *entry, uint64_t *sp);

/* proc.c */
struct pm_proc *pm_proc_get(int64_t pid);
struct pm_proc *pm_proc_new(int64_t ppid, int *err);
void pm_proc_end_sharers(struct pm_proc *p);
int pm_proc_thread_new(struct pm_proc *p, uint64_t entry, uint64_t sp, uint64_t arg,
                       int64_t *tid);
void pm_proc_exit(struct pm_proc *p, int status);
void pm_proc_reap(struct pm_proc *p);
void pm_proc_discard(struct pm_proc *p);
int pm_proc_fds(struct pm_proc *p, struct pm_fds *share, bool copy);
int pm_proc_ns(struct pm_proc *p, struct pm_ns *share);
int pm_proc_list(int64_t first, void *out, size_t max, size_t *count);
int pm_proc_destroy_image(struct pm_proc *p);

/* pm.c: the console channel (every fd is a connection to it) and the root's output */
cr_cptr_t pm_console_chan(void);
bool pm_console_attach(void);

/* pager.c */
cr_cptr_t pm_fault_chan(void);

/* random.c: AT_RANDOM bytes (ChaCha20, keyed from RDRAND where there is one and the TSC) */
void pm_random(void *out, size_t n);

/* system.c: servers the root starts outside the process tree (the console) */
void pm_system_start(cr_cptr_t chan, cr_cptr_t ioport, cr_cptr_t irq);
int64_t pm_system_console(void);
void pm_system_ended(int64_t pid, int status);

/* server.c */
cr_cptr_t pm_server_chan(void);
void pm_server_child_exited(struct pm_proc *parent, int64_t child);

/* pm.c: a manager thread in the root's address space, with the manager CSpace */
bool pm_thread_start(void (*fn)(void), unsigned prio);
void pm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
