#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 900
#
# Live migration of an L2 guest that holds a cdna context, under TCP load,
# from one QEMU to a second QEMU on the same host (L1):
#  - the guest (its own initramfs: a migrating guest cannot have a 9p
#    root) runs an iperf3 TCP stream to a namespace behind the uplink;
#  - the destination QEMU takes an "incoming" context with the guest's MAC
#    (cdnactl ctx add ... incoming) and waits with -incoming unix:...;
#  - QMP "migrate" moves the guest; the test prints the downtime, the total
#    time, the RAM bytes and the dirty-page rounds (QMP query-migrate);
#  - it fails if the migration fails, if the stream dies or resets
#    (iperf3's status, and the receiver saw bytes in its last seconds),
#    if the guest's link dropped (carrier_changes), if the source context
#    still holds pins once its QEMU is gone, or if the destination's
#    counters did not continue from the source's;
#  - before that, a migration cancelled half way leaves the source guest
#    running and sending (QMP migrate_cancel);
#  - then the same guest on virtio-net/vhost-net (a tap per QEMU, in a
#    bridge with a second veth to the namespace) is migrated the same way:
#    the reference downtime, printed side by side.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"
. "$CDNA_REPO/selftests/tests/mig_lib.sh"

secs=${MIG_IPERF_SECS:-60}
warm=${MIG_WARM_SECS:-8}
mac=52:54:00:6d:69:10
vmac=52:54:00:6d:69:20
vh_ip=198.19.0.1
err=0
fail() { echo "FAIL: $*"; err=1; }

cleanup() {
	local n
	for n in src dst vsrc vdst; do mig_quit "$n"; done
	for n in cdnamigt0 cdnamigt1 cdnamigbr cdnavh0; do
		ip link del "$n" 2>/dev/null
	done
	dp_cleanup
}

cdna_kvm_setup
dp_baseline
dp_topology
trap cleanup EXIT
mkdir -p "$MIG_DIR"
command -v jq >/dev/null || cdna_skip "jq is not installed"

# --- cdna -------------------------------------------------------------------
u1=$(cat /proc/sys/kernel/random/uuid)
u2=$(cat /proc/sys/kernel/random/uuid)
vf_ctl ctx add nic "$VF_NIC" name migsrc mac "$mac" uuid "$u1" >/dev/null ||
	cdna_fail "cannot create the source context"
vf_ctl ctx add nic "$VF_NIC" name migdst mac "$mac" uuid "$u2" incoming >/dev/null ||
	cdna_fail "cannot create the incoming context with the source's MAC"
[ "$(vf_ctl -j ctx show migdst | jq -r '.[0].incoming')" = true ] ||
	fail "ctx show does not say the destination is incoming"

mig_cdna_initramfs "$MIG_DIR/cdna.cpio" ||
	cdna_fail "cannot build the guest's initramfs"

dp_ns iperf3 -s -1 -J >"$MIG_DIR/cdna-server.json" 2>&1 &
server=$!
append="mig.ip=198.18.0.2 mig.peer=$DP_NS_IP mig.secs=$secs"
devargs() {
	echo "-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$1,id=nic0,bus=pcie.0,addr=0x5,enable-migration=on"
}
# shellcheck disable=SC2046
mig_qemu src "$MIG_DIR/cdna.cpio" "$append" $(devargs "$u1") ||
	cdna_fail "the source QEMU did not start"
mig_wait_console src MIG-UP 180 ||
	cdna_fail "the guest did not bring its NIC up; console: $MIG_DIR/src.log"
cdna_sleep "$warm"

# A migration cancelled half way: throttled to 8 MiB/s it is still copying
# RAM after 2 s. The source's context goes back to running, its guest
# keeps sending, and the incoming context takes a new QEMU afterwards.
# shellcheck disable=SC2046
mig_qemu dst "$MIG_DIR/cdna.cpio" "$append" $(devargs "$u2") \
	-incoming "unix:$MIG_DIR/cancel.sock" ||
	cdna_fail "the destination QEMU did not start"
cdna_sleep 1
if mig_cancel src "unix:$MIG_DIR/cancel.sock" 8388608 2; then
	m=$(vf_ctl -j ctx show migsrc | jq -r '.[0].migration')
	[ "$m" = running ] ||
		fail "after the cancel the source context is in migration state $m, not running"
	t0=$(vf_stat "$u1" queue1_packets)
	cdna_sleep 2
	t1=$(vf_stat "$u1" queue1_packets)
	echo "cancel: the source sent $((t1 - t0)) packets in the 2 s after it"
	[ "$t1" -gt "$t0" ] || fail "the source guest stopped sending after the cancel"
else
	fail "the migration could not be cancelled (status $MIG_STATUS)"
fi
mig_quit dst

# shellcheck disable=SC2046
mig_qemu dst "$MIG_DIR/cdna.cpio" "$append" $(devargs "$u2") \
	-incoming "unix:$MIG_DIR/cdna.sock" ||
	cdna_fail "the destination QEMU did not start again after the cancel"
cdna_sleep 1
# Pinned pages are dirty in every round of dirty logging (type1): the
# rings and the pin cache's buffer pins are sent again each time.
pinned=$(vf_stat "$u1" pinned_pages)
echo "cdna: $pinned pages pinned by the source context under load ($((pinned * 4)) KiB sent again in every round)"
if mig_run src dst "unix:$MIG_DIR/cdna.sock"; then
	c_down=$MIG_DOWNTIME c_total=$MIG_TOTAL c_bytes=$MIG_BYTES c_rounds=$MIG_ROUNDS
	echo "cdna: migration downtime $c_down ms, total $c_total ms, $c_bytes bytes, $c_rounds rounds"
