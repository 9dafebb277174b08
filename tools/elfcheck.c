/* SPDX-License-Identifier: MIT */
/*
 * elfcheck FILE... - asks Courier's ELF loader (user/lib/elf/elf.c, the same parser the
 * root server loads programs with) whether each FILE is a program it will run, and
 * prints one line per file: `FILE: OK entry=... phdr=... phnum=N segments=N tls=yes|no`,
 * or `FILE: <reason>`. A program must be accepted as a fixed-address executable (not
 * PIE) whose program headers are loaded with it, since musl's start-up finds them
 * through AT_PHDR. Exits 1 if any file fails. Run by tools/posix-test.sh.
 */
#include <stdio.h>
#include <stdlib.h>

#include "user/lib/elf/elf.h"

/* Reads the whole file into a heap block of exactly its size; NULL on error. */
static void *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    void *buf = NULL;
    long n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 ||
        fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n)) == NULL ||
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    } else {
        *len = (size_t)n;
    }
    if (f != NULL) {
        fclose(f);
    }
    return buf;
}

/* Prints the verdict on one file; returns 0 if it is a program Courier runs. */
static int
check(const char *path)
{
    struct elf_image im;
    size_t len = 0;
    void *img = read_file(path, &len);

    if (img == NULL) {
        printf("%s: cannot read it\n", path);
        return 1;
    }
    enum elf_error e = elf_parse(img, len, 0, &im);
    free(img);
    if (e != ELF_OK) {
        printf("%s: refused, %s: %s\n", path, elf_error_name(e), elf_error_text(e));
        return 1;
    }
    if (im.is_pie) {
        printf("%s: a PIE, but musl programs are linked at fixed addresses\n", path);
        return 1;
    }
    if (im.phdr_vaddr == 0) {
        printf("%s: its program headers are not loaded (AT_PHDR would be 0)\n", path);
        return 1;
    }
    printf("%s: OK entry=%#llx phdr=%#llx phnum=%u segments=%u tls=%s\n", path,
           (unsigned long long)im.entry, (unsigned long long)im.phdr_vaddr, im.phnum, im.nsegs,
           im.has_tls ? "yes" : "no");
    return 0;
}

int
main(int argc, char **argv)
{
    int bad = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        bad |= check(argv[i]);
    }
    return bad;
}
