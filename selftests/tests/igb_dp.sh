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
# The test runs three times: with protect iommu (persistent), with protect
# iommu strategy single-use (the VF in an IOMMU domain of the context's
# own; a descriptor outside the VM faults in the IOMMU instead of being
# refused), and with the checked protection last, which needs the VF back
# on its default DMA domain.
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

vf_igb_attach "$up" 2
dev=/sys/class/net/$up/device
[ "$(<"$dev/sriov_numvfs")" -eq 2 ] || cdna_fail "attach made $(<"$dev/sriov_numvfs") VFs, not 2"
for i in 0 1; do
	pci=$(cdna_igb_vf_pci "$up" $i) || cdna_fail "no VF $i"
	[ "$(cdna_pci_driver "$pci")" = cdna ] ||
		cdna_fail "VF $pci is bound to '$(cdna_pci_driver "$pci")', not cdna"
done

# The other context of the steering test: the second VF, on VLAN 10.
other_mac=02:cd:0a:00:00:0b
vf_ctl ctx add nic "$up" name other mac "$other_mac" vlan 10 ||
	cdna_fail "ctx add other (vlan 10) on $up failed"

# Every link settles before frames are counted.
cdna_sleep 3

err=0
rc=0
# The igb L1 has intel-iommu, one group per VF (docs/testbed.md).
[ -n "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ] ||
	cdna_fail "no IOMMU groups in the igb L1"
# ctx add ... protect iommu strategy S: ctx show says both (default persistent).
for st in "" single-use; do
	vf_ctl ctx add nic "$up" name io protect iommu ${st:+strategy $st} ||
		cdna_fail "ctx add protect iommu ${st:+strategy $st} on $up failed"
	want=${st:-persistent}
	vf_ctl -j ctx show io | jq -e --arg s "$want" \
		'.[0].protect == "iommu" and .[0].strategy == $s' >/dev/null ||
		{ echo "FAIL: ctx show io: $(vf_ctl -j ctx show io)"; err=1; }
	vf_ctl ctx del io || cdna_fail "ctx del io"
done
for mode in "iommu" "iommu strategy single-use" ""; do
	echo "# igb_dp_test with protection: ${mode:-checked}"
	t0=$(cdna_now_us)
	CDNA_NIC=$up CDNA_PEER=$peer CDNA_CTL=$VF_CTL CDNA_OTHER_MAC=$other_mac \
		CDNA_OTHER_VLAN=10 CDNA_PROTECT=$mode "$bin"
	r=$?
	[ "$r" -eq 0 ] || { echo "FAIL: igb_dp_test (${mode:-checked}) exited $r"; rc=1; }
	cdna_stage "igb_dp_test${mode:+_${mode// /_}}" "$(cdna_since "$t0")"
	pins=$(VF_NIC=$up vf_engine_stat pins_total)
	[ "$pins" = 0 ] || { echo "FAIL: $pins page(s) pinned after the ${mode:-checked} run"; err=1; }
	# Every DMAR fault the runs caused is a line the kernel logs, no more.
	dmesg | grep -E 'WARNING:|BUG:' | grep -q . &&
		{ echo "FAIL: WARN or BUG in dmesg after the ${mode:-checked} run"; err=1; }
done
echo "DMAR fault lines logged: $(dmesg | grep -c 'DMAR: \[DMA')"

# A VM killed (-9) while it runs an iommu context, then a VF removed under
# one: the domain goes each time (iommu_domain leaves the stats, or reads
# 0 while the holder still has the device), no pin stays.
hold=$CDNA_REPO/selftests/vfio/cdna_hold
[ -x "$hold" ] || make -s -C "$CDNA_REPO/selftests/vfio" cdna_hold >/dev/null ||
	cdna_fail "selftests/vfio/cdna_hold is not built"
vf_ctl ctx add nic "$up" name io protect iommu || cdna_fail "ctx add io protect iommu"
io=$(vf_ctl -j ctx show io | jq -r '.[0].uuid')
iodbg=$VF_DBG/$up/$io
hout=$(mktemp /run/igb-hold.out.XXXXXX)
hold_run() {
	local fifo
	fifo=$(mktemp -u /run/igb-hold.XXXXXX)
	mkfifo "$fifo" || cdna_fail "mkfifo"
	: >"$hout"
	CDNA_NIC=$up "$hold" "$io" --run <"$fifo" >"$hout" 2>&1 &
	hpid=$!
	exec {hfd}>"$fifo"
	rm -f "$fifo"
	for _ in {1..100}; do
		grep -q running "$hout" && return 0
		kill -0 "$hpid" 2>/dev/null || break
		cdna_sleep 0.1
	done
	cdna_fail "cdna_hold --run on io: $(cat "$hout")"
}
io_closed() {
	local t0
	t0=$(cdna_now_us)
	while [ "$(cat "$iodbg/state")" != closed ]; do
		[ $(($(cdna_now_us) - t0)) -lt 20000000 ] ||
			cdna_fail "io still $(cat "$iodbg/state") 20 s after its holder left"
		cdna_sleep 0.05
	done
}
iodom() { awk '$1 == "iommu_domain" { print $2 }' "$iodbg/stats"; }
hold_run
[ "$(iodom)" = 1 ] || { echo "FAIL: io runs without its domain ($(iodom))"; err=1; }
# cdnactl ctx stats has the counter (no bad DMA here: 0).
f=$(vf_ctl -j ctx stats io | jq -r '.[0].iommu_faults // "missing"')
[ "$f" = 0 ] || { echo "FAIL: ctx stats io: iommu_faults $f, not 0"; err=1; }
kill -KILL "$hpid"
wait "$hpid" 2>/dev/null
exec {hfd}>&-
io_closed
[ -z "$(iodom)" ] || { echo "FAIL: io's domain outlived kill -9 ($(iodom))"; err=1; }
pins=$(VF_NIC=$up vf_engine_stat pins_total)
[ "$pins" = 0 ] || { echo "FAIL: $pins page(s) pinned after kill -9"; err=1; }
echo "kill -9 of an iommu context's VM: closed, domain gone, pins 0"

hold_run
vf=$(awk '$1 == "vf" { print $2 }' "$iodbg/datapath/stats")
[ -e "/sys/bus/pci/devices/$vf" ] || cdna_fail "io's VF '$vf' not found"
echo "$vf" >/sys/bus/pci/drivers/cdna/unbind || cdna_fail "unbind $vf from cdna"
[ "$(iodom)" = 0 ] || { echo "FAIL: io's domain outlived its VF ($(iodom))"; err=1; }
dmesg | grep -q "VF removed under context $io" ||
	{ echo "FAIL: no 'VF removed under context' in dmesg"; err=1; }
exec {hfd}>&-
wait "$hpid" 2>/dev/null
io_closed
pins=$(VF_NIC=$up vf_engine_stat pins_total)
[ "$pins" = 0 ] || { echo "FAIL: $pins page(s) pinned after the VF went"; err=1; }
vf_ctl ctx del io || { echo "FAIL: ctx del io"; err=1; }
echo "$vf" >/sys/bus/pci/drivers_probe
[ "$(cdna_pci_driver "$vf")" = cdna ] || { echo "FAIL: VF $vf not bound to cdna again"; err=1; }
echo "VF removed under an iommu context: domain gone, pins 0, VF bound again"
dmesg | grep -E 'WARNING:|BUG:' | grep -q . &&
	{ echo "FAIL: WARN or BUG in dmesg after kill -9 and VF removal"; err=1; }
rm -f "$hout"

backend=$(awk '$1 == "backend" { print $2 }' "$VF_DBG/$up/engine/stats" 2>/dev/null)
[ "$backend" = igb ] || { echo "FAIL: NIC $up has backend '$backend' (debugfs), not igb"; err=1; }
pins=$(VF_NIC=$up vf_engine_stat pins_total)
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
