# SPDX-License-Identifier: MIT
# The kernel: every .c/.S under these directories. Linked twice: the second link embeds
# the symbol table (tools/mksyms.sh) so panics print symbolised backtraces; the symbol
# table goes at the end of .rodata, so no code address moves between the two links.

KERNEL_DIRS := kernel/core kernel/obj kernel/ipc kernel/sched kernel/api \
    kernel/arch/x86_64 kernel/arch/x86_64/boot kernel/plat/pc
KERNEL_SRCS := $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.c $(d)/*.S))
KERNEL_OBJS := $(patsubst kernel/%,$(BUILD)/kernel/%.o,$(basename $(KERNEL_SRCS)))
KERNEL_LDS := kernel/arch/x86_64/kernel.ld
KERNEL_ELF := $(BUILD)/kernel.elf
KERNEL_BIN := $(BUILD)/kernel.bin
KERNEL_LDFLAGS := -nostdlib -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments

# The system-call dispatcher (syscall_user) runs on every call: without a frame pointer
# its lean path saves three instructions. A backtrace through it still names it (the
# handler's return address) and then stops at the user's rbp, outside the kernel.
$(BUILD)/kernel/api/syscall.o: KERNEL_CFLAGS += -fomit-frame-pointer
# The same for the exit to user mode (arch_exit_to_user, on every switch), which never
# returns and calls nothing a backtrace would start in.
$(BUILD)/kernel/arch/x86_64/context.o: KERNEL_CFLAGS += -fomit-frame-pointer

$(BUILD)/kernel/ksyms0.o: tools/mksyms.sh
	@mkdir -p $(dir $@)
	$(Q)tools/mksyms.sh /dev/null > $(BUILD)/kernel/ksyms0.S
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $(BUILD)/kernel/ksyms0.S -o $@

$(BUILD)/kernel.stage1.elf: $(KERNEL_OBJS) $(BUILD)/kernel/ksyms0.o $(KERNEL_LDS)
	$(Q)$(LD) $(KERNEL_LDFLAGS) -T $(KERNEL_LDS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksyms0.o

$(KERNEL_ELF): $(BUILD)/kernel.stage1.elf tools/mksyms.sh
	@echo "  LD      $@"
	$(Q)tools/mksyms.sh $< > $(BUILD)/kernel/ksyms.S
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $(BUILD)/kernel/ksyms.S -o $(BUILD)/kernel/ksyms.o
	$(Q)$(LD) $(KERNEL_LDFLAGS) -T $(KERNEL_LDS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksyms.o
	$(Q)nm -n $(BUILD)/kernel.stage1.elf | grep -i ' t ' > $(BUILD)/kernel/syms1.txt
	$(Q)nm -n $@ | grep -i ' t ' > $(BUILD)/kernel/syms2.txt
	$(Q)cmp -s $(BUILD)/kernel/syms1.txt $(BUILD)/kernel/syms2.txt || \
	    { echo "kernel: code moved between links"; exit 1; }

# QEMU's multiboot loader takes the flat image through the header's address fields.
$(KERNEL_BIN): $(KERNEL_ELF)
	$(Q)$(OBJCOPY) -O binary -R .bss $< $@
