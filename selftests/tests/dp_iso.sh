#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 600
#
# Tenant isolation of the shared engine thread
# (selftests/vfio/dp_iso_test, TAP): a well-behaved context keeps at least
# half its TX rate while a hostile context on the same NIC resets in a
# loop and sends 18-fragment frames over fresh pages and frames with their
# checksum 60000 bytes in; such a frame is refused before any allocation.
# Afterwards nothing may stay pinned and the skb slabs must be back near
# their baseline.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"

bin=$CDNA_REPO/selftests/vfio/dp_iso_test
if [ ! -x "$bin" ]; then
	make -s -C "$CDNA_REPO/selftests/vfio" >/dev/null ||
		cdna_skip "selftests/vfio/dp_iso_test is not built and cannot be built here"
fi

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
CDNA_NIC=$VF_NIC "$bin"
rc=$?
cdna_stage "dp_iso_test" "$(cdna_since "$t0")"

dp_check_baseline || rc=1
left=$(ls /sys/bus/mdev/devices 2>/dev/null | wc -l)
[ "$left" -eq 0 ] || { echo "FAIL: $left mdev(s) left behind"; rc=1; }
vf_host_cleanup
exit $rc
