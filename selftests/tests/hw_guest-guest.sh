# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# L2 side of hw_guest (not a test itself): cdna_vf on a context of the igb
# backend. Args: the guest's IP, the peer port's IP. Brings the VF up,
# pings the peer port and runs 3 s of TCP to it; writes the iperf3 JSON
# to $CDNA_OUT/hw-tcp.json and the ping result to $CDNA_OUT/hw-ping.txt.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_guest_lib.sh"

ip4=$1
peer_ip=$2
vfg_up "$ip4"
ok=0
for _ in 1 2 3 4 5; do
	busybox ping -q -c 1 -W 2 "$peer_ip" >/dev/null 2>&1 && { ok=1; break; }
done
[ $ok -eq 1 ] || vfg_fail "no ping to the peer port ($peer_ip) through the igb backend"
busybox ping -q -c 5 -W 2 "$peer_ip" >"$CDNA_OUT/hw-ping.txt" 2>&1 ||
	vfg_fail "ping $peer_ip lost packets: $(tail -2 "$CDNA_OUT/hw-ping.txt")"
iperf3 -c "$peer_ip" -t 3 -J --connect-timeout 5000 >"$CDNA_OUT/hw-tcp.json" ||
	vfg_fail "iperf3 to $peer_ip failed"
