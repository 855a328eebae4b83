#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package listed in scripts/deps.txt (build, checks,
# testbed, benchmarks). Idempotent: when everything is already installed it
# does nothing; otherwise apt-get update + apt-get install. Only Debian's own
# archive is used.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
mapfile -t pkgs < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/deps.txt" | tr -d ' \t')

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ] && [ "${DEPS_FORCE:-0}" != 1 ]; then
	echo "deps: all ${#pkgs[@]} packages installed"
	exit 0
fi

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "deps: installing: ${missing[*]:-${pkgs[*]}}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${pkgs[@]}"
