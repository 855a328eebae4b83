# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# selftests/bench/lib.sh: the L1 side of the benchmark (make bench) and of
# its smoke variant (selftests/tests/bench_smoke.sh). Sourced after $CDNA_LIB
# and selftests/tests/vf_lib.sh; runs in L1 (the KVM host).
#
#   bench_main    measure every path x workload x iteration; one JSON object
#                 per line in $BENCH_OUT/raw.jsonl (selftests/bench/report.py
#                 turns that into the table, bench.json and bench.png)
#
# Knobs (environment; defaults are make bench's):
#   BENCH_PATHS       "cdna vhost-tap vhost-macvtap"
#   BENCH_WORKLOADS   "tcp_tx tcp_rx tcp_g2g udp64_tx udp64_rx udp1472_tx udp1472_rx"
#   BENCH_ITERS       3       iterations of each workload
#   BENCH_TCP_SECS    5       length of one TCP measurement
#   BENCH_UDP_SECS    3       length of one UDP measurement
#   BENCH_BUDGET      900     seconds; measurements not started by then are
#                             recorded as skipped (make bench must end < 20 min)
#   BENCH_OUT         $CDNA_TEST_DIR
#   BENCH_PROFILE     0       1: after a path's measurements, profile one extra
#                             tcp_tx and tcp_rx run with perf in L1 and guest A;
#                             l1: in L1 only
#   BENCH_CDNA_PARAMS ""      cdna.ko module parameters (NAME=VALUE ...)
#
# Paths (one guest per side of a workload; same kernel, vCPUs and memory):
#   cdna           a cdna context on the uplink (cdnactl, else debugfs + mdev)
#   vhost-tap      virtio-net + vhost-net, a tap per guest in a Linux bridge
#                  that also holds the uplink
#   vhost-macvtap  virtio-net + vhost-net, a macvtap (bridge mode) per guest
#                  on the uplink
# The uplink is the veth $VF_NIC; its peer $VF_PEER lives in the network
# namespace $BENCH_NS (the "peer", 198.18.0.1).
#
# Hardware paths (the igb L1: selftests/vm/run --igb; bench boots it when
# one is asked for): the uplink is the igb uplink PF, the peer the other igb
# port (the far end of the QEMU hub) in $BENCH_NS.
#   native-hw         no VM: iperf3 between the uplink PF in its own
#                     namespace ($BENCH_NATIVE_NS, the guest's address) and
#                     the peer port; the line rate of the emulated NIC
#   vhost-macvtap-hw  virtio-net + vhost-net on a macvtap of the uplink PF
#   sriov-vfio        a VF of the uplink PF per guest, its MAC set through
#                     the PF, bound to vfio-pci and passed to the guest
#                     (the guest's igbvf driver)
#   cdna-hw           cdnactl nic attach dev <uplink PF>, a context per
#                     guest (the NIC's backend, from cdnactl -j nic show,
#                     is recorded: "software" when the field is missing)
#   cdna-hw-iommu     the same with protect iommu (persistent mappings)
#   cdna-hw-iommu-1use  protect iommu strategy single-use
# A path is pluggable: four functions bp_<path>_setup / _qemu_args /
# _started / _teardown (below).
#
# Workloads (iperf3; the peer's client runs in L1 so that L1 brackets every
# measurement exactly; the guests run "iperf3 -s"):
#   tcp_tx  guest -> peer   tcp_rx  peer -> guest   tcp_g2g  guest B -> guest A
#   udpN_tx / udpN_rx  UDP, N-byte payloads, unlimited rate (-b 0); the
#                      receiver's packet rate counts
#
# Per measurement (the definitions docs/performance.md explains):
#   L1 host CPU   /proc/stat busy time outside guest mode (user - guest +
#                 nice - guest_nice + system + irq + softirq), minus the
#                 user+sys of the peer's iperf3 process
#   VM exits      /sys/kernel/debug/kvm/exits (all of L1's vCPUs), and
#                 halt_exits: the exits of an idle vCPU (HLT), told apart
#   packets       the packets the workload delivered: UDP datagrams received;
#                 for TCP received bytes / 1448 (MSS at MTU 1500): wire-sized
#                 segments, whatever the GSO/GRO sizes of each path (the
#                 guest's own interface counters are kept as nic_packets)
#   guest irqs    /proc/interrupts of guest A's (and B's) NIC MSI-X vectors

BENCH_PATHS=${BENCH_PATHS:-"cdna vhost-tap vhost-macvtap"}
BENCH_WORKLOADS=${BENCH_WORKLOADS:-"tcp_tx tcp_rx tcp_g2g udp64_tx udp64_rx udp1472_tx udp1472_rx"}
BENCH_ITERS=${BENCH_ITERS:-3}
BENCH_TCP_SECS=${BENCH_TCP_SECS:-5}
BENCH_UDP_SECS=${BENCH_UDP_SECS:-3}
BENCH_BUDGET=${BENCH_BUDGET:-900}
BENCH_OUT=${BENCH_OUT:-$CDNA_TEST_DIR}
BENCH_GUEST_MEM=${BENCH_GUEST_MEM:-512}
BENCH_GUEST_CPUS=${BENCH_GUEST_CPUS:-1}
BENCH_CDNA_PARAMS=${BENCH_CDNA_PARAMS:-}
BENCH_NS=cdnabench
BENCH_PEER_IP=198.18.0.1
BENCH_GUEST_IP=(198.18.0.11 198.18.0.12)
BENCH_GUEST_MAC=(52:54:00:b0:00:11 52:54:00:b0:00:12)
BENCH_BRIDGE=cdnabbr0
BENCH_KVM=/sys/kernel/debug/kvm
BENCH_GUEST_SCRIPT=$CDNA_REPO/selftests/bench/guest.sh
BENCH_CDNACTL=$CDNA_REPO/userspace/cdnactl
BENCH_NATIVE_NS=cdnabnat
# The devices of the current path's uplink and peer (bench_path sets them:
# the veth pair, or the igb ports for a hardware path).
BENCH_UPDEV=$VF_NIC
BENCH_PEERDEV=$VF_PEER
BENCH_HW=0
BENCH_NGUESTS=1

BENCH_T0=${EPOCHREALTIME/./}
BENCH_RAW=
BENCH_NA=		# why the current path cannot be measured
BENCH_QARGS=		# set by bp_<path>_qemu_args (no subshell: fds)
declare -A BENCH_SEQ	# guest name -> number of its next command

bench_log() {
	echo "bench: [$(bench_elapsed) s] $*"
}

# Seconds since bench_main started (integer).
bench_elapsed() {
	echo $(((${EPOCHREALTIME/./} - BENCH_T0) / 1000000))
}

