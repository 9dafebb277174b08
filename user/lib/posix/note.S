/* SPDX-License-Identifier: MIT */
/*
 * The Courier note (docs/posix.md): an ELF note, name "Courier", type 1, that marks a
 * program built for Courier — one that makes no Linux system calls of its own (they go
 * through libposix's dispatcher). The process manager loads the Linux personality only
 * into programs without it. Every program linked with libposix carries it.
 */
    .section .note.courier, "a", @note
    .balign 4
    .long 8                     /* namesz: "Courier" and its NUL */
    .long 4                     /* descsz */
    .long 1                     /* type: built for Courier */
    .asciz "Courier"
    .long 1                     /* desc: the note's version */

    .section .note.GNU-stack, "", @progbits
