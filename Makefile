# SPDX-License-Identifier: MIT
#
# Courier build. `make` builds the kernel, the root server and the boot image;
# `make run` boots it in QEMU; `make test` runs every test and ends with
# "N passed, N failed"; `make bench` prints BENCH lines (`make bench-wall`: wall-clock
# figures); `make iso` builds a GRUB image;
# `make debug` waits for gdb; `make musl` builds the C library, which `all` needs for the
# programs in user/bin.
# Each directory's rules live in its module.mk (LK style).

BUILD ?= build
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

CC := gcc
LD := ld
OBJCOPY := objcopy

.DEFAULT_GOAL := all
.PHONY: all run test bench bench-wall iso debug clean deps check-style host-test system-test \
    iso-test panic-test musl musl-test posix-test boot-test profile bochs-test

include mk/common.mk
include kernel/module.mk
-include user/module.mk
-include tools/module.mk
-include tests/module.mk

all: $(KERNEL_BIN) $(KERNEL_ELF) $(ROOT_ELF) $(USER_BINS) $(BOOTIMG)

deps:
	$(Q)tools/deps.sh

run: deps all
	$(Q)tools/qemu.sh run

debug: deps all
	$(Q)tools/qemu.sh debug

iso: deps $(BUILD)/courier.iso

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tools/qemu.sh bench

# The same benchmarks under TCG without -icount: `cyc` figures are host wall time spent
# emulating, noisy, for wall-time ratios beside `make bench`'s instruction counts.
bench-wall: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tools/qemu.sh bench-wall

# Per-function instruction counts of the benchmarks named by FILTER (tools/profile.sh).
profile: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD='$(BUILD)' tools/profile.sh '$(FILTER)'

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