# bench_json_str S: S as a JSON string (quotes, backslashes, control chars).
bench_json_str() {
	local s=${1//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\n'/ }
	s=${s//$'\t'/ }
	printf '"%s"' "$s"
}

# bench_na_record PATH REASON: the path could not be measured.
bench_na_record() {
	printf '{"path":"%s","na":%s}\n' "$1" "$(bench_json_str "$2")" >>"$BENCH_RAW"
	bench_log "$1: n/a ($2)"
}

# --- the uplink and the peer --------------------------------------------------

# bench_hw_path PATH: true for a path on the igb ports.
bench_hw_path() {
	case "$1" in
	*-hw|*-hw-*|sriov-*) return 0 ;;
	esac
	return 1
}

# bench_uplink_up: the uplink $BENCH_UPDEV (the veth $VF_NIC, created here
# unless a path's setup already made it; or the igb uplink PF), its peer
# moved into $BENCH_NS with the peer address.
bench_uplink_up() {
	local d
	if [ "$BENCH_HW" = 0 ] && ! ip link show "$VF_NIC" >/dev/null 2>&1; then
		ip link add "$VF_NIC" type veth peer name "$VF_PEER" || return 1
	fi
	ip netns add "$BENCH_NS" 2>/dev/null
	if ip link show "$BENCH_PEERDEV" >/dev/null 2>&1; then
		ip link set "$BENCH_PEERDEV" netns "$BENCH_NS" || return 1
	fi
	# No IPv6 chatter on the measured links.
	for d in all default; do
		sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1"
	done
	sysctl -qw "net.ipv6.conf.$BENCH_UPDEV.disable_ipv6=1" 2>/dev/null
	ip netns exec "$BENCH_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$BENCH_NS" link set lo up &&
	ip -n "$BENCH_NS" addr add "$BENCH_PEER_IP/24" dev "$BENCH_PEERDEV" &&
	ip -n "$BENCH_NS" link set "$BENCH_PEERDEV" up || return 1
	# (native-hw has moved the uplink into a namespace of its own.)
	if ip link show "$BENCH_UPDEV" >/dev/null 2>&1; then
		ip link set "$BENCH_UPDEV" up || return 1
	fi
	bench_wait_up "$BENCH_PEERDEV" "$BENCH_NS"
}

# bench_wait_up DEV [NS]: wait (10 s at most) for DEV's carrier: an igb
# port takes a moment to come up.
bench_wait_up() {
	local i c
	for ((i = 0; i < 100; i++)); do
		c=$(ip ${2:+-n "$2"} -j link show "$1" 2>/dev/null | jq -r '.[0].operstate')
		case "$c" in UP|UNKNOWN) return 0 ;; esac
		cdna_sleep 0.1
	done
	return 1
}

bench_uplink_down() {
	if [ "$BENCH_HW" = 0 ]; then
		ip link del "$VF_NIC" 2>/dev/null
	else
		# A physical port goes back to L1's namespace, by hand: a
		# deleted namespace returns its devices only asynchronously.
		ip -n "$BENCH_NS" link set "$BENCH_PEERDEV" down 2>/dev/null
		ip -n "$BENCH_NS" link set "$BENCH_PEERDEV" netns 1 2>/dev/null
		ip addr flush dev "$BENCH_PEERDEV" 2>/dev/null
	fi
	ip netns del "$BENCH_NS" 2>/dev/null
	return 0
}

# bench_hw_ports: the igb ports into BENCH_UPDEV / BENCH_PEERDEV; sets
# BENCH_NA and fails outside the igb L1.
bench_hw_ports() {
	local i up='' peer=''
	if [ "${CDNA_L1:-default}" != igb ]; then
		BENCH_NA="needs the igb L1 (selftests/vm/run --igb); this L1: ${CDNA_L1:-default}"
		return 1
	fi
	[ -d /sys/module/igb ] || modprobe igb
	for ((i = 0; i < 100; i++)); do
		up=$(cdna_igb_uplink) && peer=$(cdna_igb_peer) && break
		cdna_sleep 0.1
	done
	if [ -z "$up" ] || [ -z "$peer" ]; then
		BENCH_NA="no igb ports with MACs $CDNA_IGB_UPLINK_MAC and $CDNA_IGB_PEER_MAC"
		return 1
	fi
	BENCH_UPDEV=$up BENCH_PEERDEV=$peer
}

# --- path: cdna ------------------------------------------------------------------
# A context per guest on the uplink. Through cdnactl once it exists, else
# through the debugfs attach knob and the mdev sysfs (vf_lib.sh). Every
# step runs in a subshell: vf_lib.sh's helpers exit on failure.
bp_cdna_args=()

bp_cdna_setup() {
	local n=$1 i out args nic=$VF_NIC
	bp_cdna_args=()
	# shellcheck disable=SC2086 # BENCH_CDNA_PARAMS: NAME=VALUE words
	if ! out=$( (cdna_insmod_host $BENCH_CDNA_PARAMS) 2>&1); then
		BENCH_NA="loading cdna.ko ${BENCH_CDNA_PARAMS:-}: $(tail -n 1 <<<"$out")"
		return 1
	fi
	[ -z "$BENCH_CDNA_PARAMS" ] || bench_log "cdna: module parameters $BENCH_CDNA_PARAMS"
	if [ -x "$BENCH_CDNACTL" ] && "$BENCH_CDNACTL" nic show >/dev/null 2>&1; then
		bench_log "cdna: contexts through cdnactl"
		if [ "$BENCH_HW" = 1 ]; then
			nic=$BENCH_UPDEV
		else
			ip link add "$VF_NIC" type veth peer name "$VF_PEER" || return 1
		fi
		if ! out=$("$BENCH_CDNACTL" nic attach dev "$nic" 2>&1); then
			BENCH_NA="cdnactl nic attach dev $nic: $out"
			return 1
		fi
		bp_cdna_backend "$nic"
		for ((i = 0; i < n; i++)); do
			# shellcheck disable=SC2086 # the protection: keyword words
			if ! out=$("$BENCH_CDNACTL" ctx add nic "$nic" name "bench$i" \
				mac "${BENCH_GUEST_MAC[i]}" queues 1 \
				${BENCH_CDNA_PROTECT:-protect checked} 2>&1) ||
			   ! args=$("$BENCH_CDNACTL" ctx qemu-args "bench$i" 2>&1); then
				BENCH_NA="cdnactl ctx add/qemu-args: $out $args"
				return 1
			fi
			bp_cdna_args+=("$args")
		done
		return 0
	fi
	if [ "$BENCH_HW" = 1 ]; then
		BENCH_NA="cdnactl does not work: a hardware path needs it (nic attach dev $BENCH_UPDEV)"
		return 1
	fi
	bench_log "cdna: contexts through debugfs + mdev sysfs (no working cdnactl)"
	if ! out=$( (vf_host_setup) 2>&1); then
		BENCH_NA="host setup (vf_host_setup): $(tail -n 1 <<<"$out")"
		return 1
	fi
	for ((i = 0; i < n; i++)); do
		if ! out=$( (vf_mdev_create 1) 2>&1); then
			BENCH_NA="creating a cdna-1qp context: $(tail -n 1 <<<"$out")"
			return 1
		fi
		bp_cdna_args+=("$(vf_qemu_args "$out")")
	done
}

# bp_cdna_backend NIC: record which backend cdna uses on NIC (cdnactl -j nic
# show, field "backend"; before the field existed: the software engine).
bp_cdna_backend() {
	local b
	b=$("$BENCH_CDNACTL" -j nic show 2>/dev/null |
	    jq -r --arg d "$1" '[.. | objects | select((.dev // .name // .ifname // "") == $d)][0].backend // "software"' 2>/dev/null)
	b=${b:-software}
	printf '{"path":"%s","info":{"nic":"%s","backend":"%s"}}\n' "$BENCH_CUR" "$1" "$b" >>"$BENCH_RAW"
	bench_log "$BENCH_CUR: cdna on $1, backend $b"
}

