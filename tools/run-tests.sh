#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run-tests.sh [all] - what `make test` runs: deps, then the steps check-style, host-test,
# musl-test (which builds the C library the first time), posix-test, system-test,
# iso-test and panic-test, each as its own make so that a failing step cannot stop the
# others.
# Each step leaves `<passed> <failed>` in $BUILD/results/<step>.counts; a step that
# leaves none (it did not build, say) counts as one failure. The output ends with the
# failures again and then, on the last line, `N passed, M failed`. Exit 1 if M > 0.
#
# run-tests.sh host TEST.c... - what `make host-test` runs: builds the host test programs
# with `make -k`, runs each under a timeout (HOST_TEST_TIMEOUT, default 120 s) with its
# output in <program>.log, and reads that with tools/test-report.sh. A program that does
# not build, or exits non-zero with no FAIL line (a leak found by LeakSanitizer, say),
# counts as one failure.
#
# Environment: BUILD (default build), MAKE (default make), both set by the Makefile. Under
# `make -n` it does nothing.

set -u

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.." || exit 1

BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
results=$BUILD/results

# A report without its last line, which holds the counts.
report_body() {
    printf '%s\n' "$1" | sed '$d'
}

report_counts() {
    printf '%s\n' "$1" | tail -n 1
}

run_host() {
    passed=0
    failed=0
    fails=$results/host-test.fails
    mkdir -p "$results"
    rm -f "$results/host-test.counts"
    : >"$fails"
    built_all=yes
    if [ $# -gt 0 ] && ! $MAKE -k --no-print-directory host-test-bins; then
        built_all=no
    fi
    for src in "$@"; do
        name=${src%.c}
        bin=$BUILD/host-test/$name
        # After a failed make, a program left from an earlier build may be stale: ask make.
        if [ ! -x "$bin" ] || { [ "$built_all" = no ] &&
            ! $MAKE -q --no-print-directory "$bin" >/dev/null 2>&1; }; then
            echo "FAIL $name: does not build" | tee -a "$fails"
            failed=$((failed + 1))
            continue
        fi
        log=$bin.log
        ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
            UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
            timeout --foreground --kill-after=5 "${HOST_TEST_TIMEOUT:-120}" "$bin" >"$log" 2>&1
        status=$?
        report=$("$here/test-report.sh" "$log" "$name")
        counts=$(report_counts "$report")
        p=${counts% *}
        f=${counts#* }
        report_body "$report"
        report_body "$report" | grep '^FAIL' >>"$fails"
        if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
            echo "FAIL $name: exited with status $status; the last lines of $log:" |
                tee -a "$fails"
            tail -n 30 "$log" | sed 's/^/  /'
            f=1
        fi
        echo "  $name: $p passed, $f failed"
        passed=$((passed + p))
        failed=$((failed + f))
    done
    echo "$passed $failed" >"$results/host-test.counts"
    echo "host-test: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

run_all() {
    total_passed=0
    total_failed=0
    rm -rf "$results"
    mkdir -p "$results"
    all_fails=$results/failures.txt
    : >"$all_fails"
    if ! $MAKE --no-print-directory deps; then
        echo "FAIL deps: could not install the build dependencies" | tee -a "$all_fails"
        total_failed=1
    fi
    for step in check-style host-test musl-test posix-test system-test boot-test iso-test \
        panic-test; do
        echo "== $step"
        # Left by an earlier run, it would be read as this run's system-test result.
        [ "$step" = system-test ] && rm -f "$BUILD/test-report.txt"
        $MAKE --no-print-directory "$step"
        status=$?
        if [ -r "$results/$step.counts" ]; then
            read -r p f <"$results/$step.counts"
        else
            p=0
            f=1
            echo "FAIL $step: no results (make $step exited with status $status)" |
                tee -a "$all_fails"
        fi
        if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
            f=1
            echo "FAIL $step: make $step exited with status $status" | tee -a "$all_fails"
        fi
        case $step in
        check-style)
            sed 's/^/FAIL check-style: /' "$results/check-style.out" 2>/dev/null |
                head -n 20 >>"$all_fails"
            ;;
        host-test) cat "$results/host-test.fails" >>"$all_fails" 2>/dev/null ;;
        musl-test) cat "$results/musl-test.fails" >>"$all_fails" 2>/dev/null ;;
        posix-test) cat "$results/posix-test.fails" >>"$all_fails" 2>/dev/null ;;
        system-test) grep '^FAIL' "$BUILD/test-report.txt" >>"$all_fails" 2>/dev/null ;;
        esac
        echo "== $step: $p passed, $f failed"
        total_passed=$((total_passed + p))
        total_failed=$((total_failed + f))
    done
    if [ -s "$all_fails" ]; then
        echo "== failures"
        cat "$all_fails"
    fi
    echo "$total_passed passed, $total_failed failed"
    [ "$total_failed" -eq 0 ]
}

# `make -n` still runs recipes that mention $(MAKE), this script's included; GNU make then
# puts its single-letter flags, n among them, in the first word of MAKEFLAGS.
is_dry_run() {
    flags=${MAKEFLAGS:-}
    case ${flags%% *} in
    "" | -* | *=*) return 1 ;;
    *n*) return 0 ;;
    esac
    return 1
}

if is_dry_run; then
    echo "run-tests.sh ${1:-all}: dry run, nothing done"
    exit 0
fi

case ${1:-all} in
all)
    run_all
    ;;
host)
    shift
    run_host "$@"
    ;;
*)
    echo "usage: $0 [all] | host TEST.c..." >&2
    exit 2
    ;;
esac
