/* SPDX-License-Identifier: MIT */
/*
 * Initial stack builder (initstack.h). Two phases, like the rest of Courier: plan()
 * measures every string and places every part at a user address, touching nothing; only
 * when all of it fits does fill() write the buffer. A refused call therefore leaves the
 * buffer as it was. Addresses are computed from the top down with take(), which is the
 * one place that moves the cursor and checks it against the bottom of the buffer, so no
 * subtraction can wrap.
 *
 * From high to low addresses (docs/elf.md draws it): an 8-byte zero word at the very
 * top, the argv strings, the envp strings and execfn (in that order, ascending), the
 * platform string, the 16 AT_RANDOM bytes (16-aligned), a copy of the program headers
 * when the image does not map them, padding, then the auxiliary vector, envp, argv and
 * argc, with argc at the returned stack pointer, which is 16-byte aligned as the psABI
 * requires at process entry.
 */
#include "initstack.h"

#include <stdbool.h>

#include <courier/abi/errors.h>
#include <courier/lib/string.h>

#include "elf.h"

enum {
    AUXV_MAX = 18,    /* pairs init_auxv() writes at most, AT_NULL included */
    STACK_ALIGN = 16, /* rsp % 16 == 0 at entry (System V x86_64 psABI, 3.4.1) */
    WORD = 8,
};

/* Where each part goes, as user addresses; computed by plan() before anything is written. */
struct layout {
    uint64_t floor;     /* top - len: the lowest address the buffer covers */
    uint64_t top;
    uint64_t strings;   /* the argv strings, then the envp strings, then execfn */
    uint64_t execfn;    /* 0 if none */
    uint64_t platform;  /* 0 if none */
    uint64_t random;    /* INITSTACK_RANDOM_SIZE bytes */
    uint64_t phdr_copy; /* 0 if the image maps its own program headers */
    uint64_t phdr_size; /* bytes at phdr_copy */
    uint64_t sp;        /* argc; the returned stack pointer */
    uint64_t auxv[AUXV_MAX][2];
    size_t nauxv;
};

/*
 * Moves the cursor *p down by n bytes and then down to a multiple of align (a power of
 * two), or returns -CR_E2BIG if that would pass floor. *p >= floor on entry and exit.
 */
static int
take(uint64_t *p, uint64_t n, uint64_t align, uint64_t floor)
{
    uint64_t v;

    if (n > *p - floor) {
        return -CR_E2BIG;
    }
    v = (*p - n) & ~(align - 1);
    if (v < floor) {
        return -CR_E2BIG;
    }
    *p = v;
    return 0;
}

/* Adds strlen(s) + 1 to *total, or returns -CR_E2BIG if s is longer than the bound. */
static int
measure(const char *s, uint64_t *total)
{
    size_t n = strnlen(s, INITSTACK_MAX_STRLEN);

    if (n >= INITSTACK_MAX_STRLEN) {
        return -CR_E2BIG;
    }
    *total += n + 1;
    return 0;
}

/* Sums the argv and envp strings with their NULs into *argenv. */
static int
measure_vectors(const struct initstack_args *a, uint64_t *argenv)
{
    int rc = 0;

    /* Bounded by INITSTACK_MAX_STRINGS (checked by the caller). */
    for (size_t i = 0; i < a->argc && rc == 0; i++) {
        rc = a->argv[i] == NULL ? -CR_EINVAL : measure(a->argv[i], argenv);
    }
    for (size_t i = 0; i < a->envc && rc == 0; i++) {
        rc = a->envp[i] == NULL ? -CR_EINVAL : measure(a->envp[i], argenv);
    }
    return rc;
}

static void
add_aux(struct layout *l, uint64_t key, uint64_t val)
{
    l->auxv[l->nauxv][0] = key;
    l->auxv[l->nauxv][1] = val;
    l->nauxv++;
}

