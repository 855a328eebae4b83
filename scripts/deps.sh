#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deps: install every Debian package listed in scripts/deps.txt (build,
# checks, testbed, benchmarks) on a Debian 12 (bookworm) machine.
#
# Lines of deps.txt are "package" (from bookworm, the default) or
# "package bookworm-backports" (that package from backports), or
# "package bookworm-backports:depends" (the versioned packages backports'
# metapackage depends on; used for the 6.12 kernel, so that bookworm's
# linux-image-amd64/linux-headers-amd64 metapackages keep 6.1).
#
# bookworm-backports is enabled for the Debian mirror the machine already
# uses: its URI (and keyring) is read from the machine's apt sources (deb822
# /etc/apt/sources.list.d/*.sources, one-line /etc/apt/sources.list and
# *.list), and one deb822 file, cdna-bookworm-backports.sources, is written
# unless some source already serves bookworm-backports. Backports packages
# are installed as package/bookworm-backports, so only what they need comes
# from backports; the script then checks that nothing else did.
#
# Idempotent: when every package is installed (and at the wanted version)
# it changes nothing. DEPS_FORCE=1 runs apt-get install anyway.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
bpo=bookworm-backports
bpo_file=/etc/apt/sources.list.d/cdna-$bpo.sources
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive

die() { echo "deps: $*" >&2; exit 1; }

. /etc/os-release 2>/dev/null || true
[ "${VERSION_CODENAME:-}" = bookworm ] ||
	echo "deps: warning: this is not Debian 12 (bookworm): ${PRETTY_NAME:-unknown}" >&2

plain=() bpo_pkgs=() bpo_meta=()
while read -r name from _; do
	case "${from:-}" in
	"") plain+=("$name") ;;
	"$bpo") bpo_pkgs+=("$name") ;;
	"$bpo:depends") bpo_meta+=("$name") ;;
	*) die "deps.txt: unknown source '$from' for $name" ;;
	esac
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/deps.txt")

# --- the machine's apt sources -------------------------------------------

# Print "uri<TAB>suites<TAB>signed-by" for every enabled deb source
# (deb822 stanzas and one-line entries).
apt_sources() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v IGNORECASE=1 '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && enabled !~ /^no$/ && uris != "")
				printf "%s\t%s\t%s\n", uris, suites, signed
			types = uris = suites = signed = enabled = ""
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[A-Za-z-]+:/ {
			key = tolower($1); sub(/:$/, "", key)
			val = $0; sub(/^[^:]*:[ \t]*/, "", val); sub(/[ \t]+$/, "", val)
			if (key == "types") types = val
			else if (key == "uris") uris = val
			else if (key == "suites") suites = val
			else if (key == "signed-by") signed = val
			else if (key == "enabled") enabled = val
		}
		END { flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '
		/^[ \t]*deb[ \t]/ {
			signed = ""; i = 2
			if ($2 ~ /^\[/) {
				opts = ""
				for (; i <= NF; i++) { opts = opts " " $i; if ($i ~ /\]$/) break }
				i++
				if (match(opts, /signed-by=[^] ]+/))
					signed = substr(opts, RSTART + 10, RLENGTH - 10)
			}
			printf "%s\t%s\t%s\n", $i, $(i + 1), signed
		}' "$f"
	done
}

# The backports suite served by some enabled source already?
have_bpo_source() {
	apt_sources | awk -F '\t' -v s="$bpo" '
		{ n = split($2, a, " "); for (i = 1; i <= n; i++) if (a[i] == s) f = 1 }
		END { exit !f }'
}

enable_bpo() {
	have_bpo_source && return 0
	local line uri signed
	# The first source serving bookworm itself is the Debian mirror.
	line=$(apt_sources | awk -F '\t' '
		{ n = split($2, a, " "); for (i = 1; i <= n; i++) if (a[i] == "bookworm") { print; exit } }')
	[ -n "$line" ] || die "no apt source serves the 'bookworm' suite; cannot enable $bpo"
	uri=$(cut -f1 <<<"$line" | awk '{ print $1 }')
	signed=$(cut -f3 <<<"$line")
	# A keyring file is carried over; an inline key block is not (apt's
	# default keyrings then apply: Debian's archive key on Debian).
	case "$signed" in /*) ;; *) signed= ;; esac
	echo "deps: enabling $bpo from $uri ($bpo_file)"
	{
		echo "# Written by cdna's scripts/deps.sh: $bpo from the mirror"
		echo "# this machine uses for bookworm."
		echo "Types: deb"
		echo "URIs: $uri"
		echo "Suites: $bpo"
		echo "Components: main"
		[ -z "$signed" ] || echo "Signed-By: $signed"
	} | $sudo tee "$bpo_file.tmp" >/dev/null
	$sudo mv "$bpo_file.tmp" "$bpo_file"
	need_update=1
}

# --- resolving and checking packages ---------------------------------------

installed_version() {
	{ dpkg-query -W -f='${db:Status-Status} ${Version}' "$1" 2>/dev/null || true; } |
		awk '$1 == "installed" { print $2 }'
}

# Version of package $1 that the backports suite carries (empty if none).
# bpo_load PKG...: look them all up in one apt-cache call (each is slow).
declare -A bpo_ver=()
bpo_load() {
	local p v
	while read -r p v; do
		[ -n "${bpo_ver[$p]:-}" ] || bpo_ver[$p]=$v
	done < <(apt-cache madison "$@" 2>/dev/null |
		 awk -F '|' -v s="$bpo" '$3 ~ "[ /]" s "[ /]" { gsub(/ /, "", $1); gsub(/ /, "", $2); print $1, $2 }')
}
bpo_version() {
	[ -n "${bpo_ver[$1]+set}" ] || bpo_load "$1"
	echo "${bpo_ver[$1]:-}"
}

# The versioned packages backports' metapackage $1 depends on
# (linux-image-amd64 -> linux-image-6.12.N+bpo-amd64).
bpo_meta_deps() {
	local v
	v=$(bpo_version "$1")
	[ -n "$v" ] || die "$bpo carries no $1 (apt-get update?)"
	apt-cache show "$1=$v" | awk '
		/^Depends:/ {
			sub(/^Depends:[ \t]*/, "")
			n = split($0, d, ",")
			for (i = 1; i <= n; i++) { split(d[i], w, " "); if (w[1] ~ /^linux-/) print w[1] }
			exit
		}'
}

