#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-l1: igb
# cdna-timeout: 600
#
# The igb SR-IOV backend against a userspace VFIO guest
# (selftests/vfio/igb_dp_test, TAP): cdnactl nic attach on the igb PF gives
# cdna its VFs and the igb backend; frames go to and come from the peer
# igb port through the VF's DMA into the guest's own pages; descriptors
# outside the VM are refused before the NIC sees them. Afterwards nothing
# may stay pinned or claimed, and detach leaves the VFs bound and free.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"

cdna_igb_setup
up=$CDNA_IGB_UPLINK
peer=$CDNA_IGB_PEER
bin=$CDNA_REPO/selftests/vfio/igb_dp_test
[ -x "$bin" ] || make -s -C "$CDNA_REPO/selftests/vfio" >/dev/null ||
	cdna_skip "selftests/vfio/igb_dp_test is not built"
[ -x "$VF_CTL" ] || cdna_skip "userspace/cdnactl is not built"
cdna_insmod_host
for d in "$up" "$peer"; do
	sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1"
	ip link set "$d" up
done

vf_ctl nic attach dev "$up" max_ctx 2 || cdna_fail "nic attach $up failed"
dev=/sys/class/net/$up/device
[ "$(<"$dev/sriov_numvfs")" -eq 2 ] || cdna_fail "attach made $(<"$dev/sriov_numvfs") VFs, not 2"
for i in 0 1; do
	pci=$(cdna_igb_vf_pci "$up" $i) || cdna_fail "no VF $i"
	[ "$(cdna_pci_driver "$pci")" = cdna ] ||
		cdna_fail "VF $pci is bound to '$(cdna_pci_driver "$pci")', not cdna"
done
b=$(vf_ctl -j nic show dev "$up" | jq -r '.[0].backend // empty')
[ "$b" = igb ] || cdna_fail "cdnactl nic show says backend '$b', not igb"

# The other context of the steering test: the second VF, on VLAN 10.
other_mac=02:cd:0a:00:00:0b
vf_ctl ctx add nic "$up" name other mac "$other_mac" vlan 10 ||
	cdna_fail "ctx add other (vlan 10) on $up failed"

# Every link settles before frames are counted.
cdna_sleep 3

t0=$(cdna_now_us)
CDNA_NIC=$up CDNA_PEER=$peer CDNA_CTL=$VF_CTL CDNA_OTHER_MAC=$other_mac \
	CDNA_OTHER_VLAN=10 "$bin"
rc=$?
cdna_stage igb_dp_test "$(cdna_since "$t0")"
err=0

backend=$(awk '$1 == "backend" { print $2 }' "$VF_DBG/$up/engine/stats" 2>/dev/null)
[ "$backend" = igb ] || { echo "FAIL: NIC $up has backend '$backend' (debugfs), not igb"; err=1; }
pins=$(awk '$1 == "pins_total" { print $2 }' "$VF_DBG/$up/engine/stats")
echo "after: pins_total $pins"
[ "$pins" = 0 ] || { echo "FAIL: $pins page(s) still pinned"; err=1; }
vf_ctl ctx del other || { echo "FAIL: ctx del other"; err=1; }
left=$(ls /sys/bus/mdev/devices 2>/dev/null | wc -l)
[ "$left" -eq 0 ] || { echo "FAIL: $left mdev(s) left behind"; err=1; }
vf_ctl nic detach dev "$up" || { echo "FAIL: nic detach $up"; err=1; }
# sriov_numvfs 0 removes the VFs bound to cdna: no hang, no leak.
echo 0 >"$dev/sriov_numvfs" || { echo "FAIL: sriov_numvfs 0"; err=1; }
rmmod cdna || { echo "FAIL: rmmod cdna"; err=1; }
[ "$err" -eq 0 ] || rc=1
exit $rc
