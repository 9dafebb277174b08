# SPDX-License-Identifier: MIT
# The Linux personality (docs/posix.md, "Unmodified programs"): libposix's sources built
# once more, with no SSE (the blob runs inside a program's system call, where Linux keeps
# every vector register; position-independent code, as it sits above 2 GiB), linked with the interim C library's string functions and
# upcall.S into a static ELF at PERSONALITY_BASE, far above anything a program maps. The
# process manager loads it into each program that lacks the Courier note (programs built
# on libposix carry it) and points the threads' upcall entry at __courier_upcall.

PERSONALITY_BASE := 0x7fe000000000
PERSONALITY_CFLAGS := $(USER_CFLAGS) -fPIE -mgeneral-regs-only
PERSONALITY_DIR := $(BUILD)/personality
PERSONALITY_SRCS := $(POSIX_SRCS) user/lib/c/string.c
PERSONALITY_OBJS := $(patsubst %.c,$(PERSONALITY_DIR)/%.o,$(PERSONALITY_SRCS)) \
    $(PERSONALITY_DIR)/user/lib/personality/upcall.o
PERSONALITY_ELF := $(BUILD)/lib/personality

$(PERSONALITY_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (personality)"
	$(Q)$(CC) $(PERSONALITY_CFLAGS) -c $< -o $@

$(PERSONALITY_DIR)/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(PERSONALITY_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(PERSONALITY_ELF): $(PERSONALITY_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(LD) -static -nostdlib -no-pie -z max-page-size=4096 -z noexecstack \
	    -Ttext-segment=$(PERSONALITY_BASE) -e __courier_upcall -o $@ $(PERSONALITY_OBJS) \
	    $(USER_LIBGCC)

all: $(PERSONALITY_ELF)
BOOTIMG_FILES += lib/personality=$(PERSONALITY_ELF)
