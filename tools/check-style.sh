#!/bin/sh
# SPDX-License-Identifier: MIT
#
# check-style.sh - the machine-checked part of STYLE.md, over every .c, .h and .S file
# under include/ kernel/ user/ tools/ tests/ that git tracks or would track (untracked
# but not ignored; without git, every such file). The rules: the first line carries an
# SPDX-License-Identifier; no tab characters in .c and .h files; no line over 100
# columns (a UTF-8 character is one column, a tab in a .S file runs to the next multiple
# of 8); no file over 1000 lines. Prints `file:line: reason` for each breach and exits 1
# if there was any. Formatting beyond that is left to people and .clang-format.

set -u

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.." || exit 1

dirs="include kernel user tools tests"

list_files() {
    # $dirs is a list of words on purpose.
    # shellcheck disable=SC2086
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files --cached --others --exclude-standard -- $dirs
    else
        find $dirs -type f 2>/dev/null
    fi | grep -E '\.(c|h|S)$' | grep -v -E '^build/' | sort -u
}

files=$(list_files)
bad=0

# Empty files have no first line for awk to look at.
for f in $files; do
    if [ -f "$f" ] && [ ! -s "$f" ]; then
        echo "$f:1: empty file (needs at least the SPDX line)"
        bad=1
    fi
done

# Files that git knows of but are deleted in the work tree are skipped.
existing=$(for f in $files; do [ -f "$f" ] && echo "$f"; done)
if [ -n "$existing" ]; then
    # shellcheck disable=SC2016
    printf '%s\n' "$existing" | LC_ALL=C xargs -d '\n' awk '
        function finish() {
            if (file != "" && lines > 1000) {
                print file ": " lines " lines (the limit is 1000; split the file)"
                bad = 1
            }
        }
        # Display width: UTF-8 continuation bytes take no column; in .S files a tab
        # moves to the next multiple of 8.
        function width(s,    n, i, c) {
            gsub(/[\200-\277]/, "", s)
            if (!is_asm || index(s, "\t") == 0) {
                return length(s)
            }
            n = 0
            for (i = 1; i <= length(s); i++) {
                c = substr(s, i, 1)
                n = c == "\t" ? n - n % 8 + 8 : n + 1
            }
            return n
        }
        FNR == 1 {
            finish()
            file = FILENAME
            is_asm = file ~ /\.S$/
            if (index($0, "SPDX-License-Identifier") == 0) {
                print file ":1: first line lacks SPDX-License-Identifier"
                bad = 1
            }
        }
        {
            lines = FNR
            if (!is_asm && index($0, "\t") != 0) {
                print file ":" FNR ": tab character (indent with 4 spaces)"
                bad = 1
            }
            w = width($0)
            if (w > 100) {
                print file ":" FNR ": " w " columns (the limit is 100)"
                bad = 1
            }
        }
        END {
            finish()
            exit bad
        }
    ' || bad=1
fi

exit $bad
