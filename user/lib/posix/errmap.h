/* SPDX-License-Identifier: MIT */
/*
 * Courier results to Linux results (errmap.c): what a native call or a server's reply
 * status means to the program that made a Linux call.
 */
#pragma once

#include <stdint.h>

long errmap_linux(int64_t rc);
long errmap_fd(int64_t rc);
