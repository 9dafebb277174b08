/* SPDX-License-Identifier: MIT */
/*
 * An unmodified Linux program: built by Debian's own musl-gcc (package musl-tools) with
 * Debian's musl, so every system call is a real `syscall` instruction with a Linux
 * number. On Courier each one is a foreign call that the kernel redirects to the Linux
 * personality libposix provides (docs/posix.md). It prints a line, allocates, asks the
 * clock and its pid, makes a call Courier does not have (ENOSYS, and goes on) and exits
 * with 3 + the number of failed checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
    int bad = 0;
    printf("linuxhello: an unmodified Linux binary, argv[1] = %s\n", argc > 1 ? argv[1] : "-");
    char *big = malloc(1 << 20);
    char *small = malloc(100);
    if (big == NULL || small == NULL) {
        bad++;
    } else {
        memset(big, 7, 1 << 20);
        bad += big[(1 << 20) - 1] != 7;
        free(big);
        free(small);
    }
    struct timespec t;
    bad += clock_gettime(CLOCK_MONOTONIC, &t) != 0;
    bad += getpid() <= 1;
    errno = 0;
    bad += syscall(SYS_inotify_init1, 0) != -1 || errno != ENOSYS;
    printf("linuxhello: %d checks failed\n", bad);
    return 3 + bad;
}
