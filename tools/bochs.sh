#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bochs.sh test|boot ISO - boot a Courier GRUB image (make bochs-test builds it) in Bochs,
# whose CPU model corei7_sandy_bridge_2600k has PCIDs: QEMU's TCG has none, so this is the
# one place here where the kernel's PCID path runs (docs/objects.md, section 7). Bochs is
# slow (minutes for the system tests) and is not part of `make test`.
#   test  the image's command line is "test": the system tests; the serial log goes to
#         $BUILD/bochs-serial.log and through tools/test-report.sh; the console test's
#         input is typed when the guest asks, as tools/qemu.sh test does
#   boot  the interactive boot, until the root server idles
# Bochs (packages bochs, bochsbios, vgabios, bochs-term) is installed with apt when missing.
# Environment: BUILD (default build), BOCHS_TIMEOUT (s, default 900), BOCHS_CPU (model).

set -u

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.." || exit 1

mode=${1:-}
iso=${2:-}
BUILD=${BUILD:-build}
dir=$BUILD/bochs
log=$BUILD/bochs-serial.log
limit=${BOCHS_TIMEOUT:-900}

case $mode in
test | boot) ;;
*)
    echo "usage: $0 test|boot ISO" >&2
    exit 2
    ;;
esac
if [ ! -r "$iso" ]; then
    echo "bochs.sh: $iso is missing" >&2
    exit 1
fi
if ! command -v bochs >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get install -y -qq bochs bochsbios vgabios bochs-term >/dev/null || exit 1
fi

mkdir -p "$dir"
port=$((20000 + $$ % 20000))
cat >"$dir/bochsrc" <<RC
megs: 512
cpu: model=${BOCHS_CPU:-corei7_sandy_bridge_2600k}, count=1, ips=100000000
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
com1: enabled=1, mode=socket-server, dev=localhost:$port
display_library: term
log: $dir/bochs.log
clock: sync=none
panic: action=fatal
RC
# The Debian build has the debugger: "c" continues from the first instruction.
echo c >"$dir/cmds"
rm -f "$log"
echo "bochs.sh: $mode in Bochs (PCID CPU, timeout ${limit}s)" >&2
# Bochs's terminal display wants a terminal: script(1) gives it one.
TERM=xterm timeout "$limit" script -qfc "bochs -q -f $dir/bochsrc -rc $dir/cmds" /dev/null \
    >"$dir/stdout.log" 2>&1 </dev/null &
bochs_pid=$!
if [ "$mode" = test ]; then
    "$here/bochs-serial.py" "$port" "$log" "$limit" "console-test: waiting for input" \
        courier-input-test
else
    "$here/bochs-serial.py" "$port" "$log" "$limit"
fi
status=$?
# Bochs (under script, under timeout) may ignore SIGTERM: end the three by their ids.
script_pid=$(pgrep -P "$bochs_pid")
inner=""
[ -n "$script_pid" ] && inner=$(pgrep -P "$script_pid")
# shellcheck disable=SC2086
kill -KILL $inner $script_pid "$bochs_pid" 2>/dev/null
wait "$bochs_pid" 2>/dev/null
grep -a -E '^(cpu|mmu|acpi|ioapic):' "$log" | tr -d '\r' >&2
if [ "$mode" = test ]; then
    "$here/test-report.sh" "$log" bochs
    exit $?
fi
tr -d '\r' <"$log" | tail -n 5
exit "$status"
