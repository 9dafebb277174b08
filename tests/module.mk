# SPDX-License-Identifier: MIT
# Test targets. `make test` runs tools/run-tests.sh, which runs deps, check-style,
# host-test, musl-test, posix-test and the QEMU steps as separate makes, so that one
# failing step cannot stop the others, and then prints the final `N passed, M failed`.
# Each step leaves its counts, `<passed> <failed>`, in $(BUILD)/results/<step>.counts.
#
# Host unit tests are every */test/*_test.c under kernel/ user/ tools/ and tests/host/.
# Each becomes one program under ASan and UBSan, linked with the sources it names in a
# comment line near its top:  /* test-sources: kernel/obj/cdt.c kernel/core/foo.c */
# (or in several such lines).
# Objects go to $(BUILD)/host-test/obj/ (a source shared by two tests is built once) and
# the programs to $(BUILD)/host-test/<dir>/<name>. Quoted includes also search the top of
# the tree, so a test can write #include "user/lib/bootimg/bootimg.h".
# tests/host/shim/ holds host stand-ins for the arch/ headers that pure-logic kernel headers
# include (arch/machine.h, arch/mmu.h); the real arch include directories are never used.

HOSTCC ?= gcc
HOST_TEST_CFLAGS := -std=c11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -Wall -Wextra -Werror -DHOST_TEST \
    -Itests/host/shim -Iinclude -Itests/host -Ikernel/include -Ikernel/plat/pc/include \
    -Iuser/include \
    -Iuser/lib/sys/include -iquote .

HOST_TEST_SRCS := $(sort $(shell find kernel user tools tests/host -path '*/test/*_test.c' \
    -type f 2>/dev/null))
HOST_TEST_BINS := $(patsubst %.c,$(BUILD)/host-test/%,$(HOST_TEST_SRCS))

# $(call host_test_sources,TEST.c): the files on its test-sources lines (a long list may
# take several, each a whole comment).
host_test_sources = $(shell sed -n 's|^/\* *test-sources:\(.*\)\*/.*|\1|p' $(1))
host_test_objs = $(patsubst %.c,$(BUILD)/host-test/obj/%.o,$(sort $(1) \
    $(call host_test_sources,$(1))))

$(BUILD)/host-test/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(HOST_TEST_CFLAGS) -MMD -MP -c $< -o $@

define host_test_rule
$(patsubst %.c,$(BUILD)/host-test/%,$(1)): $(call host_test_objs,$(1))
	@mkdir -p $$(dir $$@)
	@echo "  HOSTLD  $$@"
	$(Q)$(HOSTCC) $(HOST_TEST_CFLAGS) -o $$@ $$^ || { rm -f $$@; exit 1; }
endef
$(foreach t,$(HOST_TEST_SRCS),$(eval $(call host_test_rule,$(t))))

.PHONY: host-test-bins
host-test-bins: $(HOST_TEST_BINS)
	@:

# The runner builds the programs itself (make -k host-test-bins), so that a test that does
# not compile counts as one failure instead of stopping the rest.
host-test:
	$(Q)MAKE='$(MAKE)' BUILD='$(BUILD)' tools/run-tests.sh host $(HOST_TEST_SRCS)

system-test: all
	$(Q)mkdir -p $(BUILD)/results
	$(Q)rm -f $(BUILD)/results/system-test.counts
	$(Q)BUILD='$(BUILD)' tools/qemu.sh test; status=$$?; \
	    if [ -s $(BUILD)/test-report.txt ]; then \
	        tail -n 1 $(BUILD)/test-report.txt > $(BUILD)/results/system-test.counts; \
	    fi; \
	    exit $$status

# The boot tests again, booted from the GRUB image (multiboot 2) instead of QEMU's loader.
iso-test: $(ISO_TEST)
	$(Q)mkdir -p $(BUILD)/results
	$(Q)rm -f $(BUILD)/results/iso-test.counts
	$(Q)BUILD='$(BUILD)' ISO_FILE='$(ISO_TEST)' tools/qemu.sh iso > /dev/null; \
	    tools/test-report.sh $(BUILD)/iso-serial.log iso-test > $(BUILD)/iso-report.txt; \
	    sed '$$d' $(BUILD)/iso-report.txt | sed 's/^PASS /PASS iso:/; s/^FAIL /FAIL iso:/'; \
	    tail -n 1 $(BUILD)/iso-report.txt > $(BUILD)/results/iso-test.counts; \
	    read p f < $(BUILD)/results/iso-test.counts; \
	    echo "iso-test: $$p passed, $$f failed (GRUB multiboot 2 boot)"; [ "$$f" -eq 0 ]

