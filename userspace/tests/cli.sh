#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdnactl's command line, as iproute2 users expect it; no kernel needed
# (nothing here can change a host's state: the names do not exist).
#   - exit status 255 for a command line cdnactl refuses, 1 when cdna.ko
#     cannot be reached, 2 when the kernel refuses (cdnactl(8) EXIT STATUS)
#   - keywords are never names, the positional and the keyword forms both
#     work, a global option after the object is a clear error
#   - a number out of range says the range
#   - -V prints cdnactl's own version (the tree's VERSION)
set -u
CDNACTL=${CDNACTL:-./cdnactl}
VERSION_FILE=${VERSION_FILE:-../VERSION}
fail=0

bad() {
	echo "not ok: $*" >&2
	fail=1
}

# usage RC_WANTED MESSAGE ARGS...: cdnactl ARGS exits RC_WANTED, stderr
# has MESSAGE, stdout is empty.
expect() {
	local want=$1 msg=$2 out err rc
	shift 2
	err=$("$CDNACTL" "$@" 2>&1 >/dev/null)
	rc=$?
	out=$("$CDNACTL" "$@" 2>/dev/null)
	if [ "$rc" -ne "$want" ]; then
		bad "cdnactl $* exited $rc, not $want (stderr: $err)"
	elif [[ "$err" != *"$msg"* ]]; then
		bad "cdnactl $*: stderr \"$err\" lacks \"$msg\""
	elif [ -n "$out" ]; then
		bad "cdnactl $*: printed \"$out\" on stdout"
	fi
}

# parsed ARGS...: the command line is accepted (whatever the kernel then
# says): not a usage error, not taken apart wrongly.
parsed() {
	local err rc
	err=$("$CDNACTL" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 255 ] || [[ "$err" == *"unknown option"* ]] ||
	   [[ "$err" == *"is not set"* ]] || [[ "$err" == *"not a valid"* ]]; then
		bad "cdnactl $*: refused its command line (rc $rc: $err)"
	fi
}

U=255
# --- usage errors exit 255 -----------------------------------------------------
expect $U "Usage: cdnactl"
expect $U 'object "frob" is unknown' frob
expect $U 'option "-x" is unknown' -x
expect $U 'command "frob" is unknown' ctx frob
expect $U 'command "frob" is unknown' nic frob
expect $U 'unknown option "color"' ctx add nic cdnatest0 name a color blue
expect $U "Context name is not set" ctx add nic cdnatest0
expect $U "Context name is not set" ctx del
expect $U "Uplink device (dev) is not set" nic del
expect $U "nothing to set" ctx set cdnatest-nx
expect $U 'option "force" is given twice' ctx del cdnatest-nx force force
expect $U 'invalid mac "52:54:00:zz:00:01"' ctx add nic cdnatest0 name a mac 52:54:00:zz:00:01
expect $U 'unknown option "extra"' monitor extra

# --- keywords are never names; global options belong before the object ---------
expect $U 'option "nic" needs a value' ctx show nic
expect $U 'option "nic" needs a value' ctx stats nic
expect $U 'unknown option "force"' ctx show force
expect $U '"-j" is an option of cdnactl itself' ctx show -j
expect $U '"-json" is an option of cdnactl itself' ctx show cdnatest-nx -json
expect $U '"-j" is an option of cdnactl itself' ctx -j show
expect $U '"-p" is an option of cdnactl itself' nic show -p
expect $U '"-j" is an option of cdnactl itself' monitor -j
expect $U 'option "name" is given twice' ctx del cdnatest-nx name cdnatest-ny
expect $U 'is not a valid context name (1-15 of [A-Za-z0-9._-]) or UUID' \
	ctx show abcdefghijklmnopq
expect $U 'is not a valid interface name' nic show abcdefghijklmnopq

# --- both forms, as ip(8) takes them --------------------------------------------
parsed nic show cdnatest0
parsed nic show dev cdnatest0
parsed nic list cdnatest0
parsed nic del cdnatest0
parsed nic del dev cdnatest0 force timeout 5
parsed ctx del cdnatest-nx
parsed ctx del name cdnatest-nx
parsed ctx del name 0f0e0d0c-0b0a-4908-8706-050403020100
parsed ctx show name nic
parsed ctx show cdnatest-nx nic cdnatest0
parsed ctx set name cdnatest-nx link up
parsed ctx qemu-args name cdnatest-nx

# --- numbers: out of range says the range ------------------------------------------
expect $U 'invalid timeout "86401": out of range, expected 0..86400 seconds' \
	ctx del cdnatest-nx force timeout 86401
expect $U 'invalid timeout "soon": expected a number, 0..86400 seconds' \
	nic del cdnatest0 force timeout soon
expect $U 'invalid rate "1000001": out of range, expected 0..1000000 Mbit/s' \
	ctx set cdnatest-nx rate 1000001
expect $U 'invalid vlan "4095": out of range, expected 0..4094' \
	ctx set cdnatest-nx vlan 4095
expect $U 'invalid queues "99999999999": out of range, expected 1, 2, 4 or 8' \
	ctx add nic cdnatest0 name a queues 99999999999
expect $U 'invalid max_ctx "4294967296": out of range, expected 1..64' \
	nic add cdnatest0 max_ctx 4294967296

# --- cdna.ko out of reach: exit 1, and the reason ------------------------------------
if [ ! -e /sys/module/cdna ]; then
	expect 1 "cdna.ko is not loaded" nic show
	expect 1 "cdna.ko is not loaded" -j ctx show cdnatest-nx
fi

# --- help exits 0 and mentions what it takes ------------------------------------------
help=$("$CDNACTL" nic help) || bad "nic help exited $?"
[[ "$help" == *"timeout SECS"* && "$help" == *"0..86400"* ]] ||
	bad "nic help does not describe timeout: $help"
help=$("$CDNACTL" ctx help) || bad "ctx help exited $?"
[[ "$help" == *"[A-Za-z0-9._-]"* && "$help" == *list* ]] ||
	bad "ctx help lacks the name rule or the list alias: $help"

# --- -V: cdnactl's own version, and the kernel side's ------------------------------------
if [ -r "$VERSION_FILE" ]; then
	want=$(cat "$VERSION_FILE")
	v=$("$CDNACTL" -V)
	rc=$?
	[ $rc -eq 0 ] || bad "cdnactl -V exited $rc"
	[[ "$v" == "cdnactl $want, cdna.ko "* ]] ||
		bad "cdnactl -V printed \"$v\", not \"cdnactl $want, cdna.ko ...\""
	if [ ! -e /sys/module/cdna ] && [ "$v" != "cdnactl $want, cdna.ko not loaded" ]; then
		bad "cdnactl -V without cdna.ko printed \"$v\""
	fi
fi
exit $fail
