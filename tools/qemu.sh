#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# qemu.sh MODE - boot Courier in QEMU. MODE is one of
#   run    interactive; the serial console is the terminal (Ctrl-A X quits)
#   debug  like run, but QEMU waits for gdb on :1234 before the first instruction
#   test   kernel command line "test"; serial log in $BUILD/test-serial.log, read by
#          tools/test-report.sh into $BUILD/test-report.txt; exit 0 if nothing failed. The
#          serial input stays silent until the guest prints "console-test: waiting for
#          input"; then the host types "courier-input-test" and a CR, once (feed_input)
#   bench  command line "bench" under TCG with -icount (deterministic: the TSC counts
#          instructions); prints only the `BENCH ` lines, full log in $BUILD/bench-serial.log;
#          exit 1 unless `BENCH bench_done` appeared
#   bench-wall  like bench, but TCG without -icount and command line "bench": the TSC
#          follows the host clock, so figures are `cyc` of wall time spent emulating (noisy;
#          for TCG wall-time ratios beside the instruction counts); log in
#          $BUILD/bench-wall-serial.log
#   boot   what `make run` does (empty command line), no input; log in $BUILD/boot-serial.log;
#          QEMU is stopped once the root says it is idle, or after BOOT_TIMEOUT (default 60)
#   iso    boots $ISO_FILE (default $BUILD/courier.iso, GRUB) like test; log in
#          $BUILD/iso-serial.log for the caller to grep; exit 0 once the guest has exited or
#          ISO_TIMEOUT has passed
#
# The kernel goes through QEMU's multiboot loader: -kernel $BUILD/kernel.bin, with the root
# server and the boot image as modules in -initrd. QEMU puts the kernel's path before the
# -append text in the multiboot command line ("build/kernel.bin test").
# A test or bench run ends with the guest writing a byte to the isa-debug-exit port 0xf4;
# QEMU then exits with status (byte << 1) | 1, so any odd status means "the guest finished".
# Status 124 or 137 from timeout(1) means the guest hung.
#
# Environment: BUILD (default build); COURIER_ACCEL=kvm|tcg (default: kvm only when /dev/kvm
# is usable and backed by kvm_intel or kvm_amd; bench uses tcg unless COURIER_ACCEL=kvm,
# bench-wall always tcg);
# TEST_TIMEOUT (s, default 300); BENCH_TIMEOUT (default 600); ISO_TIMEOUT (default 60);
# COURIER_FIRMWARE=uefi boots the ISO with OVMF (package ovmf); QEMU_EXTRA adds flags;
# KERNEL_ARGS adds words to the kernel command line of the -kernel modes (e.g. nopcid).

set -u

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.." || exit 1

mode=${1:-}
BUILD=${BUILD:-build}
qemu="qemu-system-x86_64"

usage() {
    echo "usage: $0 run|debug|test|bench|bench-wall|boot|iso" >&2
    exit 2
}

# KVM needs more than a /dev/kvm node: here it can be backed by kvm_pvm, which cannot run
# a guest kernel, so require one of the hardware-virtualisation modules as well.
kvm_usable() {
    [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
        { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }
}

# pick_accel DEFAULT: sets accel=(...) from COURIER_ACCEL, else from DEFAULT (auto|tcg).
pick_accel() {
    local want=${COURIER_ACCEL:-$1}

    if [ "$want" = auto ]; then
        if kvm_usable; then
            want=kvm
        else
            want=tcg
        fi
    fi
    case $want in
    kvm) accel=(-accel kvm -cpu host) ;;
    tcg) accel=(-accel tcg -cpu qemu64) ;;
    *)
        echo "qemu.sh: COURIER_ACCEL must be kvm or tcg, not '$want'" >&2
        exit 2
        ;;
    esac
    accel_name=$want
}

require() {
    local f

    for f in "$@"; do
        if [ ! -r "$f" ]; then
            echo "qemu.sh: $f is missing; build it first (make all, or make iso)" >&2
            exit 1
        fi
    done
}

common=(-machine pc -m 512 -smp 1 -nodefaults -no-user-config -display none -no-reboot
    -device "isa-debug-exit,iobase=0xf4,iosize=0x04")
boot=(-kernel "$BUILD/kernel.bin" -initrd "$BUILD/root.elf,$BUILD/bootimg.img")
# QEMU_EXTRA is a list of flags: splitting it into words is the point.
# shellcheck disable=SC2206
extra=(${QEMU_EXTRA:-})

