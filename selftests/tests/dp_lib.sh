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
#                            slabs are near their baseline, no mdev and no
#                            context's IOMMU domain is left; returns the
#                            verdict
#   dp_vfio_run NAME [MTU]   dp_vfio_once, and exits with its verdict
#   dp_pair_boot VM MEM QEMU_ARGS ARGS...  boot VM, one of the two guests
#                            of dp_guests and hw_guests, with
#                            dp_guests-guest.sh ARGS; fails the test if it
#                            does not boot
#   dp_pair_go VM_A VM_B     wait until both guests are ready and tell them
#                            to go; sets DP_OA and DP_OB, their output dirs
#   dp_pair_counters UUID_A UUID_B  print the contexts' queue counters that
#                            are not 0; 1, with a FAIL line, unless A's
#                            ten spoofed frames were refused and counted
#   dp_pair_drops UUID...    1, with a FAIL line each, if a queue of a
#                            context dropped a descriptor for a reason a
#                            well-behaved guest never causes
#   dp_pair_finish VM_A VM_B tell both guests to finish, wait for them and
#                            print their results; 1 if one failed

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
	# KASAN (make debug-kernel KASAN=1) keeps freed objects in its
	# quarantine: active slab objects say nothing about leaks there.
	if grep -qm1 ' kasan_report$' /proc/kallsyms; then
		echo "KASAN kernel: the slab counts are not checked"
		return $err
	fi
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
	# protect iommu: the guest's unmaps and its close emptied and freed
	# its context's domain.
	vf_iommu_idle ||
		{ echo "FAIL: IOMMU domains and the guest pages mapped in them left behind: '$VF_IOMMU_HELD'"; rc=1; }
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

dp_pair_boot() {
	local vm=$1 mem=$2 qargs=$3
	shift 3
	l2_start "$vm" --mem "$mem" --qemu-args "$qargs" --timeout 800 \
		--script "$CDNA_REPO/selftests/tests/dp_guests-guest.sh" -- "$@"
	# The guests share an L1 CPU (lib.sh): the caller boots them one at
	# a time.
	l2_booted "$vm" 120 || cdna_fail "guest $vm did not boot; console: $(l2_console "$vm")"
}

dp_pair_go() {
	DP_OA=$(l2_out "$1")
	DP_OB=$(l2_out "$2")
	dp_wait_file "$DP_OA/vf-ready" 300 || { l2_wait "$1" 5; cdna_fail "guest $1 never came up"; }
	dp_wait_file "$DP_OB/vf-ready" 300 || { l2_wait "$2" 5; cdna_fail "guest $2 never came up"; }
	echo "guest A: $(cat "$DP_OA/vf-ready.txt"); guest B: $(cat "$DP_OB/vf-ready.txt")"
	dp_mark "$DP_OA" go
	dp_mark "$DP_OB" go
}

dp_pair_counters() {
	local u spoof
	for u in "$@"; do
		vf_dbg "$u" stats |
			grep -E '^(queue[01]_(packets|bytes|kicks|irqs|drop_[a-z_]+)|irq_vector1) ' |
			awk '$2 != 0' | sed "s/^/ctx ${u:0:8}: /"
	done
	spoof=$(dp_ctx_stat "$1" queue1_drop_spoof)
	echo "context A: $spoof spoofed frames refused"
	[ "$spoof" -ge 10 ] ||
		{ echo "FAIL: only $spoof spoofed frames counted (expected >= 10)"; return 1; }
}

dp_pair_drops() {
	local d u q n err=0
	for d in bad_addr bad_len bad_flags bad_offload pin nomem; do
		for u in "$@"; do
			for q in 0 1; do
				n=$(dp_ctx_stat "$u" "queue${q}_drop_$d")
				[ "$n" = 0 ] ||
					{ echo "FAIL: context ${u:0:8} queue $q: $n drops ($d)"; err=1; }
			done
		done
	done
	return $err
}

dp_pair_finish() {
	local g err=0
	dp_mark "$(l2_out "$1")" finish
	dp_mark "$(l2_out "$2")" finish
	for g in "$1" "$2"; do
		l2_wait "$g" 120 || { echo "FAIL: guest $g failed"; err=1; }
	done
	for g in "$1" "$2"; do
		cat "$(l2_out "$g")"/vf-result-* 2>/dev/null | sed "s/^/$g: /"
	done
	if cat "$(l2_out "$1")"/vf-result-* "$(l2_out "$2")"/vf-result-* 2>/dev/null |
	   grep -q '^FAIL'; then
		echo "FAIL: a guest reported a failure"
		err=1
	fi
	return $err
}
