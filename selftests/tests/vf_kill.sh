#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 240
#
# kill -9 of the QEMU holding a context: the context ends closed with
# nothing held (no eventfd, no pin), the mdev can then be removed, the NIC
# detached and cdna unloaded. While the VM runs, unloading cdna and
# detaching the NIC are refused.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"

vf_host_setup
cdna_kvm_setup
uuid=$(vf_mdev_create 1) || cdna_fail "cannot create a cdna-1qp context"
l2_start vf0 --mem 512 --qemu-args "$(vf_qemu_args "$uuid")" \
	--script "$CDNA_REPO/selftests/tests/vf_kill-guest.sh"
out=$(l2_out vf0)
while [ ! -e "$out/vf-up" ] && [ ! -e "$out/done" ]; do cdna_sleep 0.1; done
[ -e "$out/vf-up" ] || { l2_wait vf0 10; cdna_fail "the guest never got its interface up"; }
state=$(vf_dbg "$uuid" state)
[ "$state" = running ] || cdna_fail "context is $state with the guest's interface up"
vf_dbg "$uuid" stats | grep -E '^(irq_vector[0-9]_trigger|irq_request_trigger|pinned_pages) '

# Held by a VM: refused.
if rmmod cdna 2>"$CDNA_TEST_DIR/rmmod.err"; then
	cdna_fail "rmmod cdna succeeded while a VM holds a context"
fi
echo "rmmod while held: $(cat "$CDNA_TEST_DIR/rmmod.err")"
if vf_ctl nic detach dev "$VF_NIC" 2>"$CDNA_TEST_DIR/detach.err"; then
	cdna_fail "detaching $VF_NIC succeeded while a VM holds a context"
fi
echo "detach while held: $(cat "$CDNA_TEST_DIR/detach.err")"
[ "$(vf_dbg "$uuid" state)" = running ] || cdna_fail "refusals changed the context"

pid=$(cat "$out/qemu.pid")
vf_kill_closed "$uuid" "$pid"
echo "context closed $VF_KILL_SECS s after kill -9 of QEMU"
cdna_stage "kill -9 -> context closed" "$VF_KILL_SECS"
l2_wait vf0 30 >/dev/null	# reaps the supervisor; the guest died, as planned
kill -0 "$pid" 2>/dev/null && cdna_fail "QEMU $pid still alive"

# Nothing of the dead VM is held.
for t in $(vf_dbg "$uuid" stats | awk '/_trigger / { print $1 "=" $2 }'); do
	[ "${t#*=}" = 0 ] || cdna_fail "eventfd still held after the kill: $t"
done
if vf_stat "$uuid" pinned_pages >/dev/null 2>&1; then
	[ "$(vf_stat "$uuid" pinned_pages)" = 0 ] || cdna_fail "pins held after the kill"
fi

echo 1 >"/sys/bus/mdev/devices/$uuid/remove" || cdna_fail "removing the mdev failed"
[ ! -e "/sys/bus/mdev/devices/$uuid" ] || cdna_fail "mdev still present after remove"
[ ! -e "$VF_DBG/$VF_NIC/$uuid" ] || cdna_fail "context debugfs left behind"
vf_ctl nic detach dev "$VF_NIC" || cdna_fail "detach failed"
[ ! -e "/sys/class/cdna/cdna-$VF_NIC" ] || cdna_fail "NIC device left behind"
rmmod cdna || cdna_fail "rmmod cdna failed"
ip link del "$VF_NIC"
exit 0
