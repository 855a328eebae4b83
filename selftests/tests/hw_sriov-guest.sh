# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# L2 side of hw_sriov (not a test itself): an igb VF passed through with
# vfio-pci. Args: MAC. Checks that the guest sees the VF (8086:10ca), that
# igbvf loads from the 9p root and binds it with MSI-X, and reports the MAC
# and carrier igbvf ended up with in $CDNA_OUT/hw-result.txt. Traffic is not
# asserted: under QEMU 10.0's igb the VF's reset handshake with the PF does
# not complete (docs/testbed.md, "The igb L1").
set -u
. "$CDNA_LIB"

mac=$1
ifc=
dev=
for d in /sys/bus/pci/devices/*; do
	[ "$(<"$d/vendor"):$(<"$d/device")" = 0x8086:0x10ca ] && dev=$d
done
[ -n "$dev" ] || cdna_fail "no igb VF (8086:10ca) on the guest's PCI bus"
modprobe igbvf || cdna_fail "modprobe igbvf failed"
for ((i = 0; i < 100; i++)); do
	for n in "$dev"/net/*; do
		[ -e "$n" ] && ifc=${n##*/}
	done
	[ -n "$ifc" ] && break
	cdna_sleep 0.1
done
[ -n "$ifc" ] || cdna_fail "igbvf made no interface for ${dev##*/}"
[ "$(basename "$(readlink "$dev/driver")")" = igbvf ] || cdna_fail "${dev##*/} is not bound to igbvf"
ip link set "$ifc" up || cdna_fail "ip link set $ifc up failed"
nv=0
for v in "$dev"/msi_irqs/*; do
	[ -e "$v" ] && [ "$(<"$v")" = msix ] && nv=$((nv + 1))
done
[ "$nv" -ge 1 ] || cdna_fail "$ifc: no MSI-X vectors once up"
cdna_sleep 3
read -r got <"/sys/class/net/$ifc/address"
read -r carrier <"/sys/class/net/$ifc/carrier" 2>/dev/null || carrier=?
how="the PF's"
[ "$got" = "$mac" ] || how="not the PF's $mac"
echo "guest: ${dev##*/} bound to igbvf as $ifc, $nv MSI-X vectors, MAC $got ($how), carrier $carrier" |
	tee "$CDNA_OUT/hw-result.txt"
