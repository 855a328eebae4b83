#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract the few kernel-tree files we use from Debian's linux-source tarball
# into build/linux-tools/ (gitignored), once:
#   scripts/checkpatch.pl (+ spelling.txt, const_structs.checkpatch)
#   tools/testing/selftests/kselftest_harness.h, kselftest.h
# Prints the directory. LINUX_SOURCE=<tarball> overrides the tarball.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
# 6.1's, the one make deps installs, when it is there: another tarball on
# the machine (make debug-kernel installs linux-source-6.12) must not change
# the checkpatch rules or the test harness under us (6.12's harness trips
# gcc 12's -Wclobbered in our tests). Else the newest.
tarball=${LINUX_SOURCE:-}
if [ -z "$tarball" ]; then
	if [ -f /usr/src/linux-source-6.1.tar.xz ]; then
		tarball=/usr/src/linux-source-6.1.tar.xz
	else
		tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	fi
fi
out=$repo/build/linux-tools
files=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
       tools/testing/selftests/kselftest_harness.h tools/testing/selftests/kselftest.h)

if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$tarball" ]; then
	echo "$out"
	exit 0
fi
if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
	echo "linux-tools: no /usr/src/linux-source-*.tar.xz (run 'make deps')" >&2
	exit 1
fi

top=$(basename "$tarball" .tar.xz)
mkdir -p "$repo/build"
tmp=$(mktemp -d "$repo/build/.linux-tools.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "linux-tools: extracting ${files[*]} from $tarball" >&2
tar -xJf "$tarball" -C "$tmp" "${files[@]/#/$top/}"
echo "$tarball" > "$tmp/$top/.stamp"
rm -rf "$out"
mv "$tmp/$top" "$out"
echo "$out"