bp_cdna_qemu_args() {
	BENCH_QARGS=${bp_cdna_args[$1]}
}

bp_cdna_started() {
	:
}

bp_cdna_teardown() {
	local i nic=$VF_NIC
	[ "$BENCH_HW" = 1 ] && nic=$BENCH_UPDEV
	if [ -x "$BENCH_CDNACTL" ] && "$BENCH_CDNACTL" nic show >/dev/null 2>&1; then
		for i in 0 1; do
			"$BENCH_CDNACTL" ctx del "bench$i" >/dev/null 2>&1
		done
		"$BENCH_CDNACTL" nic detach dev "$nic" >/dev/null 2>&1
	fi
	(vf_host_cleanup) || bench_log "cdna: cleanup reported errors"
}

# --- path: vhost-tap ---------------------------------------------------------------
# A tap per guest, both in a Linux bridge with the uplink; QEMU opens the
# tap by name and /dev/vhost-net itself.
bp_vhost_tap_setup() {
	local n=$1 i
	modprobe -a tun vhost_net bridge || { BENCH_NA="modprobe tun vhost_net bridge failed"; return 1; }
	ip link add "$VF_NIC" type veth peer name "$VF_PEER" &&
	ip link add "$BENCH_BRIDGE" type bridge forward_delay 0 stp_state 0 &&
	ip link set "$VF_NIC" master "$BENCH_BRIDGE" &&
	ip link set "$BENCH_BRIDGE" up || { BENCH_NA="cannot build the bridge $BENCH_BRIDGE"; return 1; }
	sysctl -qw "net.ipv6.conf.$BENCH_BRIDGE.disable_ipv6=1"
	for ((i = 0; i < n; i++)); do
		ip tuntap add dev "cdnabtap$i" mode tap vnet_hdr &&
		ip link set "cdnabtap$i" master "$BENCH_BRIDGE" &&
		ip link set "cdnabtap$i" up || { BENCH_NA="cannot create the tap cdnabtap$i"; return 1; }
		sysctl -qw "net.ipv6.conf.cdnabtap$i.disable_ipv6=1"
	done
}

bp_vhost_tap_qemu_args() {
	BENCH_QARGS="-netdev tap,id=n0,ifname=cdnabtap$1,script=no,downscript=no,vhost=on"
	BENCH_QARGS+=" -device virtio-net-pci,netdev=n0,mac=${BENCH_GUEST_MAC[$1]}"
}

bp_vhost_tap_started() {
	:
}

bp_vhost_tap_teardown() {
	local i
	for i in 0 1; do ip link del "cdnabtap$i" 2>/dev/null; done
	ip link del "$BENCH_BRIDGE" 2>/dev/null
	return 0
}

# --- path: vhost-macvtap -----------------------------------------------------------
# A macvtap in bridge mode per guest on the uplink (guest <-> guest is
# switched by macvlan). QEMU gets the /dev/tapN and /dev/vhost-net file
# descriptors: opened here right before l2_start (the guest's QEMU inherits
# them), closed right after.
bp_vhost_macvtap_setup() {
	local n=$1 i idx dev lower=$VF_NIC
	modprobe -a tun vhost_net macvtap || { BENCH_NA="modprobe tun vhost_net macvtap failed"; return 1; }
	if [ "$BENCH_HW" = 1 ]; then
		lower=$BENCH_UPDEV
	else
		ip link add "$VF_NIC" type veth peer name "$VF_PEER" || return 1
	fi
	ip link set "$lower" up
	for ((i = 0; i < n; i++)); do
		ip link add link "$lower" name "cdnabmvt$i" address "${BENCH_GUEST_MAC[i]}" \
			type macvtap mode bridge &&
		ip link set "cdnabmvt$i" up || { BENCH_NA="cannot create the macvtap cdnabmvt$i"; return 1; }
		sysctl -qw "net.ipv6.conf.cdnabmvt$i.disable_ipv6=1"
		idx=$(<"/sys/class/net/cdnabmvt$i/ifindex")
		# No udev in L1: devtmpfs normally has the node; make it if not.
		if [ ! -c "/dev/tap$idx" ]; then
			dev=$(<"/sys/class/net/cdnabmvt$i/macvtap/tap$idx/dev")
			mknod "/dev/tap$idx" c "${dev%%:*}" "${dev##*:}" ||
				{ BENCH_NA="no /dev/tap$idx for cdnabmvt$i"; return 1; }
		fi
	done
	[ -c /dev/vhost-net ] || { BENCH_NA="no /dev/vhost-net"; return 1; }
}

bp_vhost_macvtap_qemu_args() {
	local i=$1 idx tfd=$((20 + 2 * $1)) vfd=$((21 + 2 * $1))
	idx=$(<"/sys/class/net/cdnabmvt$i/ifindex")
	eval "exec $tfd<>/dev/tap$idx $vfd<>/dev/vhost-net"
	BENCH_QARGS="-netdev tap,id=n0,fd=$tfd,vhost=on,vhostfd=$vfd"
	BENCH_QARGS+=" -device virtio-net-pci,netdev=n0,mac=${BENCH_GUEST_MAC[i]}"
}

bp_vhost_macvtap_started() {
	local tfd=$((20 + 2 * $1)) vfd=$((21 + 2 * $1))
	eval "exec $tfd>&- $vfd>&-"
}

bp_vhost_macvtap_teardown() {
	local i
	for i in 0 1; do ip link del "cdnabmvt$i" 2>/dev/null; done
	return 0
}

# --- path: vhost-macvtap-hw, cdna-hw: the same as above, on the igb uplink PF ---
bp_vhost_macvtap_hw_setup() { bp_vhost_macvtap_setup "$@"; }
bp_vhost_macvtap_hw_qemu_args() { bp_vhost_macvtap_qemu_args "$@"; }
bp_vhost_macvtap_hw_started() { bp_vhost_macvtap_started "$@"; }
bp_vhost_macvtap_hw_teardown() { bp_vhost_macvtap_teardown "$@"; }
bp_cdna_hw_setup() { bp_cdna_setup "$@"; }
bp_cdna_hw_qemu_args() { bp_cdna_qemu_args "$@"; }
bp_cdna_hw_started() { bp_cdna_started "$@"; }
bp_cdna_hw_teardown() { bp_cdna_teardown "$@"; }
# cdna-hw-iommu, cdna-hw-iommu-1use: cdna-hw with the iommu protection.
bp_cdna_hw_iommu_setup() { BENCH_CDNA_PROTECT="protect iommu" bp_cdna_setup "$@"; }
bp_cdna_hw_iommu_qemu_args() { bp_cdna_qemu_args "$@"; }
bp_cdna_hw_iommu_started() { bp_cdna_started "$@"; }
bp_cdna_hw_iommu_teardown() { bp_cdna_teardown "$@"; }
bp_cdna_hw_iommu_1use_setup() {
	BENCH_CDNA_PROTECT="protect iommu strategy single-use" bp_cdna_setup "$@"
}
bp_cdna_hw_iommu_1use_qemu_args() { bp_cdna_qemu_args "$@"; }
bp_cdna_hw_iommu_1use_started() { bp_cdna_started "$@"; }
bp_cdna_hw_iommu_1use_teardown() { bp_cdna_teardown "$@"; }