# What `make run` shows: the interactive boot starts the managers and the programs of
# etc/boot.conf (tools/bootimg.manifest), reports their exits and goes idle; the kernel's
# reading of QEMU's ACPI MADT (docs/acpi.md) and the console's input line are checked too. Each expected
# line of BOOT_TEST_LINES must appear in the serial log (one line per word of the list,
# with '_' standing for a space).
BOOT_TEST_LINES ?= console:_server_for_COM1_up root:_process_and_memory_managers_up \
    ptest:_hello \
    hello_from_musl argv[3]_=_boot exited_with_status_0 \
    linuxhello:_an_unmodified_Linux_binary linuxhello:_0_checks_failed \
    root:_no_more_children\;_idle \
    acpi:_MADT:_local_APIC_at_0xfee00000,_1_IOAPIC\(s\),_1_CPU\(s\)_enabled \
    ioapic:_id_0_at_0xfec00000:_GSI_0-23,_24_line\(s\)_taken \
    acpi:_ISA_IRQ_0_-\>_GSI_2,_edge,_active_high acpi:_ISA_IRQ_9_-\>_GSI_9,_level,_active_high \
    console:_input_on_COM1,_IRQ_4_\(line_4\)
# The same boot without ACPI tables (QEMU's acpi=off): the kernel must say it keeps the
# defaults and boot as before; BOOT_NOACPI_LINES are checked in that run's log.
BOOT_NOACPI_LINES ?= acpi:_no_RSDP\;_using_the_defaults \
    ioapic:_id_0_at_0xfec00000:_GSI_0-23 console:_input_on_COM1,_IRQ_4_\(line_4\) \
    root:_no_more_children\;_idle
boot-test: all
	$(Q)mkdir -p $(BUILD)/results
	$(Q)BUILD='$(BUILD)' QEMU_EXTRA='-machine acpi=off' tools/qemu.sh boot; \
	    mv $(BUILD)/boot-serial.log $(BUILD)/boot-noacpi-serial.log
	$(Q)BUILD='$(BUILD)' tools/qemu.sh boot; p=0; f=0; \
	    check() { if tr -d '\r' < $$1 | grep -qF -- "$$2"; then p=$$((p + 1)); \
	        else f=$$((f + 1)); echo "FAIL boot: no '$$2' in $$1"; fi; }; \
	    for w in $(BOOT_TEST_LINES); do \
	        check $(BUILD)/boot-serial.log "$$(printf '%s' "$$w" | tr '_' ' ')"; done; \
	    for w in $(BOOT_NOACPI_LINES); do \
	        check $(BUILD)/boot-noacpi-serial.log "$$(printf '%s' "$$w" | tr '_' ' ')"; done; \
	    echo "$$p $$f" > $(BUILD)/results/boot-test.counts; \
	    echo "boot-test: $$p passed, $$f failed"; [ "$$f" -eq 0 ]

# The system tests in Bochs, on a CPU with PCIDs (tools/bochs.sh): slow, so not part of
# `make test`; run it after changing anything about address spaces or the TLB.
bochs-test: $(ISO_BOCHS)
	$(Q)BUILD='$(BUILD)' tools/bochs.sh test $(ISO_BOCHS)

# The panic report: reason, backtrace with symbol names (the kernel panics on request).
panic-test: all
	$(Q)mkdir -p $(BUILD)/results
	$(Q)BUILD='$(BUILD)' tools/qemu.sh panic; log=$(BUILD)/panic-serial.log; p=0; f=0; \
	    for want in 'KERNEL PANIC: panic-test requested' 'backtrace:' 'kernel_main+0x'; do \
	        if tr -d '\r' < $$log | grep -q -- "$$want"; then p=$$((p + 1)); \
	        else f=$$((f + 1)); echo "FAIL panic-report: no '$$want' in $$log"; fi; \
	    done; echo "$$p $$f" > $(BUILD)/results/panic-test.counts; \
	    echo "panic-test: $$p passed, $$f failed"; [ "$$f" -eq 0 ]

