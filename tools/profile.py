#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# profile.py ELF... < QEMU-LOG: per-function guest instruction counts from QEMU's
# `-d in_asm,exec,nochain` log (read from standard input, so it can stream from QEMU).
# in_asm gives each translated block's start address and instruction count; exec (with
# nochain) logs every block executed. Each execution is charged to the function (from the
# ELFs' symbol tables) holding the block's first instruction. Prints the 60 costliest.
# With PROFILE_BLOCKS=FILE it also writes every block run PROFILE_MIN (1000) times or more
# to FILE (address, function, instructions, runs), to read against objdump.
import bisect
import collections
import os
import re
import subprocess
import sys


def symbols(elfs):
    syms = []
    for elf in elfs:
        out = subprocess.run(["nm", "-n", "--defined-only", elf], capture_output=True,
                             text=True, check=False).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[1] in "tTwW":
                syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    return syms


def main():
    syms = symbols(sys.argv[1:])
    addrs = [a for a, _ in syms]
    size = {}
    runs = collections.Counter()
    start = None
    count = 0
    trace = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")
    for line in sys.stdin:
        if line.startswith("IN:"):
            start, count = None, 0
        elif line.startswith("0x") and ":" in line[:20]:
            pc = int(line.split(":")[0], 16)
            if start is None:
                start = pc
            count += 1
            size[start] = count
        elif not line.strip():
            start = None
        else:
            m = trace.match(line)
            if m:
                runs[int(m.group(1), 16)] += 1
    per = collections.Counter()
    for pc, n in runs.items():
        i = bisect.bisect_right(addrs, pc) - 1
        per[syms[i][1] if i >= 0 else "?"] += n * size.get(pc, 1)
    total = sum(per.values()) or 1
    for name, n in per.most_common(60):
        print(f"{n:12d} {100 * n / total:5.1f}% {name}")
    print(f"{total:12d} total")
    blocks = os.environ.get("PROFILE_BLOCKS")
    if blocks:
        # Every block run at least PROFILE_MIN times: address, function, size, runs.
        least = int(os.environ.get("PROFILE_MIN", "1000"))
        with open(blocks, "w") as out:
            for pc in sorted(runs):
                if runs[pc] >= least:
                    i = bisect.bisect_right(addrs, pc) - 1
                    name = syms[i][1] if i >= 0 else "?"
                    out.write(f"{pc:x} {name} {size.get(pc, 1)} {runs[pc]}\n")


if __name__ == "__main__":
    main()