/* The auxiliary vector, in the order Linux writes it (fs/binfmt_elf.c create_elf_tables). */
static void
init_auxv(struct layout *l, const struct initstack_args *a)
{
    const struct elf_image *im = a->image;
    uint64_t phdr = im->phdr_vaddr != 0 ? im->phdr_vaddr : l->phdr_copy;

    l->nauxv = 0;
    add_aux(l, INITSTACK_AT_HWCAP, a->hwcap);
    add_aux(l, INITSTACK_AT_PAGESZ, ELF_PAGE_SIZE);
    add_aux(l, INITSTACK_AT_CLKTCK, a->clktck);
    add_aux(l, INITSTACK_AT_PHDR, phdr);
    add_aux(l, INITSTACK_AT_PHENT, im->phentsize);
    add_aux(l, INITSTACK_AT_PHNUM, im->phnum);
    /* No interpreter: a static program (or static PIE) finds itself through AT_PHDR. */
    add_aux(l, INITSTACK_AT_BASE, 0);
    add_aux(l, INITSTACK_AT_FLAGS, 0);
    add_aux(l, INITSTACK_AT_ENTRY, im->entry);
    add_aux(l, INITSTACK_AT_UID, a->uid);
    add_aux(l, INITSTACK_AT_EUID, a->euid);
    add_aux(l, INITSTACK_AT_GID, a->gid);
    add_aux(l, INITSTACK_AT_EGID, a->egid);
    add_aux(l, INITSTACK_AT_SECURE, a->secure);
    add_aux(l, INITSTACK_AT_RANDOM, l->random);
    if (l->execfn != 0) {
        add_aux(l, INITSTACK_AT_EXECFN, l->execfn);
    }
    if (l->platform != 0) {
        add_aux(l, INITSTACK_AT_PLATFORM, l->platform);
    }
    add_aux(l, INITSTACK_AT_NULL, 0);
}

/* Places every part below top; returns 0, -CR_EINVAL or -CR_E2BIG as initstack_build. */
static int
plan(struct layout *l, const struct initstack_args *a, uint64_t top, size_t len)
{
    const struct elf_image *im = a->image;
    uint64_t argenv = 0;
    uint64_t exec = 0;
    uint64_t plat = 0;
    uint64_t p = top;
    uint64_t words;
    int rc;

    rc = measure_vectors(a, &argenv);
    if (rc == 0 && a->execfn != NULL) {
        rc = measure(a->execfn, &exec);
    }
    if (rc == 0 && a->platform != NULL) {
        rc = measure(a->platform, &plat);
    }
    if (rc != 0) {
        return rc;
    }
    l->top = top;
    l->floor = top - len;
    /* The zero word at the top, as Linux leaves one: a reader that runs off the strings
     * stops there. */
    rc = take(&p, WORD, WORD, l->floor);
    if (rc == 0) {
        rc = take(&p, argenv + exec, 1, l->floor);
        l->strings = p;
        l->execfn = exec != 0 ? p + argenv : 0;
    }
    l->platform = 0;
    if (rc == 0 && plat != 0) {
        rc = take(&p, plat, 1, l->floor);
        l->platform = p;
    }
    if (rc == 0) {
        rc = take(&p, INITSTACK_RANDOM_SIZE, STACK_ALIGN, l->floor);
        l->random = p;
    }
    l->phdr_copy = 0;
    l->phdr_size = 0;
    if (rc == 0 && im->phdr_vaddr == 0 && a->file != NULL) {
        l->phdr_size = (uint64_t)im->phnum * im->phentsize;
        rc = take(&p, l->phdr_size, WORD, l->floor);
        l->phdr_copy = p;
    }
    if (rc != 0) {
        return rc;
    }
    init_auxv(l, a);
    /* argc, argv[] and NULL, envp[] and NULL, the auxv pairs. */
    words = 1 + a->argc + 1 + a->envc + 1 + 2 * (uint64_t)l->nauxv;
    rc = take(&p, words * WORD, STACK_ALIGN, l->floor);
    l->sp = p;
    return rc;
}

/* The buffer byte that stands for user address va (floor <= va < top). */
static uint8_t *
at(uint8_t *buf, const struct layout *l, uint64_t va)
{
    return buf + (va - l->floor);
}

