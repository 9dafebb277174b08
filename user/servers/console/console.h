/* SPDX-License-Identifier: MIT */
/*
 * The console server's parts (docs/console.md): console.c serves requests, input.c the
 * receive interrupt and the readers, main.c starts both. One thread: nothing is locked.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <courier/abi/types.h>
#include <courier/proto/console.h>

/* input.c */
bool con_input_init(cr_cptr_t chan, cr_cptr_t irq);
void con_input_pulse(void);
int con_input_read(uint64_t rcvid, uint64_t max);
void con_input_stats(struct con_stats *s);

/* console.c */
_Noreturn void con_serve(cr_cptr_t chan);
