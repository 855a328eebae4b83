# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# L2 side of dp_rate.sh. Args: MY_IP. Brings the cdna interface up, then
# runs what L1 asks for: for N = 1, 2, ... it waits for "run-N" (iperf3
# client arguments), marks vf-start-N, runs iperf3 against the namespace
# (JSON to iperf-N.json) and marks vf-ran-N; "finish" ends it.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_guest_lib.sh"

me=$1
ns=198.18.0.1

vfg_up "$me"
busybox ping -c 2 -W 3 "$ns" >/dev/null 2>&1 || vfg_fail "cannot ping the namespace"
vfg_mark vf-ready "$ifc"

n=1
while :; do
	while [ ! -e "$CDNA_OUT/run-$n" ] && [ ! -e "$CDNA_OUT/finish" ]; do
		cdna_sleep 0.1
	done
	[ -e "$CDNA_OUT/run-$n" ] || break
	read -r -a args <"$CDNA_OUT/run-$n"
	vfg_mark "vf-start-$n"
	iperf3 -J -c "$ns" "${args[@]}" >"$CDNA_OUT/iperf-$n.json" 2>&1 ||
		echo "iperf3 run $n failed: $(grep -m1 '"error"' "$CDNA_OUT/iperf-$n.json")"
	vfg_mark "vf-ran-$n"
	n=$((n + 1))
done
exit 0