# Fill want_bpo with "package" for every package to take from backports.
resolve_bpo() {
	local m d
	bpo_ver=()
	bpo_load "${bpo_pkgs[@]}" "${bpo_meta[@]}"
	want_bpo=("${bpo_pkgs[@]}")
	for m in "${bpo_meta[@]}"; do
		d=$(bpo_meta_deps "$m")
		[ -n "$d" ] || die "cannot resolve what $bpo's $m depends on"
		mapfile -t -O "${#want_bpo[@]}" want_bpo <<<"$d"
	done
	bpo_load "${want_bpo[@]}"
}

# Prints the packages not (yet) installed as wanted.
missing() {
	local p iv
	for p in "${plain[@]}"; do
		[ -n "$(installed_version "$p")" ] || echo "$p"
	done
	for p in "${want_bpo[@]}"; do
		iv=$(installed_version "$p")
		# From backports: the installed version is backports' (or newer).
		if [ -z "$iv" ] || dpkg --compare-versions "$iv" lt "$(bpo_version "$p")"; then
			echo "$p"
		fi
	done
}

# "package source-package" of every installed package from backports.
bpo_installed() {
	dpkg-query -W -f='${db:Status-Status} ${Package} ${Version} ${source:Package}\n' |
		awk '$1 == "installed" && $3 ~ /~bpo/ { print $2, $4 }'
}

need_update=0
enable_bpo
# No package lists for backports yet (fresh machine, or source just added).
[ -n "$(bpo_version qemu-system-x86)" ] || need_update=1
if [ "$need_update" = 1 ]; then
	$sudo apt-get update
fi

resolve_bpo
mapfile -t todo < <(missing)
if [ ${#todo[@]} -eq 0 ] && [ "${DEPS_FORCE:-0}" != 1 ]; then
	echo "deps: all $(( ${#plain[@]} + ${#want_bpo[@]} )) packages installed" \
	     "(from $bpo: ${want_bpo[*]})"
	exit 0
fi

echo "deps: installing: ${todo[*]:-(forced)}"
if [ "$need_update" = 0 ]; then
	$sudo apt-get update
	resolve_bpo
fi
# apt is meant to take from backports, by itself, the dependencies a
# pkg/suite package needs at backports' versions; seen on 2026-12-03 it did
# not (qemu-system-x86/bookworm-backports: qemu-system-common,
# qemu-system-data and seabios stayed at bookworm's versions, and apt gave
# up). So name them too: simulate the install, add every unmet dependency
# backports carries, and again until nothing is added.
bpo_closure() {
	local round dep added out
	for round in 1 2 3 4 5 6; do
		out=$(apt-get install -s --no-install-recommends "${plain[@]}" \
			"${want_bpo[@]/%//$bpo}" 2>&1) && return 0
		added=0
		while read -r dep; do
			[[ " ${want_bpo[*]} " == *" $dep "* ]] && continue
			[ -n "$(bpo_version "$dep")" ] || continue
			echo "deps: $dep from $bpo too (round $round: apt left it at bookworm's version)"
			want_bpo+=("$dep")
			added=1
		done < <(sed -n 's/^.*Depends: \([^ ]*\) .* but .* is to be installed$/\1/p' <<<"$out" | sort -u)
		[ "$added" = 1 ] || return 0	# the install itself says why
	done
}
bpo_closure
bpo_before=$(bpo_installed)
# Backports packages as pkg/suite: apt takes from backports only those and
# the dependencies that need backports' versions; everything else stays
# bookworm's (backports is NotAutomatic, so it is never preferred otherwise).
$sudo apt-get install -y --no-install-recommends "${plain[@]}" "${want_bpo[@]/%//$bpo}"

# Report what came from backports, and warn about anything this run took
# from there unexpectedly: allowed are the wanted packages, their sibling
# binaries (same source package) and what those depend on directly (QEMU 10
# needs backports' seabios).
mapfile -t from_bpo < <(bpo_installed)
allowed_src=$(for p in "${want_bpo[@]}"; do
	dpkg-query -W -f='${source:Package}\n' "$p" 2>/dev/null || true
done | sort -u)
allowed=$(for e in "${from_bpo[@]}"; do
	grep -qxF "${e#* }" <<<"$allowed_src" || continue
	echo "${e% *}"
	dpkg-query -W -f='${Depends}\n' "${e% *}" | tr ',|' '\n\n' | awk 'NF { print $1 }'
done | sort -u)
unexpected=()
for e in "${from_bpo[@]}"; do
	grep -qxF "${e% *}" <<<"$allowed" && continue
	grep -qxF "$e" <<<"$bpo_before" || unexpected+=("${e% *}")
done
echo "deps: from $bpo: $(for e in "${from_bpo[@]}"; do printf '%s ' "${e% *}"; done)"
if [ ${#unexpected[@]} -gt 0 ]; then
	echo "deps: warning: this run also took from $bpo: ${unexpected[*]}" >&2
fi
