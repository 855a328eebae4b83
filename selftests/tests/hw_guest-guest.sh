# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# L2 side of hw_guest (not a test itself): cdna_vf on a context of the igb
# backend. Args: the guest's IP, the peer port's IP, and "hold" or not.
# Brings the VF up and pings the peer port. Then, without "hold", runs 3 s
# of TCP to it (the iperf3 JSON in $CDNA_OUT/hw-tcp.json, the ping result
# in $CDNA_OUT/hw-ping.txt); with "hold", starts 60 s of TCP, publishes
# vf-traffic once data flows, publishes vf-link-down if the VF's carrier
# goes, and waits to be killed.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_guest_lib.sh"

ip4=$1
peer_ip=$2
mode=${3:-}
vfg_up "$ip4"
ok=0
for _ in 1 2 3 4 5; do
	busybox ping -q -c 1 -W 2 "$peer_ip" >/dev/null 2>&1 && { ok=1; break; }
done
[ $ok -eq 1 ] || vfg_fail "no ping to the peer port ($peer_ip) through the igb backend"
if [ "$mode" = hold ]; then
	iperf3 -c "$peer_ip" -t 60 >/dev/null 2>&1 &
	tx0=$(<"/sys/class/net/$ifc/statistics/tx_packets")
	for ((i = 0; i < 100; i++)); do
		cdna_sleep 0.1
		[ "$(<"/sys/class/net/$ifc/statistics/tx_packets")" -gt $((tx0 + 500)) ] && break
	done
	vfg_mark vf-traffic "$(($(<"/sys/class/net/$ifc/statistics/tx_packets") - tx0))"
	# Until killed: the first loss of carrier is published (hw_teardown
	# takes the VF away under the guest).
	for ((i = 0; i < 1200; i++)); do
		if [ "$(cat "/sys/class/net/$ifc/carrier" 2>/dev/null)" != 1 ]; then
			vfg_mark vf-link-down "$i"
			break
		fi
		cdna_sleep 0.1
	done
	sleep 120
	exit 0
fi
busybox ping -q -c 5 -W 2 "$peer_ip" >"$CDNA_OUT/hw-ping.txt" 2>&1 ||
	vfg_fail "ping $peer_ip lost packets: $(tail -2 "$CDNA_OUT/hw-ping.txt")"
iperf3 -c "$peer_ip" -t 3 -J --connect-timeout 5000 >"$CDNA_OUT/hw-tcp.json" ||
	vfg_fail "iperf3 to $peer_ip failed"