# The host proof of Courier's musl (user/lib/musl): tests/musl/musl_test.c linked against
# the patched libc.a with tests/musl/host_posix.S standing in for libposix, run on the host
# and checked by tools/musl-test.sh (exact output, and no trap outside the stand-in).
MUSL_TEST_DIR := $(BUILD)/musl-test
MUSL_TEST_BIN := $(MUSL_TEST_DIR)/musl_test
MUSL_TEST_OBJS := $(MUSL_TEST_DIR)/musl_test.o $(MUSL_TEST_DIR)/host_posix.o

$(MUSL_TEST_DIR)/%.o: tests/musl/%.c $(MUSL_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(MUSL_CFLAGS) -MMD -MP -c $< -o $@

$(MUSL_TEST_DIR)/%.o: tests/musl/%.S $(MUSL_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(MUSL_CFLAGS) -MMD -MP -c $< -o $@

$(MUSL_TEST_BIN): $(MUSL_TEST_OBJS) $(MUSL_STAMP)
	@echo "  LD      $@"
	$(Q)$(CC) -static -nostdlib -no-pie -o $@ $(MUSL_CRT1) $(MUSL_CRTI) $(MUSL_TEST_OBJS) \
	    -Wl,--start-group $(MUSL_LIBC) $(USER_LIBGCC) -Wl,--end-group $(MUSL_CRTN)

musl-test: $(MUSL_TEST_BIN)
	$(Q)BUILD='$(BUILD)' tools/musl-test.sh $(MUSL_TEST_BIN) tests/musl/musl_test.expected

# The musl programs of user/bin and libposix, checked as far as they can be without the
# process manager (tools/posix-test.sh): libposix's exports, each program accepted by the
# ELF loader and trapping only inside libposix, and each program's own behaviour on the
# host, where the same objects are linked with tests/musl/host_posix.S instead of
# libposix, as $(BUILD)/posix-test/<name>.
POSIX_TEST_DIR := $(BUILD)/posix-test
POSIX_TEST_BINS := $(addprefix $(POSIX_TEST_DIR)/,$(USER_BIN_NAMES))

define posix_test_rule
$(POSIX_TEST_DIR)/$(1): $(filter $(BUILD)/user/bin/$(1)/%,$(USER_BIN_OBJS)) \
    $(MUSL_TEST_DIR)/host_posix.o $(MUSL_STAMP)
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$(Q)$(CC) -static -nostdlib -no-pie -o $$@ $(MUSL_CRT1) $(MUSL_CRTI) \
	    $$(filter %.o,$$^) -Wl,--start-group $(MUSL_LIBC) $(USER_LIBGCC) -Wl,--end-group \
	    $(MUSL_CRTN)
endef
$(foreach p,$(USER_BIN_NAMES),$(eval $(call posix_test_rule,$(p))))

posix-test: $(POSIX_LIB) $(ELFCHECK) $(USER_BINS) $(POSIX_TEST_BINS)
	$(Q)BUILD='$(BUILD)' tools/posix-test.sh $(POSIX_LIB) $(ELFCHECK) $(USER_BINS)

# One test: its breaches are printed and kept in $(BUILD)/results/check-style.out.
check-style:
	$(Q)mkdir -p $(BUILD)/results
	$(Q)if tools/check-style.sh > $(BUILD)/results/check-style.out; then \
	        echo "PASS check-style"; echo "1 0" > $(BUILD)/results/check-style.counts; \
	    else \
	        cat $(BUILD)/results/check-style.out; \
	        echo "FAIL check-style: $$(wc -l < $(BUILD)/results/check-style.out) breach(es)"; \
	        echo "0 1" > $(BUILD)/results/check-style.counts; exit 1; \
	    fi

test:
	$(Q)MAKE='$(MAKE)' BUILD='$(BUILD)' tools/run-tests.sh all
