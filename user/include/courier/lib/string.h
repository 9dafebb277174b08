/* SPDX-License-Identifier: MIT */
/*
 * The freestanding string and memory functions of Courier's interim C library
 * (user/lib/c/string.c), used by the root server and test programs until musl arrives.
 * They carry the standard names and prototypes on purpose: gcc emits calls to memcpy,
 * memset, memmove and memcmp for struct copies and initialisers even with -ffreestanding,
 * and code written against them keeps working unchanged once musl's <string.h> replaces
 * this header.
 */
#pragma once

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *dst, const char *src);
char *strchr(const char *s, int c);
