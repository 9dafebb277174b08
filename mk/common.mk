# SPDX-License-Identifier: MIT
# Flags shared by all freestanding code (kernel and user), and the compile rules.

WARN := -Wall -Wextra -Werror -Wimplicit-fallthrough -Wstrict-prototypes -Wmissing-prototypes
COMMON_CFLAGS := -std=c11 -O2 -g $(WARN) -ffreestanding -fno-stack-protector \
    -fno-omit-frame-pointer -fno-common -MMD -MP -Iinclude

KERNEL_CFLAGS := $(COMMON_CFLAGS) -mcmodel=kernel -mno-red-zone -fno-pic -fno-pie \
    -mno-sse -mno-mmx -mno-sse2 -mno-avx -mno-80387 -mgeneral-regs-only \
    -Ikernel/include -Ikernel/arch/include -Ikernel/arch/x86_64/include \
    -Ikernel/plat/pc/include

USER_CFLAGS := $(COMMON_CFLAGS) -fno-pic -fno-pie -mno-red-zone -static \
    -Iuser/include -Iuser/lib/sys/include

$(BUILD)/kernel/%.o: kernel/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel/%.o: kernel/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(BUILD)/user/%.o: user/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/user/%.o: user/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(USER_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@
