/* SPDX-License-Identifier: MIT */
/*
 * Boot image parser (format in <courier/bootimg.h>). Pure and freestanding: no libc, no
 * allocation, no globals, so the root server links it before it has a heap, mkbootimg
 * uses it to check its own output, and tools/test/bootimg_test.c runs it under ASan.
 *
 * Call bootimg_check() once on an image of unknown origin; the other functions assume it
 * returned 0 for the same (img, len) and never look outside [img, img + len).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <courier/bootimg.h>

int bootimg_check(const void *img, size_t len);
int bootimg_find(const void *img, size_t len, const char *name, const struct bootimg_entry **out);
uint32_t bootimg_count(const void *img);
const struct bootimg_entry *bootimg_entry_at(const void *img, uint32_t i);
const void *bootimg_data(const void *img, const struct bootimg_entry *e);