static void
put_word(uint8_t *buf, const struct layout *l, uint64_t va, uint64_t v)
{
    memcpy(at(buf, l, va), &v, sizeof(v));
}

/*
 * Copies one string to *va and advances it. end bounds the copy, so that a string the
 * caller changed since plan() measured it is cut short instead of overflowing.
 */
static uint64_t
put_string(uint8_t *buf, const struct layout *l, uint64_t *va, uint64_t end, const char *s)
{
    uint64_t start = *va;
    size_t n = strnlen(s, end - start - 1);

    memcpy(at(buf, l, start), s, n);
    *at(buf, l, start + n) = '\0';
    *va = start + n + 1;
    return start;
}

/* Writes everything plan() placed. Cannot fail. */
static void
fill(uint8_t *buf, const struct layout *l, const struct initstack_args *a)
{
    uint64_t str = l->strings;
    uint64_t str_end = l->execfn != 0 ? l->execfn : l->top - WORD;
    uint64_t v = l->sp;

    /* Zero first, so that padding never carries the caller's old bytes. */
    memset(at(buf, l, l->sp), 0, l->top - l->sp);
    put_word(buf, l, v, a->argc);
    v += WORD;
    for (size_t i = 0; i < a->argc; i++, v += WORD) {
        put_word(buf, l, v, put_string(buf, l, &str, str_end, a->argv[i]));
    }
    v += WORD; /* argv[argc] = NULL, already zero */
    for (size_t i = 0; i < a->envc; i++, v += WORD) {
        put_word(buf, l, v, put_string(buf, l, &str, str_end, a->envp[i]));
    }
    v += WORD; /* envp[envc] = NULL */
    for (size_t i = 0; i < l->nauxv; i++, v += 2 * WORD) {
        put_word(buf, l, v, l->auxv[i][0]);
        put_word(buf, l, v + WORD, l->auxv[i][1]);
    }
    if (l->execfn != 0) {
        str = l->execfn;
        put_string(buf, l, &str, l->top - WORD, a->execfn);
    }
    if (l->platform != 0) {
        str = l->platform;
        put_string(buf, l, &str, l->strings, a->platform);
    }
    memcpy(at(buf, l, l->random), a->random, INITSTACK_RANDOM_SIZE);
    if (l->phdr_copy != 0) {
        memcpy(at(buf, l, l->phdr_copy), (const uint8_t *)a->file + a->image->phoff,
               l->phdr_size);
    }
}

/*
 * Builds the initial stack of a program that elf_parse() accepted as a->image. buf holds
 * len bytes that stand for the user addresses [top - len, top): the caller maps them (or
 * the frame they are copied into) there before the program runs, and starts it with
 * rsp = *sp and rip = a->image->entry. Only [*sp, top) is written; bytes below are left
 * as they were. argc may be 0. On failure nothing is written.
 *
 * Errors:
 *   -CR_EINVAL  a->image or a->random is NULL; argv or envp is NULL with a nonzero count,
 *               or holds a NULL string; buf is NULL with len > 0; top < len (the buffer
 *               would reach below address 0).
 *   -CR_E2BIG   argc + envc > INITSTACK_MAX_STRINGS; a string (argv, envp, execfn or
 *               platform) is INITSTACK_MAX_STRLEN bytes or longer without its NUL; or
 *               everything does not fit in len bytes.
 */
int
initstack_build(const struct initstack_args *a, void *buf, size_t len, uint64_t top,
                uint64_t *sp)
{
    struct layout l;
    int rc;

    if (a->image == NULL || a->random == NULL || (buf == NULL && len > 0) || top < len) {
        return -CR_EINVAL;
    }
    if ((a->argv == NULL && a->argc > 0) || (a->envp == NULL && a->envc > 0)) {
        return -CR_EINVAL;
    }
    if (a->argc > INITSTACK_MAX_STRINGS || a->envc > INITSTACK_MAX_STRINGS - a->argc) {
        return -CR_E2BIG;
    }
    rc = plan(&l, a, top, len);
    if (rc != 0) {
        return rc;
    }
    fill(buf, &l, a);
    *sp = l.sp;
    return 0;
}
