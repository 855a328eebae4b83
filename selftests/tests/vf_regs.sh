#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 600
#
# The VF ABI driven from userspace through VFIO (selftests/vfio/vf_regs_test,
# TAP): PCI presentation, VFIO ioctls, registers, interrupts, bad input.
# The test binary is built on the machine (make); built here if missing.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"

bin=$CDNA_REPO/selftests/vfio/vf_regs_test
if [ ! -x "$bin" ]; then
	make -s -C "$CDNA_REPO/selftests/vfio" >/dev/null ||
		cdna_skip "selftests/vfio/vf_regs_test is not built and cannot be built here"
fi

t0=$(cdna_now_us)
vf_host_setup
CDNA_NIC=$VF_NIC CDNA_CTL=$VF_CTL "$bin"
rc=$?
cdna_stage "vf_regs_test" "$(cdna_since "$t0")"

# Every context the test made is gone and closed.
left=$(ls /sys/bus/mdev/devices 2>/dev/null | wc -l)
[ "$left" -eq 0 ] || { echo "FAIL: $left mdev(s) left behind"; rc=1; }
vf_host_cleanup
exit $rc
