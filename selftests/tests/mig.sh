#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 600
#
# Live migration of a context against a userspace VFIO guest
# (selftests/vfio/mig_test, TAP): the migration feature, the MAC pairing
# of an incoming context, a running function moving to the incoming
# context with its registers, indices and counters, cancel, reset during
# a migration, an idle function and one half way through its reset, and
# corrupt, truncated, wrong-version and impossible streams refused with
# the destination left usable; version 2 of the stream: the kick page
# (tracked again in the destination's VM, a vCPU's store a doorbell there:
# mig_test makes a minimal KVM VM behind each end, so KVM is loaded here)
# and the RX buffer size, version 1 still taken, bad version 2 streams
# refused. Afterwards nothing may stay pinned.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"

# The kick page tests need /dev/kvm (they skip without SVM).
if grep -qw svm /proc/cpuinfo; then
	cdna_kvm_setup
fi

dp_vfio_run mig_test
