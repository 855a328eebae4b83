# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# L2 side of vf_unplug.sh: bring every cdna VF's interface up, tell L1,
# then wait for each function to be hot-unplugged (the host removes its
# context) and check the driver let go of everything.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_guest_lib.sh"

vfs=()
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0xcd0a ] && vfs+=("$d")
done
[ ${#vfs[@]} -gt 0 ] || cdna_fail "no cdna VF on the PCI bus"
vfg_load
ifcs=()
for pci in "${vfs[@]}"; do
	ifc=$(vfg_netdev "$pci") || vfg_fail "cdna_vf made no interface for ${pci##*/}"
	ip link set "$ifc" up || vfg_fail "ip link set $ifc up failed"
	vfg_wait_carrier "$ifc" 1 10 || vfg_fail "no carrier on $ifc"
	ifcs+=("$ifc")
done
echo "${#vfs[@]} VF(s) up: ${ifcs[*]}"
vfg_mark vf-up "${#vfs[@]}"

t0=$(cdna_now_us)
left=${#vfs[@]}
while [ "$left" -gt 0 ]; do
	[ $(($(cdna_now_us) - t0)) -lt 240000000 ] ||
		vfg_fail "$left VF(s) still present 240 s later"
	for i in "${!vfs[@]}"; do
		pci=${vfs[$i]}
		[ -n "$pci" ] && [ ! -e "$pci" ] || continue
		[ ! -e "/sys/class/net/${ifcs[$i]}" ] ||
			vfg_fail "${ifcs[$i]} survived the unplug of ${pci##*/}"
		echo "VF ${pci##*/} (${ifcs[$i]}) unplugged at +$(cdna_since "$t0") s"
		vfg_mark "vf-gone.$i"
		vfs[$i]=
		left=$((left - 1))
	done
	cdna_sleep 0.1
done
grep -q cdna_vf /proc/interrupts && vfg_fail "vectors left after the unplugs"
exit 0
