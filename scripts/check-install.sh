#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's "install" step: after a build, "make install DESTDIR=D",
# "make install-guest DESTDIR=D" and "DESTDIR=D scripts/dkms.sh host|guest"
# put everything under D and nothing elsewhere; install builds nothing (so
# it needs neither linux-source nor the selftests) and prints no signing
# error. Prints each problem; exits 1 if there was one.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo" || exit 1
kver=${KVER:?KVER is not set}
version=$(cat VERSION)
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
fail=0
problem() { echo "install: $*"; fail=1; }

# What a live install would write: it must stay as it was.
live=(/lib/modules/"$kver"/extra/cdna.ko /lib/modules/"$kver"/extra/cdna_vf.ko
      /usr/local/sbin/cdnactl /usr/local/share/bash-completion/completions/cdnactl
      /usr/src/cdna-"$version" /usr/src/cdna-vf-"$version")
before=$(stat -c '%n %Y %s' "${live[@]}" 2>/dev/null)

if make -n --no-print-directory install install-guest DESTDIR="$dest" |
   grep -E 'linux-tools|selftests|modules_install|\$\(MAKE\)|make -C' >/dev/null; then
	problem "make install would build or run kbuild: $(make -n install DESTDIR="$dest" | head -5)"
fi
out=$(make --no-print-directory install install-guest DESTDIR="$dest" 2>&1) ||
	problem "make install DESTDIR failed: $out"
grep -Ei 'sign-file|ssl error|signing_key' <<<"$out" && problem "make install printed a signing error"
for f in lib/modules/"$kver"/extra/cdna.ko lib/modules/"$kver"/extra/cdna_vf.ko \
	 usr/local/sbin/cdnactl usr/local/share/man/man8/cdnactl.8 \
	 usr/local/share/man/man8/cdnactl-ctx.8 \
	 usr/local/share/bash-completion/completions/cdnactl; do
	[ -f "$dest/$f" ] || problem "make install DESTDIR did not install $f"
done
[ -x "$dest/usr/local/sbin/cdnactl" ] || problem "cdnactl is not executable"
unit=$dest/usr/local/lib/systemd/system/cdna.service
grep -qx 'ExecStart=/usr/local/sbin/cdnactl -batch /etc/cdna/cdna.conf' "$unit" 2>/dev/null ||
	problem "no cdna.service running the installed cdnactl -batch /etc/cdna/cdna.conf"
grep -q '@' "$unit" 2>/dev/null && problem "cdna.service still holds a @PLACEHOLDER@"
modinfo -F version "$dest/lib/modules/$kver/extra/cdna.ko" | grep -qx "$version" ||
	problem "cdna.ko carries no MODULE_VERSION $version"

for side in host guest; do
	DESTDIR=$dest scripts/dkms.sh "$side" >/dev/null || problem "dkms.sh $side failed"
done
for p in cdna cdna-vf; do
	d=$dest/usr/src/$p-$version
	[ -f "$d/dkms.conf" ] || problem "no $p dkms.conf"
	grep -q "PACKAGE_VERSION=\"$version\"" "$d/dkms.conf" 2>/dev/null ||
		problem "$p dkms.conf has the wrong version"
	[ -z "$(find "$d" -name '*.o' -o -name '*.ko' -o -name '*.cmd' 2>/dev/null)" ] ||
		problem "$p DKMS sources hold build products"
done
[ -f "$dest/usr/src/cdna-$version/kmod/main.c" ] || problem "host DKMS sources lack kmod/"
[ -e "$dest/usr/src/cdna-$version/vf-driver" ] && problem "host DKMS sources hold the guest driver"

after=$(stat -c '%n %Y %s' "${live[@]}" 2>/dev/null)
[ "$before" = "$after" ] || problem "a DESTDIR install changed the live system: $(diff <(echo "$before") <(echo "$after"))"
[ $fail -eq 0 ] && echo "install: DESTDIR install of cdna $version for $kver is complete and self-contained"
exit $fail
