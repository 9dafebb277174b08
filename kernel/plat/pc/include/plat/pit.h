/* SPDX-License-Identifier: MIT */
/* The 8254 PIT, used only to calibrate the TSC and LAPIC timer at boot. */
#pragma once

void pit_wait_ms(unsigned ms);
