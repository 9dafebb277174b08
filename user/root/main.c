/* SPDX-License-Identifier: MIT */
/*
 * The root server's entry: the first user program, started by the kernel with the
 * bootinfo page's address in rdi. It brings up its console (the COM1 UART through the
 * I/O-port capability, or the kernel's debug_putc if that fails; both until the console
 * server takes COM1 over, docs/console.md), checks the bootinfo page,
 * prints a banner and a summary of what it was given, and then picks a mode from the
 * kernel command line: the word `test` (or `test=<prefix>`) runs the system-test table and
 * powers QEMU off with the result, `bench` (or `bench=<prefix>`) runs the benchmark table,
 * and anything else (an interactive boot) starts the managers, which start the console
 * server, then the programs of etc/boot.conf (boot.c), reaps children as init does and
 * idles once none is left.
 */
#include "root.h"

#include <stdbool.h>

#include <courier/abi/caps.h>
#include <courier/lib/crt.h>
#include <courier/lib/print.h>
#include <courier/lib/string.h>
#include <courier/sys.h>

#include "bench.h"
#include "slot.h"
#include "pm/pm.h"
#include "tests.h"
#include <courier/lib/uart.h>

/* Longest `key=value` value taken from the command line (test and bench filters). */
#define ROOT_ARG_MAX 64

/* Fallback console: the kernel's debug port, one call per character. */
static void
debug_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cr_debug_putc((unsigned char)s[i]);
    }
}

static void
console_init(void)
{
    int rc = uart_init(CR_CAP_IOPORT, UART_COM1);
    if (rc == 0) {
        cr_set_output(uart_write);
        return;
    }
    cr_set_output(debug_write);
    printf("root: COM1 unusable (%s), using the kernel debug console\n", cr_errname(rc));
}

/* Returns the boot description, mapped read-only at CR_BOOTINFO_VADDR by the kernel. */
const struct cr_bootinfo *
root_bootinfo(void)
{
    return (const struct cr_bootinfo *)(uintptr_t)CR_BOOTINFO_VADDR;
}

/*
 * Ends the run: flushes console output and writes `code` to QEMU's isa-debug-exit port,
 * which stops the emulator with status (code << 1) | 1. On a machine without that device
 * the write does nothing, so it then says so and yields forever. Never returns.
 */
_Noreturn void
root_poweroff(int code)
{
    cr_flush_output();
    int64_t rc = cr_ioport_out(CR_CAP_IOPORT, ROOT_QEMU_EXIT_PORT, 4, (uint32_t)code);
    printf("root: power-off (code %d) did not stop the machine (%s); idling\n", code,
           cr_errname((int)rc));
    cr_flush_output();
    for (;;) {
        cr_yield();
    }
}

/* The root server has no one to exit to: returning from cr_main ends the machine. */
_Noreturn void
cr_exit(int code)
{
    printf("root: cr_main returned %d\n", code);
    root_poweroff(ROOT_EXIT_RETURNED);
}

/*
 * Looks for the word `key` or `key=value` in a space-separated command line. On a match
 * returns true and copies value (empty for a bare key) into val, cut to valsz - 1 bytes.
 */
static bool
cmdline_find(const char *line, const char *key, char *val, size_t valsz)
{
    size_t klen = strlen(key);
    const char *p = line;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        const char *w = p;
        while (*p != '\0' && *p != ' ' && *p != '\t') {
            p++;
        }
        size_t wlen = (size_t)(p - w);
        if (wlen < klen || strncmp(w, key, klen) != 0) {
            continue;
        }
        if (wlen == klen || w[klen] == '=') {
            size_t vlen = wlen == klen ? 0 : wlen - klen - 1;
            if (vlen >= valsz) {
                vlen = valsz - 1;
            }
            memcpy(val, w + klen + (wlen == klen ? 0 : 1), vlen);
            val[vlen] = '\0';
            return true;
        }
    }
    return false;
}

static void
print_summary(const struct cr_bootinfo *bi, const char *cmdline)
{
    uint64_t count = bi->untyped_count;
    if (count > CR_BOOTINFO_MAX_UNTYPED) {
        count = CR_BOOTINFO_MAX_UNTYPED;
    }
    uint64_t ram = 0;
    uint64_t dev = 0;
    for (uint64_t i = 0; i < count; i++) {
        const struct cr_untyped_desc *u = &bi->untyped[i];
        if (u->size_bits > CR_UNTYPED_MAX_BITS) {
            continue;
        }
        if (u->is_device) {
            dev += 1ull << u->size_bits;
        } else {
            ram += 1ull << u->size_bits;
        }
    }
    printf("untyped: %llu caps, %llu bytes (%llu MiB) of RAM, %llu bytes of device memory\n",
           (unsigned long long)bi->untyped_count, (unsigned long long)ram,
           (unsigned long long)(ram >> 20), (unsigned long long)dev);
    printf("boot image: %llu bytes at %#llx in %llu frames\n",
           (unsigned long long)bi->bootimg_size, (unsigned long long)bi->bootimg_vaddr,
           (unsigned long long)bi->bootimg_frame_count);
    printf("root cnode: radix %u, first free slot %llu; tsc %llu Hz\n", bi->root_cnode_radix,
           (unsigned long long)bi->first_free_slot, (unsigned long long)bi->tsc_hz);
    printf("cmdline: \"%s\"\n", cmdline);
}

