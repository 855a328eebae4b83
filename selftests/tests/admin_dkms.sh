#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 600
#
# DKMS on the KVM host. The testbed's L1 compiles too slowly under TCG to
# run "dkms build" in a test (one cdna.ko build took more than 600 s), so
# make check builds the DKMS package on the machine for L1's kernel (the
# dkms step: scripts/dkms.sh host --tarball, private DKMS trees) and this
# test installs it the way a fleet does: "dkms ldtarball" (the sources and
# the built module), "dkms install", then "modprobe cdna" must load the
# DKMS module with its vfio dependencies, and modinfo report the tree's
# VERSION. L1's root is an overlay: all of it vanishes with L1.
set -u
. "$CDNA_LIB"

command -v dkms >/dev/null || cdna_fail "dkms is not installed (make deps installs it)"
version=$(cat "$CDNA_REPO/VERSION")
kver=$(uname -r)
tarball=$CDNA_REPO/build/dkms/cdna-$kver.tar.gz
[ -f "$tarball" ] ||
	cdna_fail "no $tarball: make check builds it (or: KVER=$kver scripts/dkms.sh host --tarball $tarball)"

t0=$(cdna_now_us)
dkms ldtarball "$tarball" || cdna_fail "dkms ldtarball failed"
dkms install "cdna/$version" -k "$kver" || cdna_fail "dkms install failed"
cdna_stage "dkms ldtarball + install" "$(cdna_since "$t0")"
dkms status cdna | grep -q "cdna/$version, $kver, .*: installed" ||
	cdna_fail "dkms status does not show cdna/$version installed for $kver: $(dkms status cdna)"

path=$(modinfo -n cdna) || cdna_fail "modinfo finds no cdna module after dkms install"
case "$path" in
"$CDNA_REPO"/*) cdna_fail "modinfo found the tree's module ($path), not DKMS's" ;;
esac
echo "modprobe will load $path"
[ "$(modinfo -F version cdna)" = "$version" ] ||
	cdna_fail "modinfo version '$(modinfo -F version cdna)' is not VERSION '$version'"

modprobe cdna || cdna_fail "modprobe cdna failed after dkms install"
grep -q '^cdna ' /proc/modules || cdna_fail "cdna is not loaded after modprobe"
[ "$(cat /sys/module/cdna/version)" = "$version" ] ||
	cdna_fail "/sys/module/cdna/version is '$(cat /sys/module/cdna/version)', not '$version'"
dmesg | grep -q "cdna: version $version loaded" || cdna_fail "no 'version $version loaded' in the kernel log"
modprobe -r cdna || cdna_fail "modprobe -r cdna failed"

# Removal runs depmod once more (~100 s under TCG): skip it, and check
# only that the files go.
dkms remove "cdna/$version" --all --no-depmod || cdna_fail "dkms remove failed"
[ -e "$path" ] && cdna_fail "$path is still there after dkms remove"
exit 0
