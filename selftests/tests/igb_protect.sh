#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-l1: igb
# cdna-timeout: 600
#
# The data-path protection suite of dp_protect (selftests/vfio/
# dp_protect_test: a hostile userspace VFIO guest), on the igb backend:
# the same bad descriptors, ring indexes, rewrites after the kick, DMA
# unmaps and Bus Master Enable, with the VF's DMA doing the work and the
# peer igb port at the other end of the wire. What the device does not
# offer (checksum and segmentation offload) is refused as unacked.
# Afterwards nothing may stay pinned, no context's IOMMU domain may stay
# (dp_vfio_once), and the skb slabs must be back near their baseline; the
# VFs go with sriov_numvfs 0.
#
# The suite runs three times: with the checked protection, and with
# protect iommu in both strategies (persistent, single-use), where the
# VF's DMA goes through an IOMMU domain of the context's own and the
# IOMMU, not a check, stops what lies outside the VM.
set -u
. "$CDNA_LIB"
cdna_igb_setup
VF_NIC=$CDNA_IGB_UPLINK
VF_PEER=$CDNA_IGB_PEER
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"
[ -x "$VF_CTL" ] || cdna_skip "userspace/cdnactl is not built"

# The next test in this L1 finds the PF without VFs.
trap 'echo 0 >"/sys/class/net/$VF_NIC/device/sriov_numvfs" 2>/dev/null' EXIT
cdna_insmod_host
ip link set "$VF_NIC" up
vf_igb_attach "$VF_NIC" 1
# Every link settles before frames are counted.
cdna_sleep 3
rc=0
for mode in "" "iommu" "iommu strategy single-use"; do
	echo "# dp_protect_test with protection: ${mode:-checked}"
	CDNA_PROTECT=$mode dp_vfio_once dp_protect_test ||
		{ echo "FAIL: dp_protect_test (${mode:-checked})"; rc=1; }
done
exit $rc
