# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers of the vf_*.sh tests (sourced after $CDNA_LIB; not a test itself:
# not executable). They run in L1.
#
#   vf_ctl ARGS...           cdnactl (the control plane, generic netlink)
#   vf_host_setup            vfio + mdev modules, cdna.ko, a veth uplink
#                            ($VF_NIC, peer $VF_PEER) attached (cdnactl)
#   vf_mdev_create NQP       create a context of type cdna-<NQP>qp straight
#                            through the mdev sysfs node, print its UUID
#   vf_set_mac UUID MAC      set a context's MAC (no VM may hold it)
#   vf_set_link UUID 0|1     force a context's link down or up
#   vf_dbg UUID FILE         print a context's debugfs file
#   vf_engine_stat NAME      print one counter of $VF_NIC's engine stats
#                            (pins_total: what the data path holds pinned)
#   vf_total NAME            print one module-wide counter (debugfs totals:
#                            pins_total, iommu_domains, iommu_guest_pages)
#   vf_iommu_idle            true if no context's IOMMU domain is left (nor
#                            a guest page mapped in one); sets
#                            $VF_IOMMU_HELD to "<domains> <guest pages>"
#   vf_stat UUID NAME        print one counter of a context's debugfs stats
#   vf_stat_fast UUID NAME   the same without forking (sets $VF_STAT)
#   vf_kill_closed UUID PID  kill -9 the QEMU PID holding context UUID and
#                            wait (20 s at most) until the context reads
#                            closed; fails the test otherwise; sets
#                            $VF_KILL_SECS to the seconds it took
#   vf_wait_job PID SECS WHAT  wait for background job PID, at most SECS;
#                            fail the test ("WHAT still waiting ...", "WHAT
#                            failed") if it hangs or fails
#   vf_host_cleanup          remove contexts, detach, delete the veth, rmmod
#                            cdna; fails the test if any step fails
#   vf_qemu_args UUID        QEMU arguments assigning the context to a guest
#   vf_peer_ns NS PORT IP    move the igb peer PORT into a new netns NS at
#                            IP/24 with an iperf3 server (pid file in the
#                            test dir); vf_peer_ns_del NS PORT undoes it
#   vf_igb_attach PF MAX     cdnactl nic attach the igb PF for MAX contexts;
#                            fails the test unless it gets the igb backend
#   vf_igb_host NS PF PEER IP  KVM and cdna.ko in L1, the igb PF up (no
#                            IPv6), the PEER port in netns NS at IP
#                            (vf_peer_ns)
#   vf_igb_reset NS PF PEER CTX...  undo it for the next test: the contexts
#                            CTX deleted, the PF detached without VFs,
#                            cdna unloaded; never fails
#   vf_guest_text GUEST NAME print what the guest published with vfg_mark

VF_NIC=${VF_NIC:-cdnaup0}
VF_PEER=${VF_PEER:-cdnapeer0}
VF_DBG=/sys/kernel/debug/cdna
VF_CTL=${VF_CTL:-$CDNA_REPO/userspace/cdnactl}
VF_TYPES=/sys/class/cdna/cdna-$VF_NIC/mdev_supported_types

vf_ctl() {
	"$VF_CTL" "$@"
}

vf_host_setup() {
	[ -x "$VF_CTL" ] || cdna_skip "userspace/cdnactl is not built"
	cdna_vfio_setup
	cdna_insmod_host
	if ! ip link show "$VF_NIC" >/dev/null 2>&1; then
		ip link add "$VF_NIC" type veth peer name "$VF_PEER" ||
			cdna_fail "cannot create the veth uplink $VF_NIC"
	fi
	ip link set "$VF_NIC" up
	ip link set "$VF_PEER" up
	if [ ! -d "/sys/class/cdna/cdna-$VF_NIC" ]; then
		vf_ctl nic attach dev "$VF_NIC" || cdna_fail "attaching $VF_NIC failed"
	fi
	[ -d "$VF_TYPES/cdna-1qp" ] || cdna_fail "no mdev type cdna-1qp under $VF_TYPES"
}

vf_mdev_create() {
	local uuid
	uuid=$(cat /proc/sys/kernel/random/uuid)
	echo "$uuid" >"$VF_TYPES/cdna-${1}qp/create" || return 1
	echo "$uuid"
}

vf_set_mac() {
	vf_ctl ctx set "$1" mac "$2"
}

vf_set_link() {
	local mode=down
	[ "$2" = 1 ] && mode=up
	vf_ctl ctx set "$1" link $mode
}

vf_dbg() {
	cat "$VF_DBG/$VF_NIC/$1/$2"
}

vf_total() {
	awk -v n="$1" '$1 == n { print $2; f = 1 } END { exit !f }' \
		"$VF_DBG/totals"
}

