# SPDX-License-Identifier: MIT
# Host tools and the boot artefacts they make. mkbootimg is built with the host compiler
# and links the same parsers as the root server (user/lib/bootimg: the image and its
# etc/boot.conf), which it uses to check its own output. $(BOOTIMG) holds the files in
# tools/bootimg.manifest plus BOOTIMG_FILES (name=path pairs; user/module.mk sets it), and
# the etc/boot.conf mkbootimg makes from the manifest's env and start lines.
# $(BUILD)/courier.iso is a GRUB rescue image (BIOS and UEFI when grub-pc-bin and
# grub-efi-amd64-bin are both installed) that loads kernel.elf by multiboot2 with root.elf
# and bootimg.img as modules.
# elfcheck, a host tool too, links the root server's ELF parser (user/lib/elf).

HOSTCC ?= gcc
HOST_TOOL_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -Iinclude -Iuser/include -iquote .

MKBOOTIMG := $(BUILD)/tools/mkbootimg
MKBOOTIMG_SRCS := tools/mkbootimg.c tools/manifest.c user/lib/bootimg/bootimg.c user/lib/bootimg/bootconf.c
MKBOOTIMG_HDRS := tools/mkbootimg.h user/lib/bootimg/bootimg.h user/lib/bootimg/bootconf.h \
    user/include/courier/bootimg.h user/include/courier/lib/string.h \
    include/courier/abi/errors.h include/courier/abi/errors.def

BOOTIMG := $(BUILD)/bootimg.img
BOOTIMG_MANIFEST := tools/bootimg.manifest
BOOTIMG_FILES ?=
# Host files the image is made of, so that it is rebuilt when one changes: column two of
# the manifest's file lines (not of its env and start lines, which name no host file; file
# lines have no quotes, mkbootimg sees to that), and the part after '=' of each
# BOOTIMG_FILES pair. (A '#' inside a function call needs a backslash before make 4.3 and
# must not have one after, hence the variable.)
bootimg_hash := \#
BOOTIMG_DEPS = $(shell sed 's/$(bootimg_hash).*//' $(BOOTIMG_MANIFEST) | \
        awk 'NF >= 2 && $$1 != "env" && $$1 != "start" { print $$2 }') \
    $(foreach f,$(BOOTIMG_FILES),$(word 2,$(subst =, ,$(f))))

ISO := $(BUILD)/courier.iso
ISO_STAGE := $(BUILD)/iso
# The same image with a kernel command line that runs the boot tests and powers off, so
# `make test` proves the GRUB (multiboot 2) path end to end.
ISO_TEST := $(BUILD)/courier-test.iso
$(ISO): ISO_CMDLINE :=
$(ISO_TEST): ISO_CMDLINE := test=boot_
$(ISO_TEST): ISO_STAGE := $(BUILD)/iso-test
# The system tests again, for Bochs (make bochs-test): its CPU has PCIDs, QEMU's TCG none.
ISO_BOCHS := $(BUILD)/courier-bochs.iso
$(ISO_BOCHS): ISO_CMDLINE := test
$(ISO_BOCHS): ISO_STAGE := $(BUILD)/iso-bochs

$(MKBOOTIMG): $(MKBOOTIMG_SRCS) $(MKBOOTIMG_HDRS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(HOST_TOOL_CFLAGS) -o $@ $(MKBOOTIMG_SRCS)

# The same program built like the host tests, with ASan and UBSan (HOST_TEST_CFLAGS comes
# from tests/module.mk), for tools/test/mkbootimg_test.c to run. Order-only: the test finds
# it by path and does not link it, but it must be there and up to date first.
MKBOOTIMG_SAN := $(BUILD)/host-test/tools/mkbootimg
$(MKBOOTIMG_SAN): $(MKBOOTIMG_SRCS) $(MKBOOTIMG_HDRS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(HOST_TEST_CFLAGS) -o $@ $(MKBOOTIMG_SRCS)
$(BUILD)/host-test/tools/test/mkbootimg_test: | $(MKBOOTIMG_SAN)

# elfcheck: the root server's ELF parser run on the host over built programs
# (tools/posix-test.sh).
ELFCHECK := $(BUILD)/tools/elfcheck
ELFCHECK_SRCS := tools/elfcheck.c user/lib/elf/elf.c
ELFCHECK_HDRS := user/lib/elf/elf.h user/lib/elf/elf_errors.def

$(ELFCHECK): $(ELFCHECK_SRCS) $(ELFCHECK_HDRS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(HOST_TOOL_CFLAGS) -o $@ $(ELFCHECK_SRCS)

# Second expansion lets makefiles included after this one (tests/module.mk) still add to
# BOOTIMG_FILES and have the image depend on what they add.
.SECONDEXPANSION:
$(BOOTIMG): $(MKBOOTIMG) $(BOOTIMG_MANIFEST) $$(BOOTIMG_DEPS)
	@echo "  MKIMG   $@"
	$(Q)$(MKBOOTIMG) -o $@ -m $(BOOTIMG_MANIFEST) $(BOOTIMG_FILES)

$(ISO) $(ISO_TEST) $(ISO_BOCHS): $(KERNEL_ELF) $(ROOT_ELF) $(BOOTIMG) tools/module.mk
	@echo "  ISO     $@"
	$(Q)rm -rf $(ISO_STAGE)
	$(Q)mkdir -p $(ISO_STAGE)/boot/grub
	$(Q)cp $(KERNEL_ELF) $(ISO_STAGE)/boot/kernel.elf
	$(Q)cp $(ROOT_ELF) $(ISO_STAGE)/boot/root.elf
	$(Q)cp $(BOOTIMG) $(ISO_STAGE)/boot/bootimg.img
	$(Q)printf '%s\n' \
	    'set timeout=0' \
	    'set default=0' \
	    'serial --unit=0 --speed=115200' \
	    'terminal_input serial console' \
	    'terminal_output serial console' \
	    'menuentry "Courier" {' \
	    '    multiboot2 /boot/kernel.elf $(ISO_CMDLINE)' \
	    '    module2 /boot/root.elf root' \
	    '    module2 /boot/bootimg.img bootimg' \
	    '    boot' \
	    '}' > $(ISO_STAGE)/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(ISO_STAGE) > $(BUILD)/grub-mkrescue.log 2>&1 || \
	    { cat $(BUILD)/grub-mkrescue.log; rm -f $@; exit 1; }
