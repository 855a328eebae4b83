# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# L2 side of vf_probe.sh: the function is on the PCI bus, cdna_vf binds,
# the interface carries the host's MAC and comes up. Arg: expected MAC.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_guest_lib.sh"

mac=$1
pci=$(vfg_pci) || vfg_fail "no PCI function 0xcd0a:0x0001 in the guest"
echo "VF at ${pci##*/}: class $(cat "$pci/class"), subsystem $(cat "$pci/subsystem_vendor"):$(cat "$pci/subsystem_device")"
[ "$(cat "$pci/class")" = 0x020000 ] || vfg_fail "class $(cat "$pci/class"), not Ethernet"
[ "$(cat "$pci/subsystem_vendor")" = 0xcd0a ] || vfg_fail "wrong subsystem vendor"

vfg_load
drv=$(readlink -f "$pci/driver")
[ "${drv##*/}" = cdna_vf ] || vfg_fail "driver bound: '${drv##*/}', not cdna_vf"
ifc=$(vfg_netdev "$pci") || vfg_fail "cdna_vf made no interface"
ip link show "$ifc"
addr=$(cat "/sys/class/net/$ifc/address")
[ "$addr" = "$mac" ] || vfg_fail "interface MAC $addr, host configured $mac"
ip link show "$ifc" | grep -q "link/ether $mac" || vfg_fail "ip link does not show $mac"

ip link set "$ifc" up || vfg_fail "ip link set $ifc up failed"
vfg_wait_carrier "$ifc" 1 10 || vfg_fail "no carrier 10 s after ip link set up"
ip -br link show "$ifc"
grep cdna_vf /proc/interrupts
vfg_mark vf-up "$ifc"
vfg_wait_file host-checked 60 || vfg_fail "L1 never checked the running context"
ip link set "$ifc" down
rmmod cdna_vf || vfg_fail "rmmod cdna_vf failed"
exit 0
