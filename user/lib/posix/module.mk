# SPDX-License-Identifier: MIT
# libposix, Courier's POSIX personality under musl (docs/posix.md), and the recipe that
# links a program against musl and it.
#
# libposix compiles like the rest of user space (USER_CFLAGS, through mk/common.mk's
# $(BUILD)/user/%.o rule): freestanding, no C library headers, only the kernel ABI, the
# protocol headers and sys.h. Its objects are linked into one relocatable object whose
# only global symbols are the four entry points musl calls (docs/musl.md); every other
# name becomes local, so no name of libposix can clash with a program's or musl's.
# $(POSIX_LIB) is that object in an archive.
#
# A musl program compiles with $(MUSL_CFLAGS) (user/lib/musl/module.mk), lists
# $(MUSL_LINK_DEPS) among its prerequisites, and links with $(MUSL_LINK), which expands
# to
#   $(CC) -static -no-pie -nostdlib -o $@ crt1.o crti.o <its objects>
#       --start-group libposix.a libc.a libgcc.a --end-group crtn.o
# with GNU ld's default script, so the program headers are loaded with the first
# segment and AT_PHDR can point at them. The group lets libc.a and libposix.a (which
# may call memcpy) find each other whatever their order.

POSIX_SRCS := $(sort $(wildcard user/lib/posix/*.c))
POSIX_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(POSIX_SRCS)) \
    $(BUILD)/user/lib/posix/note.o
POSIX_OBJ := $(BUILD)/user/lib/posix/libposix.o
POSIX_LIB := $(BUILD)/user/libposix.a
POSIX_EXPORTS := __courier_syscall __courier_syscall_cp __courier_clone __courier_unmapself

$(POSIX_LIB): $(POSIX_OBJS) user/lib/posix/module.mk
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)$(LD) -r -o $(POSIX_OBJ) $(POSIX_OBJS)
	$(Q)$(OBJCOPY) $(addprefix --keep-global-symbol=,$(POSIX_EXPORTS)) $(POSIX_OBJ)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $(POSIX_OBJ)

MUSL_LDFLAGS := -static -no-pie -nostdlib -Wl,-z,noexecstack
MUSL_LINK = $(CC) $(MUSL_LDFLAGS) -o $@ $(MUSL_CRT1) $(MUSL_CRTI) \
    $(filter-out $(MUSL_CRT1) $(MUSL_CRTI) $(MUSL_CRTN),$(filter %.o,$^)) \
    -Wl,--start-group $(POSIX_LIB) $(MUSL_LIBC) $(USER_LIBGCC) -Wl,--end-group $(MUSL_CRTN)
MUSL_LINK_DEPS := $(MUSL_STAMP) $(POSIX_LIB)
