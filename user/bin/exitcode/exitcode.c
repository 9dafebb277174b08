/* SPDX-License-Identifier: MIT */
/*
 * exitcode N: exits with status N (its low 8 bits reach the parent, as POSIX says), and
 * with 0 when no argument is given. Prints nothing. For tests of exit and wait.
 */
#include <stdlib.h>

int
main(int argc, char **argv)
{
    if (argc < 2) {
        return 0;
    }
    exit((int)strtol(argv[1], NULL, 0));
}