# --- path: native-hw -----------------------------------------------------------------
# No VM: the uplink PF in a namespace of its own with guest A's address,
# running the "iperf3 -s" a guest would; the peer port in $BENCH_NS as for
# every path. Everything, both ends included, runs in L1.
bp_native_hw_setup() {
	ip netns add "$BENCH_NATIVE_NS" &&
	ip link set "$BENCH_UPDEV" netns "$BENCH_NATIVE_NS" &&
	ip netns exec "$BENCH_NATIVE_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
	ip -n "$BENCH_NATIVE_NS" link set lo up &&
	ip -n "$BENCH_NATIVE_NS" addr add "${BENCH_GUEST_IP[0]}/24" dev "$BENCH_UPDEV" &&
	ip -n "$BENCH_NATIVE_NS" link set "$BENCH_UPDEV" up ||
		{ BENCH_NA="cannot move $BENCH_UPDEV into $BENCH_NATIVE_NS"; return 1; }
	bench_wait_up "$BENCH_UPDEV" "$BENCH_NATIVE_NS" ||
		{ BENCH_NA="$BENCH_UPDEV: no carrier"; return 1; }
	ip netns exec "$BENCH_NATIVE_NS" iperf3 -s -D -I "$BENCH_OUT/native-iperf3.pid" ||
		{ BENCH_NA="iperf3 -s in $BENCH_NATIVE_NS failed"; return 1; }
}

bp_native_hw_qemu_args() { :; }
bp_native_hw_started() { :; }

bp_native_hw_teardown() {
	[ -s "$BENCH_OUT/native-iperf3.pid" ] && kill "$(<"$BENCH_OUT/native-iperf3.pid")" 2>/dev/null
	rm -f "$BENCH_OUT/native-iperf3.pid"
	ip -n "$BENCH_NATIVE_NS" addr flush dev "$BENCH_UPDEV" 2>/dev/null
	ip -n "$BENCH_NATIVE_NS" link set "$BENCH_UPDEV" netns 1 2>/dev/null
	ip netns del "$BENCH_NATIVE_NS" 2>/dev/null
	return 0
}

# --- path: sriov-vfio ----------------------------------------------------------------
# A VF of the uplink PF per guest: its MAC set through the PF (ip link set
# PF vf I mac), bound to vfio-pci, given to the guest's QEMU.
bp_sriov_vfio_pci=()

bp_sriov_vfio_setup() {
	local n=$1 i pci
	bp_sriov_vfio_pci=()
	modprobe vfio-pci || { BENCH_NA="modprobe vfio-pci failed"; return 1; }
	cdna_igb_vfs_create "$BENCH_UPDEV" "$n" ||
		{ BENCH_NA="cannot create $n VF(s) on $BENCH_UPDEV"; return 1; }
	for ((i = 0; i < n; i++)); do
		pci=$(cdna_igb_vf_pci "$BENCH_UPDEV" "$i") ||
			{ BENCH_NA="$BENCH_UPDEV: no VF $i"; return 1; }
		ip link set "$BENCH_UPDEV" vf "$i" mac "${BENCH_GUEST_MAC[i]}" spoofchk on ||
			{ BENCH_NA="ip link set $BENCH_UPDEV vf $i mac failed"; return 1; }
		cdna_pci_bind "$pci" vfio-pci ||
			{ BENCH_NA="cannot bind VF $pci to vfio-pci"; return 1; }
		bp_sriov_vfio_pci+=("$pci")
	done
	ip link set "$BENCH_UPDEV" up
}

bp_sriov_vfio_qemu_args() {
	BENCH_QARGS="-device vfio-pci,host=${bp_sriov_vfio_pci[$1]}"
}

bp_sriov_vfio_started() { :; }

bp_sriov_vfio_teardown() {
	cdna_igb_vfs_remove "$BENCH_UPDEV" 2>/dev/null ||
		bench_log "sriov-vfio: removing the VFs of $BENCH_UPDEV failed"
	return 0
}

# --- guests --------------------------------------------------------------------------
# Command protocol with guest.sh, through its output directory: L1 writes
# b-cmd.<seq> ("snap HOLD" | "run HOLD IPERF3-ARGS" | "quit"), the guest
# answers b-res.<seq>.txt (then the marker b-res.<seq>) and then sleeps HOLD seconds without touching the
# share (polling it would cost VM exits inside a measurement).

bench_guest_kind() {
	case "$1" in
	cdna|cdna-hw|cdna-hw-iommu*) echo cdna ;;
	sriov-vfio) echo igbvf ;;
	*) echo virtio ;;
	esac
}

# bench_gsend GUEST CMD...: post the guest's next command; prints its seq.
bench_gsend() {
	local g=$1 out seq
	shift
	out=$(l2_out "$g")
	seq=${BENCH_SEQ[$g]:-1}
	BENCH_SEQ[$g]=$((seq + 1))
	echo "$*" >"$out/.b-cmd.$seq" && mv "$out/.b-cmd.$seq" "$out/b-cmd.$seq"
	BENCH_LAST_SEQ=$seq
}

# bench_gwait GUEST SEQ TIMEOUT [POLL]: wait for the answer; sets BENCH_RES.
bench_gwait() {
	local g=$1 seq=$2 end out poll=${4:-0.05}
	out=$(l2_out "$g")
	end=$((${EPOCHREALTIME/./} + $3 * 1000000))
	while [ ! -e "$out/b-res.$seq" ]; do
		if [ "${EPOCHREALTIME/./}" -ge "$end" ] || [ -e "$out/done" ]; then
			BENCH_RES=
			return 1
		fi
		cdna_sleep "$poll"
	done
	BENCH_RES=$(<"$out/b-res.$seq.txt")
}

# bench_gwait_go GUEST SEQ TIMEOUT: wait until a "run" command is starting
# its iperf3 (b-go.<seq>); polls L1's tmpfs, which costs next to nothing.
bench_gwait_go() {
	local out end
	out=$(l2_out "$1")
	end=$((${EPOCHREALTIME/./} + $3 * 1000000))
	until [ -e "$out/b-go.$2" ] || [ -e "$out/b-res.$2" ]; do
		[ "${EPOCHREALTIME/./}" -lt "$end" ] && [ ! -e "$out/done" ] || return 1
		cdna_sleep 0.01
	done
}

# bench_gsnap GUEST HOLD: the guest's counters "irqs,rxp,txp,rxb,txb".
bench_gsnap() {
	bench_gsend "$1" snap "$2"
	bench_gwait "$1" "$BENCH_LAST_SEQ" $((${2%.*} + 30))
}

