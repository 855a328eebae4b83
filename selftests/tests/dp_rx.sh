#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 900
#
# The receive path against a userspace VFIO guest
# (selftests/vfio/dp_rx_test, TAP): RX buffers and completions stay in
# step after a frame that needs more than CDNA_MAX_RX_FRAGS buffers, a
# buffer the device never checked is never completed OK, an error
# completion ends at the bad buffer, and segmenting TSO frames for a guest
# without RX_GSO stays within the RX queue's memory bound. The veth pair
# gets a 9000-byte MTU for the jumbo frames. Afterwards nothing may stay
# pinned and the skb slabs must be back near their baseline.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"

dp_vfio_run dp_rx_test 9000
