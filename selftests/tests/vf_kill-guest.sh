# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# L2 side of vf_kill.sh: bring the interface up, tell L1, then wait to be
# killed (L1 sends SIGKILL to this guest's QEMU).
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_guest_lib.sh"

pci=$(vfg_pci) || cdna_fail "no cdna VF on the PCI bus"
vfg_load
ifc=$(vfg_netdev "$pci") || vfg_fail "cdna_vf made no interface"
ip link set "$ifc" up || vfg_fail "ip link set up failed"
vfg_wait_carrier "$ifc" 1 10 || vfg_fail "no carrier"
vfg_mark vf-up "$ifc"
vfg_wait_file vf-never 600
exit 0
