#!/bin/sh
# SPDX-License-Identifier: MIT
#
# musl-test.sh BIN EXPECTED - what `make musl-test` runs once make has built BIN, the
# host test of Courier's musl (tests/musl/musl_test.c linked with the stand-in
# tests/musl/host_posix.S). Three kinds of result:
#   - the program's own PASS and FAIL lines, read by tools/test-report.sh (a run with no
#     `TESTS DONE` counts as a crash);
#   - musl_output_is_exact: its whole output equals EXPECTED (a diff is shown if not);
#   - musl_no_trap_outside_dispatcher: in `objdump -d BIN`, every syscall, sysenter and
#     int $0x80 instruction is inside a function named __courier_* (the stand-in), and
#     there is at least one there, so the scan is known to see them.
# The program runs as `env -i COURIER_TEST=musl BIN one 'two words'` under a timeout
# (MUSL_TEST_TIMEOUT, default 60 s), its output in BIN.log. Leaves `<passed> <failed>` in
# $BUILD/results/musl-test.counts and the FAIL lines in musl-test.fails, prints
# `musl-test: N passed, M failed` and exits 1 if anything failed.

set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 BIN EXPECTED" >&2
    exit 2
fi
bin=$1
expected=$2
here=$(cd "$(dirname "$0")" && pwd)
results=${BUILD:-build}/results
log=$bin.log
fails=$results/musl-test.fails

mkdir -p "$results"
rm -f "$results/musl-test.counts"
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

timeout --kill-after=5 "${MUSL_TEST_TIMEOUT:-60}" \
    env -i COURIER_TEST=musl "$bin" one 'two words' >"$log" 2>&1
status=$?
report=$("$here/test-report.sh" "$log" musl-test)
counts=$(printf '%s\n' "$report" | tail -n 1)
p=${counts% *}
f=${counts#* }
printf '%s\n' "$report" | sed '$d'
printf '%s\n' "$report" | sed '$d' | grep '^FAIL' >>"$fails"
if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "FAIL musl-test: $bin exited with status $status" | tee -a "$fails"
    f=1
fi
passed=$((passed + p))
failed=$((failed + f))

if diff -u "$expected" "$log" >"$log.diff"; then
    result 1 musl_output_is_exact ""
else
    result 0 musl_output_is_exact "output differs from $expected:"
    sed 's/^/  /' "$log.diff"
fi

# Each trapping instruction, as `function address instruction`.
traps=$(objdump -d --no-show-raw-insn "$bin" | awk '
    /^[0-9a-f]+ <.*>:$/ { fn = $2; gsub(/[<>:]/, "", fn) }
    /^ *[0-9a-f]+:\t(syscall|sysenter|int +\$0x80) *$/ {
        print fn, $1, $2, $3
    }
')
inside=$(printf '%s\n' "$traps" | grep -c '^__courier_')
outside=$(printf '%s\n' "$traps" | grep -v '^__courier_' | grep -v '^$')
if [ -n "$outside" ]; then
    result 0 musl_no_trap_outside_dispatcher "trapping instructions outside the stand-in:"
    printf '%s\n' "$outside" | sed 's/^/  /'
elif [ "$inside" -eq 0 ]; then
    result 0 musl_no_trap_outside_dispatcher "the scan found no syscall even in the stand-in"
else
    result 1 musl_no_trap_outside_dispatcher ""
fi

echo "$passed $failed" >"$results/musl-test.counts"
echo "musl-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
