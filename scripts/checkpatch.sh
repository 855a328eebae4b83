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
[ ${#ignore[@]} -gt 0 ] && opts+=(--ignore "$(IFS=,; echo "${ignore[*]}")")

out=$(perl "$tools/scripts/checkpatch.pl" "${opts[@]}" "${files[@]}" 2>&1)
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	exit 1
fi
exit 0
