/* SPDX-License-Identifier: MIT */
/*
 * Loading a program (docs/process.md): an ELF file of the boot image into a process's
 * address space, with the Linux initial stack musl expects, through the ELF library
 * (user/lib/elf) the rest of the system uses too. Segments are filled now, page by page;
 * the stack below the arguments and the heap are anonymous regions filled on touch.
 */
#include "pm.h"

#include <courier/abi/errors.h>
#include <courier/bootimg.h>
#include <courier/lib/string.h>
#include <courier/proto/mem.h>
#include <courier/sys.h>

#include "../root.h"
#include "../../lib/bootimg/bootimg.h"
#include "../../lib/elf/elf.h"
#include "../../lib/elf/initstack.h"

#include <stdbool.h>

enum {
    PAGE = 4096,
    STACK_TOP = 0x7ffffffff000ull,      /* CR_USER_MAX: the stack ends at the user top */
    STACK_SIZE = 8ull << 20,            /* 8 MiB reserved, filled on touch */
    ARGS_MAX = 16384,                   /* bytes of the initial stack built at load */
};

static uint8_t stack_buf[ARGS_MAX] __attribute__((aligned(16)));

#define PERSONALITY_PATH "lib/personality"

static int load_segment(struct pm_proc *p, const uint8_t *file, uint64_t file_off,
                        const struct elf_segment *s);

/*
 * True if the program carries the Courier note (user/lib/posix/note.S): built for
 * Courier, it makes no Linux system calls of its own. Reads only the PT_NOTE segments
 * elf_parse has bounded (the table is inside the file); each note is checked against its
 * segment's end. Bounded by phnum and the segments' sizes.
 */
static bool
courier_note(const uint8_t *file, uint64_t size, const struct elf_image *im)
{
    for (uint32_t i = 0; i < im->phnum; i++) {
        const uint8_t *ph = file + im->phoff + (uint64_t)i * im->phentsize;
        uint32_t type;
        uint64_t off;
        uint64_t len;
        memcpy(&type, ph, 4);
        memcpy(&off, ph + 8, 8);
        memcpy(&len, ph + 32, 8);
        if (type != 4 || off > size || len > size - off) {
            continue;
        }
        for (uint64_t at = off; at + 12 <= off + len;) {
            uint32_t nl[3];
            memcpy(nl, file + at, 12);
            uint64_t name = (nl[0] + 3ull) & ~3ull;
            uint64_t desc = (nl[1] + 3ull) & ~3ull;
            if (name > off + len - at - 12 || desc > off + len - at - 12 - name) {
                break;
            }
            if (nl[0] == 8 && nl[2] == 1 && memcmp(file + at + 12, "Courier", 8) == 0) {
                return true;
            }
            at += 12 + name + desc;
        }
    }
    return false;
}

/*
 * Loads the Linux personality (user/lib/personality) into p's address space: libposix's
 * dispatcher behind the upcall entry, for a program that makes Linux system calls itself.
 */
static int
load_personality(struct pm_proc *p)
{
    const struct cr_bootinfo *bi = root_bootinfo();
    const void *img = (const void *)(uintptr_t)bi->bootimg_vaddr;
    const struct bootimg_entry *e;
    static struct elf_image pim;
    if (bootimg_find(img, bi->bootimg_size, PERSONALITY_PATH, &e) != 0) {
        return -CR_ENOEXEC; /* no personality: such programs cannot run */
    }
    const uint8_t *file = bootimg_data(img, e);
    if (elf_parse(file, e->size, 0, &pim) != ELF_OK || pim.is_pie) {
        return -CR_ENOEXEC;
    }
    for (uint32_t i = 0; i < pim.nsegs; i++) {
        int rc = load_segment(p, file, e->offset, &pim.segs[i]);
        if (rc != 0) {
            return rc;
        }
    }
    p->as->upcall = pim.entry;
    return 0;
}

static uint32_t
prot_of(uint32_t elf_prot)
{
    return ((elf_prot & ELF_PROT_R) ? MEM_READ : 0) | ((elf_prot & ELF_PROT_W) ? MEM_WRITE : 0) |
           ((elf_prot & ELF_PROT_X) ? MEM_EXEC : 0);
}

/*
 * Fills one segment: every page mapped now. A read-only segment wholly from the file maps
 * the boot image's own frames (read-only, shared by every process running the program:
 * nothing copied, nothing allocated); any other gets fresh frames with the file bytes
 * copied in and the rest zero. file_off: where the file starts in the image (page aligned).
 */
