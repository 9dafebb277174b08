# SPDX-License-Identifier: MIT
# Programs on musl and libposix: each directory user/bin/<name> is one program, linked
# from all its .c files into $(BUILD)/bin/<name> with $(MUSL_LINK)
# (user/lib/posix/module.mk) and put in the boot image as bin/<name>. Their objects go
# to $(BUILD)/user/bin/<name>/, compiled with musl's headers ($(MUSL_CFLAGS)), not
# USER_CFLAGS: these are ordinary POSIX programs. They need musl built ($(MUSL_STAMP)),
# which `make all` therefore builds.

USER_BIN_SRCS := $(sort $(wildcard user/bin/*/*.c))
USER_BIN_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_BIN_SRCS))
USER_BIN_NAMES := $(sort $(patsubst user/bin/%/,%,$(dir $(USER_BIN_SRCS))))
USER_BINS := $(addprefix $(BUILD)/bin/,$(USER_BIN_NAMES))

# A static pattern rule: it wins over mk/common.mk's $(BUILD)/user/%.o rule.
$(USER_BIN_OBJS): $(BUILD)/user/bin/%.o: user/bin/%.c $(MUSL_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(MUSL_CFLAGS) -MMD -MP -c $< -o $@

define user_bin_rule
$(BUILD)/bin/$(1): $(filter $(BUILD)/user/bin/$(1)/%,$(USER_BIN_OBJS)) $(MUSL_LINK_DEPS)
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$(Q)$$(MUSL_LINK)
endef
$(foreach p,$(USER_BIN_NAMES),$(eval $(call user_bin_rule,$(p))))

BOOTIMG_FILES += $(foreach p,$(USER_BIN_NAMES),bin/$(p)=$(BUILD)/bin/$(p))
