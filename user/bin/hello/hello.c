/* SPDX-License-Identifier: MIT */
/*
 * hello: the smallest musl program on Courier. Prints "hello from musl", then each
 * argument and the first environment variable, all through printf (musl's stdio, which
 * reaches the console as writev on fd 1 through libposix). Exits 0.
 */
#include <stdio.h>

int
main(int argc, char **argv, char **envp)
{
    printf("hello from musl\n");
    for (int i = 0; i < argc; i++) {
        printf("argv[%d] = %s\n", i, argv[i]);
    }
    printf("env %s\n", envp[0] != NULL ? envp[0] : "(none)");
    return 0;
}
