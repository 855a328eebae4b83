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
#   make install     cdnactl to $(PREFIX)/sbin, modules via modules_install
#   make deps        install every Debian package we need
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

.PHONY: all modules modules-out userspace selftests check bench demo deps clean help tools install

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
	@scripts/mirror-tree.sh $(OUT) Kbuild include kmod vf-driver
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

demo: all
	selftests/vm/run --verbose selftests/demo/story.sh

PREFIX ?= /usr/local

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	install -D -m 0755 userspace/cdnactl $(DESTDIR)$(PREFIX)/sbin/cdnactl
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/man/man8 docs/man/*.8

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
