#!/bin/sh
# SPDX-License-Identifier: MIT
#
# deps.sh - make sure the host has what the build, QEMU runs, the ISO and the tests need,
# installing the missing Debian packages with apt. It also makes sure apt can fetch the
# source packages the build uses (musl, tools/musl.sh): if Debian's suites have no deb-src
# entry it writes one, $deb_src_file (.sources or .list, as the machine's entries are),
# mirroring the machine's own deb entries for the release's suites. Idempotent and silent
# when nothing is missing, so `make run` and `make test` call it every time. It runs
# `apt-get update` once, and only when something must be installed or a source index is
# missing; it uses sudo only when not root. Exit status is non-zero if a package or the
# source index cannot be had.

missing=""
deb_src_file=/etc/apt/sources.list.d/courier-deb-src

need() {
    # need PACKAGE TEST...: queue PACKAGE unless the test command succeeds.
    pkg=$1
    shift
    if ! "$@" >/dev/null 2>&1; then
        case " $missing " in
        *" $pkg "*) ;;
        *) missing="$missing $pkg" ;;
        esac
    fi
}

have() {
    command -v "$1"
}

# mke2fs lives in /sbin, which is not on a normal user's PATH.
have_sbin() {
    command -v "$1" || [ -x "/sbin/$1" ] || [ -x "/usr/sbin/$1" ]
}

# The boot image needs a static busybox; the dynamic one from package busybox is useless.
have_static_busybox() {
    [ -x /bin/busybox ] && ! readelf -l /bin/busybox | grep -q INTERP
}

need gcc have gcc
need make have make
need binutils have objcopy
need qemu-system-x86 have qemu-system-x86_64
need grub-common have grub-mkrescue
need grub-pc-bin test -d /usr/lib/grub/i386-pc
need grub-efi-amd64-bin test -d /usr/lib/grub/x86_64-efi
need xorriso have xorriso
need mtools have mformat
need musl-tools have musl-gcc
need busybox-static have_static_busybox
need e2fsprogs have_sbin mke2fs
need cpio have cpio
need python3 have python3
# tools/musl.sh: dpkg-source unpacks Debian's source package; patch applies ours.
need dpkg-dev have dpkg-source
need patch have patch

# have_source PACKAGE: apt knows the source package (a deb-src entry, and its index).
have_source() {
    apt-cache showsrc "$1" 2>/dev/null | grep -q "^Package: $1\$"
}

# The release's codename (bookworm), whose suites need deb-src entries.
codename() {
    # shellcheck disable=SC1091
    (. /etc/os-release && echo "${VERSION_CODENAME:-}")
}

# A deb-src entry for the release's main suite is configured (indexed or not).
has_deb_src() {
    # $(...) is apt's format syntax, not the shell's.
    # shellcheck disable=SC2016
    apt-get indextargets --format '$(CREATED_BY) $(RELEASE)' 2>/dev/null |
        grep -qx "Sources $1"
}

# deb822 entries (*.sources): each stanza whose Types has deb and whose Suites has the
# release's codename or codename-*, again with Types: deb-src (comments dropped).
deb822_to_src() {
    cn=$1
    shift
    awk -v cn="$cn" '
        function flush(    i, n, s, ok) {
            ok = 0
            n = split(suites, s, /[ \t]+/)
            for (i = 1; i <= n; i++) {
                if (s[i] == cn || index(s[i], cn "-") == 1) {
                    ok = 1
                }
            }
            if (ok && types ~ /(^|[ \t])deb([ \t]|$)/ && tolower(enabled) !~ /^[ \t]*no/) {
                if (out++) {
                    print ""
                }
                print "Types: deb-src"
                for (i = 1; i <= nl; i++) {
                    print line[i]
                }
            }
            nl = 0
            types = suites = enabled = field = ""
        }
        /^[ \t]*$/ { flush(); next }
        /^#/ { next }
        /^[^ \t]/ { field = tolower(substr($0, 1, index($0, ":") - 1)) }
        field == "types" { types = types " " substr($0, index($0, ":") + 1); next }
        field == "suites" { suites = suites " " substr($0, index($0, ":") + 1) }
        field == "enabled" { enabled = substr($0, index($0, ":") + 1) }
        { line[++nl] = $0 }
        END { flush() }
    ' "$@"
}

# One-line entries (sources.list, *.list): each `deb [options] URI SUITE ...` line for
# the release's suites, again as deb-src.
list_to_src() {
    cn=$1
    shift
    awk -v cn="$cn" '
        $1 == "deb" {
            i = 2
            if ($2 ~ /^\[/) {
                while (i <= NF && $i !~ /\]$/) {
                    i++
                }
                i++
            }
            suite = $(i + 1)
            if (suite == cn || index(suite, cn "-") == 1) {
                sub(/^deb/, "deb-src")
                print
            }
        }
    ' "$@"
}

# The machine's own entry files of one format (a glob), less ours.
entry_files() {
    for f in "$@"; do
        case $f in
        "$deb_src_file".*) ;;
        *) [ -f "$f" ] && echo "$f" ;;
        esac
    done
}

# Writes $deb_src_file.sources and/or .list; fails if there is nothing to mirror.
add_deb_src() {
    cn=$1
    d822=$(entry_files /etc/apt/sources.list.d/*.sources)
    lists=$(entry_files /etc/apt/sources.list /etc/apt/sources.list.d/*.list)
    # Word splitting of the file lists is intended (apt's names have no blanks).
    # shellcheck disable=SC2086
    src822=$([ -n "$d822" ] && deb822_to_src "$cn" $d822)
    # shellcheck disable=SC2086
    srclist=$([ -n "$lists" ] && list_to_src "$cn" $lists)
    if [ -z "$src822" ] && [ -z "$srclist" ]; then
        echo "deps: no deb entry for $cn to mirror as deb-src" >&2
        return 1
    fi
    echo "deps: adding deb-src entries for $cn ($deb_src_file.*)"
    if [ -n "$src822" ]; then
        printf '%s\n' "$src822" | $sudo tee "$deb_src_file.sources" >/dev/null || return 1
    fi
    if [ -n "$srclist" ]; then
        printf '%s\n' "$srclist" | $sudo tee "$deb_src_file.list" >/dev/null || return 1
    fi
}

sources_missing=""
if ! have_source musl; then
    sources_missing=musl
fi

if [ -z "$missing" ] && [ -z "$sources_missing" ]; then
    exit 0
fi

todo="packages:${missing:- none}; source packages: ${sources_missing:-none}"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: apt-get not found; install by hand ($todo)" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "deps: not root and no sudo; install by hand ($todo)" >&2
    exit 1
fi

cn=$(codename)
if [ -n "$sources_missing" ] && ! has_deb_src "$cn"; then
    add_deb_src "$cn" || exit 1
fi

# Word splitting of $sudo and $missing is intended: each is a list of words. The variable
# goes through env because sudo would drop it from the environment.
# shellcheck disable=SC2086
if ! $sudo apt-get update -qq; then
    echo "deps: apt-get update failed ($todo)" >&2
    exit 1
fi
if [ -n "$missing" ]; then
    echo "deps: installing$missing"
    # shellcheck disable=SC2086
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        $missing >/dev/null
    status=$?
    if [ $status -ne 0 ]; then
        echo "deps: apt-get failed (status $status) while installing:$missing" >&2
        exit 1
    fi
fi
for p in $sources_missing; do
    if ! have_source "$p"; then
        echo "deps: apt has no source package $p even with deb-src entries for $cn" >&2
        exit 1
    fi
done
