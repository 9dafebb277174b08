/* SPDX-License-Identifier: MIT */
/*
 * The root's requests to its process manager (procreq.h): the message plumbing, and the
 * image requests' data (the path, then argv, then envp, each NUL-terminated).
 */
#include "procreq.h"

#include <stdbool.h>

#include <courier/abi/errors.h>
#include <courier/abi/msg.h>
#include <courier/lib/string.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

#include "pm/pm.h"

/* One request: req, then data if dlen > 0; the reply into rep (rlen bytes) if given. */
int64_t
procreq_call(const void *req, size_t len, const void *data, size_t dlen, void *rep, size_t rlen)
{
    struct cr_iov s[2] = { { CR_UPTR(req), len }, { CR_UPTR(data), dlen } };
    struct cr_iov r[1] = { { CR_UPTR(rep), rlen } };
    return cr_msg_sendv(pm_conn_proc(), CR_UPTR(s), dlen != 0 ? 2 : 1, CR_UPTR(r),
                        rep != NULL);
}

/* A request of numbers only (struct proc_req). */
int64_t
procreq_op(uint16_t op, uint16_t flags, int64_t a0, int64_t a1, int64_t a2)
{
    struct proc_req q = { { op, flags, 0 }, { a0, a1, a2 } };
    return procreq_call(&q, sizeof(q), NULL, 0, NULL, 0);
}

/* Appends the strings of list (NULL-ended; NULL: none) to d; false if they do not fit. */
static bool
append(char *d, size_t max, size_t *n, const char *const *list, uint32_t *count)
{
    /* Bounded by the list, each string by what is left of d. */
    for (*count = 0; list != NULL && list[*count] != NULL; (*count)++) {
        size_t l = strlen(list[*count]) + 1;
        if (l > max - *n) {
            return false;
        }
        memcpy(d + *n, list[*count], l);
        *n += l;
    }
    return true;
}

/*
 * PROC_LOAD (into pid) or PROC_SPAWN / PROC_EXEC (pid unused) of argv[0] with argv and
 * envp; the reply into rep. E2BIG (here) if the strings exceed the buffer.
 */
int64_t
procreq_image(uint16_t op, int64_t pid, const char *const *argv, const char *const *envp,
              void *rep, size_t rlen)
{
    static char data[20000];
    const char *const path[] = { argv[0], NULL };
    size_t n = 0;
    uint32_t one;
    uint32_t argc;
    uint32_t envc;
    if (!append(data, sizeof(data), &n, path, &one) ||
        !append(data, sizeof(data), &n, argv, &argc) ||
        !append(data, sizeof(data), &n, envp, &envc)) {
        return -CR_E2BIG;
    }
    struct proc_image_req q = { { op, 0, (uint32_t)n }, pid, argc, envc };
    return procreq_call(&q, sizeof(q), data, n, rep, rlen);
}

int64_t
procreq_spawn(const char *const *argv, const char *const *envp)
{
    return procreq_image(PROC_SPAWN, 0, argv, envp, NULL, 0);
}

/* PROC_WAIT for pid (-1: any child): the pid, with *status, or an error. */
int64_t
procreq_wait(int64_t pid, int64_t *status)
{
    struct proc_req q = { { PROC_WAIT, 0, 0 }, { pid, 0, 0 } };
    struct proc_wait_rep rep = { 0, 0 };
    int64_t rc = procreq_call(&q, sizeof(q), NULL, 0, &rep, sizeof(rep));
    *status = rep.status;
    return rc;
}
