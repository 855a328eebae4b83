#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Register a cdna module with DKMS, so that every new kernel rebuilds it.
#
#   scripts/dkms.sh host [--source-only]    cdna.ko, on the KVM host
#   scripts/dkms.sh guest [--source-only]   cdna_vf.ko, inside a guest
#   scripts/dkms.sh host|guest --tarball OUT
#       build in private DKMS trees (build/dkms/, the system's DKMS is not
#       touched) for $KVER and write a DKMS tarball with the built module
#       to OUT: "dkms ldtarball OUT; dkms install PKG/VERSION" installs it
#       on another machine of that kernel without compiling (make check
#       does this; its testbed test admin_dkms installs the tarball in L1)
#
# Copies the module's sources, the ABI header and VERSION to
# $DESTDIR/usr/src/<package>-<version>/ with a dkms.conf, then runs
# "dkms add", "dkms build" and "dkms install" for the running kernel (or
# $KVER). --source-only (or a DESTDIR) stops after the copy: a package's
# postinst runs dkms itself. Needs root for the live system.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
version=$(cat "$repo/VERSION")

case "${1:-}" in
host) pkg=cdna dir=kmod module=cdna ;;
guest) pkg=cdna-vf dir=vf-driver module=cdna_vf ;;
*) echo "usage: scripts/dkms.sh host|guest [--source-only]" >&2; exit 2 ;;
esac
source_only=0 tarball=
case "${2:-}" in
--source-only) source_only=1 ;;
--tarball) tarball=${3:?--tarball needs a file name} ;;
esac
[ -n "${DESTDIR:-}" ] && source_only=1

if [ -n "$tarball" ]; then
	priv=$repo/build/dkms/$pkg
	rm -rf "$priv"
	mkdir -p "$priv/tree"
	src=$priv/src/$pkg-$version
else
	src=${DESTDIR:-}/usr/src/$pkg-$version
fi
rm -rf "$src"
mkdir -p "$src/include/uapi/linux"
cp -r "$repo/$dir" "$src/"
# Only sources: never a build product of the tree.
find "$src/$dir" -type f ! -name '*.[ch]' ! -name Kbuild -delete
cp "$repo/include/uapi/linux/cdna.h" "$src/include/uapi/linux/"
cp "$repo/VERSION" "$src/"
echo "obj-m += $dir/" >"$src/Kbuild"
cat >"$src/dkms.conf" <<CONF
PACKAGE_NAME="$pkg"
PACKAGE_VERSION="$version"
MAKE[0]="make -C \${kernel_source_dir} M=\${dkms_tree}/\${PACKAGE_NAME}/\${PACKAGE_VERSION}/build modules"
CLEAN="make -C \${kernel_source_dir} M=\${dkms_tree}/\${PACKAGE_NAME}/\${PACKAGE_VERSION}/build clean"
BUILT_MODULE_NAME[0]="$module"
BUILT_MODULE_LOCATION[0]="$dir/"
DEST_MODULE_LOCATION[0]="/updates/dkms"
AUTOINSTALL="yes"
CONF
echo "dkms: sources of $pkg $version in $src"
[ $source_only -eq 1 ] && exit 0

command -v dkms >/dev/null || { echo "dkms: the dkms package is not installed" >&2; exit 1; }
kver=${KVER:-$(uname -r)}
if [ -n "$tarball" ]; then
	trees=(--dkmstree "$priv/tree" --sourcetree "$priv/src")
	dkms add "$pkg/$version" "${trees[@]}"
	dkms build "$pkg/$version" -k "$kver" "${trees[@]}"
	mkdir -p "$(dirname "$tarball")"
	dkms mktarball "$pkg/$version" -k "$kver" "${trees[@]}" \
		--archive "$(cd "$(dirname "$tarball")" && pwd -P)/$(basename "$tarball")"
	exit 0
fi
dkms remove "$pkg/$version" --all >/dev/null 2>&1 || true
dkms add "$pkg/$version"
dkms build "$pkg/$version" -k "$kver"
dkms install "$pkg/$version" -k "$kver"
