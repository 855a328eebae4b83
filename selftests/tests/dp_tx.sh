#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 600
#
# What a context may put on the uplink (selftests/vfio/dp_tx_test, TAP),
# checked with a packet socket on the veth peer: no VLAN tag from an
# untrusted context, frames within the uplink's MTU (also when it or the
# driver's MTU changes), GSO frames bounded and still checked by the stack,
# qdisc drops reported. Afterwards nothing may stay pinned.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"

bin=$CDNA_REPO/selftests/vfio/dp_tx_test
if [ ! -x "$bin" ]; then
	make -s -C "$CDNA_REPO/selftests/vfio" >/dev/null ||
		cdna_skip "selftests/vfio/dp_tx_test is not built and cannot be built here"
fi

# A quiet uplink: no IPv6 chatter on the wire the test watches.
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
CDNA_NIC=$VF_NIC CDNA_PEER=$VF_PEER CDNA_CTL=$VF_CTL "$bin"
rc=$?
cdna_stage "dp_tx_test" "$(cdna_since "$t0")"

dp_check_baseline || rc=1
left=$(ls /sys/bus/mdev/devices 2>/dev/null | wc -l)
[ "$left" -eq 0 ] || { echo "FAIL: $left mdev(s) left behind"; rc=1; }
vf_host_cleanup
exit $rc
