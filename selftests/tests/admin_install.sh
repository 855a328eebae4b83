#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 400
#
# "make install" on the KVM host, then "modprobe cdna": install puts cdna.ko
# in /lib/modules/<release>/extra and runs depmod itself (Debian's headers
# have no System.map, so kbuild's own install would skip it), so modprobe
# finds the module and its vfio dependencies at once. The installed cdnactl
# reports its and the module's version, and the bash completion is in
# place. L1's root is an overlay: the install vanishes with L1.
set -u
. "$CDNA_LIB"

version=$(cat "$CDNA_REPO/VERSION")
kver=$(uname -r)
[ ! -d /sys/module/cdna ] || cdna_fail "cdna is loaded before the test"

t0=$(cdna_now_us)
make --no-print-directory -C "$CDNA_REPO" install MODDIR="$CDNA_MODDIR" \
	KDIR="/lib/modules/$kver/build" || cdna_fail "make install failed"
cdna_stage "make install" "$(cdna_since "$t0")"

path=$(modinfo -n cdna) || cdna_fail "modinfo finds no cdna module after make install"
[ "$path" = "/lib/modules/$kver/extra/cdna.ko" ] ||
	cdna_fail "modinfo names $path, not the installed /lib/modules/$kver/extra/cdna.ko"
modprobe cdna || cdna_fail "modprobe cdna failed right after make install"
[ "$(cat /sys/module/cdna/version)" = "$version" ] ||
	cdna_fail "/sys/module/cdna/version is '$(cat /sys/module/cdna/version)', not '$version'"
for m in vfio mdev vfio_iommu_type1; do
	[ -d "/sys/module/$m" ] || cdna_fail "modprobe cdna did not load $m"
done

out=$(/usr/local/sbin/cdnactl -V) || cdna_fail "the installed cdnactl -V failed"
[ "$out" = "cdnactl $version, cdna.ko $version" ] ||
	cdna_fail "cdnactl -V printed '$out'"
bash -c '. /usr/local/share/bash-completion/completions/cdnactl && complete -p cdnactl' |
	grep -q _cdnactl || cdna_fail "the installed bash completion does not define cdnactl's"
[ -f /usr/local/share/man/man8/cdnactl.8 ] || cdna_fail "no installed man page"

modprobe -r cdna || cdna_fail "modprobe -r cdna failed"
exit 0
