#!/bin/sh
# SPDX-License-Identifier: MIT
# mksyms.sh KERNEL.ELF - emit an assembly file holding the kernel's function symbols,
# sorted by address, for symbolised panic backtraces (core/ksyms.c reads it).
# With /dev/null it emits an empty table of the same shape (first link).
set -e
elf=$1
echo '    .section .rodata.zz_ksyms, "a"'
echo '    .balign 8'
echo '    .global ksyms_table'
echo 'ksyms_table:'
if [ "$elf" != /dev/null ]; then
    nm -n "$elf" | awk '$2 ~ /^[tT]$/ { printf "    .quad 0x%s\n    .quad .Ls%d\n", $1, NR }'
fi
echo '    .quad 0, 0'
if [ "$elf" != /dev/null ]; then
    nm -n "$elf" | awk '$2 ~ /^[tT]$/ { printf ".Ls%d: .asciz \"%s\"\n", NR, $3 }'
fi
