#!/bin/sh
# SPDX-License-Identifier: MIT
#
# test-report.sh LOGFILE SUITE - count the results in one test log (a QEMU serial log or
# the output of a host test binary). A result is a line `PASS <name>` or
# `FAIL <name>: <why>`; carriage returns from the serial console are ignored. A log with
# no `TESTS DONE` line (the guest's end marker) adds one failure, `<SUITE>: hang or crash
# (no TESTS DONE)`, and its last 30 lines are shown. A log containing `KERNEL PANIC` adds
# one more failure (a panic ends the run, so it is counted once however it is printed).
# A guest test that needs the line to stay silent — the kernel must print nothing once the
# console server owns it — brackets that stretch with `QUIET <name> begin` and
# `QUIET <name> end`: the pair counts as `PASS <name>` if no line came between them, else
# as a failure showing the first line that did.
#
# Output: each FAIL line, any diagnostics, and as the very last line `<passed> <failed>`
# for the caller to add up. Exit status 0 if nothing failed, 1 otherwise (2 on misuse).

if [ $# -ne 2 ]; then
    echo "usage: $0 LOGFILE SUITE" >&2
    exit 2
fi
log=$1
suite=$2

if [ ! -r "$log" ]; then
    echo "FAIL $suite: no log ($log missing)"
    echo "0 1"
    exit 1
fi

tr -d '\r' < "$log" | awk -v suite="$suite" '
    /^PASS [^ ]/ { passed++ }
    /^FAIL [^ ]/ { failed++; print }
    /^TESTS DONE/ { done = 1 }
    /^QUIET [^ ]+ end$/ && quiet != "" {
        if (noise == "") { passed++ } else { failed++; print "FAIL " quiet ": printed: " noise }
        quiet = ""; next
    }
    quiet != "" && noise == "" { noise = $0 }
    /^QUIET [^ ]+ begin$/ { quiet = $2; noise = "" }
    /KERNEL PANIC/ { panic = 1 }
    { tail[NR % 30] = $0 }
    END {
        if (panic) {
            print "FAIL " suite ": KERNEL PANIC"
            failed++
        }
        if (!done) {
            print "FAIL " suite ": hang or crash (no TESTS DONE)"
            failed++
            print "---- last lines of the log ----"
            for (i = (NR > 30 ? NR - 29 : 1); i <= NR; i++) {
                print "  " tail[i % 30]
            }
            print "----"
        }
        print passed + 0, failed + 0
        exit (failed > 0 ? 1 : 0)
    }
'
