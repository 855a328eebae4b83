#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 600
#
# Tenant isolation of the shared engine thread
# (selftests/vfio/dp_iso_test, TAP): a well-behaved context keeps at least
# half its TX rate while a hostile context on the same NIC resets in a
# loop and sends 18-fragment frames over fresh pages and frames with their
# checksum 60000 bytes in; such a frame is refused before any allocation.
# It keeps half its rate as well while the hostile context's frame waits,
# in its context's VFIO work, for a userfaultfd fault that the hostile
# VM holds for 3 s; the frame completes once the fault is served.
# Afterwards nothing may stay pinned and the skb slabs must be back near
# their baseline.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"

dp_vfio_run dp_iso_test
