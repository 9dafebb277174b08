#!/bin/sh
# SPDX-License-Identifier: MIT
#
# musl.sh OUT - build Courier's C library: musl from Debian's source package, with
# Courier's changes, installed in OUT/install (make passes $(BUILD)/musl; see
# user/lib/musl/module.mk and docs/musl.md).
#
# 1. The source package (.dsc and tarballs) is downloaded once into OUT/src with
#    `apt-get source --download-only musl=VERSION`; tools/deps.sh first makes sure apt
#    has a deb-src entry and dpkg-dev. A complete OUT/src is never downloaded again.
# 2. dpkg-source -x unpacks it into OUT/tree, applying Debian's own patches.
# 3. user/lib/musl/courier.patch is applied, and each file under user/lib/musl/src is
#    copied to the same place in the tree, replacing musl's file of that name whatever
#    its suffix (.s, .S or .c), as musl's own arch directories override generic files.
# 4. configure (static only, prefix OUT/install), make -j2, make install-libs
#    install-headers: OUT/install/lib holds libc.a, crt1.o, crti.o and crtn.o, and
#    OUT/install/include the headers.
#
# OUT/install/.stamp holds a hash of every input (this script, the patch, the replaced
# files, the compiler version and flags); when it matches, nothing is done, and any
# change rebuilds from a fresh unpack. The output of steps 1-4 goes to OUT/build.log and
# is shown only if a step fails. A lock on OUT/.lock serialises two builds into one OUT.
# Environment: CC (default gcc), MUSL_JOBS (default 2).

set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 OUT" >&2
    exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
ours=$top/user/lib/musl
mkdir -p "$1"
out=$(cd "$1" && pwd)
src=$out/src
tree=$out/tree
install=$out/install
log=$out/build.log

version=1.2.3-1
dsc=$src/musl_$version.dsc
CC=${CC:-gcc}
# Static, not PIE (programs are linked at 0x400000), no stack protector (the thread
# pointer that the canary lives behind does not exist until __init_tls has run). No -g:
# musl's own default, and it keeps libc.a small.
cflags="-O2 -fno-pic -fno-pie -fno-stack-protector"

fail() {
    echo "musl: $1 failed; the last lines of $log:" >&2
    tail -n 40 "$log" | sed 's/^/  /' >&2
    exit 1
}

# The files that replace musl's, relative to user/lib/musl.
replacements() {
    (cd "$ours" && find src -type f | LC_ALL=C sort)
}

inputs_hash() {
    {
        echo "$version $cflags"
        "$CC" --version | head -n 1
        cat "$0" "$ours/courier.patch"
        for f in $(replacements); do
            echo "$f"
            cat "$ours/$f"
        done
    } | sha256sum | cut -d ' ' -f 1
}

# Every file the .dsc names is in OUT/src (dpkg-source checks their sums when unpacking).
source_is_complete() {
    [ -f "$dsc" ] || return 1
    sed -n '/^Files:/,/^[^ ]/s/^ [0-9a-f]* [0-9]* //p' "$dsc" | while read -r f; do
        [ -f "$src/$f" ] || return 1
    done
}

# Into a scratch directory first, so that an interrupted download leaves no partial file
# that looks complete.
download() {
    # Silent unless it changes the machine (a deb-src entry, a package), which it says.
    if ! "$here/deps.sh"; then
        echo "musl: tools/deps.sh could not provide the deb-src entry or dpkg-dev" >&2
        exit 1
    fi
    rm -rf "$src.part"
    mkdir -p "$src.part"
    (cd "$src.part" && apt-get source -qq --download-only "musl=$version") >>"$log" 2>&1 ||
        fail "apt-get source musl=$version"
    rm -rf "$src"
    mv "$src.part" "$src"
}

exec 9>"$out/.lock"
flock 9

want=$(inputs_hash)
if [ -f "$install/.stamp" ] && [ "$(cat "$install/.stamp")" = "$want" ]; then
    exit 0
fi

: >"$log"
source_is_complete || download
rm -rf "$tree" "$install"
# A corrupt download fails its checksums here; it is dropped so the next run fetches it.
dpkg-source --no-copy -x "$dsc" "$tree" >>"$log" 2>&1 || {
    rm -rf "$src"
    fail "dpkg-source -x $dsc"
}
patch -d "$tree" -p1 --no-backup-if-mismatch <"$ours/courier.patch" >>"$log" 2>&1 ||
    fail "user/lib/musl/courier.patch"
# A file that replaces nothing means musl has moved on under us: stop rather than add it.
for f in $(replacements); do
    stem=${f%.*}
    if ! ls "$tree/$stem".[csS] >/dev/null 2>&1; then
        echo "musl: user/lib/musl/$f replaces no file of musl's ($stem.*)" >>"$log"
        fail "replacing musl's files"
    fi
    rm -f "$tree/$stem.s" "$tree/$stem.S" "$tree/$stem.c"
    cp "$ours/$f" "$tree/$f"
done
(
    cd "$tree" &&
        ./configure --target=x86_64 --prefix="$install" --disable-shared \
            CC="$CC" AR=ar RANLIB=ranlib CFLAGS="$cflags"
) >>"$log" 2>&1 || fail "musl's configure"
# The make that runs this script may pass its jobserver; musl's build uses its own -j.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$tree" -j"${MUSL_JOBS:-2}" \
    >>"$log" 2>&1 || fail "make (musl)"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$tree" install-libs install-headers \
    >>"$log" 2>&1 || fail "make install (musl)"
echo "$want" >"$install/.stamp"
