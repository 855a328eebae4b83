# SPDX-License-Identifier: GPL-2.0
#
# cdna top-level Makefile.
#
#   make             kmod/cdna.ko, vf-driver/cdna_vf.ko (one kbuild pass),
#                    userspace/cdnactl and the C selftests
#   make check       build + static checks + testbed tests, reported as TAP
#   make check-static  the same without the testbed (quick)
#   make bench       cdna vs virtio-net/vhost-net side by side in the testbed
#                    (docs/performance.md; BENCH_ARGS="--smoke" for a short one)
#   make demo        the README story in the testbed (selftests/demo/story.sh)
#   make install     (after make) the host side: cdna.ko, cdnactl, man pages,
#                    bash completion, cdna.service; honours DESTDIR and
#                    INSTALL_MOD_PATH
#   make install-guest  (inside a guest, after make) cdna_vf.ko
#   make dkms        register cdna.ko with DKMS (rebuilt on kernel updates);
#                    make dkms-guest does the same for cdna_vf.ko in a guest
#   make deps        install every Debian package we need
#   make clean       remove everything built (including build/)
#
# KDIR=<kernel build dir> overrides the kernel we build against. Default:
# /lib/modules/$(uname -r)/build if present, else the newest installed
# /usr/src/linux-headers-*-amd64. This file is for humans; kbuild reads Kbuild.

KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	  if [ -d "$$d" ]; then echo "$$d"; \
	  else ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1; fi)

# The kernel release KDIR builds for (what uname -r says on that kernel; not
# include/config/kernel.release, which Debian's 6.1 headers get wrong); the
# testbed boots the matching /boot/vmlinuz-$(KVER) so that our modules load.
KVER := $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	  $(KDIR)/include/generated/utsrelease.h 2>/dev/null)

export KDIR KVER

.PHONY: all modules userspace selftests check bench demo deps clean help tools \
	install install-guest dkms dkms-guest

all: modules userspace selftests

modules:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "no kernel build dir (KDIR='$(KDIR)'): run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace

# kselftest_harness.h and checkpatch.pl, extracted once from Debian's tarball.
tools:
	@scripts/linux-tools.sh

selftests:
	$(MAKE) -C selftests
	$(MAKE) -C selftests/vfio

check:
	@scripts/check.sh

check-static:
	@scripts/check.sh --static

# A failed build does not stop the benchmark: the cdna path reports n/a.
bench:
	@$(MAKE) --no-print-directory all || echo "bench: the build failed; the cdna path will be n/a" >&2
	selftests/bench/bench $(BENCH_ARGS)

demo: all
	selftests/vm/run --verbose selftests/demo/story.sh

PREFIX ?= /usr/local
# systemd reads units from /usr/local/lib/systemd/system as well as from
# /usr/lib/systemd/system, so the unit follows PREFIX.
SYSTEMD_UNITDIR ?= $(PREFIX)/lib/systemd/system
VERSION := $(shell cat VERSION)
# Modules go to $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/extra; a package
# build sets DESTDIR (or INSTALL_MOD_PATH) and runs depmod in its postinst.
INSTALL_MOD_PATH ?= $(DESTDIR)
# Sign the installed modules with a key of yours (Secure Boot, MOK: see
# docs/install.md): make install SIGN_KEY=MOK.priv SIGN_CERT=MOK.der
SIGN_KEY ?=
SIGN_CERT ?=

# install never builds: run "make" first as yourself, so that "sudo make
# install" leaves no root-owned file in the tree.
define cdna_install_modules
	@for m in $(1); do test -f $$m || { \
		echo "install: $$m is not built: run 'make' first (as yourself)" >&2; \
		exit 1; }; done
	install -D -m 0644 -t $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/extra $(1)
	$(if $(SIGN_KEY),for m in $(notdir $(1)); do \
		$(KDIR)/scripts/sign-file sha256 $(SIGN_KEY) $(SIGN_CERT) \
			$(INSTALL_MOD_PATH)/lib/modules/$(KVER)/extra/$$m || exit 1; done)
	$(if $(INSTALL_MOD_PATH),@echo "install: run 'depmod $(KVER)' once the modules are in place", \
		depmod $(KVER))
endef

install:
	@test -x userspace/cdnactl || { \
		echo "install: userspace/cdnactl is not built: run 'make' first (as yourself)" >&2; \
		exit 1; }
	$(call cdna_install_modules,kmod/cdna.ko)
	install -D -m 0755 userspace/cdnactl $(DESTDIR)$(PREFIX)/sbin/cdnactl
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/man/man8 docs/man/*.8
	install -D -m 0644 userspace/cdnactl.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/cdnactl
	install -d $(DESTDIR)$(SYSTEMD_UNITDIR)
	sed 's|@SBINDIR@|$(PREFIX)/sbin|g' userspace/cdna.service.in \
		>$(DESTDIR)$(SYSTEMD_UNITDIR)/cdna.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNITDIR)/cdna.service
	install -D -m 0644 userspace/cdna.conf.example \
		$(DESTDIR)$(PREFIX)/share/doc/cdna/cdna.conf.example

install-guest:
	$(call cdna_install_modules,vf-driver/cdna_vf.ko)

dkms:
	scripts/dkms.sh host

dkms-guest:
	scripts/dkms.sh guest

deps:
	scripts/deps.sh

clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	$(MAKE) -C selftests/vfio clean
	rm -rf build

help:
	@sed -n '3,/^[^#]/s/^# \{0,1\}//p' Makefile
