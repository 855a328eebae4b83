#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh: build a lock-checking 6.12 kernel for the testbed's L1
# (make debug-kernel; docs/testbed.md, "The debug kernel").
#
# Debian ships no kernel with lockdep, so this builds one from Debian's own
# sources (the linux-source-6.12 package) and Debian's own 6.12 config,
# trimmed by localmodconfig to the modules the testbed loads and with the
# lock checkers on: PROVE_LOCKING (lockdep: lock order, IRQ and softirq
# safety, RCU), DEBUG_ATOMIC_SLEEP (sleeping in atomic context) and
# DEBUG_SPINLOCK. KASAN=1 adds the generic KASAN as well (slower: every
# memory access of L1's kernel is checked, under emulation).
#
# Result, under build/debug-kernel/:
#   linux-source-6.12/        the tree, configured and built (KDIR for
#                             make modules-out)
#   vmlinuz-RELEASE           the image: selftests/vm/run --kernel it
#   release                   RELEASE (6.12.N-cdna-debug)
# and the kernel's modules in /lib/modules/RELEASE, where L1 (whose root is
# this machine's /) and mkinitramfs look for them. Needs root for that.
# A second run rebuilds only what changed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
out=$repo/build/debug-kernel
src=$out/linux-source-6.12
tarball=/usr/src/linux-source-6.12.tar.xz
localver=-cdna-debug
jobs=${JOBS:-$(nproc)}

# The modules L1 loads in the testbed (its 9p root, KVM, VFIO, the igb
# ports and VFs, vhost-net, the bridges and veths of the tests). Their
# dependencies come with them. A test that needs another module fails with
# modprobe's message: add it here.
modules=(9p 9pnet 9pnet_virtio netfs overlay virtio_net virtio_blk
	 virtio_console virtio_rng
	 kvm kvm_amd irqbypass ccp
	 vfio vfio_iommu_type1 vfio_pci vfio_pci_core mdev
	 igb igbvf dca i2c_algo_bit
	 tun tap vhost vhost_iotlb vhost_net macvlan macvtap veth
	 bridge stp llc 8021q garp mrp)

die() { echo "debug-kernel: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (it installs the modules in /lib/modules)"
if [ ! -f "$tarball" ]; then
	echo "debug-kernel: installing linux-source-6.12 (Debian's kernel sources)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-source-6.12 \
		flex bison libelf-dev >/dev/null ||
		die "apt-get install linux-source-6.12 failed"
fi
for t in flex bison; do
	command -v "$t" >/dev/null ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q flex bison libelf-dev >/dev/null
done
base=$(printf "%s\n" /boot/config-6.12* | grep -v "\*" | sort -V | tail -n 1)
[ -n "$base" ] || die "no /boot/config-6.12* (make deps installs Debian's 6.12)"

mkdir -p "$out"
if [ ! -f "$src/Makefile" ]; then
	echo "debug-kernel: unpacking $tarball"
	tar -C "$out" -xf "$tarball"
fi

# Configure only once per base config and script (a rebuild keeps .config).
stamp=$( { cat "$base" "$0"; echo "${KASAN:-0}"; } | sha1sum | cut -c1-12)
if [ "$(cat "$out/config.stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "debug-kernel: configuring from $base"
	cp "$base" "$src/.config"
	lsmod_file=$out/modules.lsmod
	{ echo "Module Size Used_by"
	  for m in "${modules[@]}"; do echo "$m 0 0"; done; } >"$lsmod_file"
	make -s -C "$src" olddefconfig >/dev/null
	make -s -C "$src" LSMOD="$lsmod_file" localmodconfig </dev/null >/dev/null 2>&1
	c() { "$src/scripts/config" --file "$src/.config" "$@"; }
	c --set-str LOCALVERSION "$localver" -d LOCALVERSION_AUTO
	# Faster to build, nothing to sign: no debug info, BTF, signatures or
	# compressed modules (cdna.ko built against this tree is unsigned too).
	c -d DEBUG_INFO -d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT -d DEBUG_INFO_BTF \
	  -e DEBUG_INFO_NONE -d MODULE_SIG -d MODULE_SIG_ALL \
	  -d MODULE_COMPRESS -e MODULE_COMPRESS_NONE -d MODULE_COMPRESS_XZ \
	  --set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
	  -d IKHEADERS
	# devlink, which cp_revoke asks after a detach, is built in only when
	# a driver selects it; Debian's are trimmed away above, so netdevsim
	# (a test driver) selects it here.
	c -m NETDEVSIM
	# The lock checkers, with room for a distribution's number of classes.
	c -e DEBUG_KERNEL -e PROVE_LOCKING -e DEBUG_ATOMIC_SLEEP \
	  -e DEBUG_SPINLOCK -e DEBUG_MUTEXES -e DEBUG_RWSEMS \
	  --set-val LOCKDEP_BITS 16 --set-val LOCKDEP_CHAINS_BITS 17 \
	  --set-val LOCKDEP_STACK_TRACE_BITS 20 \
	  --set-val LOCKDEP_CIRCULAR_QUEUE_BITS 12
	if [ "${KASAN:-0}" = 1 ]; then
		c -e KASAN -e KASAN_GENERIC -e KASAN_INLINE
	fi
	make -s -C "$src" olddefconfig >/dev/null
	grep -q '^CONFIG_PROVE_LOCKING=y' "$src/.config" ||
		die "PROVE_LOCKING did not stay on in $src/.config"
	echo "$stamp" >"$out/config.stamp"
fi

echo "debug-kernel: building with $jobs jobs (log: $out/build.log)"
if ! make -C "$src" -j"$jobs" bzImage modules >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	die "the kernel build failed ($out/build.log)"
fi
rel=$(make -s -C "$src" kernelrelease)
make -s -C "$src" modules_install INSTALL_MOD_STRIP=1 >>"$out/build.log" 2>&1 ||
	die "modules_install failed ($out/build.log)"
# The tree is this kernel's build directory (KDIR) for our modules.
ln -sfn "$src" "/lib/modules/$rel/build"
cp "$src/arch/x86/boot/bzImage" "$out/vmlinuz-$rel"
echo "$rel" >"$out/release"
echo "debug-kernel: $out/vmlinuz-$rel (modules in /lib/modules/$rel)"
