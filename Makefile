# SPDX-License-Identifier: GPL-2.0
#
# cdna top-level Makefile.
#
#   make             kmod/cdna.ko, vf-driver/cdna_vf.ko (one kbuild pass),
#                    userspace/cdnactl and the C selftests
#   make check       build + static checks + testbed tests, reported as TAP:
#                    for 6.12 and 6.1 (the whole suite on 6.12, a subset on
#                    6.1), or for KDIR's kernel only if KDIR is given
#   make check-static  the same without the testbed (quick)
#   make bench       cdna vs virtio-net/vhost-net side by side in the testbed
#                    (docs/performance.md; BENCH_ARGS="--smoke" for a short one)
#   make demo        the README story in the testbed (selftests/demo/story.sh)
#   make modules-out the modules for KDIR's kernel in build/<kernel release>/
#                    (kmod/cdna.ko, vf-driver/cdna_vf.ko there), so that
#                    several kernels' builds live side by side; the testbed
#                    (selftests/vm/run --kernel-version) and make check use it
#   make install     (after make) the host side: cdna.ko, cdnactl, man pages,
#                    bash completion, cdna.service; honours DESTDIR and
#                    INSTALL_MOD_PATH
#   make install-guest  (inside a guest, after make) cdna_vf.ko
#   make dkms        register cdna.ko with DKMS (rebuilt on kernel updates);
#                    make dkms-guest does the same for cdna_vf.ko in a guest
#   make deps        install every Debian package we need
#   make debug-kernel  (optional, root, ~25 min) a 6.12 L1 kernel with lockdep
#                    from Debian's sources, KASAN=1 adds KASAN (docs/testbed.md,
#                    "The debug kernel");
#                    make check-lockdep runs testbed tests on it (TESTS="...")
#   make clean       remove everything built (including build/)
#
# KDIR=<kernel build dir> overrides the kernel we build against. Default:
# /lib/modules/$(uname -r)/build if present, else the newest installed
# /usr/src/linux-headers-*-amd64. This file is for humans; kbuild reads Kbuild.

KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	  if [ -d "$$d" ]; then echo "$$d"; \
	  else ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1; fi)

# The kernel release KDIR was configured for (what uname -r says and our
# modules' vermagic carries); the testbed boots the matching
# /boot/vmlinuz-$(KVER) so that our modules load. From UTS_RELEASE: Debian's
# 6.1 headers have "6.1.N" in include/config/kernel.release instead.
KVER := $(shell scripts/kernel-release.sh $(KDIR) 2>/dev/null)

export KDIR KVER

.PHONY: all modules modules-out userspace selftests check bench demo deps clean help tools \
	install install-guest dkms dkms-guest debug-kernel check-lockdep

all: modules userspace selftests

modules:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "no kernel build dir (KDIR='$(KDIR)'): run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# Kbuild (6.1, 6.12) cannot put an external module's objects elsewhere
# than its sources, so build/<release>/ mirrors the sources as symlinks
# (refreshed every time: new and removed files follow) and kbuild builds
# there. Compiler messages then name build/<release>/kmod/... paths.
OUT := build/$(KVER)

modules-out:
	@test -n "$(KVER)" || \
		{ echo "no kernel build dir (KDIR='$(KDIR)'): run 'make deps'" >&2; exit 1; }
	@scripts/mirror-tree.sh $(OUT) Kbuild VERSION include kmod vf-driver
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(OUT) modules

userspace:
	$(MAKE) -C userspace

# kselftest_harness.h and checkpatch.pl, extracted once from Debian's tarball.
tools:
	@scripts/linux-tools.sh

selftests:
	$(MAKE) -C selftests
	$(MAKE) -C selftests/vfio

# Without an explicit KDIR (command line or environment), make check covers
# every supported kernel (scripts/check.sh), not only the default KDIR.
CHECK_ENV := $(if $(filter file,$(origin KDIR)),env -u KDIR -u KVER)

check:
	@$(CHECK_ENV) scripts/check.sh

check-static:
	@$(CHECK_ENV) scripts/check.sh --static

# A failed build does not stop the benchmark: the cdna path reports n/a.
bench:
	@$(MAKE) --no-print-directory all || echo "bench: the build failed; the cdna path will be n/a" >&2
	selftests/bench/bench $(BENCH_ARGS)

debug-kernel:
	scripts/debug-kernel.sh

check-lockdep: userspace selftests
	scripts/check-lockdep.sh $(TESTS)

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
# install" leaves no root-owned file in the tree. MODDIR: where the built
# modules are (the tree, or build/<release> after make modules-out).
MODDIR ?= .
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
	$(call cdna_install_modules,$(MODDIR)/kmod/cdna.ko)
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
	$(call cdna_install_modules,$(MODDIR)/vf-driver/cdna_vf.ko)

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
