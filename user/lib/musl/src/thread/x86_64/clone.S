/* SPDX-License-Identifier: MIT */
/*
 * Courier's __clone for musl (replaces musl's src/thread/x86_64/clone.s, which traps).
 * musl calls __clone(func, stack, flags, arg, ptid, tls, ctid) from pthread_create,
 * posix_spawn and clone(): start a task on `stack` that calls func(arg) and exits with
 * its result. The new task must begin on its own stack, which no dispatcher call can
 * return onto, so the whole job goes to libposix's __courier_clone, which has the same
 * signature and result (the child's id, or -errno). docs/musl.md says what it must do.
 */
    .text
    .global __clone
    .hidden __clone
    .type __clone, @function
__clone:
    /* A tail call: the six register arguments and ctid at 8(%rsp) go through as they
     * are. Callers that pass only four arguments (posix_spawn) leave ptid, tls and ctid
     * undefined; flags say which of them __courier_clone may use. */
    jmp __courier_clone
    .size __clone, . - __clone
