#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-l1: igb
# cdna-timeout: 600
#
# The igb backend loses a context or its VF under live DMA. Each time an L2
# guest with cdna_vf on the context runs a TCP stream to the peer port
# (hw_guest-guest.sh hold), so the VF's rings hold the guest's own pages,
# mapped and pinned:
#  0. protect iommu (persistent): the VF runs in the context's own IOMMU
#     domain, which holds the guest's pages. The context's mdev is removed
#     (the VF behind a PCIe root port of the VM): VFIO asks QEMU to let
#     go, QEMU hot-unplugs the function, and the removal completes within
#     $TD_REMOVE_BOUND s with the VM running. No pin stays, the guest
#     loses the interface, the domain was emptied and freed (debugfs
#     totals: no domain, no guest page mapped), and the VF is back on its
#     default domain, in the NIC's pool: the next guest (1., checked, so
#     through the DMA API in that default domain) runs TCP on that same VF.
# Then the two ways an admin can take the VF away without asking cdna:
#  1. sriov_numvfs 0 on the PF;
#  2. unbinding the igb driver from the PF (its netdev, and with it cdna's
#     uplink, goes too).
# Each returns within $TD_BOUND s with the VM still holding the context, the
# host stays usable (cdnactl, ip), no VF stays bound to cdna, and the guest
# loses its carrier; nothing in the kernel log (the runner checks it).
#  1. The context stays, orphaned: no pin, no queue, link down; kill -9 of
#     the VM closes it. A fresh attach then makes new VFs, and the next
#     guest runs TCP on them (the VF is not stuck).
#  2. The NIC lost its uplink as well (orphaned as by `ip link del`, the VM
#     asked to release the device); once the VM is killed the context and
#     the NIC go. With igb bound again, cdna attaches to the new netdev and
#     binds a new VF. This guest runs protect iommu single-use: its VF
#     leaves the context's domain as it goes, and the domain is freed.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"

NS=cdnahwt
PEER_IP=198.18.2.2
GUEST_IP=198.18.2.11
MAC=52:54:00:b0:00:31
TD_BOUND=10		# igb itself takes ~3 s to reconfigure SR-IOV
TD_REMOVE_BOUND=120	# QEMU's unplug and the guest's release (vf_unplug)

cdna_igb_setup
up=$CDNA_IGB_UPLINK
peer=$CDNA_IGB_PEER
VF_NIC=$up
pf=$(basename "$(readlink -f "/sys/class/net/$up/device")")
[ -x "$VF_CTL" ] || cdna_skip "userspace/cdnactl is not built"

cleanup() {
	[ -n "${td_vm:-}" ] && l2_kill "$td_vm" 2>/dev/null
	vf_peer_ns_del "$NS" "$peer"
	vf_ctl ctx del hwt 2>/dev/null
	[ -e "/sys/bus/pci/devices/$pf/driver" ] || echo "$pf" >/sys/bus/pci/drivers/igb/bind 2>/dev/null
	up=$(cdna_igb_uplink) && {
		vf_ctl nic detach dev "$up" 2>/dev/null
		echo 0 >"/sys/class/net/$up/device/sriov_numvfs" 2>/dev/null
	}
	rmmod cdna 2>/dev/null
}
trap cleanup EXIT
cdna_kvm_setup
cdna_insmod_host
vf_peer_ns "$NS" "$peer" "$PEER_IP"

pins_total() {
	VF_NIC=$up vf_engine_stat pins_total 2>/dev/null
}

# iommu_idle WHAT: no context holds an IOMMU domain or a guest page in one.
iommu_idle() {
	vf_iommu_idle ||
		cdna_fail "$1: IOMMU domains and the guest pages mapped in them: '$VF_IOMMU_HELD', not none"
}

# vf_domain VF: the IOMMU domain type VF is attached to now (NIC stats).
vf_domain() {
	awk -v vf="$1" '$1 == "vf" && $2 == vf { print $5 }' "$VF_DBG/$up/engine/stats"
}

