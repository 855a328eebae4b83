#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 300
#
# rmmod cdna_vf / insmod cdna_vf in an L2 guest, repeatedly: each time the
# interface comes back with the host's MAC and carrier, each unload leaves
# nothing bound. The host context survives every round (open, reset by the
# driver) without a refused register access, and is closed at the end.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"

rounds=${VF_REBIND_ROUNDS:-3}
mac=02:cd:0a:00:00:02
vf_host_setup
cdna_kvm_setup
uuid=$(vf_mdev_create 2) || cdna_fail "cannot create a cdna-2qp context"
vf_set_mac "$uuid" "$mac" || cdna_fail "cannot set the MAC"

l2_start vf0 --mem 512 --qemu-args "$(vf_qemu_args "$uuid")" \
	--script "$CDNA_REPO/selftests/tests/vf_rebind-guest.sh" -- "$rounds" "$mac"
l2_wait vf0 240 || cdna_fail "L2 guest failed; console: $(l2_console vf0)"
sed 's/^/guest: /' "$(l2_out vf0)/script.log"

state=$(vf_dbg "$uuid" state)
resets=$(vf_stat "$uuid" resets)
bad=$(vf_stat "$uuid" bad_reg_access)
echo "context after the guest: $state, $resets resets, $bad refused accesses"
[ "$state" = closed ] || cdna_fail "context is $state after the guest is gone"
[ "$bad" = 0 ] || cdna_fail "the guest driver made $bad refused register accesses"
# Each load resets at probe and at open, each unload at remove.
[ "$resets" -ge $((2 * rounds)) ] || cdna_fail "only $resets resets for $rounds rounds"
if vf_stat "$uuid" pinned_pages >/dev/null 2>&1; then
	[ "$(vf_stat "$uuid" pinned_pages)" = 0 ] || cdna_fail "pins left behind"
fi
vf_host_cleanup
exit 0
