# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Runs inside the L2 guest of smoke.sh (not a test of its own: not
# executable). Loads cdna_vf.ko from the repo and reports to $CDNA_OUT.
set -u
. "$CDNA_LIB"

cdna_insmod "$CDNA_VF_KO"
lsmod >"$CDNA_OUT/lsmod"
dmesg >"$CDNA_OUT/guest-dmesg"
grep '^cdna_vf ' "$CDNA_OUT/lsmod"
rmmod cdna_vf || cdna_fail "rmmod cdna_vf failed"
exit 0