# td_guest WHAT PROTECT [hotplug]: attach the uplink (unless it is), one
# context with PROTECT (cdnactl words: "checked", "iommu strategy
# single-use"), a guest (named WHAT) on it running TCP to the peer;
# "hotplug" puts the VF behind a PCIe root port of the VM. Sets td_vm,
# td_uuid, td_out, td_qemu, td_vf (the VF's PCI address), td_dom0 (the
# VF's domain before the VM opened the context: its default).
td_guest() {
	local args i p d
	td_vm=hwt-$1
	sysctl -qw "net.ipv6.conf.$up.disable_ipv6=1"
	ip link set "$up" up
	[ -e "/sys/class/cdna/cdna-$up" ] ||
		vf_ctl nic attach dev "$up" max_ctx 1 || cdna_fail "$1: nic attach $up failed"
	# shellcheck disable=SC2086 # PROTECT is words
	vf_ctl ctx add nic "$up" name hwt mac "$MAC" queues 1 protect $2 ||
		cdna_fail "$1: ctx add on $up with protect $2 failed"
	args=$(vf_ctl ctx qemu-args hwt) || cdna_fail "$1: ctx qemu-args failed"
	[ "${3:-}" = hotplug ] &&
		args="-device pcie-root-port,id=hwtrp,chassis=1,slot=1 $args,bus=hwtrp"
	td_uuid=$(vf_ctl -j ctx show hwt | jq -r '.[0].uuid')
	td_vf=$(ls /sys/bus/pci/drivers/cdna | grep "^0000:")
	td_dom0=$(vf_domain "$td_vf")
	case $td_dom0 in
	"" | unmanaged) cdna_fail "$1: $td_vf is on domain '$td_dom0' before the VM opened the context" ;;
	esac
	l2_start "$td_vm" --mem 512 --qemu-args "$args" \
		--script "$CDNA_REPO/selftests/tests/hw_guest-guest.sh" -- "$GUEST_IP" "$PEER_IP" hold
	td_out=$(l2_out "$td_vm")
	for ((i = 0; i < 1800; i++)); do
		[ -e "$td_out/vf-traffic" ] || [ -e "$td_out/done" ] && break
		cdna_sleep 0.1
	done
	[ -e "$td_out/vf-traffic" ] ||
		{ l2_wait "$td_vm" 5; cdna_fail "$1: the guest never got TCP going; console: $(l2_console "$td_vm")"; }
	td_qemu=$(<"$td_out/qemu.pid")
	p=$(pins_total)
	echo "$1: the guest runs TCP ($(<"$td_out/vf-traffic.txt") packets sent), $p page(s) pinned"
	[ "${p:-0}" -gt 0 ] || cdna_fail "$1: nothing pinned while the guest runs TCP"
	case $2 in
	iommu*)
		p=$(vf_domain "$td_vf")
		[ "$p" = unmanaged ] ||
			cdna_fail "$1: the VF runs in a '$p' domain, not the context's own (unmanaged)"
		d=$(vf_total iommu_domains)
		p=$(vf_total iommu_guest_pages)
		if [ "$d" != 1 ] || [ "${p:-0}" -le 0 ]; then
			cdna_fail "$1: $d IOMMU domain(s) with $p guest page(s) mapped, not 1 with some"
		fi
		echo "$1: the VF left its '$td_dom0' domain for the context's, $p guest page(s) mapped there"
		;;
	esac
}

# td_timed WHAT CMD...: CMD succeeds within TD_BOUND s (it may not wait for
# the VM to let go).
td_timed() {
	local what=$1 t0 s
	shift
	t0=$(cdna_now_us)
	timeout 60 "$@" || cdna_fail "$what: '$*' failed or hung ($?)"
	s=$(cdna_since "$t0")
	echo "$what: '$*' returned in $s s with the VM holding the context"
	[ "${s%.*}" -lt "$TD_BOUND" ] || cdna_fail "$what: took $s s (bound $TD_BOUND s)"
}

# td_guest_lost WHAT WHICH: the guest published vf-link-down within 10 s
# (its VF's carrier or the interface itself went); WHICH names it.
td_guest_lost() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -e "$td_out/vf-link-down" ] && return 0
		cdna_sleep 0.1
	done
	cdna_fail "$1: the guest still has its $2 10 s later"
}

# td_orphaned WHAT held|revoked: the context let go of the VF while the VM
# holds it: no VF bound, no pin, no queue, link down, the guest without
# carrier. "held": the context stays until the VM is killed (then it
# reads closed). "revoked": the NIC lost its uplink as well; once the VM
# is killed the context and the NIC go.
td_orphaned() {
	local what=$1 v i
	td_timed "$what: cdnactl answers" "$VF_CTL" -j nic show >/dev/null
	td_timed "$what: ip answers" ip -d link show >/dev/null
	v=$(ls /sys/bus/pci/drivers/cdna | grep -c "^0000:")
	[ "$v" -eq 0 ] || cdna_fail "$what: $v VF(s) still bound to cdna"
	v=$(vf_dbg "$td_uuid" stats | awk '$1 == "pinned_pages" { print $2 }')
	[ "$v" = 0 ] || cdna_fail "$what: the context still pins '$v' page(s)"
	v=$(pins_total)
	[ "$v" = 0 ] || cdna_fail "$what: pins_total '$v'"
	iommu_idle "$what"
	v=$(vf_dbg "$td_uuid" link)
	[ "$v" = 0 ] || cdna_fail "$what: the context's link is '$v', not down"
	v=$(grep -c "_enabled 1" "$VF_DBG/$up/$td_uuid/stats")
	[ "$v" = 0 ] || cdna_fail "$what: $v queue(s) still enabled"
	td_guest_lost "$what" carrier
	echo "$what: no VF, no pin, no queue, link down; the guest lost carrier"
	if [ "$2" = held ]; then
		vf_kill_closed "$td_uuid" "$td_qemu"
		echo "$what: the context closed $VF_KILL_SECS s after kill -9 of the VM"
	else
		kill -KILL "$td_qemu" || cdna_fail "$what: cannot kill QEMU"
		for ((i = 0; i < 200; i++)); do
			[ -e "$VF_DBG/$up" ] || break
			cdna_sleep 0.1
		done
		[ ! -e "$VF_DBG/$up" ] ||
			cdna_fail "$what: the NIC stays 20 s after its VM was killed: $(ls -R "$VF_DBG" | tr '\n' ' ')"
		[ ! -e "/sys/bus/mdev/devices/$td_uuid" ] || cdna_fail "$what: the context stays"
		echo "$what: the VM killed, the context and the NIC went"
	fi
	l2_wait "$td_vm" 30 >/dev/null
}

