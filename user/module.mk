# SPDX-License-Identifier: MIT
# User space: the runtime library every native program links (syscall stubs, the interim
# C library, the C start-up code, the boot-image parser, the ELF loader), the root server,
# and the POSIX side: musl, libposix and the programs built on them (user/lib/musl,
# user/lib/posix, user/bin, each with its own module.mk).
#
# Every .c/.S under USER_LIB_DIRS goes into $(USER_LIB), a static archive, except crt0,
# which a program links first by name. A program's link recipe is $(USER_LINK), with its
# objects plus $(USER_LINK_DEPS) as prerequisites; it expands to
# $(LD) $(USER_LDFLAGS) -o $@ $(USER_CRT0) <objects> $(USER_LIB) $(USER_LIBGCC):
# static, not PIE, at 0x400000, three W^X segments (user/lib/crt/user.ld). Sources
# compile with USER_CFLAGS from mk/common.mk through its $(BUILD)/user/%.o rules; the
# headers live in user/include (found there already) and user/lib/sys/include.

USER_LIB_DIRS := user/lib/sys user/lib/c user/lib/crt user/lib/uart8250 $(wildcard user/lib/bootimg) \
    $(wildcard user/lib/elf)
USER_LIB_SRCS := $(sort $(foreach d,$(USER_LIB_DIRS),$(wildcard $(d)/*.c $(d)/*.S)))
USER_CRT0 := $(BUILD)/user/lib/crt/crt0.o
USER_LIB_OBJS := $(filter-out $(USER_CRT0), \
    $(patsubst user/%,$(BUILD)/user/%.o,$(basename $(USER_LIB_SRCS))))
USER_LIB := $(BUILD)/user/libcourier.a
USER_LDS := user/lib/crt/user.ld
USER_LDFLAGS := -nostdlib -static -no-pie -T $(USER_LDS) -z max-page-size=4096 \
    -z noexecstack
# Helpers gcc may call on its own (128-bit division and the like); last on the line.
USER_LIBGCC := $(shell $(CC) -print-libgcc-file-name)
USER_LINK = $(LD) $(USER_LDFLAGS) -o $@ $(USER_CRT0) \
    $(filter-out $(USER_CRT0),$(filter %.o,$^)) $(USER_LIB) $(USER_LIBGCC)
# What every user program depends on besides its own objects.
USER_LINK_DEPS := $(USER_CRT0) $(USER_LIB) $(USER_LDS)

$(USER_LIB): $(USER_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

# The root server: every .c/.S in user/root, linked in name order. Its tests and
# benchmarks run in link order, and within a file in source order, which
# -fno-toplevel-reorder guarantees (gcc otherwise emits the registry entries reversed).
ROOT_SRCS := $(sort $(wildcard user/root/*.c user/root/*.S user/root/pm/*.c))
ROOT_OBJS := $(patsubst user/%,$(BUILD)/user/%.o,$(basename $(ROOT_SRCS)))
ROOT_ELF := $(BUILD)/root.elf
$(ROOT_OBJS): USER_CFLAGS += -fno-toplevel-reorder

$(ROOT_ELF): $(ROOT_OBJS) $(USER_LINK_DEPS)
	@echo "  LD      $@"
	$(Q)$(USER_LINK)

# ptest: a native test program for the process manager (its own _start, no crt0, no
# libc), kept out of user/bin, whose directories are musl programs.
PTEST_OBJS := $(BUILD)/tests/ptest/start.o $(BUILD)/tests/ptest/ptest.o \
    $(BUILD)/tests/ptest/ptest_mem.o
PTEST_ELF := $(BUILD)/tests/ptest.elf
$(BUILD)/tests/ptest/%.o: tests/ptest/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(USER_CFLAGS) -D__ASSEMBLY__ -c $< -o $@
$(PTEST_ELF): $(PTEST_OBJS) $(USER_LIB) $(USER_LDS)
	@echo "  LD      $@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(PTEST_OBJS) $(USER_LIB) $(USER_LIBGCC)
all: $(PTEST_ELF)

# linuxhello: an unmodified Linux program, built by Debian's musl-gcc (tests/linux): its
# system calls reach libposix through the kernel's foreign-call redirect.
LINUXHELLO := $(BUILD)/tests/linuxhello
$(LINUXHELLO): tests/linux/linuxhello.c
	@mkdir -p $(dir $@)
	@echo "  MUSLGCC $@"
	$(Q)musl-gcc -static -O2 -o $@ $<
all: $(LINUXHELLO)

# Programs for the boot image, as name=path pairs (see tools/bootimg.manifest):
# user/bin/module.mk adds the musl programs. The root server is loaded by the kernel, not
# from the image.
BOOTIMG_FILES += bin/ptest=$(PTEST_ELF) bin/linuxhello=$(LINUXHELLO)

# musl, then libposix and the musl link recipe, then the programs that use both.
include user/lib/musl/module.mk
include user/lib/posix/module.mk
include user/lib/personality/module.mk
include user/bin/module.mk

# System servers: each directory user/servers/<name> is one native program (crt0 and
# libcourier, no libc), linked from all its .c files into $(BUILD)/servers/<name> and put
# in the boot image as bin/<name>. The root server starts them itself (docs/process.md).
SERVER_SRCS := $(sort $(wildcard user/servers/*/*.c))
SERVER_NAMES := $(sort $(patsubst user/servers/%/,%,$(dir $(SERVER_SRCS))))
SERVER_BINS := $(addprefix $(BUILD)/servers/,$(SERVER_NAMES))

define server_rule
$(BUILD)/servers/$(1): $(patsubst user/%.c,$(BUILD)/user/%.o,$(filter user/servers/$(1)/%,$(SERVER_SRCS))) $(USER_LINK_DEPS)
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$(Q)$$(USER_LINK)
endef
$(foreach s,$(SERVER_NAMES),$(eval $(call server_rule,$(s))))

all: $(SERVER_BINS)
BOOTIMG_FILES += $(foreach s,$(SERVER_NAMES),bin/$(s)=$(BUILD)/servers/$(s))