/*
 * Entry of the root server (see the file comment). bootinfo_addr is where the kernel says
 * the bootinfo page is; anything but CR_BOOTINFO_VADDR draws a warning. Never returns:
 * tests and benchmarks power off, a bad bootinfo powers off, otherwise it starts the
 * boot programs (boot.c) and idles once they are all gone.
 */
static uint64_t start_tsc;

/*
 * Blocks the root server for good on a notification nobody signals, so the CPU halts in
 * the kernel's idle loop instead of spinning. Falls back to yielding if it cannot make one.
 */
static _Noreturn void
idle_forever(void)
{
    const struct cr_bootinfo *bi = root_bootinfo();
    cr_cptr_t slot = root_slot_alloc();
    for (uint64_t i = 0; slot != 0 && i < bi->untyped_count; i++) {
        if (!bi->untyped[i].is_device &&
            cr_untyped_retype(bi->untyped_first + i, CR_OBJ_NOTIFICATION, 0,
                              CR_CAP_ROOT_CNODE, slot, 1) == 0) {
            uint64_t bits;
            for (;;) {
                cr_notify_wait(slot, CR_UPTR(&bits));
            }
        }
    }
    for (;;) {
        cr_yield();
    }
}

/* The TSC when the root server's first instruction of C ran (for boot benchmarks). */
uint64_t
root_start_tsc(void)
{
    return start_tsc;
}

int
cr_main(uint64_t bootinfo_addr, uint64_t arg1)
{
    (void)arg1;
    start_tsc = bench_rdtsc();
    console_init();
    printf("Courier root server\n");

    const struct cr_bootinfo *bi = root_bootinfo();
    if (bootinfo_addr != CR_BOOTINFO_VADDR) {
        /* The page is at its fixed address either way; report the kernel's slip. */
        printf("root: warning: bootinfo passed at %#llx, expected %#llx\n",
               (unsigned long long)bootinfo_addr, (unsigned long long)CR_BOOTINFO_VADDR);
    }
    if (bi->magic != CR_BOOTINFO_MAGIC || bi->version != CR_BOOTINFO_VERSION) {
        printf("root: bad bootinfo: magic %#llx version %u, expected %#llx version %u\n",
               (unsigned long long)bi->magic, bi->version,
               (unsigned long long)CR_BOOTINFO_MAGIC, CR_BOOTINFO_VERSION);
        root_poweroff(ROOT_EXIT_BAD_BOOT);
    }

    /* The page is read-only and the kernel's, but never trust it to be terminated. */
    char cmdline[sizeof(bi->cmdline)];
    size_t len = strnlen(bi->cmdline, sizeof(cmdline) - 1);
    memcpy(cmdline, bi->cmdline, len);
    cmdline[len] = '\0';

    root_slot_init(bi);
    pm_pool_init(); /* first, so that the memory managers' share is settled */
    print_summary(bi, cmdline);

    char arg[ROOT_ARG_MAX];
    if (cmdline_find(cmdline, "test", arg, sizeof(arg))) {
        int failed = testrun_all(arg);
        root_poweroff(failed == 0 ? ROOT_EXIT_OK : ROOT_EXIT_TESTS_FAILED);
    }
    if (cmdline_find(cmdline, "bench", arg, sizeof(arg))) {
        char unused[2];
        bench_set_icount(cmdline_find(cmdline, "icount", unused, sizeof(unused)));
        benchrun_all(arg);
        root_poweroff(ROOT_EXIT_OK);
    }

    /* An interactive boot starts the managers and what etc/boot.conf says, reaps the
     * children as init does, then waits (`make test` runs the system tests). */
    if (pm_start()) {
        printf("root: process and memory managers up, console server pid %lld; starting %s\n",
               (long long)pm_system_console(), "etc/boot.conf");
        cr_flush_output();
        root_boot_programs();
        root_reap_children();
    }
    printf("root: no more children; idle\n");
    idle_forever();
}
