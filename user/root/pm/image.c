/* SPDX-License-Identifier: MIT */
/*
 * The image requests' typed half (proto/proc.h: PROC_LOAD, PROC_SPAWN, PROC_EXEC): the
 * strings of a request split and checked, a whole spawn, an exec that keeps the old image
 * until the new one has loaded, and a process's command name. server.c unpacks the
 * requests and answers them; this file takes no message types.
 */
#include "pm.h"

#include <courier/abi/errors.h>
#include <courier/lib/string.h>

/*
 * Splits the variable part of an image request: path, argc then envc NUL-terminated
 * strings, exactly `len` bytes. EINVAL if it does not parse; E2BIG past PM_IMAGE_STRS_MAX.
 */
int
pm_image_split(const char *d, size_t len, uint32_t argc, uint32_t envc, const char **strs)
{
    if ((uint64_t)argc + envc + 1 > PM_IMAGE_STRS_MAX) {
        return -CR_E2BIG;
    }
    size_t off = 0;
    for (uint32_t i = 0; i < 1 + argc + envc; i++) {
        size_t n = off < len ? strnlen(d + off, len - off) : 0;
        if (off >= len || off + n == len) {
            return -CR_EINVAL; /* no NUL before the end */
        }
        strs[i] = d + off;
        off += n + 1;
    }
    return off == len ? 0 : -CR_EINVAL;
}

void
pm_image_name(struct pm_proc *p, const char *path)
{
    const char *base = path;
    for (const char *c = path; *c != '\0'; c++) {
        if (*c == '/') {
            base = c + 1;
        }
    }
    size_t n = strlen(base);
    n = n < PM_NAME_MAX - 1 ? n : PM_NAME_MAX - 1;
    memcpy(p->name, base, n);
    p->name[n] = '\0';
}

/*
 * Gives the blank process c what a spawned program has before its first thread: its name,
 * a new address space holding strs[0]'s image (strs as pm_image_split lays them out),
 * a copy of the fd table fds (a new one if NULL) and the namespace ns (a new one if
 * NULL). *entry and *sp are where its first thread starts. On failure the caller
 * discards c.
 */
int
pm_image_make(struct pm_proc *c, const char *const *strs, uint32_t argc, uint32_t envc,
              struct pm_fds *fds, struct pm_ns *ns, uint64_t *entry, uint64_t *sp)
{
    int err;
    pm_image_name(c, strs[0]);
    c->as = pm_as_new(c, &err);
    if (c->as != NULL) {
        err = pm_load(c, strs[0], &strs[1], argc, &strs[1 + argc], envc, entry, sp);
    }
    if (err == 0) {
        err = pm_proc_fds(c, fds, true);
    }
    if (err == 0) {
        err = pm_proc_ns(c, ns);
    }
    return err;
}

/* PROC_SPAWN for caller: a whole new process running `path`. */
int64_t
pm_image_spawn(struct pm_proc *caller, const char *const *strs, uint32_t argc, uint32_t envc)
{
    int err;
    struct pm_proc *c = pm_proc_new(caller->pid, &err);
    if (c == NULL) {
        return err;
    }
    c->cred = caller->cred;
    uint64_t entry;
    uint64_t sp;
    int64_t tid;
    /* The caller's fd table copied (a new one if it has none), its namespace shared. */
    err = pm_image_make(c, strs, argc, envc, caller->fds, caller->ns, &entry, &sp);
    if (err == 0) {
        err = pm_proc_thread_new(c, entry, sp, 0, &tid);
    }
    if (err != 0) {
        pm_proc_discard(c); /* no exit status: nobody may wait for it */
        return err;
    }
    return c->pid;
}

/* PROC_EXEC: a new image in a new address space; the old goes only once it loaded. */
int64_t
pm_image_exec(struct pm_proc *p, const char *const *strs, uint32_t argc, uint32_t envc)
{
    if (p->as == NULL || p->as->owner != p) {
        return -CR_ENOCTX;
    }
    int err;
    struct pm_as *old = p->as;
    struct pm_as *as = pm_as_new(p, &err);
    if (as == NULL) {
        return err;
    }
    p->as = as;
    uint64_t entry;
    uint64_t sp;
    err = pm_load(p, strs[0], &strs[1], argc, &strs[1 + argc], envc,
                  &entry, &sp);
    p->as = old;
    if (err == 0) {
        pm_proc_end_sharers(p);   /* the old space goes: whoever shares it ends */
        pm_proc_destroy_image(p); /* the old threads (the caller among them) and pages */
        p->wait_rcvid = 0;        /* a wait of an old thread ended with it */
        p->as = as;
        pm_image_name(p, strs[0]);
        int64_t tid;
        err = pm_proc_thread_new(p, entry, sp, 0, &tid);
        if (err != 0) {
            pm_proc_exit(p, 256 + 9);
        }
        return 0;
    }
    /* The new image did not load: drop what was made of it; the old one runs on. */
    pm_vm_destroy(as);
    pm_as_put(as);
    return err;
}