static int
load_segment(struct pm_proc *p, const uint8_t *file, uint64_t file_off,
             const struct elf_segment *s)
{
    uint32_t prot = prot_of(s->prot);
    uint64_t out;
    int rc = pm_vm_map_anon(p, s->map_start, s->map_end - s->map_start, prot, PM_R_IMAGE,
                            &out);
    if (rc != 0) {
        return rc;
    }
    const struct cr_bootinfo *bi = root_bootinfo();
    if (!(prot & MEM_WRITE) && s->filesz == s->memsz) {
        /* The image page holding map_start (elf_parse: offset and vaddr agree modulo a
         * page, so page boundaries line up). */
        uint64_t first = (file_off + s->offset - (s->vaddr - s->map_start)) / PAGE;
        uint64_t n = (s->map_end - s->map_start) / PAGE;
        if (first < bi->bootimg_frame_count && n <= bi->bootimg_frame_count - first) {
            for (uint64_t i = 0; i < n; i++) {
                rc = pm_vm_map_root_frame(p, s->map_start + i * PAGE, prot,
                                          bi->bootimg_frame_first + first + i);
                if (rc != 0) {
                    return rc;
                }
            }
            return 0;
        }
    }
    /* Bounded by the segment's pages (ELF_USER_TOP bounds map_end). */
    for (uint64_t va = s->map_start; va < s->map_end; va += PAGE) {
        void *w;
        rc = pm_vm_page(p, va, prot, &w);
        if (rc != 0) {
            return rc;
        }
        /* The file bytes that land in this page: [lo, hi) of the segment's addresses. */
        uint64_t lo = va > s->vaddr ? va : s->vaddr;
        uint64_t hi = va + PAGE < s->vaddr + s->filesz ? va + PAGE : s->vaddr + s->filesz;
        if (lo < hi) {
            memcpy((uint8_t *)w + (lo - va), file + s->offset + (lo - s->vaddr), hi - lo);
        }
        pm_vm_page_done();
    }
    return 0;
}

/* Copies the built stack (the top `len` bytes below STACK_TOP) into fresh pages. */
static int
load_stack(struct pm_proc *p, const uint8_t *buf, size_t len)
{
    uint64_t out;
    int rc = pm_vm_map_anon(p, STACK_TOP - STACK_SIZE, STACK_SIZE, MEM_READ | MEM_WRITE,
                            PM_R_STACK, &out);
    if (rc != 0) {
        return rc;
    }
    uint64_t bottom = (STACK_TOP - len) & ~(uint64_t)(PAGE - 1);
    for (uint64_t va = bottom; va < STACK_TOP; va += PAGE) {
        void *w;
        rc = pm_vm_page(p, va, MEM_READ | MEM_WRITE, &w);
        if (rc != 0) {
            return rc;
        }
        /* The part of buf that lands here: buf covers [STACK_TOP - len, STACK_TOP). */
        uint64_t lo = va > STACK_TOP - len ? va : STACK_TOP - len;
        memcpy((uint8_t *)w + (lo - va), buf + (len - (STACK_TOP - lo)), va + PAGE - lo);
        pm_vm_page_done();
    }
    return 0;
}

/*
 * Loads boot-image file `path` into p's (empty) address space with the given arguments
 * and environment; gives the entry point and initial stack pointer. ENOENT (no such
 * file), ENOEXEC (the ELF library refused it), E2BIG (arguments beyond ARGS_MAX),
 * ENOCTX (no address space), ENOMEM.
 */
int
pm_load(struct pm_proc *p, const char *path, const char *const *argv, size_t argc,
        const char *const *envp, size_t envc, uint64_t *entry, uint64_t *sp)
{
    if (p->as == NULL) {
        return -CR_ENOCTX;
    }
    const struct cr_bootinfo *bi = root_bootinfo();
    const void *img = (const void *)(uintptr_t)bi->bootimg_vaddr;
    const struct bootimg_entry *e;
    if (bootimg_find(img, bi->bootimg_size, path, &e) != 0) {
        return -CR_ENOENT;
    }
    const uint8_t *file = bootimg_data(img, e);
    static struct elf_image im;
    if (elf_parse(file, e->size, 0x400000, &im) != ELF_OK) {
        return -CR_ENOEXEC;
    }
    uint64_t top = 0;
    for (uint32_t i = 0; i < im.nsegs; i++) {
        int rc = load_segment(p, file, e->offset, &im.segs[i]);
        if (rc != 0) {
            return rc;
        }
        top = im.segs[i].map_end > top ? im.segs[i].map_end : top;
    }
    p->as->brk_start = top;
    p->as->brk = top;
    p->as->upcall = 0;
    if (!courier_note(file, e->size, &im)) {
        int rc = load_personality(p);
        if (rc != 0) {
            return rc;
        }
    }
    uint8_t rnd[INITSTACK_RANDOM_SIZE];
    pm_random(rnd, sizeof(rnd));
    struct initstack_args a = {
        .argv = argv, .argc = argc, .envp = envp, .envc = envc, .execfn = path,
        .platform = "x86_64", .random = rnd, .image = &im, .file = file, .hwcap = 0,
        .clktck = 100, .uid = p->cred.uid, .euid = p->cred.uid, .gid = p->cred.gid,
        .egid = p->cred.gid,
    };
    uint64_t user_sp;
    int rc = initstack_build(&a, stack_buf, sizeof(stack_buf), STACK_TOP, &user_sp);
    if (rc != 0) {
        return rc;
    }
    rc = load_stack(p, stack_buf + (sizeof(stack_buf) - (STACK_TOP - user_sp)),
                    STACK_TOP - user_sp);
    if (rc != 0) {
        return rc;
    }
    *entry = im.entry;
    *sp = user_sp;
    return 0;
}
