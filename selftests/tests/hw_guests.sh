#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-l1: igb
# cdna-timeout: 900
#
# dp_guests on the igb backend: two L2 guests, one context (one VF of the
# igb PF) each, the peer igb port in a network namespace. The NIC steers,
# switches and moves the data; the guests run the same script as in
# dp_guests:
#  - ping guest <-> peer port and guest <-> guest;
#  - iperf3 TCP both ways, guest A <-> peer and guest A <-> guest B (B
#    without RX_GSO), each without errors;
#  - isolation: B's RX queue takes none of A's unicast with the peer;
#  - guest <-> guest stays in the NIC (VF to VF loopback): the peer port
#    receives none of it;
#  - anti-spoofing: the frames A sends with another source MAC are refused
#    before the NIC sees them, counted, and never reach the peer;
#  - no other drop; afterwards nothing is pinned and cdna unloads.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"

NS=cdnahws
PEER_IP=198.18.2.2
ip_a=198.18.2.21
ip_b=198.18.2.22
mac_a=52:54:00:b0:00:31
mac_b=52:54:00:b0:00:32
secs=${DP_IPERF_SECS:-5}
err=0
fail() { echo "FAIL: $*"; err=1; }

cdna_igb_setup
up=$CDNA_IGB_UPLINK
peer=$CDNA_IGB_PEER
VF_NIC=$up
[ -x "$VF_CTL" ] || cdna_skip "userspace/cdnactl is not built"

# The next test in this L1 finds both ports as they were.
cleanup() {
	l2_kill hwa 2>/dev/null
	l2_kill hwb 2>/dev/null
	[ -n "${sniff:-}" ] && kill "$sniff" 2>/dev/null
	vf_igb_reset "$NS" "$up" "$peer" hwa hwb
}
trap cleanup EXIT
vf_igb_host "$NS" "$up" "$peer" "$PEER_IP"
peer_rx() { ip netns exec "$NS" cat "/sys/class/net/$peer/statistics/rx_packets"; }

vf_igb_attach "$up" 2
vf_ctl ctx add nic "$up" name hwa mac "$mac_a" queues 1 protect checked ||
	cdna_fail "ctx add hwa on $up failed"
vf_ctl ctx add nic "$up" name hwb mac "$mac_b" queues 1 protect checked ||
	cdna_fail "ctx add hwb on $up failed"
ua=$(vf_ctl -j ctx show hwa | jq -r '.[0].uuid')
ub=$(vf_ctl -j ctx show hwb | jq -r '.[0].uuid')
args_a=$(vf_ctl ctx qemu-args hwa) || cdna_fail "ctx qemu-args hwa failed"
args_b=$(vf_ctl ctx qemu-args hwb) || cdna_fail "ctx qemu-args hwb failed"

# Frames with A's spoofed source MAC (ethertype 0x88b5) the peer gets.
spoofed=$CDNA_TEST_DIR/peer-spoofed
ip netns exec "$NS" python3 - "$peer" "$spoofed" "$CDNA_TEST_DIR/stop-sniff" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b5))
s.bind((sys.argv[1], 0))
s.settimeout(0.5)
n = 0
while not os.path.exists(sys.argv[3]):
    try:
        frame = s.recv(2048)
    except socket.timeout:
        continue
    n += frame[6:12] == b"\x02\x00\x00\x00\x00\x66"
open(sys.argv[2], "w").write("%d\n" % n)
PY
sniff=$!

dp_pair_boot hwa 512 "$args_a" a "$ip_a" "$ip_b" "$secs" "$PEER_IP"
dp_pair_boot hwb 512 "$args_b" b "$ip_b" "$ip_a" "$secs" "$PEER_IP"
dp_pair_go hwa hwb
oa=$DP_OA

# Isolation: B's RX while A talks to the peer port.
dp_wait_file "$oa/vf-ns-start" 120 || fail "guest A never started its peer tests"
rx_b0=$(dp_ctx_stat "$ub" queue0_packets)
pk0=$(( $(dp_ctx_stat "$ua" queue0_packets) + $(dp_ctx_stat "$ua" queue1_packets) ))
dp_wait_file "$oa/vf-ns-done" $((4 * secs + 120)) || fail "guest A never finished its peer tests"
rx_b1=$(dp_ctx_stat "$ub" queue0_packets)
pk=$(( $(dp_ctx_stat "$ua" queue0_packets) + $(dp_ctx_stat "$ua" queue1_packets) - pk0 ))
echo "A <-> peer: $pk packets; guest B received $((rx_b1 - rx_b0)) frames meanwhile"
[ $((rx_b1 - rx_b0)) -lt 100 ] || fail "guest B received $((rx_b1 - rx_b0)) frames while A talked to the peer"
[ "$pk" -gt 1000 ] || fail "only $pk packets between A and the peer"

# Guest to guest is switched by the NIC: the peer port sees none of it.
dp_wait_file "$oa/vf-gg-start" 120 || fail "guest A never started its guest tests"
p2=$(peer_rx)
g2=$(dp_ctx_stat "$ub" queue0_packets)
dp_wait_file "$oa/vf-done" $((4 * secs + 180)) || fail "guest A never finished"
p3=$(peer_rx)
g3=$(dp_ctx_stat "$ub" queue0_packets)
echo "A <-> B: guest B received $((g3 - g2)) frames, the peer port $((p3 - p2)) meanwhile"
[ $((g3 - g2)) -gt 1000 ] || fail "only $((g3 - g2)) frames reached guest B from guest A"
[ $((p3 - p2)) -lt 100 ] || fail "the peer port received $((p3 - p2)) frames during guest <-> guest"

# Spoofing: refused before the NIC and counted (and never on the wire,
# checked below).
dp_pair_counters "$ua" "$ub" || err=1
dp_pair_drops "$ua" "$ub" || err=1

dp_pair_finish hwa hwb || err=1

touch "$CDNA_TEST_DIR/stop-sniff"
wait "$sniff"
sniff=
n=$(cat "$spoofed" 2>/dev/null || echo missing)
echo "spoofed frames at the peer port: $n"
[ "$n" = 0 ] || fail "the peer port received $n of A's spoofed frames"

# Both VMs closed their devices: nothing pinned.
pins=$(vf_engine_stat pins_total)
[ "$pins" = 0 ] || fail "$pins page(s) still pinned after both guests"
vf_ctl ctx del hwa || fail "ctx del hwa failed"
vf_ctl ctx del hwb || fail "ctx del hwb failed"
vf_ctl nic detach dev "$up" || fail "nic detach $up failed"
echo 0 >"/sys/class/net/$up/device/sriov_numvfs" || fail "sriov_numvfs 0 failed"
rmmod cdna || fail "rmmod cdna failed"
exit $err
