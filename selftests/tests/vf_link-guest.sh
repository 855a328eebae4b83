# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# L2 side of vf_link.sh: bring the interface up, then follow the host's
# link toggles, publishing carrier.<i> after the i-th change, and finally
# the number of control-vector interrupts this guest received. Arg: toggles.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_guest_lib.sh"

n=$1
pci=$(vfg_pci) || vfg_fail "no cdna VF on the PCI bus"
vfg_load
ifc=$(vfg_netdev "$pci") || vfg_fail "cdna_vf made no interface"
ip link set "$ifc" up || vfg_fail "ip link set $ifc up failed"
vfg_wait_carrier "$ifc" 1 10 || vfg_fail "no carrier after ip link set up"
ctrl=cdna_vf-${pci##*/}-ctrl
c0=$(vfg_irqs "$ctrl")
vfg_mark vf-ready "$ifc"

carrier=1
for ((i = 1; i <= n; i++)); do
	carrier=$((1 - carrier))
	vfg_wait_carrier "$ifc" $carrier 20 ||
		vfg_fail "toggle $i: carrier did not become $carrier within 20 s"
	vfg_mark "carrier.$i" "$carrier"
done
c1=$(vfg_irqs "$ctrl")
grep cdna_vf /proc/interrupts
echo "control vector interrupts during the toggles: $((c1 - c0))"
vfg_mark irqs "$((c1 - c0))"
exit 0
