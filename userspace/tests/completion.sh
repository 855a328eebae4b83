#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bash completion (cdnactl.bash-completion): objects, commands,
# keywords and keyword values complete; a context name comes from
# "cdnactl -j ctx show" (a stub here: no kernel needed).
set -u
here=$(cd "$(dirname "$0")/.." && pwd -P)
stub=$(mktemp -d)
trap 'rm -rf "$stub"' EXIT
cat >"$stub/cdnactl" <<'STUB'
#!/bin/sh
echo '[{"name":"web1","nic":"eth1"},{"name":"db2","nic":"eth1"}]'
STUB
chmod +x "$stub/cdnactl"
PATH=$stub:$PATH
# shellcheck source=/dev/null
. "$here/cdnactl.bash-completion"

fail=0
# expect "WORDS..." "EXPECTED": complete the last word of WORDS.
expect() {
	local line=$1 want=$2 got
	read -r -a COMP_WORDS <<<"$line"
	[[ "$line" == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_cdnactl
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	got=${got% }
	if [ "$got" != "$want" ]; then
		echo "completion of '$line': got '$got', want '$want'" >&2
		fail=1
	fi
}
expect "cdnactl " "ctx help monitor nic"
expect "cdnactl -" "-Version -batch -help -json -pretty"
expect "cdnactl -j c" "ctx"
: >"$stub/cdna.conf"
expect "cdnactl -batch $stub/cdna.c" "$stub/cdna.conf"
expect "cdnactl ctx a" "add"
expect "cdnactl nic " "add attach del detach help show"
expect "cdnactl ctx add nic eth1 prot" "protect"
expect "cdnactl ctx add protect " "checked iommu"
expect "cdnactl ctx add queues " "1 2 4 8"
expect "cdnactl ctx set web1 link " "auto down up"
expect "cdnactl ctx set web1 tr" "trust"
expect "cdnactl ctx del w" "web1"
expect "cdnactl ctx stats " "db2 nic web1"
expect "cdnactl nic del dev lo " "dev force"
expect "cdnactl ctx add nic lo" "lo"
exit $fail
