/* SPDX-License-Identifier: MIT */
/*
 * bin/console: the console server (docs/console.md). The root server starts it as a
 * system server, with the console channel, COM1's I/O ports and COM1's interrupt handler
 * in the slots of proto/console.h. It takes the UART over (its own set-up, then
 * klog_release: the kernel prints only on panic from now on), binds the interrupt and
 * serves the channel for good. Without the UART it ends at once with status 1, and the
 * root keeps writing to the port itself.
 */
#include "console.h"

#include <courier/abi/errors.h>
#include <courier/lib/crt.h>
#include <courier/lib/print.h>
#include <courier/lib/uart.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

/* Ends the process through the process manager. */
_Noreturn void
cr_exit(int code)
{
    cr_flush_output();
    struct proc_req q = { { PROC_EXIT, 0, 0 }, { code, 0, 0 } };
    struct cr_iov iov = { CR_UPTR(&q), sizeof(q) };
    cr_msg_sendv(CR_SLOT_PROC, CR_UPTR(&iov), 1, 0, 0);
    for (;;) {
        __asm__ volatile("ud2"); /* not reached: the manager ended us */
    }
}

int
cr_main(uint64_t a0, uint64_t a1)
{
    (void)a0;
    (void)a1;
    if (uart_init(CON_SLOT_IOPORT, UART_COM1) != 0) {
        return 1;
    }
    cr_set_output(uart_write);
    int64_t rc = cr_klog_release(CON_SLOT_IOPORT);
    printf("console: server for COM1 up%s\n", rc == 0 ? "; the kernel is quiet from now on" : "");
    cr_flush_output();
    con_input_init(CON_SLOT_CHAN, CON_SLOT_IRQ); /* without input it still writes */
    cr_flush_output();
    con_serve(CON_SLOT_CHAN);
}
