#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 300
# cdna-l1: igb
#
# The igb platform (selftests/vm/run --igb): what the igb backend and the
# *-hw / sriov-vfio bench paths stand on.
#  - both igb ports are bound to igb and use MSI-X once up;
#  - 2 VFs on the uplink PF, VF ids 8086:10ca, each alone in its own IOMMU
#    group; asking for more VFs than sriov_totalvfs is refused and changes
#    nothing;
#  - "ip link set PF vf N mac" is what the PF reports for that VF;
#  - TCP from the uplink to the peer port (in a namespace) carries data;
#  - nested KVM still runs an L2 guest in this L1: VF 0 bound to vfio-pci
#    (its /dev/vfio group node) and passed to it; the guest sees the VF,
#    its igbvf binds it with MSI-X and the PF's MAC, the link comes up and
#    the peer port answers the guest's ping through the VF;
#  - removing the VFs leaves sriov_numvfs at 0 and no VF bound to a driver.
set -u
. "$CDNA_LIB"

NS=cdnahw
UP_IP=198.18.1.1
PEER_IP=198.18.1.2
VF_IP=198.18.1.3
VF_MAC=(52:54:00:cd:00:01 52:54:00:cd:00:02)

cdna_igb_setup
up=$CDNA_IGB_UPLINK peer=$CDNA_IGB_PEER
dev=/sys/class/net/$up/device

cleanup() {
	l2_kill vfio0 2>/dev/null
	[ -s "$CDNA_TEST_DIR/iperf3.pid" ] && kill "$(<"$CDNA_TEST_DIR/iperf3.pid")" 2>/dev/null
	ip -n "$NS" link set "$peer" netns 1 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	ip addr flush dev "$up" 2>/dev/null
	cdna_igb_vfs_remove "$up" 2>/dev/null
}
trap cleanup EXIT

# --- the PFs ---
for p in "$up" "$peer"; do
	[ "$(cdna_pci_driver "$(basename "$(readlink -f "/sys/class/net/$p/device")")")" = igb ] ||
		cdna_fail "$p is not bound to igb"
	ip link set "$p" up || cdna_fail "ip link set $p up failed"
	n=0
	for m in "/sys/class/net/$p/device/msi_irqs"/*; do
		[ -e "$m" ] || continue
		[ "$(<"$m")" = msix ] || cdna_fail "$p: vector ${m##*/} is $(<"$m"), not msix"
		n=$((n + 1))
	done
	[ "$n" -ge 2 ] || cdna_fail "$p: $n MSI-X vectors (expected >= 2 once up)"
	echo "$p: igb, $n MSI-X vectors"
done

# --- VFs ---
total=$(<"$dev/sriov_totalvfs")
[ "$total" -ge 2 ] || cdna_fail "$up: sriov_totalvfs $total (< 2)"
echo 0 >"$dev/sriov_drivers_autoprobe"
if echo $((total + 1)) >"$dev/sriov_numvfs" 2>/dev/null; then
	cdna_fail "$up: sriov_numvfs accepted $((total + 1)) > sriov_totalvfs $total"
fi
[ "$(<"$dev/sriov_numvfs")" -eq 0 ] || cdna_fail "$up: a refused sriov_numvfs left VFs behind"
cdna_igb_vfs_create "$up" 2 || cdna_fail "cannot create 2 VFs on $up"
groups=()
for i in 0 1; do
	pci=$(cdna_igb_vf_pci "$up" "$i") || cdna_fail "$up: no VF $i after creating 2"
	id=$(<"/sys/bus/pci/devices/$pci/vendor"):$(<"/sys/bus/pci/devices/$pci/device")
	[ "$id" = 0x8086:0x10ca ] || cdna_fail "VF $i ($pci) is $id, not 8086:10ca"
	g=$(cdna_igb_vf_group "$pci") || cdna_fail "VF $i ($pci) has no IOMMU group"
	members=$(ls "/sys/kernel/iommu_groups/$g/devices" | wc -l)
	[ "$members" -eq 1 ] || cdna_fail "VF $i ($pci): IOMMU group $g has $members devices"
	[ -z "$(cdna_pci_driver "$pci")" ] || cdna_fail "VF $i bound although autoprobe is off"
	groups+=("$g")
	echo "VF $i: $pci, IOMMU group $g"
done
[ "${groups[0]}" != "${groups[1]}" ] || cdna_fail "both VFs in IOMMU group ${groups[0]}"
if echo 1 >"$dev/sriov_numvfs" 2>/dev/null; then
	cdna_fail "$up: sriov_numvfs changed from 2 to 1 without going through 0"
fi