# --- 0. the context's mdev removed under live DMA ----------------------------
td_guest remove iommu hotplug
vf_removed=$td_vf
t0=$(cdna_now_us)
echo 1 >"/sys/bus/mdev/devices/$td_uuid/remove" &
vf_wait_job $! "$TD_REMOVE_BOUND" "remove: the mdev removal"
echo "remove: the mdev went $(cdna_since "$t0") s after the request"
cdna_stage "mdev remove under live DMA" "$(cdna_since "$t0")"
kill -0 "$td_qemu" 2>/dev/null || cdna_fail "remove: QEMU died instead of unplugging"
[ ! -e "$VF_DBG/$up/$td_uuid" ] || cdna_fail "remove: the context's debugfs stays"
v=$(pins_total)
[ "$v" = 0 ] || cdna_fail "remove: pins_total '$v' once the context is gone"
td_guest_lost remove interface
iommu_idle remove
v=$(ls /sys/bus/pci/drivers/cdna | grep "^0000:")
[ "$v" = "$vf_removed" ] || cdna_fail "remove: the NIC's VFs are '$v', not '$vf_removed'"
d=$(vf_domain "$v")
[ "$d" = "$td_dom0" ] || cdna_fail "remove: $v is on a '$d' domain, not back on its '$td_dom0' default"
echo "remove: no pin, no IOMMU domain, the guest lost the interface, $v back on its '$d' domain in the NIC's pool"
kill -KILL "$td_qemu"
l2_wait "$td_vm" 30 >/dev/null

# --- 1. sriov_numvfs 0 under live DMA ---------------------------------------
# Its guest's TCP runs on the VF that 0. took back.
td_guest numvfs checked
[ "$td_vf" = "$vf_removed" ] || cdna_fail "numvfs: the context got VF '$td_vf', not '$vf_removed'"
td_timed numvfs sh -c "echo 0 >/sys/class/net/$up/device/sriov_numvfs"
td_orphaned numvfs held
vf_ctl ctx del hwt || cdna_fail "numvfs: ctx del failed"
vf_ctl nic detach dev "$up" || cdna_fail "numvfs: nic detach failed"

# --- 2. igb unbound from the PF under live DMA ------------------------------
# td_guest's TCP also shows that the VFs made after 1 work.
td_guest unbind "iommu strategy single-use"
td_timed unbind sh -c "echo $pf >/sys/bus/pci/drivers/igb/unbind"
[ ! -e "/sys/class/net/$up" ] || cdna_fail "unbind: $up is still there"
td_orphaned unbind revoked

echo "$pf" >/sys/bus/pci/drivers/igb/bind || cdna_fail "cannot bind igb to $pf again"
for ((i = 0; i < 100; i++)); do
	up=$(cdna_igb_uplink) && break
	cdna_sleep 0.1
done
[ -n "$up" ] || cdna_fail "igb bound again, but no netdev with the uplink's MAC"
VF_NIC=$up
ip link set "$up" up
vf_ctl nic attach dev "$up" max_ctx 1 || cdna_fail "nic attach to the new $up failed"
v=$(ls /sys/bus/pci/drivers/cdna | grep -c "^0000:")
[ "$v" -eq 1 ] || cdna_fail "after the new attach $v VF(s) are bound to cdna, not 1"
echo "igb bound again: $up attached, its new VF bound to cdna"
vf_ctl nic detach dev "$up" || cdna_fail "nic detach of the new $up failed"
echo 0 >"/sys/class/net/$up/device/sriov_numvfs" || cdna_fail "sriov_numvfs 0 failed"
rmmod cdna || cdna_fail "rmmod cdna failed"
exit 0
