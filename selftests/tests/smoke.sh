#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 180
#
# Smoke test: L1 loads kvm_amd (nested) and cdna.ko; one L2 guest under KVM
# loads cdna_vf.ko and reports back lsmod and its kernel log.
set -u
. "$CDNA_LIB"

t0=$(cdna_now_us)
cdna_kvm_setup
cdna_insmod_host
grep -q '^cdna ' /proc/modules || cdna_fail "cdna is not in /proc/modules after insmod"
cdna_stage "L1 kvm_amd + cdna.ko" "$(cdna_since "$t0")"

l2_start vf0 --mem 512 --cpus 1 --script "$CDNA_REPO/selftests/tests/smoke-guest.sh"
l2_wait vf0 120
rc=$?
out=$(l2_out vf0)
if [ $rc -ne 0 ]; then
	cdna_fail "L2 guest vf0 failed (exit $rc); console: $(l2_console vf0)"
fi
grep -q '^cdna_vf ' "$out/lsmod" || cdna_fail "L2 reported no cdna_vf in lsmod; console: $(l2_console vf0)"
echo "L2 vf0 lsmod:"
grep '^cdna_vf ' "$out/lsmod"
echo "L2 vf0 kernel log (cdna_vf):"
grep 'cdna_vf' "$out/guest-dmesg" || true

rmmod cdna || cdna_fail "rmmod cdna failed"
exit 0