# bench_guests_start PATH N: boot N guests (one after the other) and wait for their
# interfaces; sets BENCH_NA on failure.
bench_guests_start() {
	local p=$1 n=$2 i g out kind end
	local fn=bp_${p//-/_}
	kind=$(bench_guest_kind "$p")
	for ((i = 0; i < n; i++)); do
		g=$p-$i
		BENCH_SEQ[$g]=1
		"${fn}_qemu_args" "$i"
		l2_start "$g" --mem "$BENCH_GUEST_MEM" --cpus "$BENCH_GUEST_CPUS" \
			--qemu-args "$BENCH_QARGS" --timeout 1500 \
			--script "$BENCH_GUEST_SCRIPT" -- "$kind" "${BENCH_GUEST_IP[i]}/24" \
			"${BENCH_GUEST_MAC[i]}"
		"${fn}_started" "$i"
		# The guests share one L1 CPU (lib.sh): boot them one at a time.
		# l2_booted starts a guest whose init did not run once more.
		if ! l2_booted "$g" 180; then
			BENCH_NA="guest $g did not boot"
			return 1
		fi
	done
	# Its agent loads the driver and brings the NIC up; under load
	# (other testbeds on the machine) that took up to 40 s.
	end=$(($(bench_elapsed) + 240))
	for ((i = 0; i < n; i++)); do
		g=$p-$i
		out=$(l2_out "$g")
		while [ ! -e "$out/b-ready" ]; do
			if [ -e "$out/done" ] || [ "$(bench_elapsed)" -ge "$end" ]; then
				BENCH_NA="guest $g never brought its interface up"
				[ -e "$out/b-failed" ] && BENCH_NA="guest $g: $(<"$out/b-failed.txt")"
				return 1
			fi
			cdna_sleep 0.2
		done
		bench_log "$g: $(<"$out/b-ready.txt") up (boot $(cat "$out/boot-secs" 2>/dev/null) s)"
	done
}

bench_guests_stop() {
	local p=$1 n=$2 i g end
	for ((i = 0; i < n; i++)); do
		g=$p-$i
		[ -d "$(l2_out "$g")" ] || continue
		bench_gsend "$g" quit 0
	done
	# One deadline for all: a QEMU that does not exit after its guest
	# powered off (seen with a cdna mdev) is killed, not waited for.
	end=$(($(bench_elapsed) + 40))
	for ((i = 0; i < n; i++)); do
		g=$p-$i
		[ -d "$(l2_out "$g")" ] || continue
		while [ ! -e "$(l2_out "$g")/done" ] && [ "$(bench_elapsed)" -lt "$end" ]; do
			cdna_sleep 0.5
		done
		if [ ! -e "$(l2_out "$g")/done" ]; then
			bench_log "$g: QEMU still running 40 s after quit; killing it"
			l2_kill "$g"
		fi
		l2_wait "$g" 30 >/dev/null
	done
}

# bench_guests_answer PATH N: every guest answers a snapshot within 30 s.
bench_guests_answer() {
	local i
	for ((i = 0; i < $2; i++)); do
		bench_gsend "$1-$i" snap 0
		bench_gwait "$1-$i" "$BENCH_LAST_SEQ" 30 || return 1
	done
}

# bench_guests_restart PATH N REASON: stop the path's guests and boot them
# afresh (their earlier output moves to <guest>.restart); sets BENCH_NA on
# failure. Recorded in raw.jsonl as {"path", "event": "restart", "reason"}.
bench_guests_restart() {
	local p=$1 n=$2 i g dir
	bench_log "$p: $3; restarting its guests"
	printf '{"path":"%s","event":"restart","reason":%s}\n' "$p" \
		"$(bench_json_str "$3")" >>"$BENCH_RAW"
	for ((i = 0; i < n; i++)); do
		g=$p-$i
		dir=$(l2_out "$g")
		l2_kill "$g"
		for _ in {1..150}; do [ -e "$dir/done" ] && break; cdna_sleep 0.2; done
		rm -rf "$dir.restart"
		mv "$dir" "$dir.restart" || { BENCH_NA="cannot move $dir away"; return 1; }
	done
	bench_guests_start "$p" "$n" && bench_connect "$p" "$n"
}

# bench_connect PATH N: the peer reaches every guest (busybox ping: Debian's
# iputils-ping is not among our packages).
bench_connect() {
	local n=$2 i try
	# native-hw: no guest, the uplink's namespace answers for guest A.
	[ "$n" -gt 0 ] || n=1
	for ((i = 0; i < n; i++)); do
		for try in 1 2 3 4 5 6; do
			ip netns exec "$BENCH_NS" busybox ping -q -c 1 -W 2 \
				"${BENCH_GUEST_IP[i]}" >/dev/null && break
		done
		if [ "$try" -eq 6 ]; then
			BENCH_NA="no connectivity peer -> guest ${BENCH_GUEST_IP[i]}"
			ip -s link show
			ip -n "$BENCH_NS" -s link show
			ip -n "$BENCH_NS" neigh show
			return 1
		fi
	done
	return 0
}

# --- one measurement ---------------------------------------------------------------

# bench_l1_counters PREFIX: L1's counters into PREFIX_host (host busy
# ticks), PREFIX_guest (guest ticks), PREFIX_exits, PREFIX_halts (exits
# for HLT: an idle vCPU), PREFIX_t (us).
bench_l1_counters() {
	local _c user nice system irq softirq guest gnice ex=0 hx=0
	# cpu user nice system idle iowait irq softirq steal guest guest_nice
	read -r _c user nice system _ _ irq softirq _ guest gnice </proc/stat
	[ -r "$BENCH_KVM/exits" ] && read -r ex <"$BENCH_KVM/exits"
	[ -r "$BENCH_KVM/halt_exits" ] && read -r hx <"$BENCH_KVM/halt_exits"
	printf -v "${1}_host" %d $((user - guest + nice - gnice + system + irq + softirq))
	printf -v "${1}_guest" %d $((guest + gnice))
	printf -v "${1}_exits" %d "$ex"
	printf -v "${1}_halts" %d "$hx"
	printf -v "${1}_t" %d "${EPOCHREALTIME/./}"
}

# --- VM exits by reason, cdna's doorbells -------------------------------------------
# KVM's tracepoints in L1 with histogram triggers: kvm_exit by exit_reason
# (SVM exit codes: HLT 0x78, NPF 0x400 - MMIO and write-tracked pages -,
# MSR 0x7c, INTR 0x60, ...) and kvm_userspace_exit by reason (KVM_EXIT_*:
# MMIO 6 - e.g. a BAR doorbell for QEMU - IO 2, ...). Read outside the
# CPU bracket of a measurement (every exec costs L1 CPU).
BENCH_TRACE=/sys/kernel/tracing

bench_trace_setup() {
	local ev
	[ -d "$BENCH_TRACE/events" ] || mount -t tracefs nodev "$BENCH_TRACE" 2>/dev/null
	for ev in kvm_exit:exit_reason kvm_userspace_exit:reason; do
		echo "hist:keys=${ev#*:}:size=256" \
			>"$BENCH_TRACE/events/kvm/${ev%%:*}/trigger" 2>/dev/null ||
			bench_log "no histogram of kvm:${ev%%:*}: exits by reason will be missing"
	done
}

# bench_hist EVENT: its histogram as "KEY=HITS,KEY=HITS...".
bench_hist() {
	awk '/^\{/ { gsub(/[{}:]/, " "); printf "%s%s=%s", sep, $2, $4; sep = "," }' \
		"$BENCH_TRACE/events/kvm/$1/hist" 2>/dev/null
}

# bench_cdna_kicks PATH: "BAR-DOORBELLS,KICK-PAGE-KICKS" of the cdna
# contexts (empty for the other paths).
bench_cdna_kicks() {
	case "$1" in cdna|cdna-*) ;; *) return 0 ;; esac
	[ -x "$BENCH_CDNACTL" ] || return 0
	"$BENCH_CDNACTL" -j ctx stats 2>/dev/null |
		jq -r '"\(map(.kicks) | add // 0),\(map(.kick_page_kicks // 0) | add // 0)"'
}

