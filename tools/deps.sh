#!/bin/sh
# SPDX-License-Identifier: MIT
#
# deps.sh - make sure the host has what the build, QEMU runs, the ISO and the tests need,
# installing the missing Debian packages with apt. Idempotent and silent when nothing is
# missing, so `make run` and `make test` call it every time. It runs `apt-get update`
# once, and only when something must be installed; it uses sudo only when not root.
# Exit status is non-zero if a package cannot be installed.

missing=""

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

if [ -z "$missing" ]; then
    exit 0
fi

echo "deps: installing$missing"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: apt-get not found; install these packages by hand:$missing" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "deps: not root and no sudo; install these packages by hand:$missing" >&2
    exit 1
fi

# Word splitting of $sudo and $missing is intended: each is a list of words. The variable
# goes through env because sudo would drop it from the environment.
# shellcheck disable=SC2086
$sudo apt-get update -qq &&
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        $missing >/dev/null
status=$?
if [ $status -ne 0 ]; then
    echo "deps: apt-get failed (status $status) while installing:$missing" >&2
    exit 1
fi
