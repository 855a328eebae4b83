#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 240
#
# An L2 guest with one context (stock QEMU, -device vfio-pci,sysfsdev=):
# the PCI function is present, cdna_vf binds, `ip link` shows the MAC set
# on the host, the interface comes up; the host sees the context open, then
# running, then closed when the guest is gone.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"

mac=02:cd:0a:00:00:01
vf_host_setup
cdna_kvm_setup
uuid=$(vf_mdev_create 1) || cdna_fail "cannot create a cdna-1qp context"
vf_set_mac "$uuid" "$mac" || cdna_fail "cannot set the MAC"
[ "$(vf_dbg "$uuid" state)" = created ] || cdna_fail "new context is $(vf_dbg "$uuid" state)"

l2_start vf0 --mem 512 --qemu-args "$(vf_qemu_args "$uuid")" \
	--script "$CDNA_REPO/selftests/tests/vf_probe-guest.sh" -- "$mac"
out=$(l2_out vf0)
t0=$(cdna_now_us)
while [ ! -e "$out/vf-up" ] && [ ! -e "$out/done" ]; do cdna_sleep 0.1; done
if [ -e "$out/vf-up" ]; then
	state=$(vf_dbg "$uuid" state)
	echo "context while the guest's interface is up: $state"
	vf_dbg "$uuid" stats | grep -E '^(status|drv_features|irq_vector[0-9]+ |bad_reg|resets)'
	[ "$state" = running ] || echo "FAIL: context is $state, not running" >"$CDNA_TEST_DIR/fail"
	: >"$out/host-checked"
fi
l2_wait vf0 120 || cdna_fail "L2 guest vf0 failed; console: $(l2_console vf0)"
[ -e "$CDNA_TEST_DIR/fail" ] && cdna_fail "$(cat "$CDNA_TEST_DIR/fail")"
cdna_stage "L2 guest up" "$(cdna_since "$t0")"

state=$(vf_dbg "$uuid" state)
[ "$state" = closed ] || cdna_fail "context is $state after the guest powered off"
bad=$(vf_stat "$uuid" bad_reg_access)
[ "$bad" = 0 ] || cdna_fail "the guest driver made $bad refused register accesses"
vf_host_cleanup
exit 0
