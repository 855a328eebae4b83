#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-l1: igbnoiommu
# cdna-timeout: 300
#
# The igb backend on a host without an IOMMU (the igb L1 without its
# emulated Intel IOMMU):
#  - protect iommu is refused, at ctx add and at ctx set, with a message
#    that says the host has no IOMMU (not that the backend cannot);
#  - the checked protection still works, its VF DMAing to the physical
#    addresses of the pinned guest pages: the data-path protection suite
#    of dp_protect (selftests/vfio/dp_protect_test) passes on it;
#  - afterwards nothing stays pinned; the VFs go with sriov_numvfs 0.
set -u
. "$CDNA_LIB"
cdna_igb_setup
VF_NIC=$CDNA_IGB_UPLINK
VF_PEER=$CDNA_IGB_PEER
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"
[ -x "$VF_CTL" ] || cdna_skip "userspace/cdnactl is not built"

[ -z "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ] ||
	cdna_fail "this L1 has IOMMU groups: it is not the igbnoiommu L1"
trap 'echo 0 >"/sys/class/net/$VF_NIC/device/sriov_numvfs" 2>/dev/null' EXIT
cdna_insmod_host
ip link set "$VF_NIC" up
vf_igb_attach "$VF_NIC" 1

rc=0
want="needs an IOMMU, and this host has none"
if out=$(vf_ctl ctx add nic "$VF_NIC" name io protect iommu 2>&1); then
	echo "FAIL: ctx add ... protect iommu succeeded without an IOMMU"
	rc=1
	vf_ctl ctx del io
elif [[ "$out" != *"$want"* ]]; then
	echo "FAIL: ctx add ... protect iommu: '$out' does not say '$want'"
	rc=1
fi
vf_ctl ctx add nic "$VF_NIC" name chk || cdna_fail "ctx add chk (checked) failed"
if out=$(vf_ctl ctx set chk protect iommu 2>&1); then
	echo "FAIL: ctx set chk protect iommu succeeded without an IOMMU"
	rc=1
elif [[ "$out" != *"$want"* ]]; then
	echo "FAIL: ctx set chk protect iommu: '$out' does not say '$want'"
	rc=1
fi
p=$(vf_ctl -j ctx show chk | jq -r '.[0].protect')
[ "$p" = checked ] || { echo "FAIL: after the refused set, ctx show says protect '$p'"; rc=1; }
vf_ctl ctx del chk || cdna_fail "ctx del chk"

# Every link settles before frames are counted.
cdna_sleep 3
echo "# dp_protect_test with protection: checked, no IOMMU"
# (dp_vfio_once checks that no page stays pinned, nor skbs held.)
dp_vfio_once dp_protect_test || { echo "FAIL: dp_protect_test"; rc=1; }
dmesg | grep -E 'WARNING:|BUG:' | grep -q . &&
	{ echo "FAIL: WARN or BUG in dmesg"; rc=1; }
exit $rc
