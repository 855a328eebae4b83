# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# L2 side of vf_rebind.sh: load, bring up, unload cdna_vf N times (half of
# the unloads with the interface up). Args: rounds, expected MAC.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_guest_lib.sh"

rounds=$1 mac=$2
pci=$(vfg_pci) || cdna_fail "no cdna VF on the PCI bus"
for ((i = 1; i <= rounds; i++)); do
	t0=$(cdna_now_us)
	vfg_load
	ifc=$(vfg_netdev "$pci") || vfg_fail "round $i: cdna_vf made no interface"
	addr=$(cat "/sys/class/net/$ifc/address")
	[ "$addr" = "$mac" ] || vfg_fail "round $i: MAC $addr, host configured $mac"
	ip link set "$ifc" up || vfg_fail "round $i: ip link set up failed"
	vfg_wait_carrier "$ifc" 1 10 || vfg_fail "round $i: no carrier"
	grep -q "cdna_vf-${pci##*/}-qp0" /proc/interrupts ||
		vfg_fail "round $i: no queue vector in /proc/interrupts"
	[ $((i % 2)) -eq 0 ] && ip link set "$ifc" down
	rmmod cdna_vf || vfg_fail "round $i: rmmod cdna_vf failed"
	[ ! -e "$pci/driver" ] || vfg_fail "round $i: still bound after rmmod"
	[ ! -e "/sys/class/net/$ifc" ] || vfg_fail "round $i: $ifc survived rmmod"
	grep -q cdna_vf /proc/interrupts && vfg_fail "round $i: vectors left after rmmod"
	echo "round $i: insmod, $ifc up with carrier, rmmod$([ $((i % 2)) -eq 0 ] && echo " (down first)") in $(cdna_since "$t0") s"
done
exit 0
