/* SPDX-License-Identifier: MIT */
/*
 * I/O-port ranges (x86). Ranges are issued from the boot I/O-port capability only, and
 * never overlap, so the derivation tree has one well-defined parent for each range.
 */
#pragma once

struct cap;

void ioport_release(const struct cap *c);
