#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 600
#
# The data path against a hostile userspace VFIO guest
# (selftests/vfio/dp_protect_test, TAP): good and bad TX/RX descriptors,
# ring index errors, DMA unmaps, the pin cache. Afterwards nothing may stay
# pinned and the skb slabs must be back near their baseline.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"

dp_vfio_run dp_protect_test