vf_iommu_idle() {
	VF_IOMMU_HELD="$(vf_total iommu_domains) $(vf_total iommu_guest_pages)"
	[ "$VF_IOMMU_HELD" = "0 0" ]
}

vf_engine_stat() {
	awk -v n="$1" '$1 == n { print $2; f = 1 } END { exit !f }' \
		"$VF_DBG/$VF_NIC/engine/stats"
}

vf_kill_closed() {
	local uuid=$1 pid=$2 t0

	t0=$(cdna_now_us)
	kill -KILL "$pid" || cdna_fail "cannot kill QEMU ($pid)"
	while [ "$(vf_dbg "$uuid" state)" != closed ]; do
		[ $(($(cdna_now_us) - t0)) -lt 20000000 ] ||
			cdna_fail "context still $(vf_dbg "$uuid" state) 20 s after kill -9"
		cdna_sleep 0.05
	done
	VF_KILL_SECS=$(cdna_since "$t0")
}

vf_wait_job() {
	local pid=$1 secs=$2 t0

	t0=$(cdna_now_us)
	while kill -0 "$pid" 2>/dev/null; do
		[ $(($(cdna_now_us) - t0)) -lt $((secs * 1000000)) ] ||
			cdna_fail "$3 still waiting $secs s later"
		cdna_sleep 0.1
	done
	wait "$pid" || cdna_fail "$3 failed"
}

vf_stat() {
	awk -v n="$2" '$1 == n { print $2; f = 1 } END { exit !f }' \
		"$VF_DBG/$VF_NIC/$1/stats"
}

vf_stat_fast() {
	local k v
	VF_STAT=
	while read -r k v; do
		if [ "$k" = "$2" ]; then
			VF_STAT=$v
			return 0
		fi
	done <"$VF_DBG/$VF_NIC/$1/stats"
	return 1
}

vf_guest_text() {
	local t
	t=$(<"$(l2_out "$1")/$2.txt")
	echo "$t"
}

vf_qemu_args() {
	echo "-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$1"
}

vf_peer_ns() {
	local ns=$1 port=$2 ip=$3
	ip netns add "$ns" || cdna_fail "ip netns add $ns failed"
	ip link set "$port" netns "$ns" || cdna_fail "cannot move $port into $ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "$ip/24" dev "$port"
	ip -n "$ns" link set "$port" up
	ip netns exec "$ns" iperf3 -s -D --rcv-timeout 5000 -I "$CDNA_TEST_DIR/iperf3.pid" ||
		cdna_fail "iperf3 -s in $ns failed"
}

vf_igb_attach() {
	local b
	vf_ctl nic attach dev "$1" max_ctx "$2" || cdna_fail "nic attach $1 failed"
	b=$(vf_ctl -j nic show dev "$1" | jq -r '.[0].backend // empty')
	[ "$b" = igb ] || cdna_fail "cdnactl nic show says backend '$b', not igb"
}

vf_igb_host() {
	cdna_kvm_setup
	cdna_insmod_host
	sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
	ip link set "$2" up
	vf_peer_ns "$1" "$3" "$4"
}

vf_igb_reset() {
	local ns=$1 pf=$2 peer=$3 c
	shift 3
	vf_peer_ns_del "$ns" "$peer"
	for c in "$@"; do
		vf_ctl ctx del "$c" 2>/dev/null
	done
	vf_ctl nic detach dev "$pf" 2>/dev/null
	echo 0 >"/sys/class/net/$pf/device/sriov_numvfs" 2>/dev/null
	rmmod cdna 2>/dev/null
	return 0
}

vf_peer_ns_del() {
	[ -s "$CDNA_TEST_DIR/iperf3.pid" ] && kill "$(<"$CDNA_TEST_DIR/iperf3.pid")" 2>/dev/null
	ip -n "$1" link set "$2" netns 1 2>/dev/null
	ip netns del "$1" 2>/dev/null
}

vf_host_cleanup() {
	local d err=0
	for d in /sys/bus/mdev/devices/*; do
		[ -e "$d/remove" ] || continue
		echo 1 >"$d/remove" || { echo "removing mdev $d failed"; err=1; }
	done
	if [ -d "/sys/class/cdna/cdna-$VF_NIC" ]; then
		vf_ctl nic detach dev "$VF_NIC" || { echo "detach $VF_NIC failed"; err=1; }
	fi
	ip link del "$VF_NIC" 2>/dev/null
	if [ -d /sys/module/cdna ]; then
		rmmod cdna || { echo "rmmod cdna failed"; err=1; }
	fi
	[ $err -eq 0 ] || cdna_fail "cleanup failed"
}
