#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 600
#
# The TX rate limit of a context (cdnactl ctx set ... rate MBIT), measured
# on the uplink's peer in the namespace, over a steady window in the middle
# of each iperf3 run from one L2 guest:
#  1. rate set before the VM opens the context: TCP stays at or below it
#     (and well above nothing), and the engine counts the throttling
#     (debugfs and cdnactl ctx stats);
#  2. rate 0 set while the VM runs: TCP goes well above the old limit;
#  3. a lower rate set while the VM runs: a UDP flood at 20x the limit
#     leaves at the limit; nothing is refused as bad input.
# Afterwards nothing is pinned and the skb slabs are back near baseline.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"

guest=$CDNA_REPO/selftests/tests/dp_rate-guest.sh
secs=6		# each iperf3 run
skip=2		# of which the first seconds are not measured
window=3	# measured seconds
err=0
fail() { echo "FAIL: $*"; err=1; }

cdna_kvm_setup
dp_baseline
dp_topology
trap 'l2_kill vf; dp_cleanup' EXIT
u=$(vf_mdev_create 1) || cdna_fail "cannot create a context"
dp_ns iperf3 -s -D -I "$CDNA_TEST_DIR/iperf3-ns.pid" ||
	cdna_fail "iperf3 server in $DP_NS"

vf_ctl ctx set "$u" rate 20 || cdna_fail "cdnactl ctx set rate 20"
vf_ctl ctx show "$u" | grep -q ' rate 20' || cdna_fail "ctx show does not report rate 20"

l2_start vf --mem 768 --qemu-args "$(vf_qemu_args "$u")" --timeout 500 \
	--script "$guest" -- 198.18.0.2
l2_booted vf 120 || cdna_fail "the guest did not boot; console: $(l2_console vf)"
o=$(l2_out vf)
dp_wait_file "$o/vf-ready" 300 || { l2_wait vf 5; cdna_fail "the guest never came up"; }

peer_rx() {
	dp_ns cat "/sys/class/net/$VF_PEER/statistics/rx_bytes"
}

# measure N ARGS...: run iperf3 in the guest; print the Mbit/s the peer
# received over the window.
measure() {
	local n=$1 b0 b1 t0 t1
	shift
	dp_mark "$o" "run-$n" "-t $secs $*"
	dp_wait_file "$o/vf-start-$n" 60 || { echo 0; return 1; }
	cdna_sleep "$skip"
	b0=$(peer_rx); t0=$(cdna_now_us)
	cdna_sleep "$window"
	b1=$(peer_rx); t1=$(cdna_now_us)
	dp_wait_file "$o/vf-ran-$n" $((secs + 60)) || { echo 0; return 1; }
	awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.1f\n", 8 * b / t }'
}

# within VALUE LOW HIGH: LOW <= VALUE <= HIGH (decimals)
within() {
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'
}

ctx_dp() {	# NAME: a counter of the context's datapath stats
	awk -v n="$1" '$1 == n { print $2 }' "$VF_DBG/$VF_NIC/$u/datapath/stats"
}
thr0=$(ctx_dp tx_throttled)

r1=$(measure 1) || fail "run 1 did not complete"
thr1=$(ctx_dp tx_throttled)
echo "rate 20 (set before open), TCP: $r1 Mbit/s; throttled $((thr1 - thr0)) times"
within "$r1" 10 22 || fail "TCP at rate 20 gave $r1 Mbit/s (want 10..22)"
[ $((thr1 - thr0)) -gt 0 ] || fail "the engine never throttled the context"
thr_nl=$(vf_ctl -j ctx stats "$u" | jq -r '.[0].tx_throttled')
echo "cdnactl ctx stats: tx_throttled $thr_nl"
[ "$thr_nl" -ge "$thr1" ] 2>/dev/null || fail "cdnactl ctx stats shows tx_throttled '$thr_nl' (debugfs: $thr1)"

vf_ctl ctx set "$u" rate 0 || fail "cdnactl ctx set rate 0"
r2=$(measure 2) || fail "run 2 did not complete"
echo "rate 0 (set live), TCP: $r2 Mbit/s"
within "$r2" 44 100000 || fail "TCP without a rate gave only $r2 Mbit/s (want > 44)"

vf_ctl ctx set "$u" rate 10 || fail "cdnactl ctx set rate 10"
vf_ctl ctx show "$u" | grep -q ' rate 10' || fail "ctx show does not report rate 10"
r3=$(measure 3 -u -b 200M -l 1400) || fail "run 3 did not complete"
echo "rate 10 (set live), UDP at 200 Mbit/s offered: $r3 Mbit/s"
within "$r3" 5 11 || fail "UDP at rate 10 gave $r3 Mbit/s (want 5..11)"

vf_dbg "$u" stats | grep -E '^queue[01]_(packets|bytes|kicks|drop_[a-z_]+) ' |
	awk '$2 != 0' | sed 's/^/ctx: /'
for d in bad_addr bad_len bad_flags bad_offload pin nomem spoof; do
	for q in 0 1; do
		n=$(dp_ctx_stat "$u" "queue${q}_drop_$d")
		[ "$n" = 0 ] || fail "queue $q: $n drops ($d)"
	done
done

dp_mark "$o" finish
l2_wait vf 120 || fail "the guest failed"
kill "$(cat "$CDNA_TEST_DIR/iperf3-ns.pid" 2>/dev/null)" 2>/dev/null
dp_check_baseline || err=1
exit $err
