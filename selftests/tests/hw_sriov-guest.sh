# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# L2 side of hw_sriov (not a test itself): an igb VF passed through with
# vfio-pci. Args: MAC, the guest's IP, the peer port's IP. Checks that the
# guest sees the VF (8086:10ca), that igbvf loads from the 9p root, binds
# it with MSI-X and takes the MAC the PF gave the VF, that the link comes
# up and that the peer port answers a ping through the NIC; writes what it
# saw to $CDNA_OUT/hw-result.txt.
set -u
. "$CDNA_LIB"

mac=$1
ip4=$2
peer_ip=$3
ifc=
dev=
for d in /sys/bus/pci/devices/*; do
	[ "$(<"$d/vendor"):$(<"$d/device")" = 0x8086:0x10ca ] && dev=$d
done
[ -n "$dev" ] || cdna_fail "no igb VF (8086:10ca) on the guest's PCI bus"
modprobe igbvf || cdna_fail "modprobe igbvf failed"
for ((i = 0; i < 100; i++)); do
	for n in "$dev"/net/*; do
		[ -e "$n" ] && ifc=${n##*/}
	done
	[ -n "$ifc" ] && break
	cdna_sleep 0.1
done
[ -n "$ifc" ] || cdna_fail "igbvf made no interface for ${dev##*/}"
[ "$(basename "$(readlink "$dev/driver")")" = igbvf ] || cdna_fail "${dev##*/} is not bound to igbvf"
ip link set "$ifc" up || cdna_fail "ip link set $ifc up failed"
nv=0
for v in "$dev"/msi_irqs/*; do
	[ -e "$v" ] && [ "$(<"$v")" = msix ] && nv=$((nv + 1))
done
[ "$nv" -ge 1 ] || cdna_fail "$ifc: no MSI-X vectors once up"
for ((i = 0; i < 100; i++)); do
	[ "$(cat "/sys/class/net/$ifc/carrier" 2>/dev/null)" = 1 ] && break
	cdna_sleep 0.1
done
read -r got <"/sys/class/net/$ifc/address"
read -r carrier <"/sys/class/net/$ifc/carrier" 2>/dev/null || carrier=unknown
echo "guest: ${dev##*/} bound to igbvf as $ifc, $nv MSI-X vectors, MAC $got, carrier $carrier" |
	tee "$CDNA_OUT/hw-result.txt"
[ "$got" = "$mac" ] || cdna_fail "$ifc: MAC $got, not $mac from the PF (igbvf's reset handshake failed?)"
[ "$carrier" = 1 ] || cdna_fail "$ifc: no carrier"
ip addr add "$ip4/24" dev "$ifc" || cdna_fail "ip addr add $ip4 failed"
ok=0
for _ in 1 2 3 4 5; do
	busybox ping -q -c 1 -W 2 "$peer_ip" >/dev/null 2>&1 && { ok=1; break; }
done
[ $ok -eq 1 ] || cdna_fail "$ifc: no ping to the peer port ($peer_ip) through the VF"
echo "guest: ping $peer_ip through the VF: ok" | tee -a "$CDNA_OUT/hw-result.txt"
