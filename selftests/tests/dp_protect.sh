#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 600
#
# The data path against a hostile userspace VFIO guest
# (selftests/vfio/dp_protect_test, TAP): good and bad TX/RX descriptors,
# ring index errors, DMA unmaps, the pin cache. Afterwards nothing may stay
# pinned and the skb slabs must be back near their baseline.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"

bin=$CDNA_REPO/selftests/vfio/dp_protect_test
if [ ! -x "$bin" ]; then
	make -s -C "$CDNA_REPO/selftests/vfio" >/dev/null ||
		cdna_skip "selftests/vfio/dp_protect_test is not built and cannot be built here"
fi

# A quiet uplink: no IPv6 chatter competing for the test's RX buffers.
if ! ip link show "$VF_NIC" >/dev/null 2>&1; then
	ip link add "$VF_NIC" type veth peer name "$VF_PEER" ||
		cdna_fail "cannot create the veth uplink $VF_NIC"
fi
for d in "$VF_NIC" "$VF_PEER"; do
	sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1"
done
t0=$(cdna_now_us)
dp_baseline
vf_host_setup
CDNA_NIC=$VF_NIC CDNA_PEER=$VF_PEER "$bin"
rc=$?
cdna_stage "dp_protect_test" "$(cdna_since "$t0")"

# Nothing pinned, skb slabs back near the baseline.
dp_check_baseline || rc=1
left=$(ls /sys/bus/mdev/devices 2>/dev/null | wc -l)
[ "$left" -eq 0 ] || { echo "FAIL: $left mdev(s) left behind"; rc=1; }
vf_host_cleanup
exit $rc
