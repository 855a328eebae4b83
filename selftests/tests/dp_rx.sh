#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 900
#
# The receive path against a userspace VFIO guest
# (selftests/vfio/dp_rx_test, TAP): RX buffers and completions stay in
# step after a frame that needs more than CDNA_MAX_RX_FRAGS buffers, a
# buffer the device never checked is never completed OK, an error
# completion ends at the bad buffer, and segmenting TSO frames for a guest
# without RX_GSO stays within the RX queue's memory bound. The veth pair
# gets a 9000-byte MTU for the jumbo frames. Afterwards nothing may stay
# pinned and the skb slabs must be back near their baseline.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"

bin=$CDNA_REPO/selftests/vfio/dp_rx_test
if [ ! -x "$bin" ]; then
	make -s -C "$CDNA_REPO/selftests/vfio" >/dev/null ||
		cdna_skip "selftests/vfio/dp_rx_test is not built and cannot be built here"
fi

# A quiet uplink: no IPv6 chatter competing for the test's RX buffers.
if ! ip link show "$VF_NIC" >/dev/null 2>&1; then
	ip link add "$VF_NIC" type veth peer name "$VF_PEER" ||
		cdna_fail "cannot create the veth uplink $VF_NIC"
fi
for d in "$VF_NIC" "$VF_PEER"; do
	sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1"
	ip link set "$d" mtu 9000 || cdna_fail "cannot set MTU 9000 on $d"
done
t0=$(cdna_now_us)
dp_baseline
vf_host_setup
CDNA_NIC=$VF_NIC CDNA_PEER=$VF_PEER "$bin"
rc=$?
cdna_stage "dp_rx_test" "$(cdna_since "$t0")"

dp_check_baseline || rc=1
left=$(ls /sys/bus/mdev/devices 2>/dev/null | wc -l)
[ "$left" -eq 0 ] || { echo "FAIL: $left mdev(s) left behind"; rc=1; }
for d in "$VF_NIC" "$VF_PEER"; do
	ip link set "$d" mtu 1500
done
vf_host_cleanup
exit $rc