# bench_cdna_polls PATH: the igb backend's poll counters, summed over the
# contexts, as "passes,ends by window,ends by resched,ends by budget"
# (nothing on other paths, or without debugfs datapath/stats).
bench_cdna_polls() {
	local f n v passes=0 win=0 resched=0 budget=0 seen=
	case "$1" in cdna-hw*) ;; *) return 0 ;; esac
	for f in /sys/kernel/debug/cdna/*/*/datapath/stats; do
		[ -r "$f" ] || continue
		while read -r n v; do
			case "$n" in
			poll_passes) passes=$((passes + v)) seen=1 ;;
			poll_end_window) win=$((win + v)) ;;
			poll_end_resched) resched=$((resched + v)) ;;
			poll_end_budget) budget=$((budget + v)) ;;
			esac
		done <"$f"
	done
	[ -n "$seen" ] && echo "$passes,$win,$resched,$budget"
}

# bench_iperf_args WORKLOAD SECS: the iperf3 client arguments (server: guest A).
bench_iperf_args() {
	local w=$1 s=$2 a="-c ${BENCH_GUEST_IP[0]} -t $2"
	case "$w" in
	tcp_tx) echo "$a -R" ;;
	tcp_rx|tcp_g2g) echo "$a" ;;
	udp*_tx) echo "$a -u -l ${w//[!0-9]/} -b 0 -R" ;;
	udp*_rx|udp*_g2g) echo "$a -u -l ${w//[!0-9]/} -b 0" ;;
	*) return 1 ;;
	esac
}

# bench_measure PATH WORKLOAD ITER: one measurement, one line of raw.jsonl.
bench_measure() {
	local p=$1 w=$2 it=$3 secs args a=$1-0 b=$1-1 json err=
	local sa0 sa1 sb0='' sb1='' rc=0 peer_cpu="0 0" tf
	local c0_host c0_guest c0_exits c0_halts c0_t
	local c1_host c1_guest c1_exits c1_halts c1_t
	local rec line xr0= xr1= ur0= ur1= kk0= kk1= pp0= pp1=
	case "$w" in tcp_*) secs=$BENCH_TCP_SECS ;; *) secs=$BENCH_UDP_SECS ;; esac
	args=$(bench_iperf_args "$w" "$secs") || { err="unknown workload $w"; }
	json=$BENCH_OUT/iperf/$p.$w.$it.json
	tf=$BENCH_OUT/iperf/$p.$w.$it.time
	mkdir -p "$BENCH_OUT/iperf"

	if [ -n "$err" ]; then
		:
	elif [ "$BENCH_NGUESTS" -eq 0 ]; then
		# native-hw: no guest to snapshot (its counters stay null).
		case "$w" in
		*_g2g) err="n/a: $p has no guests (guest->guest needs VMs)" ;;
		esac
		sa0=
	elif bench_gsnap "$a" "$secs"; then
		sa0=$BENCH_RES
	else
		err=${err:-"guest $a did not answer"}
	fi
	if [ -z "$err" ]; then
		xr0=$(bench_hist kvm_exit) ur0=$(bench_hist kvm_userspace_exit)
		kk0=$(bench_cdna_kicks "$p") pp0=$(bench_cdna_polls "$p")
		bench_l1_counters c0
		case "$w" in
		*_g2g)
			# Guest B is the client; it snapshots its own NIC around
			# it and answers "RC SNAP-BEFORE SNAP-AFTER". L1's
			# bracket opens when B says it is starting iperf3.
			bench_gsend "$b" run 0 "$args"
			if bench_gwait_go "$b" "$BENCH_LAST_SEQ" 60; then
				bench_l1_counters c0
			else
				err="guest $b: did not start iperf3"
			fi
			if [ -z "$err" ] && bench_gwait "$b" "$BENCH_LAST_SEQ" $((secs + 40)) 0.05; then
				read -r rc sb0 sb1 <<<"$BENCH_RES"
				cp "$(l2_out "$b")/b-json.$BENCH_LAST_SEQ" "$json" 2>/dev/null
			else
				err=${err:-"guest $b: no result from iperf3"}
			fi
			;;
		*)
			local TIMEFORMAT='%3U %3S'
			# shellcheck disable=SC2086 # $args: several words
			{ time timeout $((secs + 30)) ip netns exec "$BENCH_NS" \
				iperf3 $args -J --connect-timeout 5000 >"$json" 2>"$json.err"; } 2>"$tf"
			rc=$?
			read -r peer_cpu <"$tf"
			;;
		esac
		bench_l1_counters c1
		xr1=$(bench_hist kvm_exit) ur1=$(bench_hist kvm_userspace_exit)
		kk1=$(bench_cdna_kicks "$p") pp1=$(bench_cdna_polls "$p")
		if [ "$BENCH_NGUESTS" -eq 0 ]; then
			sa1=
		elif bench_gsnap "$a" 0; then
			sa1=$BENCH_RES
		else
			err=${err:-"guest $a did not answer"}
		fi
	fi
	if [ -z "$err" ] && [ ! -s "$json" ]; then
		err="iperf3 (exit $rc) wrote nothing: $(tail -n 1 "$json.err" 2>/dev/null)"
	fi
	if [ -n "$err" ]; then
		bench_fail_record "$p" "$w" "$it" "$err"
		return 1
	fi
	# Everything derived in one jq (every exec is slow under TCG): the
	# record for raw.jsonl, then a line for the log.
	if ! { read -r rec && read -r line; } < <(jq -r \
		--arg p "$p" --arg w "$w" --argjson it "$it" --argjson hz "$BENCH_HZ" \
		--arg peer "$peer_cpu" --arg sa0 "$sa0" --arg sa1 "$sa1" \
		--arg sb0 "$sb0" --arg sb1 "$sb1" \
		--arg xr0 "$xr0" --arg xr1 "$xr1" --arg ur0 "$ur0" --arg ur1 "$ur1" \
		--arg kk0 "$kk0" --arg kk1 "$kk1" --arg pp0 "$pp0" --arg pp1 "$pp1" \
		--argjson h0 "$c0_host" --argjson h1 "$c1_host" \
		--argjson g0 "$c0_guest" --argjson g1 "$c1_guest" \
		--argjson e0 "$c0_exits" --argjson e1 "$c1_exits" \
		--argjson x0 "$c0_halts" --argjson x1 "$c1_halts" \
		--argjson t0 "$c0_t" --argjson t1 "$c1_t" "$BENCH_JQ" "$json" 2>&1); then
		bench_fail_record "$p" "$w" "$it" "iperf3 (exit $rc): unreadable JSON $json"
		return 1
	fi
	case "$rec" in
	"{"*) echo "$rec" >>"$BENCH_RAW" ;;
	*) bench_fail_record "$p" "$w" "$it" "jq: $rec"; return 1 ;;
	esac
	bench_log "$p $w #$it: $line"
}

# bench_fail_record PATH WORKLOAD ITER ERROR
bench_fail_record() {
	printf '{"path":"%s","workload":"%s","iter":%d,"ok":false,"error":%s}\n' \
		"$1" "$2" "$3" "$(bench_json_str "$4")" >>"$BENCH_RAW"
	bench_log "$1 $2 #$3: $4"
}

