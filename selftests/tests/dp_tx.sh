#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 600
#
# What a context may put on the uplink (selftests/vfio/dp_tx_test, TAP),
# checked with a packet socket on the veth peer: no VLAN tag from an
# untrusted context, frames within the uplink's MTU (also when it or the
# driver's MTU changes), GSO frames bounded and still checked by the stack,
# qdisc drops reported. Afterwards nothing may stay pinned.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"

dp_vfio_run dp_tx_test
