#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl (from Debian's linux-source tarball, see linux-tools.sh) over
# the kernel-side sources: kmod/, vf-driver/, include/ (*.c, *.h; generated
# *.mod.c excluded). Prints the findings; exits 1 if there are any.
# Extra arguments go to checkpatch.pl (e.g. a file list to check only those).
#
# Options, and why:
#   --no-tree   we are not a kernel tree (no MAINTAINERS, no Documentation/)
#   -f          check source files, not patches
#   --strict    netdev's level: the CHECK-class findings count too
#   -q --show-types --no-summary   findings only, each with its type name
# Ignored types (checkpatch is wrong for out-of-tree code here):
#   none so far. Add one per line below, with the reason, only when a
#   finding is a false positive for an out-of-tree module.
ignore=(
)
# The compat headers (kmod/compat.h, vf-driver/compat.h) are the one place
# that tests the kernel version: an out-of-tree module builds for several
# kernels (Debian 12's 6.1, backports' 6.12), which checkpatch, written for
# in-tree code, does not expect. There, and only there, also ignored:
#   LINUX_VERSION_CODE   "should be avoided": it is what these files are for
#   CONSTANT_COMPARISON  LINUX_VERSION_CODE >= KERNEL_VERSION(...) is the
#                        kernel's own idiom (both sides are constants)
compat_ignore=(LINUX_VERSION_CODE CONSTANT_COMPARISON)
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo" || exit 1
tools=$(scripts/linux-tools.sh) || exit 1

if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(find kmod vf-driver include -type f -name '*.[ch]' \
				! -name '*.mod.c' 2>/dev/null | LC_ALL=C sort)
fi
[ ${#files[@]} -gt 0 ] || { echo "checkpatch: no files"; exit 0; }

opts=(--no-tree -f --strict -q --show-types --no-summary --color=never)
compat=() others=()
for f in "${files[@]}"; do
	case "$f" in
	*/compat.h|compat.h) compat+=("$f") ;;
	*) others+=("$f") ;;
	esac
done

out=
if [ ${#others[@]} -gt 0 ]; then
	o=("${opts[@]}")
	[ ${#ignore[@]} -gt 0 ] && o+=(--ignore "$(IFS=,; echo "${ignore[*]}")")
	out+=$(perl "$tools/scripts/checkpatch.pl" "${o[@]}" "${others[@]}" 2>&1)
fi
if [ ${#compat[@]} -gt 0 ]; then
	o=("${opts[@]}" --ignore "$(IFS=,; echo "${ignore[*]}${ignore[*]:+,}${compat_ignore[*]}")")
	out+=$(perl "$tools/scripts/checkpatch.pl" "${o[@]}" "${compat[@]}" 2>&1)
fi
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	exit 1
fi
exit 0
