#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 420
#
# Taking a context away from a running VM is handled, not refused forever:
# one L2 guest holds two contexts, each VF behind its own PCIe root port.
#  1. Removing the first context's mdev asks the VMM through the VFIO
#     request channel (.request); QEMU hot-unplugs the function, the guest's
#     cdna_vf lets go, QEMU closes the device and the removal completes.
#  2. Deleting the uplink itself (ip link del) detaches the NIC the same
#     way for the second context: the uplink's unregistration completes,
#     the NIC device is gone and cdna unloads.
# The VM keeps running throughout and nothing of either context is left.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"

vf_host_setup
cdna_kvm_setup
a=$(vf_mdev_create 1) || cdna_fail "cannot create a cdna-1qp context"
b=$(vf_mdev_create 2) || cdna_fail "cannot create a cdna-2qp context"
qargs="-device pcie-root-port,id=rp0,chassis=1,slot=1"
qargs+=" -device pcie-root-port,id=rp1,chassis=2,slot=2"
qargs+=" -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$a,bus=rp0"
qargs+=" -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$b,bus=rp1"
l2_start vf0 --mem 512 --qemu-args "$qargs" \
	--script "$CDNA_REPO/selftests/tests/vf_unplug-guest.sh"
out=$(l2_out vf0)
while [ ! -e "$out/vf-up" ] && [ ! -e "$out/done" ]; do cdna_sleep 0.1; done
[ -e "$out/vf-up" ] || { l2_wait vf0 10; cdna_fail "the guest never got its interfaces up"; }
[ "$(vf_guest_text vf0 vf-up)" = 2 ] || cdna_fail "the guest sees $(vf_guest_text vf0 vf-up) VFs, not 2"
for u in "$a" "$b"; do
	[ "$(vf_dbg "$u" state)" = running ] || cdna_fail "context $u is $(vf_dbg "$u" state)"
done
qpid=$(cat "$out/qemu.pid")

# 1. mdev removal under the VM.
t0=$(cdna_now_us)
echo 1 >"/sys/bus/mdev/devices/$a/remove" &
vf_wait_job $! 120 "removing the mdev of a context the VM holds"
echo "mdev $a removed $(cdna_since "$t0") s after the request, the VM still running"
cdna_stage "mdev remove under a running VM" "$(cdna_since "$t0")"
kill -0 "$qpid" 2>/dev/null || cdna_fail "QEMU died instead of unplugging"
[ ! -e "$VF_DBG/$VF_NIC/$a" ] || cdna_fail "context $a's debugfs left behind"
[ "$(vf_dbg "$b" state)" = running ] || cdna_fail "the other context is $(vf_dbg "$b" state)"

# 2. The uplink goes away under the VM.
t0=$(cdna_now_us)
ip link del "$VF_NIC" &
vf_wait_job $! 120 "deleting the uplink $VF_NIC"
while [ -e "/sys/class/cdna/cdna-$VF_NIC" ]; do
	[ $(($(cdna_now_us) - t0)) -lt 120000000 ] || cdna_fail "NIC still attached 120 s after its uplink went"
	cdna_sleep 0.1
done
echo "uplink deleted and NIC detached $(cdna_since "$t0") s later, the VM still running"
cdna_stage "uplink delete under a running VM" "$(cdna_since "$t0")"
kill -0 "$qpid" 2>/dev/null || cdna_fail "QEMU died instead of unplugging"
[ ! -e "/sys/bus/mdev/devices/$b" ] || cdna_fail "mdev $b left behind"
[ ! -e "$VF_DBG/$VF_NIC" ] || cdna_fail "NIC debugfs left behind"

l2_wait vf0 150 || cdna_fail "guest failed; console: $(l2_console vf0)"
sed 's/^/guest: /' "$out/script.log"
[ -e "$out/vf-gone.0" ] && [ -e "$out/vf-gone.1" ] || cdna_fail "the guest did not see both VFs go"
grep -E 'vfio|unplug' "$out/qemu.log" | head -n 5
rmmod cdna || cdna_fail "rmmod cdna failed"
exit 0
