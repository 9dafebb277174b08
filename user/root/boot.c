/* SPDX-License-Identifier: MIT */
/*
 * The interactive boot (docs/boot.md): what the boot image's etc/boot.conf says to start,
 * in its order, with its environment; then the root reaps its children for good, like
 * init, reporting each exit on the console. Runs in the root's main thread, as a client of
 * the process manager like any other.
 */
#include <courier/abi/bootinfo.h>
#include <courier/abi/errors.h>
#include <courier/abi/msg.h>
#include <courier/bootimg.h>
#include <courier/lib/print.h>
#include <courier/lib/string.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

#include "../lib/bootimg/bootconf.h"
#include "../lib/bootimg/bootimg.h"
#include "pm/pm.h"
#include "procreq.h"
#include "root.h"

enum {
    STR_BYTES = 16384,
    MAX_STRS = BOOTCONF_MAX_ARGS + BOOTCONF_MAX_ENV + 2,
};

static struct {
    char env_buf[STR_BYTES];
    const char *envp[BOOTCONF_MAX_ENV + 1];
    char arg_buf[STR_BYTES];
    const char *argv[BOOTCONF_MAX_ARGS + 2];
    struct bootconf_entry e;
} bt;

static void
report(const char *name, int64_t pid, int64_t status)
{
    if (status >= 256) {
        printf("root: %s (pid %lld) killed by signal %lld\n", name, (long long)pid,
               (long long)(status - 256));
    } else {
        printf("root: %s (pid %lld) exited with status %lld\n", name, (long long)pid,
               (long long)status);
    }
}

/* Starts the boot.conf programs; false if the file is missing or malformed. */
bool
root_boot_programs(void)
{
    const struct cr_bootinfo *bi = root_bootinfo();
    const void *img = (const void *)(uintptr_t)bi->bootimg_vaddr;
    const struct bootimg_entry *f;
    if (bootimg_find(img, bi->bootimg_size, BOOTCONF_PATH, &f) != 0) {
        printf("root: no %s in the boot image: nothing to start\n", BOOTCONF_PATH);
        return false;
    }
    const char *conf = bootimg_data(img, f);
    int n = bootconf_env(conf, f->size, bt.env_buf, sizeof(bt.env_buf), bt.envp,
                         BOOTCONF_MAX_ENV + 1);
    struct bootconf_iter it;
    int rc = n < 0 ? n : bootconf_init(&it, conf, f->size);
    /* Bounded: BOOTCONF_MAX_START + BOOTCONF_MAX_ENV lines. */
    while (rc >= 0 && (rc = bootconf_next(&it, &bt.e)) > 0) {
        if (bt.e.kind != BOOTCONF_START) {
            continue;
        }
        if (bootconf_argv(&bt.e, bt.arg_buf, sizeof(bt.arg_buf), bt.argv,
                          BOOTCONF_MAX_ARGS + 2) < 0) {
            printf("root: %s line %u: arguments too long\n", BOOTCONF_PATH, bt.e.line);
            continue;
        }
        int64_t pid = procreq_spawn(bt.argv, bt.envp);
        if (pid < 0) {
            printf("root: cannot start %s: %s\n", bt.argv[0], cr_errname((int)pid));
            continue;
        }
        if (bt.e.flags & BOOTCONF_F_WAIT) {
            int64_t status;
            if (procreq_wait(pid, &status) == pid) {
                report(bt.argv[0], pid, status);
            }
        }
    }
    if (rc < 0) {
        printf("root: %s is malformed (%s)\n", BOOTCONF_PATH, cr_errname(rc));
        return false;
    }
    return true;
}

/* Reaps children (orphans come to the root too), reporting each exit, until none is left. */
void
root_reap_children(void)
{
    for (;;) {
        int64_t status;
        int64_t pid = procreq_wait(-1, &status);
        if (pid <= 0) {
            return; /* ECHILD */
        }
        report("process", pid, status);
        cr_flush_output();
    }
}
