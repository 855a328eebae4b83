#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mirror-tree.sh OUT PATH...: make OUT a tree of symlinks to the repo's
# PATHs (files, and the regular files of directories, recursively), for a
# kbuild pass whose objects go to OUT instead of the source tree (make
# modules-out). Links to files that are gone are removed; build products
# in OUT stay.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
out=$1
shift
cd "$repo"
mkdir -p "$out"
out=$(cd "$out" && pwd -P)

# Sources: tracked or not, but never build products or editor files.
mapfile -t files < <(find "$@" -type f \
	! -name '*.o' ! -name '*.ko' ! -name '*.mod' ! -name '*.mod.c' \
	! -name '*.cmd' ! -name '*.a' ! -name '*.order' ! -name '*.symvers' \
	! -name '*.dwo' ! -name '.*' ! -name '*~' | LC_ALL=C sort)

for f in "${files[@]}"; do
	mkdir -p "$out/$(dirname "$f")"
	ln -sfn "$repo/$f" "$out/$f"
done
# Dangling links: a source file was removed or renamed.
find "$out" -xtype l -delete
