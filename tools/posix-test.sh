#!/bin/sh
# SPDX-License-Identifier: MIT
#
# posix-test.sh LIBPOSIX ELFCHECK PROGRAM... - what `make posix-test` runs once make has
# built libposix (LIBPOSIX, the archive), the host tool ELFCHECK (tools/elfcheck.c) and
# the musl programs of user/bin (each PROGRAM is $BUILD/bin/<name>, and the same objects
# linked with tests/musl/host_posix.S instead of libposix are $BUILD/posix-test/<name>).
# The programs cannot run on Courier until the process manager exists; this checks all
# that can be checked without it. Results, one PASS or FAIL line each:
#   - posix_exports_only_entry_points: libposix defines exactly the four global symbols
#     musl calls (docs/musl.md), so none of its names can clash with a program's;
#   - <name>_loads: Courier's ELF loader accepts the program as a fixed-address static
#     executable whose program headers are loaded (AT_PHDR);
#   - <name>_no_trap_outside_libposix: in `objdump -d`, every syscall, sysenter and
#     int $0x80 instruction is inside a function of libposix (whose traps are native
#     Courier calls), and there is at least one there, so the scan is known to see them;
#     musl's own code never traps with a Linux number;
#   - <name>_runs_on_linux: the host build of the program does what it is for on Linux:
#     musltest (`musltest alpha 'beta gamma'`, COURIER_TEST=1) ends with MUSLTEST PASS
#     and status 0, hello prints its four expected lines, exitcode exits with the status
#     it is given. This proves the programs, so that a failure on Courier is Courier's.
# Leaves `<passed> <failed>` in $BUILD/results/posix-test.counts and the FAIL lines in
# posix-test.fails, prints `posix-test: N passed, M failed` and exits 1 if anything
# failed. Each host run has a timeout (POSIX_TEST_TIMEOUT, default 60 s).

set -u

if [ $# -lt 3 ]; then
    echo "usage: $0 LIBPOSIX ELFCHECK PROGRAM..." >&2
    exit 2
fi
lib=$1
elfcheck=$2
shift 2
build=${BUILD:-build}
results=$build/results
hostdir=$build/posix-test
fails=$results/posix-test.fails
timeout=${POSIX_TEST_TIMEOUT:-60}

mkdir -p "$results" "$hostdir"
rm -f "$results/posix-test.counts"
: >"$fails"
passed=0
failed=0

result() {
    # result OK NAME WHY
    if [ "$1" -eq 1 ]; then
        echo "PASS $2"
        passed=$((passed + 1))
    else
        echo "FAIL $2: $3" | tee -a "$fails"
        failed=$((failed + 1))
    fi
}

# run LOG PROGRAM ARGS...: runs a host program with only COURIER_TEST=1 in its
# environment; its output goes to LOG; returns its exit status.
run() {
    log=$1
    shift
    timeout --kill-after=5 "$timeout" env -i COURIER_TEST=1 "$@" >"$log" 2>&1
}

want='__courier_clone __courier_syscall __courier_syscall_cp __courier_unmapself'
have=$(nm -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' | LC_ALL=C sort | tr '\n' ' ')
if [ "${have% }" = "$want" ]; then
    result 1 posix_exports_only_entry_points ""
else
    result 0 posix_exports_only_entry_points "$lib defines: ${have% }; want: $want"
fi

# The functions of libposix: the only places a trap may be.
functions=$(nm --defined-only "$lib" | awk '$2 ~ /^[tT]$/ { print $3 }' | LC_ALL=C sort -u)

for bin in "$@"; do
    name=$(basename "$bin")

    if out=$("$elfcheck" "$bin"); then
        result 1 "${name}_loads" ""
    else
        result 0 "${name}_loads" "$out"
    fi

    # Each trapping instruction, as `function address instruction`.
    traps=$(objdump -d --no-show-raw-insn "$bin" | awk '
        /^[0-9a-f]+ <.*>:$/ { fn = $2; gsub(/[<>:]/, "", fn) }
        /^ *[0-9a-f]+:\t(syscall|sysenter|int +\$0x80) *$/ { print fn, $1, $2, $3 }
    ')
    inside=0
    outside=
    # $traps holds one trap per line, and $functions one name per line.
    while read -r fn rest; do
        [ -n "$fn" ] || continue
        if printf '%s\n' "$functions" | grep -qx -- "$fn"; then
            inside=$((inside + 1))
        else
            outside="$outside
  $fn $rest"
        fi
    done <<EOT
$traps
EOT
    if [ -n "$outside" ]; then
        result 0 "${name}_no_trap_outside_libposix" "trapping instructions outside it:$outside"
    elif [ "$inside" -eq 0 ]; then
        result 0 "${name}_no_trap_outside_libposix" "the scan found no trap even in libposix"
    else
        result 1 "${name}_no_trap_outside_libposix" ""
    fi

    host=$hostdir/$name
    log=$host.log
    case $name in
    musltest)
        run "$log" "$host" alpha 'beta gamma'
        status=$?
        if [ "$status" -eq 0 ] && [ "$(tail -n 1 "$log")" = "MUSLTEST PASS" ] &&
            ! grep -q 'MUSLTEST FAIL' "$log"; then
            result 1 musltest_runs_on_linux ""
        else
            result 0 musltest_runs_on_linux "status $status; output:
$(sed 's/^/  /' "$log")"
        fi
        ;;
    hello)
        run "$log" "$host" one
        status=$?
        expect=$(printf '%s\n' "hello from musl" "argv[0] = $host" "argv[1] = one" \
            "env COURIER_TEST=1")
        if [ "$status" -eq 0 ] && [ "$(cat "$log")" = "$expect" ]; then
            result 1 hello_runs_on_linux ""
        else
            result 0 hello_runs_on_linux "status $status; output:
$(sed 's/^/  /' "$log")"
        fi
        ;;
    exitcode)
        # The status is the argument's low 8 bits; no argument is 0; nothing is printed.
        ok=1
        why=
        for pair in 7:7 0:0 300:44 :0; do
            arg=${pair%%:*}
            if [ -n "$arg" ]; then
                run "$log" "$host" "$arg"
            else
                run "$log" "$host"
            fi
            status=$?
            if [ "$status" -ne "${pair#*:}" ] || [ -s "$log" ]; then
                ok=0
                why="$why exitcode '$arg' gave status $status (want ${pair#*:});"
            fi
        done
        result "$ok" exitcode_runs_on_linux "$why"
        ;;
    *)
        result 0 "${name}_runs_on_linux" "tools/posix-test.sh does not know how to run it"
        ;;
    esac
done

echo "$passed $failed" >"$results/posix-test.counts"
echo "posix-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
