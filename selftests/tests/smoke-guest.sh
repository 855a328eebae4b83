# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Runs inside the L2 guest of smoke.sh (not a test of its own: not
# executable). Loads cdna_vf.ko from the repo and reports to $CDNA_OUT.
set -u

insmod "$CDNA_REPO/vf-driver/cdna_vf.ko" || { echo "insmod cdna_vf.ko failed"; exit 1; }
lsmod >"$CDNA_OUT/lsmod"
dmesg >"$CDNA_OUT/guest-dmesg"
grep '^cdna_vf ' "$CDNA_OUT/lsmod"
rmmod cdna_vf || { echo "rmmod cdna_vf failed"; exit 1; }
exit 0
