# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers of the dp_*.sh data path tests (sourced after $CDNA_LIB and
# vf_lib.sh; not a test itself: not executable). They run in L1.
#
#   dp_topology              veth uplink $VF_NIC in L1, its peer in netns
#                            $DP_NS at $DP_NS_IP/24; cdna.ko, NIC attached
#   dp_ns CMD...             run CMD in the namespace
#   dp_engine_stat NAME      a counter of the NIC's engine (debugfs)
#   dp_ctx_stat UUID NAME    a counter of a context (debugfs stats)
#   dp_baseline              note the memory baseline (pins, skbs, slabs)
#   dp_check_baseline        fail unless pins are 0 and the skb and cdna
#                            slab counts are back near the baseline
#   dp_cleanup               tear the topology down (vf_host_cleanup too)
#   dp_mark DIR NAME [TEXT]  publish NAME (holding TEXT) in a guest's output
#                            directory DIR, atomically
#   dp_wait_file FILE SECS   wait for a guest to publish FILE; 1 after SECS
#                            or if the guest ended (its "done" appeared)
#   dp_vfio_once NAME [MTU]  run the userspace VFIO guest test
#                            selftests/vfio/NAME against a quiet veth uplink
#                            $VF_NIC (peer $VF_PEER; no IPv6; MTU if given),
#                            then check that nothing stayed pinned, the
#                            slabs are near their baseline and no mdev is
#                            left; returns the verdict
#   dp_vfio_run NAME [MTU]   dp_vfio_once, and exits with its verdict

DP_NS=${DP_NS:-cdnans}
DP_NS_IP=198.18.0.1
DP_SLAB_SLACK=${DP_SLAB_SLACK:-512}

dp_ns() {
	ip netns exec "$DP_NS" "$@"
}

dp_topology() {
	cdna_insmod_host
	ip netns add "$DP_NS" || cdna_fail "cannot create netns $DP_NS"
	ip link add "$VF_NIC" type veth peer name "$VF_PEER" ||
		cdna_fail "cannot create the veth uplink $VF_NIC"
	ip link set "$VF_PEER" netns "$DP_NS"
	dp_ns ip link set lo up
	dp_ns ip addr add "$DP_NS_IP/24" dev "$VF_PEER"
	dp_ns ip link set "$VF_PEER" up
	ip link set "$VF_NIC" up
	[ -x "$VF_CTL" ] || cdna_skip "userspace/cdnactl is not built"
	vf_ctl nic attach dev "$VF_NIC" || cdna_fail "attaching $VF_NIC failed"
	[ -d "$VF_TYPES/cdna-1qp" ] || cdna_fail "no mdev types under $VF_TYPES"
}

dp_mark() {
	echo "${3:-}" >"$1/.$2.tmp" && mv "$1/.$2.tmp" "$1/$2"
}

dp_wait_file() {
	local end=$(( $(cdna_now_us) + $2 * 1000000 ))
	while [ ! -e "$1" ]; do
		[ "$(cdna_now_us)" -lt "$end" ] || return 1
		[ -e "$(dirname "$1")/done" ] && return 1
		cdna_sleep 0.1
	done
}

dp_engine_stat() {
	vf_engine_stat "$@"
}

dp_ctx_stat() {
	vf_stat "$1" "$2"
}

# Active objects of a slab cache (0 if absent).
dp_slab() {
	awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' /proc/slabinfo
}

dp_baseline() {
	DP_BASE_SKB=$(dp_slab skbuff_head_cache)
	DP_BASE_FCLONE=$(dp_slab skbuff_fclone_cache)
	echo "baseline: skbuff_head_cache $DP_BASE_SKB, skbuff_fclone_cache $DP_BASE_FCLONE"
}

dp_check_baseline() {
	local pins skb fclone err=0
	pins=$(dp_engine_stat pins_total)
	# Sockets of the test (iperf3, TIME_WAIT) release their skbs lazily.
	for _ in $(seq 1 20); do
		skb=$(dp_slab skbuff_head_cache)
		fclone=$(dp_slab skbuff_fclone_cache)
		[ "$skb" -le $((DP_BASE_SKB + DP_SLAB_SLACK)) ] &&
			[ "$fclone" -le $((DP_BASE_FCLONE + DP_SLAB_SLACK)) ] && break
		cdna_sleep 0.5
	done
	echo "after: pins_total $pins, skbuff_head_cache $skb, skbuff_fclone_cache $fclone"
	[ "$pins" = 0 ] || { echo "FAIL: $pins page(s) still pinned"; err=1; }
	[ "$skb" -le $((DP_BASE_SKB + DP_SLAB_SLACK)) ] ||
		{ echo "FAIL: skbuff_head_cache grew from $DP_BASE_SKB to $skb"; err=1; }
	[ "$fclone" -le $((DP_BASE_FCLONE + DP_SLAB_SLACK)) ] ||
		{ echo "FAIL: skbuff_fclone_cache grew from $DP_BASE_FCLONE to $fclone"; err=1; }
	return $err
}

dp_cleanup() {
	vf_host_cleanup
	ip netns del "$DP_NS" 2>/dev/null
	return 0
}

dp_vfio_once() {
	local name=$1 mtu=${2:-} bin=$CDNA_REPO/selftests/vfio/$1 rc d t0 left

	if [ ! -x "$bin" ]; then
		make -s -C "$CDNA_REPO/selftests/vfio" >/dev/null ||
			cdna_skip "selftests/vfio/$name is not built and cannot be built here"
	fi
	# A quiet uplink: no IPv6 chatter competing for the test's RX
	# buffers or on the wire it watches.
	if ! ip link show "$VF_NIC" >/dev/null 2>&1; then
		ip link add "$VF_NIC" type veth peer name "$VF_PEER" ||
			cdna_fail "cannot create the veth uplink $VF_NIC"
	fi
	for d in "$VF_NIC" "$VF_PEER"; do
		sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1"
		if [ -n "$mtu" ]; then
			ip link set "$d" mtu "$mtu" || cdna_fail "cannot set MTU $mtu on $d"
		fi
	done
	t0=$(cdna_now_us)
	dp_baseline
	vf_host_setup
	CDNA_NIC=$VF_NIC CDNA_PEER=$VF_PEER CDNA_CTL=$VF_CTL "$bin"
	rc=$?
	cdna_stage "$name" "$(cdna_since "$t0")"

	dp_check_baseline || rc=1
	left=$(ls /sys/bus/mdev/devices 2>/dev/null | wc -l)
	[ "$left" -eq 0 ] || { echo "FAIL: $left mdev(s) left behind"; rc=1; }
	if [ -n "$mtu" ]; then
		for d in "$VF_NIC" "$VF_PEER"; do
			ip link set "$d" mtu 1500
		done
	fi
	vf_host_cleanup
	return $rc
}

dp_vfio_run() {
	dp_vfio_once "$@"
	exit $?
}
