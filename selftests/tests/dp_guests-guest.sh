# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# L2 side of dp_guests.sh and hw_guests.sh. Args: ROLE (a|b) MY_IP PEER_IP
# SECS [NS_IP], NS_IP the namespace's address (default 198.18.0.1).
# Brings the cdna interface up (B without RX_GSO), then on L1's "go": pings
# the namespace and the other guest; A also runs iperf3 both ways to the
# namespace and to B and sends frames with a spoofed source MAC. Results go
# to vf-result-* (lines "PASS ..."/"FAIL ..."), iperf3 JSON to iperf-*.json.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_guest_lib.sh"

role=$1 me=$2 peer=$3 secs=$4
ns=${5:-198.18.0.1}

vfg_up "$me"
if [ "$role" = b ]; then
	# B takes no coalesced frames (no RX_GSO): the engine must segment
	# A's TSO frames and complete partial checksums for it (a backend
	# that offers no RX_GSO never coalesces).
	if ethtool -k "$ifc" | grep -q '^rx-gro-hw: on'; then
		ethtool -K "$ifc" rx-gro-hw off || vfg_fail "ethtool -K rx-gro-hw off"
		vfg_wait_carrier "$ifc" 1 10 || vfg_fail "no carrier after renegotiating"
	fi
	iperf3 -s -D || vfg_fail "iperf3 server"
fi
ethtool -k "$ifc" | grep -E '^(tx-checksumming|tcp-segmentation-offload|generic-receive-offload|rx-gro-hw):'
vfg_mark vf-ready "$ifc $(cat "/sys/class/net/$ifc/address")"
vfg_wait_file go 300 || vfg_fail "L1 never said go"

result() {	# NAME PASS|FAIL TEXT
	echo "$2 $1: $3" | tee -a "$CDNA_OUT/vf-result-$role"
}

ping_one() {	# NAME DEST
	local out
	if out=$(busybox ping -c 5 -W 3 "$2" 2>&1); then
		result "$1" PASS "$(echo "$out" | tail -n 1)"
	else
		result "$1" FAIL "$(echo "$out" | tail -n 2 | tr '\n' ' ')"
	fi
}

# iperf3 NAME ARGS...: one run; PASS with its rate if it ended cleanly.
iperf_one() {
	local name=$1 json=$CDNA_OUT/iperf-$1.json rate
	shift
	if iperf3 -J -t "$secs" "$@" >"$json" 2>&1 &&
	   ! grep -q '"error"' "$json"; then
		rate=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))["end"]
r = d["sum_received"]
s = d.get("sum_sent", {})
print("%.3f Gbit/s, %d retransmits" % (r["bits_per_second"] / 1e9, s.get("retransmits", 0)))' "$json" 2>&1)
		result "$name" PASS "$rate"
	else
		result "$name" FAIL "$(grep -m1 '"error"' "$json")"
	fi
}

ping_one "ping-ns-$role" "$ns"
ping_one "ping-peer-$role" "$peer"

if [ "$role" = a ]; then
	vfg_mark vf-ns-start
	iperf_one a-to-ns -c "$ns"
	iperf_one ns-to-a -c "$ns" -R
	vfg_mark vf-ns-done
	vfg_mark vf-gg-start
	iperf_one a-to-b -c "$peer"
	iperf_one b-to-a -c "$peer" -R
	# Ten frames with a source MAC that is not ours: dropped by the host.
	python3 - "$ifc" <<'PY' || result spoof FAIL "could not send"
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x66" + b"\x88\xb5" + b"spoof" * 20
for _ in range(10):
    s.send(frame)
PY
	vfg_mark vf-done
fi

vfg_wait_file finish 600 || vfg_fail "L1 never said finish"
ip -s link show "$ifc" | tee "$CDNA_OUT/vf-link-stats"
ethtool -S "$ifc" >"$CDNA_OUT/vf-ethtool-stats" 2>&1
# Interface errors would mean the data path lost or mangled something;
# the only TX errors allowed are A's spoofed frames (error completions).
read -r rxe <"/sys/class/net/$ifc/statistics/rx_errors"
read -r txe <"/sys/class/net/$ifc/statistics/tx_errors"
spoofed=0
[ "$role" = a ] && spoofed=10
if [ "$rxe" = 0 ] && [ "$txe" -le "$spoofed" ]; then
	result "if-errors-$role" PASS "rx_errors 0, tx_errors $txe (spoofed frames sent: $spoofed)"
else
	result "if-errors-$role" FAIL "rx_errors $rxe, tx_errors $txe (spoofed frames sent: $spoofed)"
fi
ip link set "$ifc" down
rmmod cdna_vf || vfg_fail "rmmod cdna_vf failed"
exit 0
