#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 900
#
# Two L2 guests, one context each, on a veth uplink whose peer lives in a
# network namespace at 198.18.0.1:
#  - ping guest <-> namespace and guest <-> guest;
#  - iperf3 TCP for DP_IPERF_SECS (10) s in both directions, guest A <->
#    namespace (through the uplink) and guest A <-> guest B (switched inside
#    the engine, never on the uplink; B has no RX_GSO, so the engine
#    segments A's TSO frames for it), each without errors;
#  - isolation: B receives none of A's unicast with the namespace;
#  - anti-spoofing: frames A sends with another source MAC are dropped and
#    counted;
#  - the host itself still uses the uplink (unknown unicast passes);
#  - afterwards nothing is pinned and the skb slabs are back near their
#    baseline.
# Throughput, VM exits per packet and the host counters are reported.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"

secs=${DP_IPERF_SECS:-10}
ip_a=198.18.0.2
ip_b=198.18.0.3
err=0
fail() { echo "FAIL: $*"; err=1; }

cdna_kvm_setup
dp_baseline
dp_topology
trap 'l2_kill vfa; l2_kill vfb; dp_cleanup' EXIT
ua=$(vf_mdev_create 1) || cdna_fail "cannot create context A"
ub=$(vf_mdev_create 1) || cdna_fail "cannot create context B"
mac_a=$(vf_dbg "$ua" mac)
mac_b=$(vf_dbg "$ub" mac)
echo "context A $ua ($mac_a), context B $ub ($mac_b)"
dp_ns iperf3 -s -D -I "$CDNA_TEST_DIR/iperf3-ns.pid" ||
	cdna_fail "iperf3 server in $DP_NS"

# The host keeps using the uplink: its unicast is not a context's.
ip addr add 198.18.0.254/24 dev "$VF_NIC"
if busybox ping -c 3 -W 5 "$DP_NS_IP" >/dev/null 2>&1; then
	echo "host -> namespace through the attached uplink: ok"
else
	fail "the host cannot ping the namespace through the attached uplink"
fi

dp_pair_boot vfa 768 "$(vf_qemu_args "$ua")" a "$ip_a" "$ip_b" "$secs"
dp_pair_boot vfb 768 "$(vf_qemu_args "$ub")" b "$ip_b" "$ip_a" "$secs"
dp_pair_go vfa vfb
oa=$DP_OA

# Isolation: B's RX while A talks to the namespace.
dp_wait_file "$oa/vf-ns-start" 120 || fail "guest A never started its namespace tests"
rx_b0=$(dp_ctx_stat "$ub" queue0_packets)
exits0=$(cat /sys/kernel/debug/kvm/exits 2>/dev/null || echo 0)
pk0=$(( $(dp_ctx_stat "$ua" queue0_packets) + $(dp_ctx_stat "$ua" queue1_packets) ))
kicks0=$(( $(dp_ctx_stat "$ua" queue0_kicks) + $(dp_ctx_stat "$ua" queue1_kicks) ))
irqs0=$(dp_ctx_stat "$ua" irq_vector1)
up0=$(dp_engine_stat tx_uplink)
dp_wait_file "$oa/vf-ns-done" $((4 * secs + 120)) || fail "guest A never finished its namespace tests"
rx_b1=$(dp_ctx_stat "$ub" queue0_packets)
exits1=$(cat /sys/kernel/debug/kvm/exits 2>/dev/null || echo 0)
pk1=$(( $(dp_ctx_stat "$ua" queue0_packets) + $(dp_ctx_stat "$ua" queue1_packets) ))
kicks1=$(( $(dp_ctx_stat "$ua" queue0_kicks) + $(dp_ctx_stat "$ua" queue1_kicks) ))
irqs1=$(dp_ctx_stat "$ua" irq_vector1)
up1=$(dp_engine_stat tx_uplink)
pk=$((pk1 - pk0))
echo "A <-> namespace: $pk packets, $((kicks1 - kicks0)) kicks, $((irqs1 - irqs0)) interrupts," \
	"$((exits1 - exits0)) VM exits (both guests, all causes), uplink TX $((up1 - up0))"
[ "$pk" -gt 0 ] && awk -v e=$((exits1 - exits0)) -v k=$((kicks1 - kicks0)) -v p="$pk" \
	'BEGIN { printf "per 1000 packets: %.1f VM exits, %.2f kicks\n", 1000 * e / p, 1000 * k / p }'
echo "guest B received $((rx_b1 - rx_b0)) frames meanwhile"
[ $((rx_b1 - rx_b0)) -lt 100 ] || fail "guest B received $((rx_b1 - rx_b0)) frames while A talked to the namespace"
[ "$pk" -gt 1000 ] || fail "only $pk packets between A and the namespace"

# Guest to guest is switched inside the engine: the uplink sees none of it.
dp_wait_file "$oa/vf-gg-start" 120 || fail "guest A never started its guest tests"
up2=$(dp_engine_stat tx_uplink)
sw2=$(dp_engine_stat switched)
dp_wait_file "$oa/vf-done" $((4 * secs + 180)) || fail "guest A never finished"
up3=$(dp_engine_stat tx_uplink)
sw3=$(dp_engine_stat switched)
echo "A <-> B: $((sw3 - sw2)) frames switched, $((up3 - up2)) sent on the uplink meanwhile"
[ $((sw3 - sw2)) -gt 1000 ] || fail "only $((sw3 - sw2)) frames switched between the guests"
[ $((up3 - up2)) -lt 100 ] || fail "$((up3 - up2)) frames went to the uplink during guest <-> guest"

# Spoofing: A sent frames with another source MAC.
dp_pair_counters "$ua" "$ub" || err=1
for u in "$ua" "$ub"; do
	grep -E '^pin_' "$VF_DBG/$VF_NIC/$u/datapath/stats" | sed "s/^/ctx ${u:0:8}: /"
done
dp_pair_drops "$ua" "$ub" || err=1
sed 's/^/engine: /' "$VF_DBG/$VF_NIC/engine/stats"

dp_pair_finish vfa vfb || err=1

kill "$(cat "$CDNA_TEST_DIR/iperf3-ns.pid" 2>/dev/null)" 2>/dev/null
# Both VMs closed their devices: nothing pinned, memory back to baseline.
dp_check_baseline || err=1
exit $err
