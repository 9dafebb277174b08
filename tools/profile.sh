#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# profile.sh FILTER - where the guest's instructions go while the benchmarks whose name
# starts with FILTER run (`make profile FILTER=ipc_fast`). Boots the bench image under TCG
# with -icount, logs every executed block (QEMU -d in_asm,exec,nochain: slow, minutes) and
# prints per-function instruction counts for the kernel and the root server
# (tools/profile.py). Boot and set-up are counted too: compare two runs, or divide the
# figures that belong to the benchmark by its number of rounds.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.." || exit 1
BUILD=${BUILD:-build}
filter=${1:?usage: profile.sh FILTER}
qemu-system-x86_64 -machine pc -m 512 -smp 1 -nodefaults -no-user-config -display none \
    -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -accel tcg \
    -icount shift=0,sleep=off -cpu qemu64 -kernel "$BUILD/kernel.bin" \
    -initrd "$BUILD/root.elf,$BUILD/bootimg.img" -append "bench=$filter icount" \
    -serial "file:$BUILD/profile-serial.log" -d in_asm,exec,nochain 2>&1 >/dev/null |
    python3 "$here/profile.py" "$BUILD/kernel.elf" "$BUILD/root.elf"
tr -d '\r' <"$BUILD/profile-serial.log" | grep '^BENCH '