else
	sed 's/^/src qemu: /' "$MIG_DIR/src.qemu"
	sed 's/^/dst qemu: /' "$MIG_DIR/dst.qemu"
	cdna_fail "the migration of the cdna guest failed"
fi
# The destination's counters continue from the source's: read at once,
# before the destination can have sent as much as the source did.
tx_src=$(vf_stat "$u1" queue1_packets)
tx_dst0=$(vf_stat "$u2" queue1_packets)
echo "source: $(vf_ctl ctx show migsrc | head -n 1)"
echo "destination: $(vf_ctl ctx show migdst | head -n 1)"
[ "$(vf_ctl -j ctx show migsrc | jq -r '.[0].migration')" = stop ] ||
	fail "the source context is not stopped after the migration"
[ "$(vf_ctl -j ctx show migdst | jq -r '.[0].migration')" = running ] ||
	fail "the destination context does not run after the migration"
mig_quit src
pins=$(vf_stat "$u1" pinned_pages)
[ "$pins" = 0 ] || fail "the source context holds $pins pinned pages after its QEMU left"
mig_stream "$MIG_DIR/dst.log" $((secs + 120)) "cdna" "${MIG_PID[dst]}" || err=1
mig_server "$server" "$MIG_DIR/cdna-server.json" "cdna" || err=1
tx_dst=$(vf_stat "$u2" queue1_packets)
echo "TX packets: source $tx_src at the migration, destination $tx_dst0 just after it and $tx_dst at the end"
[ "$tx_dst0" -ge "$tx_src" ] ||
	fail "the destination's counters did not continue from the source's ($tx_src -> $tx_dst0)"
[ "$tx_dst" -gt "$tx_dst0" ] ||
	fail "the destination sent nothing after the migration ($tx_dst0 -> $tx_dst)"
mig_quit dst

# --- vhost-net, the reference ------------------------------------------------
if ! modprobe -a tun vhost_net bridge 2>/dev/null || [ ! -c /dev/vhost-net ]; then
	echo "vhost-net: not available here, no reference downtime"
	exit $err
fi
ip link add cdnavh0 type veth peer name cdnavhp0 &&
ip link set cdnavhp0 netns "$DP_NS" &&
dp_ns ip addr add "$vh_ip/24" dev cdnavhp0 &&
dp_ns ip link set cdnavhp0 up &&
ip link add cdnamigbr type bridge forward_delay 0 stp_state 0 &&
ip link set cdnavh0 master cdnamigbr &&
ip link set cdnavh0 up &&
ip link set cdnamigbr up || cdna_fail "cannot build the vhost-net bridge"
for t in cdnamigt0 cdnamigt1; do
	ip tuntap add dev "$t" mode tap vnet_hdr &&
	ip link set "$t" master cdnamigbr &&
	ip link set "$t" up || cdna_fail "cannot create the tap $t"
done
mods=()
for m in virtio_pci virtio_net; do
	while read -r p; do
		case " ${mods[*]} " in *" $p "*) ;; *) mods+=("$p") ;; esac
	done < <(mig_module_paths "$m")
done
mig_initramfs "$MIG_DIR/vhost.cpio" "${mods[@]}" ||
	cdna_fail "cannot build the vhost-net guest's initramfs"
dp_ns iperf3 -s -1 -J >"$MIG_DIR/vhost-server.json" 2>&1 &
server=$!
append="mig.ip=198.19.0.2 mig.peer=$vh_ip mig.secs=$secs"
vargs() {
	echo "-netdev tap,id=n0,ifname=$1,script=no,downscript=no,vhost=on" \
	     "-device virtio-net-pci,netdev=n0,mac=$vmac,id=nic0,bus=pcie.0,addr=0x5"
}
# shellcheck disable=SC2046
mig_qemu vsrc "$MIG_DIR/vhost.cpio" "$append" $(vargs cdnamigt0) ||
	cdna_fail "the vhost-net source QEMU did not start"
mig_wait_console vsrc MIG-UP 180 ||
	cdna_fail "the vhost-net guest did not bring its NIC up; console: $MIG_DIR/vsrc.log"
cdna_sleep "$warm"
# shellcheck disable=SC2046
mig_qemu vdst "$MIG_DIR/vhost.cpio" "$append" $(vargs cdnamigt1) \
	-incoming "unix:$MIG_DIR/vhost.sock" ||
	cdna_fail "the vhost-net destination QEMU did not start"
cdna_sleep 1
mig_run vsrc vdst "unix:$MIG_DIR/vhost.sock" ||
	cdna_fail "the migration of the vhost-net guest failed"
v_down=$MIG_DOWNTIME v_total=$MIG_TOTAL v_bytes=$MIG_BYTES v_rounds=$MIG_ROUNDS
mig_quit vsrc
mig_stream "$MIG_DIR/vdst.log" $((secs + 120)) "vhost-net" "${MIG_PID[vdst]}" || err=1
mig_server "$server" "$MIG_DIR/vhost-server.json" "vhost-net" || err=1
mig_quit vdst

echo "downtime under TCP load: cdna $c_down ms, vhost-net $v_down ms" \
     "(ratio $(awk -v a="$c_down" -v b="$v_down" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'))"
echo "total time: cdna $c_total ms, vhost-net $v_total ms;" \
     "RAM sent: cdna $c_bytes bytes in $c_rounds rounds, vhost-net $v_bytes bytes in $v_rounds rounds"
exit $err
