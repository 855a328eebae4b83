#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-release.sh KDIR: print the release (uname -r) of the kernel whose
# build directory KDIR is: UTS_RELEASE of include/generated/utsrelease.h.
# (Debian's 6.1 headers carry "6.1.N" in include/config/kernel.release,
# not the "6.1.0-N-amd64" the kernel reports and modules' vermagic holds.)
set -euo pipefail
kdir=${1:?usage: kernel-release.sh KDIR}
rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h" 2>/dev/null || true)
[ -n "$rel" ] || rel=$(cat "$kdir/include/config/kernel.release")
echo "$rel"
