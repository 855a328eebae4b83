#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 600
#
# The kick page (CDNA_F_KICK_PAGE) with a KVM guest. One L2 guest, one
# context, TCP both ways with the namespace in three rounds, cdna_vf loaded
# afresh for each (a new probe gives the device a new page):
#  1. kick page: the device takes it ("on"), traffic flows with no BAR
#     doorbell at all and with kicks through the page; meanwhile the test
#     drops KVM's tracking of the page three times (debugfs kick_page_drop,
#     what a memslot change does): each is re-armed and no kick is lost;
#  2. a new probe, a new page: tracked again, the same as 1 without drops;
#  3. kick_page=0 in the guest: the BAR doorbells, no page.
# Counters from cdnactl -j ctx stats.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"

secs=${DP_KICK_SECS:-4}
ip=198.18.0.2
name=kick0
guest=$CDNA_REPO/selftests/tests/dp_kick-guest.sh
err=0
fail() { echo "FAIL: $*"; err=1; }

# st FIELD: a counter of the context from cdnactl -j ctx stats.
st() {
	vf_ctl -j ctx stats "$name" | jq -r ".[0].$1"
}

cdna_kvm_setup
dp_topology
trap 'l2_kill vfk; dp_cleanup' EXIT
vf_ctl ctx add nic "$VF_NIC" name "$name" mac 02:cd:0a:00:00:21 queues 1 ||
	cdna_fail "cdnactl ctx add failed"
args=$(vf_ctl ctx qemu-args "$name") || cdna_fail "cdnactl ctx qemu-args failed"
uuid=$(vf_ctl -j ctx show "$name" | jq -r '.[0].uuid')
dp_ns iperf3 -s -D -I "$CDNA_TEST_DIR/iperf3-ns.pid" ||
	cdna_fail "iperf3 server in $DP_NS"

l2_start vfk --mem 512 --qemu-args "$args" --timeout 500 \
	--script "$guest" -- "$ip" "$secs"
out=$(l2_out vfk)

# round N KICK_PAGE DROPS: one round; sets k (BAR kicks), kp (page kicks),
# re (re-arms) to the round's deltas and status to the kick page status.
round() {
	local n=$1 k0 kp0 re0 i
	dp_mark "$out" "go-$n" "$2"
	dp_wait_file "$out/vf-up-$n" 300 ||
		{ l2_wait vfk 5; cdna_fail "round $n: the guest never came up; console: $(l2_console vfk)"; }
	echo "round $n (kick_page=$2): guest: $(vf_guest_text vfk "vf-up-$n")"
	status=$(st kick_page)
	k0=$(st kicks) kp0=$(st kick_page_kicks) re0=$(st kick_page_rearms)
	dp_mark "$out" "run-$n"
	for ((i = 0; i < $3; i++)); do
		sleep 1.5
		echo 1 >"$VF_DBG/$VF_NIC/$uuid/kick_page_drop" ||
			fail "round $n: kick_page_drop refused"
	done
	dp_wait_file "$out/vf-ran-$n" $((4 * secs + 120)) ||
		cdna_fail "round $n: the guest never finished; console: $(l2_console vfk)"
	# The last drop's re-arm comes 0.3 s later.
	sleep 1
	k=$(($(st kicks) - k0)) kp=$(($(st kick_page_kicks) - kp0))
	re=$(($(st kick_page_rearms) - re0))
	echo "round $n: kick page $status; $k BAR doorbells, $kp kick page kicks, $re re-arms; iperf3: $(vf_guest_text vfk "vf-ran-$n")"
	[ "$(vf_guest_text vfk "vf-ran-$n")" = "tx ok rx ok " ] ||
		fail "round $n: traffic failed: $(vf_guest_text vfk "vf-ran-$n")"
}

round 1 1 3
[ "$status" = on ] || fail "round 1: kick page $status, not on"
[ "$k" -eq 0 ] || fail "round 1: $k doorbells through the BAR with a kick page"
[ "$kp" -gt 0 ] || fail "round 1: no kick through the kick page"
[ "$re" -ge 3 ] || fail "round 1: $re re-arms after 3 drops"

round 2 1 0
[ "$status" = on ] || fail "round 2: kick page $status after a new probe"
[ "$k" -eq 0 ] || fail "round 2: $k doorbells through the BAR with a kick page"
[ "$kp" -gt 0 ] || fail "round 2: no kick through the new kick page"

round 3 0 0
[ "$status" = off ] || fail "round 3: kick page $status with kick_page=0"
[ "$k" -gt 0 ] || fail "round 3: no doorbell through the BAR without a kick page"
[ "$kp" -eq 0 ] || fail "round 3: $kp kick page kicks without a kick page"

dp_mark "$out" finish
l2_wait vfk 60 || fail "guest failed; console: $(l2_console vfk)"
[ "$(st kick_page)" = off ] || fail "kick page $(st kick_page) after the guest is gone"
bad=$(st bad_reg)
[ "$bad" = 0 ] || fail "$bad refused register accesses"
exit $err
