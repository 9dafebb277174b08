# SPDX-License-Identifier: MIT
# Courier's C library: musl 1.2.3 from Debian's source package with Courier's changes
# (courier.patch and the files under src/ here), built by tools/musl.sh into
# $(BUILD)/musl and installed in $(MUSL_DIR). `make musl` builds it; so do `make all`,
# for the programs in user/bin, and `make musl-test` (tests/module.mk), which proves it
# on the host. docs/musl.md has the contract between musl and libposix.
#
# A program built on it compiles with $(MUSL_CFLAGS), depends on $(MUSL_STAMP) (touched
# whenever the library may have changed), and links static and not PIE:
#   $(MUSL_CRT1) $(MUSL_CRTI) <objects> <libposix> $(MUSL_LIBC) $(USER_LIBGCC) $(MUSL_CRTN)
# (libposix and libgcc before and after libc.a, or all three in one --start-group);
# $(MUSL_LINK) in user/lib/posix/module.mk is that recipe.

MUSL_DIR := $(BUILD)/musl/install
MUSL_INCLUDE := $(MUSL_DIR)/include
MUSL_LIBC := $(MUSL_DIR)/lib/libc.a
MUSL_CRT1 := $(MUSL_DIR)/lib/crt1.o
MUSL_CRTI := $(MUSL_DIR)/lib/crti.o
MUSL_CRTN := $(MUSL_DIR)/lib/crtn.o
MUSL_STAMP := $(MUSL_DIR)/.stamp
MUSL_INPUTS := tools/musl.sh user/lib/musl/courier.patch \
    $(shell find user/lib/musl/src -type f 2>/dev/null)
# musl's headers, then gcc's own (intrinsics and the like, which musl lacks), never the
# host's. Static and not PIE like the library; no stack protector, as for USER_CFLAGS.
MUSL_CFLAGS := -std=c11 -O2 -g $(WARN) -nostdinc -isystem $(MUSL_INCLUDE) \
    -isystem $(shell $(CC) -print-file-name=include) -fno-pic -fno-pie -fno-stack-protector

.PHONY: musl
musl: $(MUSL_STAMP)

# The script does nothing when its own record of the inputs matches; the touch keeps
# make from asking again.
$(MUSL_STAMP): $(MUSL_INPUTS)
	@echo "  MUSL    $(BUILD)/musl (Debian's musl 1.2.3-1 with user/lib/musl)"
	$(Q)CC='$(CC)' tools/musl.sh $(BUILD)/musl
	$(Q)touch $@