# The jq program of bench_measure: iperf3's JSON in, two lines out.
# Counters: snapshots "irqs,rxp,txp,rxb,txb" of guest A (sa) and B (sb),
# /proc/stat ticks (h: host busy, g: guest), VM exits (e), of which for
# HLT (x), time in us (t).
# shellcheck disable=SC2016 # jq variables, not shell ones
BENCH_JQ='
def snap($s): $s | split(",") | map(tonumber);
# No snapshots (native-hw: no guest): null.
def delta($a; $b; $i): if $a == "" then null else snap($b)[$i] - snap($a)[$i] end;
def per($x; $y): if $y > 0 then $x / $y else null end;
def r3: if . == null then null else (. * 1000 | round) / 1000 end;
def hist($s): if $s == "" then {} else $s | split(",") | map(split("=")
	| {(.[0]): (.[1] | tonumber)}) | add end;
def hdelta($a; $b): hist($a) as $x | hist($b) | with_entries(.value -= ($x[.key] // 0))
	| with_entries(select(.value > 0));
if (.error // null) != null then
	{path: $p, workload: $w, iter: $it, ok: false, error: ("iperf3: " + .error)}
	| tojson, .error
else
	(.end.sum_received // {}) as $r
	| ($w | startswith("udp")) as $udp
	| ($r.bytes // 0) as $bytes
	| ($r.seconds // 0) as $secs
	| (if $udp then ($r.packets // 0) - ($r.lost_packets // 0) else null end) as $rxpk
	| ($peer | split(" ") | map(tonumber) | add) as $peer_s
	| (($h1 - $h0) / $hz - $peer_s) as $host_raw
	# Not measurable when the peer iperf3 used (nearly) all of it.
	| (if $host_raw > 0 then $host_raw else null end) as $host_s
	| (if $udp then $rxpk else $bytes / 1448 | floor end) as $pk
	| ($e1 - $e0) as $exits
	| (if $sa0 == "" then null
	   else delta($sa0; $sa1; 0) + (if $sb0 != "" then delta($sb0; $sb1; 0) else 0 end) end) as $irqs
	| {path: $p, workload: $w, iter: $it, ok: ($bytes > 0),
	   error: (if $bytes > 0 then null else "no data received" end),
	   secs: ($secs | r3), bytes: $bytes, sent_bytes: (.end.sum_sent.bytes // 0),
	   gbps: per($bytes * 8 / 1e9; $secs),
	   rx_packets: $rxpk, lost_packets: (if $udp then $r.lost_packets else null end),
	   mpps: (if $udp then per($rxpk / 1e6; $secs) else null end),
	   retransmits: (if $udp then null else .end.sum_sent.retransmits end),
	   wall_s: (($t1 - $t0) / 1e6 | r3),
	   l1_host_cpu_s: ($host_s | r3), l1_peer_cpu_s: $peer_s,
	   l1_guest_cpu_s: (($g1 - $g0) / $hz | r3),
	   vm_exits: $exits, halt_exits: ($x1 - $x0), packets: $pk,
	   nic_packets: (if $sa0 == "" then null else delta($sa0; $sa1; 1) + delta($sa0; $sa1; 2) end),
	   guest_irqs: $irqs,
	   cpu_s_per_gbit: (if $host_s then per($host_s; $bytes * 8 / 1e9) else null end),
	   cpu_s_per_mpkt: (if $udp and $host_s then per($host_s; $rxpk / 1e6) else null end),
	   exits_per_kpkt: per($exits; $pk / 1000),
	   busy_exits_per_kpkt: per($exits - ($x1 - $x0); $pk / 1000),
	   irqs_per_kpkt: (if $irqs == null then null else per($irqs; $pk / 1000) end),
	   exit_reasons: (if $xr1 != "" then hdelta($xr0; $xr1) else null end),
	   userspace_exits: (if $ur1 != "" then hdelta($ur0; $ur1) else null end),
	   mmio_userspace_exits_per_kpkt: (if $ur1 != "" then
		per(hdelta($ur0; $ur1)["6"] // 0; $pk / 1000) else null end),
	   kicks: (if $kk1 != "" then delta($kk0; $kk1; 0) else null end),
	   kick_page_kicks: (if $kk1 != "" then delta($kk0; $kk1; 1) else null end),
	   kicks_per_kpkt: (if $kk1 != "" then per(delta($kk0; $kk1; 0) + delta($kk0; $kk1; 1); $pk / 1000) else null end),
	   poll_passes: (if $pp1 != "" then delta($pp0; $pp1; 0) else null end),
	   poll_ends: (if $pp1 != "" then {window: delta($pp0; $pp1; 1),
		resched: delta($pp0; $pp1; 2), budget: delta($pp0; $pp1; 3)} else null end)}
	| tojson,
	  "\(.gbps | r3) Gb/s, \(.mpps // "-" ) Mpps, L1 cpu \(.l1_host_cpu_s) s (peer \(.l1_peer_cpu_s) s), \(.vm_exits) exits, \(.guest_irqs) irqs, \(.packets) pkts, wall \(.wall_s) s"
end'

# --- profiles (BENCH_PROFILE=1 or l1) ---------------------------------------------

# bench_profile PATH WORKLOAD: one extra, unrecorded run of a peer workload
# with perf sampling L1 (all CPUs, call graphs) and guest A at once (L1
# only with BENCH_PROFILE=l1); the reports go to
# $BENCH_OUT/profile/PATH.WORKLOAD.{l1,guest}.txt.
bench_profile() {
	local p=$1 w=$2 secs=$BENCH_TCP_SECS args dir=$BENCH_OUT/profile out seq
	command -v perf >/dev/null || { bench_log "profile: no perf (linux-perf) in L1"; return 1; }
	args=$(bench_iperf_args "$w" "$secs") || return 1
	mkdir -p "$dir"
	out=$(l2_out "$p-0")
	# perf takes seconds to set up under TCG: L1's is set up first and
	# disabled, then the guest's starts recording (it answers once it
	# does, for 2 s longer than the traffic), then L1's is enabled.
	if ! cdna_perf_start "/var/tmp/perf.$p.$w"; then
		bench_log "profile of $p $w: perf did not start in L1"
		return 1
	fi
	seq=
	if [ "$BENCH_PROFILE" != l1 ]; then
		# HOLD: the agent stays off the share while the guest records.
		bench_gsend "$p-0" prof $((secs + 2)) $((secs + 2))
		seq=$BENCH_LAST_SEQ
	fi
	# The guest's first perf takes minutes to start (its binary and
	# symbols come over 9p, two levels of emulation down).
	if { [ -n "$seq" ] &&
	     { ! bench_gwait "$p-0" "$seq" 400 || [ "$BENCH_RES" != recording ]; }; } ||
	   ! cdna_perf_ctl enable; then
		bench_log "profile of $p $w: perf did not start (guest: ${BENCH_RES:-no answer})"
		cdna_perf_stop "/var/tmp/perf.$p.$w"
		return 1
	fi
	# shellcheck disable=SC2086
	ip netns exec "$BENCH_NS" iperf3 $args --connect-timeout 5000 >"$dir/$p.$w.iperf3.txt" 2>&1
	cdna_perf_stop "/var/tmp/perf.$p.$w"
	{
		echo "# L1 CPU time by task (all CPUs; swapper = idle; the rest of 100%:"
		echo "# samples taken while a vCPU ran its L2 guest)"
		perf report -q -i "/var/tmp/perf.$p.$w" --stdio --no-children --sort comm \
			-g none --percent-limit 0.1
		echo "# by task, DSO and symbol"
		perf report -q -i "/var/tmp/perf.$p.$w" --stdio --no-children --sort comm,dso,sym \
			-g none --percent-limit 0.5
	} >"$dir/$p.$w.l1.txt" 2>&1
	rm -f "/var/tmp/perf.$p.$w"
	if [ -z "$seq" ]; then
		bench_log "profile of $p $w: $dir/$p.$w.l1.txt"
		return 0
	fi
	local t=0
	while [ ! -e "$out/b-prof.$seq.txt" ] && [ $t -lt 600 ]; do
		cdna_sleep 0.5
		t=$((t + 1))
	done
	cp "$out/b-prof.$seq.txt" "$dir/$p.$w.guest.txt" 2>/dev/null
	bench_log "profile of $p $w: $dir/$p.$w.{l1,guest}.txt"
}

# --- a path, then everything ---------------------------------------------------------

# bench_path PATH PATHS-LEFT: set up, boot the guests, measure, tear down.
# Never exits. Measurements do not start after this path's share of what
# is left of BENCH_BUDGET (this path and the PATHS-LEFT - 1 after it).
bench_path() {
	local p=$1 n=1 w it fn=bp_${1//-/_} deadline restarts=0
	deadline=$(( $(bench_elapsed) + (BENCH_BUDGET - $(bench_elapsed)) / $2 ))
	BENCH_NA=
	BENCH_CUR=$p
	if ! declare -F "${fn}_setup" >/dev/null; then
		bench_na_record "$p" "unknown path"
		return
	fi
	case " $BENCH_WORKLOADS " in *_g2g\ *) n=2 ;; esac
	[ "$p" = native-hw ] && n=0
	BENCH_NGUESTS=$n
	BENCH_HW=0 BENCH_UPDEV=$VF_NIC BENCH_PEERDEV=$VF_PEER
	if bench_hw_path "$p"; then
		BENCH_HW=1
		if ! bench_hw_ports; then
			bench_na_record "$p" "$BENCH_NA"
			BENCH_HW=0
			return
		fi
	fi
	bench_log "=== path $p ($n guest(s), $(bench_elapsed) s into the run)"
	bench_uplink_down
	if ! "${fn}_setup" "$n"; then
		bench_na_record "$p" "${BENCH_NA:-setup failed}"
		"${fn}_teardown"
		bench_uplink_down
		return
	fi
	if ! bench_uplink_up; then
		bench_na_record "$p" "cannot set up the uplink $VF_NIC and the peer namespace"
	elif ! bench_guests_start "$p" "$n" || ! bench_connect "$p" "$n"; then
		bench_na_record "$p" "$BENCH_NA"
	else
		# Warm-up (not recorded): iperf3 and its libraries into the page
		# caches of L1 and the guests, ARP, TCP metrics.
		ip netns exec "$BENCH_NS" iperf3 -c "${BENCH_GUEST_IP[0]}" -t 1 \
			--connect-timeout 5000 >/dev/null 2>&1
		if [ "$n" -eq 2 ]; then
			bench_gsend "$p-1" run 0 "-c ${BENCH_GUEST_IP[0]} -t 1"
			bench_gwait "$p-1" "$BENCH_LAST_SEQ" 60 0.2
		fi
		# Iterations outermost: when time runs short every workload
		# still has its first measurements, and slow drifts of the
		# machine's load spread over all workloads alike.
		for ((it = 1; it <= BENCH_ITERS; it++)); do
			for w in $BENCH_WORKLOADS; do
				if [ "$(bench_elapsed)" -ge "$deadline" ]; then
					bench_fail_record "$p" "$w" "$it" \
						"skipped: this path's share of the time budget ($BENCH_BUDGET s) is used up"
					continue
				fi
				bench_measure "$p" "$w" "$it" && continue
				# A failed measurement: if a guest stopped
				# answering, boot the guests afresh - once per
				# path - and measure again.
				bench_guests_answer "$p" "$n" && continue
				if [ "$restarts" -ge 1 ]; then
					bench_log "$p: a guest does not answer; restarted once already"
					continue
				fi
				restarts=$((restarts + 1))
				if ! bench_guests_restart "$p" "$n" \
					"a guest stopped answering after $w #$it"; then
					bench_log "$p: restart failed: $BENCH_NA"
					break 2
				fi
				bench_measure "$p" "$w" "$it"
			done
		done
		if [ "${BENCH_PROFILE:-0}" != 0 ]; then
			for w in tcp_tx tcp_rx; do
				bench_profile "$p" "$w"
			done
		fi
	fi
	bench_guests_stop "$p" "$n"
	mkdir -p "$BENCH_OUT/l2"
	cp -r "$CDNA_TEST_DIR/l2/$p"-* "$BENCH_OUT/l2/" 2>/dev/null
	"${fn}_teardown"
	bench_uplink_down
	BENCH_HW=0 BENCH_UPDEV=$VF_NIC BENCH_PEERDEV=$VF_PEER
}

bench_main() {
	local p
	mkdir -p "$BENCH_OUT"
	# The guests' output directories (their command channel) live in
	# L1's overlay, whose upper layer is tmpfs: a 9p round trip from L2
	# then ends in L1, not on the machine. Not /run: the guests mount
	# their own tmpfs there. bench_path copies them to $BENCH_OUT/l2.
	CDNA_TEST_DIR=/var/tmp/cdna-bench.$$
	mkdir -p "$CDNA_TEST_DIR"
	BENCH_RAW=$BENCH_OUT/raw.jsonl
	: >"$BENCH_RAW"
	cdna_kvm_setup
	bench_trace_setup
	BENCH_HZ=$(getconf CLK_TCK)
	[ -r "$BENCH_KVM/exits" ] || bench_log "no $BENCH_KVM/exits: VM exits will read 0"
	{
		printf '{"iters":%d,"tcp_secs":%d,"udp_secs":%d,' "$BENCH_ITERS" "$BENCH_TCP_SECS" "$BENCH_UDP_SECS"
		printf '"guest_mem_mb":%d,"guest_cpus":%d,"l1_cpus":%d,' "$BENCH_GUEST_MEM" "$BENCH_GUEST_CPUS" "$(nproc)"
		printf '"cdna_params":%s,' "$(bench_json_str "$BENCH_CDNA_PARAMS")"
		# shellcheck disable=SC2086 # the lists split into words
		printf '"paths":%s,"workloads":%s,"kernel":"%s","clk_tck":%d}\n' \
			"$(printf '%s\n' $BENCH_PATHS | jq -R . | jq -sc .)" \
			"$(printf '%s\n' $BENCH_WORKLOADS | jq -R . | jq -sc .)" \
			"$(uname -r)" "$BENCH_HZ"
	} >"$BENCH_OUT/params.json"
	# shellcheck disable=SC2086
	set -- $BENCH_PATHS
	while [ $# -gt 0 ]; do
		bench_path "$1" $#
		shift
	done
	bench_log "done in $(bench_elapsed) s; raw results: $BENCH_RAW"
}
