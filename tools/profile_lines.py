#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# profile_lines.py ELF BLOCKS FUNCTION [DIVISOR]: where one function's instructions go, per
# source line. BLOCKS is the file `PROFILE_BLOCKS=BLOCKS make profile FILTER=...` wrote
# (address, function, instructions, runs per block); ELF is the image the profile ran
# (build/kernel.elf or build/root.elf, unchanged since). Each block's instructions are
# charged to the source line objdump -l gives each of them (inlined code to the line in
# its header), and the totals, divided by DIVISOR (say the benchmark's number of calls),
# are printed costliest first. Only blocks run PROFILE_MIN times or more are in BLOCKS.
import bisect
import collections
import re
import subprocess
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: profile_lines.py ELF BLOCKS FUNCTION [DIVISOR]")
    elf, blocks_file, func = sys.argv[1:4]
    div = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    blocks = []
    with open(blocks_file) as f:
        for line in f:
            addr, name, size, runs = line.split()
            if name == func:
                blocks.append((int(addr, 16), int(size), int(runs)))
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-l", elf],
                         capture_output=True, text=True, check=True).stdout
    insns = []  # (address, source line) of every instruction of func
    where = None
    inside = False
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]+) <(.*)>:", line)
        if m:
            inside = m.group(2) == func
            continue
        if not inside:
            continue
        m = re.match(r"^(/\S+:\d+)", line)
        if m:
            where = m.group(1).rsplit("/", 1)[-1]
            continue
        m = re.match(r"^\s*([0-9a-f]+):\s", line)
        if m:
            insns.append((int(m.group(1), 16), where))
    if not insns:
        sys.exit(f"profile_lines.py: no function {func} in {elf}")
    addrs = [a for a, _ in insns]
    counts = collections.Counter()
    # Bounded by the blocks and their sizes.
    for start, size, runs in blocks:
        i = bisect.bisect_left(addrs, start)
        for k in range(i, min(i + size, len(insns))):
            counts[insns[k][1]] += runs
    for where, n in counts.most_common():
        print(f"{n / div:10.1f} {where}")
    print(f"{sum(counts.values()) / div:10.1f} total")


if __name__ == "__main__":
    main()