# args WORDS: the kernel command line, WORDS plus $KERNEL_ARGS.
args() {
    local a="$1 ${KERNEL_ARGS:-}"

    a=${a# }
    printf '%s' "${a% }"
}

# What `test` types on the guest's serial line, and the line the guest prints to ask for
# it (user/root/test_console.c, once its readers wait for input; keep the two in step).
test_input=courier-input-test
input_marker="console-test: waiting for input"

# run_logged TIMEOUT LOG ARGS...: runs QEMU, its output both on stdout and in LOG, its
# serial input from the file $qemu_input (default /dev/null: no input); sets status to
# QEMU's (or timeout's) exit status. Host-side events are appended to LOG as `HOST:`
# lines so that they show up in the report's tail.
run_logged() {
    local limit=$1 log=$2

    shift 2
    mkdir -p "$(dirname "$log")"
    # --foreground keeps QEMU in the terminal's process group, so Ctrl-C still stops it.
    timeout --foreground --kill-after=10 "$limit" "$qemu" "$@" "${extra[@]}" \
        <"${qemu_input:-/dev/null}" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    case $status in
    124 | 137) echo "HOST: QEMU killed after ${limit}s: the guest hung" >>"$log" ;;
    *) echo "HOST: QEMU exit status $status" >>"$log" ;;
    esac
}

# feed_input LOG LIMIT: polls LOG every 0.1 s, for at most LIMIT seconds, for the guest's
# "$input_marker" line, then writes "$test_input" and a CR (what a terminal's Enter key
# sends) to stdout, once, and ends (QEMU then reads the bytes and an end of file, which
# its serial port ignores). Typing only when asked keeps the run deterministic: no byte can reach the UART before the
# console server takes interrupts, or overflow its 16-byte FIFO, or go to the wrong reader.
feed_input() {
    local log=$1 limit=$2 i

    for ((i = 0; i < limit * 10; i++)); do
        if grep -q -F "$input_marker" "$log" 2>/dev/null; then
            printf '%s\r' "$test_input"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

case $mode in
run | debug)
    require "$BUILD/kernel.bin" "$BUILD/root.elf" "$BUILD/bootimg.img"
    pick_accel auto
    gdb=()
    if [ "$mode" = debug ]; then
        gdb=(-s -S)
        echo "qemu.sh: waiting for gdb; attach with:" \
            "gdb $BUILD/kernel.elf -ex 'target remote :1234'" >&2
    fi
    echo "qemu.sh: booting Courier ($accel_name); Ctrl-A X quits" >&2
    exec "$qemu" "${common[@]}" "${accel[@]}" -serial mon:stdio "${boot[@]}" -append "$(args "")" \
        "${gdb[@]}" "${extra[@]}"
    ;;
boot)
    log=$BUILD/boot-serial.log
    rm -f "$log"
    require "$BUILD/kernel.bin" "$BUILD/root.elf" "$BUILD/bootimg.img"
    pick_accel auto
    mkdir -p "$(dirname "$log")"
    "$qemu" "${common[@]}" "${accel[@]}" -serial "file:$log" "${boot[@]}" -append "$(args "")" \
        "${extra[@]}" </dev/null >/dev/null 2>&1 &
    pid=$!
    limit=${BOOT_TIMEOUT:-60}
    # Polls the log: the interactive boot never exits by itself. Bounded by limit * 5.
    for ((i = 0; i < limit * 5; i++)); do
        if [ -r "$log" ] && tr -d '\r' <"$log" | grep -q '^root: no more children; idle'; then
            break
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    exit 0
    ;;
