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
# the destination left usable. Afterwards nothing may stay pinned.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"

dp_vfio_run mig_test
