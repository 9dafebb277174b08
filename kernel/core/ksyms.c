/* SPDX-License-Identifier: MIT */
/*
 * Maps a code address to "function+offset" using the table tools/mksyms.sh generates
 * at link time (sorted by address, ending with a zero entry).
 */
#include <kernel/ksyms.h>
#include <kernel/klog.h>

struct ksym {
    uint64_t addr;
    const char *name;
};

extern const struct ksym ksyms_table[];

/* Prints addr as symbol+offset, or as a bare address if no symbol covers it. */
void
ksyms_print(uint64_t addr)
{
    const struct ksym *best = NULL;
    for (const struct ksym *s = ksyms_table; s->addr != 0; s++) {
        if (s->addr > addr) {
            break;
        }
        best = s;
    }
    if (best == NULL) {
        kprintf("%016lx", addr);
    } else {
        kprintf("%016lx %s+0x%lx", addr, best->name, addr - best->addr);
    }
}