test)
    log=$BUILD/test-serial.log
    report=$BUILD/test-report.txt
    rm -f "$log" "$report"
    require "$BUILD/kernel.bin" "$BUILD/root.elf" "$BUILD/bootimg.img"
    pick_accel auto
    if [ "$accel_name" = tcg ]; then
        # Tests run with SMEP and SMAP on, so a kernel touching user memory directly faults,
        # and with RDRAND, which the root's random numbers use where a CPU has it (the
        # boot and ISO runs keep plain qemu64, the fallback without it).
        accel=(-accel tcg -cpu qemu64,+smep,+smap,+rdrand)
    fi
    echo "qemu.sh: system tests ($accel_name, timeout ${TEST_TIMEOUT:-300}s)" >&2
    # The serial input: a FIFO that feed_input writes into, in the background.
    input_fifo=$BUILD/test-input.fifo
    rm -f "$input_fifo"
    mkfifo "$input_fifo" || exit 1
    feed_input "$log" "${TEST_TIMEOUT:-300}" >"$input_fifo" &
    feeder=$!
    qemu_input=$input_fifo run_logged "${TEST_TIMEOUT:-300}" "$log" "${common[@]}" \
        "${accel[@]}" -serial stdio "${boot[@]}" -append "$(args test)"
    kill "$feeder" 2>/dev/null
    wait "$feeder" 2>/dev/null
    rm -f "$input_fifo"
    # A guest that printed TESTS DONE but never exited still hung; without TESTS DONE the
    # report already counts the hang, so count it only here, and only once.
    if { [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; } &&
        tr -d '\r' <"$log" | grep -q '^TESTS DONE'; then
        echo "FAIL system: QEMU did not exit after TESTS DONE" >>"$log"
    fi
    "$here/test-report.sh" "$log" system | tee "$report"
    exit "${PIPESTATUS[0]}"
    ;;
bench | bench-wall)
    log=$BUILD/$mode-serial.log
    rm -f "$log"
    require "$BUILD/kernel.bin" "$BUILD/root.elf" "$BUILD/bootimg.img"
    if [ "$mode" = bench-wall ]; then
        # Always TCG, whatever COURIER_ACCEL says: the figure wanted is the host's cost of
        # emulating, beside the instruction counts (KVM runs are `make bench` with
        # COURIER_ACCEL=kvm, which also leaves out -icount).
        accel=(-accel tcg -cpu qemu64)
        accel_name=tcg
    else
        pick_accel tcg
    fi
    label=$accel_name
    bench_cmdline=bench
    if [ "$mode" = bench-wall ]; then
        label="tcg, wall clock"
    elif [ "$accel_name" = tcg ]; then
        bench_cmdline="bench icount"
        # shift=0: one instruction per nanosecond of virtual time; sleep=off: idle time
        # is skipped instead of waited for, so the run does not depend on the host.
        accel+=(-icount "shift=0,sleep=off")
        label="tcg, icount"
    fi
    echo "qemu.sh: benchmarks ($label)" >&2
    run_logged "${BENCH_TIMEOUT:-600}" "$log" "${common[@]}" "${accel[@]}" -serial stdio \
        "${boot[@]}" -append "$(args "$bench_cmdline")" | sed -u -n 's/\r$//; /^BENCH /p'
    if ! tr -d '\r' <"$log" | grep -q '^BENCH bench_done'; then
        echo "qemu.sh: no 'BENCH bench_done' line; the last lines of $log:" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
    ;;
iso)
    log=$BUILD/iso-serial.log
    rm -f "$log"
    iso_file=${ISO_FILE:-$BUILD/courier.iso}
    require "$iso_file"
    pick_accel auto
    firmware=()
    if [ "${COURIER_FIRMWARE:-bios}" = uefi ]; then
        require /usr/share/ovmf/OVMF.fd
        firmware=(-bios /usr/share/ovmf/OVMF.fd)
    fi
    echo "qemu.sh: booting $iso_file ($accel_name," \
        "${COURIER_FIRMWARE:-bios}, timeout ${ISO_TIMEOUT:-60}s)" >&2
    run_logged "${ISO_TIMEOUT:-60}" "$log" "${common[@]}" "${accel[@]}" "${firmware[@]}" \
        -serial stdio -cdrom "$iso_file"
    # Odd: the guest exited through the debug port; 0: it shut down; 124/137: still
    # running when time ran out, which is what a booted system does. Anything else is
    # QEMU failing to start.
    case $status in
    0 | 124 | 137) exit 0 ;;
    *) exit $((status % 2 == 1 ? 0 : 1)) ;;
    esac
    ;;
panic)
    # The kernel panics on purpose ("panic-test" on its command line); the caller checks
    # the report in $BUILD/panic-serial.log. QEMU halts, so the timeout ends the run.
    log=$BUILD/panic-serial.log
    rm -f "$log"
    require "$BUILD/kernel.bin" "$BUILD/root.elf" "$BUILD/bootimg.img"
    pick_accel auto
    run_logged "${PANIC_TIMEOUT:-8}" "$log" "${common[@]}" "${accel[@]}" -serial stdio \
        "${boot[@]}" -append "$(args panic-test)" >/dev/null
    exit 0
    ;;
*)
    usage
    ;;
esac
