# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# L2 side of dp_kick.sh. Args: MY_IP SECS. For each round L1 asks for
# (go-N holds "KICK_PAGE": the cdna_vf kick_page parameter), loads cdna_vf
# afresh with it (a new probe, a new kick page), brings the interface up,
# marks vf-up-N (the driver's kick page message), waits for run-N, runs iperf3 TCP to and
# from the namespace for SECS s each, marks vf-ran-N (the results) and
# unloads the driver. "finish" ends it.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_guest_lib.sh"

me=$1 secs=$2
ns=198.18.0.1
pci=$(vfg_pci) || vfg_fail "no cdna VF on the PCI bus"

n=1
while :; do
	while [ ! -e "$CDNA_OUT/go-$n" ] && [ ! -e "$CDNA_OUT/finish" ]; do
		cdna_sleep 0.1
	done
	[ -e "$CDNA_OUT/go-$n" ] || break
	read -r kp <"$CDNA_OUT/go-$n"
	dmesg -C
	cdna_insmod "$VFG_KO" "kick_page=$kp"
	ifc=$(vfg_netdev "$pci") || vfg_fail "round $n: cdna_vf made no interface"
	ip addr add "$me/24" dev "$ifc" || vfg_fail "round $n: ip addr add failed"
	ip link set "$ifc" up || vfg_fail "round $n: ip link set up failed"
	vfg_wait_carrier "$ifc" 1 10 || vfg_fail "round $n: no carrier"
	busybox ping -c 2 -W 3 "$ns" >/dev/null 2>&1 || vfg_fail "round $n: cannot ping the namespace"
	# What one kick costs this guest, both ways (before L1 reads the
	# counters of the round: these are BAR doorbells too).
	cost=/sys/kernel/debug/cdna_vf/${pci##*/}/kick_cost
	[ -d /sys/kernel/debug/cdna_vf ] || mount -t debugfs none /sys/kernel/debug
	echo 200 >"$cost" || vfg_fail "round $n: kick_cost failed"
	vfg_mark "vf-up-$n" "kick cost (ns): $(cat "$cost"); $(dmesg | grep -m1 'kick page' || echo 'no kick page message')"
	vfg_wait_file "run-$n" 60 || vfg_fail "round $n: L1 never said run"
	res=
	for dir in tx rx; do
		args=()
		[ "$dir" = rx ] && args=(-R)
		if iperf3 -J -c "$ns" -t "$secs" "${args[@]}" >"$CDNA_OUT/iperf-$n-$dir.json" 2>&1; then
			res+="$dir ok "
		else
			res+="$dir failed "
		fi
	done
	vfg_mark "vf-ran-$n" "$res"
	rmmod cdna_vf || vfg_fail "round $n: rmmod cdna_vf failed"
	n=$((n + 1))
done
exit 0