for i in 0 1; do
	ip link set "$up" vf "$i" mac "${VF_MAC[i]}" spoofchk on ||
		cdna_fail "ip link set $up vf $i mac ${VF_MAC[i]} failed"
	got=$(ip -j link show "$up" | jq -r ".[0].vfinfo_list[$i].address")
	[ "$got" = "${VF_MAC[i]}" ] || cdna_fail "$up vf $i: MAC $got after setting ${VF_MAC[i]}"
done
ip link set "$up" vf 1 mac 01:00:5e:00:00:01 2>/dev/null &&
	cdna_fail "$up vf 1: a multicast MAC was accepted"
got=$(ip -j link show "$up" | jq -r '.[0].vfinfo_list[1].address')
[ "$got" = "${VF_MAC[1]}" ] || cdna_fail "$up vf 1: MAC $got after a refused change"

# --- TCP uplink -> peer port ---
ip netns add "$NS" || cdna_fail "ip netns add $NS failed"
ip link set "$peer" netns "$NS" || cdna_fail "cannot move $peer into $NS"
ip -n "$NS" link set lo up
ip -n "$NS" addr add "$PEER_IP/24" dev "$peer"
ip -n "$NS" link set "$peer" up
ip addr add "$UP_IP/24" dev "$up"
for p in "$up:" "$peer:-n $NS"; do
	# shellcheck disable=SC2086
	for ((i = 0; i < 100; i++)); do
		[ "$(ip ${p#*:} -j link show "${p%%:*}" | jq -r '.[0].operstate')" = UP ] && break
		cdna_sleep 0.1
	done
done
ok=0
for _ in 1 2 3 4 5; do
	busybox ping -q -c 1 -W 2 "$PEER_IP" >/dev/null 2>&1 && { ok=1; break; }
done
[ $ok -eq 1 ] || cdna_fail "no ping from $up ($UP_IP) to the peer port ($PEER_IP)"
ip netns exec "$NS" iperf3 -s -D -1 -I "$CDNA_TEST_DIR/iperf3.pid" || cdna_fail "iperf3 -s in $NS failed"
cdna_sleep 0.5
j=$CDNA_TEST_DIR/iperf3.json
iperf3 -c "$PEER_IP" -t 3 -J --connect-timeout 5000 >"$j" ||
	cdna_fail "iperf3 $up -> $peer failed: $(jq -r '.error // empty' "$j" 2>/dev/null)"
mbps=$(jq -r '.end.sum_received.bits_per_second / 1e6 | floor' "$j")
echo "TCP $up -> $peer: $mbps Mbit/s (3 s)"
# Not a target: a floor far below the line rate that only a broken path misses.
[ "$mbps" -ge 10 ] || cdna_fail "TCP $up -> $peer: $mbps Mbit/s (< 10)"

# --- an L2 guest with VF 0 through vfio-pci ---
vf0=$(cdna_igb_vf_pci "$up" 0)
modprobe vfio-pci || cdna_fail "modprobe vfio-pci failed"
cdna_pci_bind "$vf0" vfio-pci || cdna_fail "cannot bind $vf0 to vfio-pci"
[ -c "/dev/vfio/${groups[0]}" ] || cdna_fail "no /dev/vfio/${groups[0]} for $vf0"
t0=$(cdna_now_us)
l2_start vfio0 --mem 512 --qemu-args "-device vfio-pci,host=$vf0" \
	--script "$CDNA_REPO/selftests/tests/hw_sriov-guest.sh" -- "${VF_MAC[0]}" "$VF_IP" "$PEER_IP"
l2_wait vfio0 200
rc=$?
[ $rc -eq 0 ] || cdna_fail "L2 guest with VF $vf0 (vfio-pci) failed (exit $rc); console: $(l2_console vfio0)"
cdna_stage "L2 with an igb VF (vfio-pci)" "$(cdna_since "$t0")"
cat "$(l2_out vfio0)/hw-result.txt"

# --- teardown ---
cdna_igb_vfs_remove "$up" || cdna_fail "cannot remove the VFs of $up"
[ "$(<"$dev/sriov_numvfs")" -eq 0 ] || cdna_fail "$up: sriov_numvfs $(<"$dev/sriov_numvfs") after removal"
ls -d "$dev"/virtfn* >/dev/null 2>&1 && cdna_fail "$up: virtfn links left after removal"
for d in /sys/bus/pci/drivers/*/0000:*; do
	[ -e "$d/device" ] || continue
	[ "$(<"$d/device")" = 0x10ca ] && cdna_fail "a VF is still bound: $d"
done
echo "VFs removed: sriov_numvfs 0, nothing bound"
exit 0
