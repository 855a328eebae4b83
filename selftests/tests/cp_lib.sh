# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers of the cp_*.sh tests (the control plane through cdnactl; sourced
# after $CDNA_LIB, not a test itself: not executable). They run in L1.
#
#   cp_setup                 vfio + mdev modules, cdna.ko, a veth uplink
#                            $CP_NIC (peer $CP_PEER), not attached
#   cp_ctl ARGS...           cdnactl (under the command in CP_WRAP, if any)
#   cp_ok DESC ARGS...       cdnactl ARGS must succeed
#   cp_err DESC ERRNO_MSG ARGS...
#                            cdnactl ARGS must fail as refused by the
#                            kernel (exit 2), print "Error: ...ERRNO_MSG..."
#                            on stderr, nothing on stdout, and change
#                            nothing (cp_snapshot before and after)
#   cp_usage DESC MSG ARGS...  the same for a command line cdnactl itself
#                            refuses (exit 255, cdnactl(8) EXIT STATUS)
#   cp_expect DESC JQ ARGS...  cdnactl -j ARGS | jq -e JQ must hold
#   cp_snapshot              print the whole state: NICs, contexts, mdevs
#   cp_hold UUID [--release-on-request]
#                            hold a context open like a VMM (cdna_hold);
#                            sets CP_HOLD_PID, returns once it is held
#   cp_cleanup               remove everything; count a failure if any step
#                            fails (module must unload)
#   cp_done                  print the summary, exit 0 or 1
# Failures are counted, not fatal: every case runs.

CP_NIC=${CP_NIC:-cpup0}
CP_PEER=${CP_PEER:-cppeer0}
CP_CTL=${CP_CTL:-$CDNA_REPO/userspace/cdnactl}
CP_HOLD_BIN=$CDNA_REPO/selftests/vfio/cdna_hold
CP_MDEV=/sys/bus/mdev/devices
cp_fail=0
cp_pass=0
CP_HOLD_PID=
CP_WRAP=()	# a command cdnactl runs under (setpriv ...)

cp_ctl() {
	"${CP_WRAP[@]}" "$CP_CTL" "$@"
}

cp_setup() {
	[ -x "$CP_CTL" ] || cdna_skip "userspace/cdnactl is not built"
	command -v jq >/dev/null || cdna_skip "no jq"
	cdna_vfio_setup
	cdna_insmod_host
	ip link add "$CP_NIC" type veth peer name "$CP_PEER" ||
		cdna_fail "cannot create the veth uplink $CP_NIC"
	ip link set "$CP_NIC" up
	ip link set "$CP_PEER" up
}

cp_bad() {
	echo "not ok: $*"
	cp_fail=$((cp_fail + 1))
}

cp_good() {
	echo "ok: $*"
	cp_pass=$((cp_pass + 1))
}

cp_snapshot() {
	cp_ctl -j nic show
	cp_ctl -j ctx show
	ls "$CP_MDEV" 2>/dev/null
}

cp_ok() {
	local desc=$1 out
	shift
	if out=$(cp_ctl "$@" 2>&1); then
		cp_good "$desc"
	else
		cp_bad "$desc: cdnactl $* failed: $out"
	fi
}

# cp_fails RC DESC MSG ARGS...: the common part of cp_err and cp_usage.
cp_fails() {
	local want=$1 desc=$2 msg=$3 before after err rc out
	shift 3
	before=$(cp_snapshot)
	out=$CDNA_TEST_DIR/cp_fails.out
	mkdir -p "$CDNA_TEST_DIR"
	err=$(cp_ctl "$@" 2>&1 >"$out")
	rc=$?
	after=$(cp_snapshot)
	if [ $rc -ne "$want" ]; then
		cp_bad "$desc: cdnactl $* exited $rc, not $want (stderr: $err)"
	elif [[ "$err" != Error:*"$msg"* ]]; then
		cp_bad "$desc: cdnactl $*: expected \"Error: ...$msg...\", got \"$err\""
	elif [ -s "$out" ]; then
		cp_bad "$desc: cdnactl $* failed but printed on stdout: $(cat "$out")"
	elif [ "$before" != "$after" ]; then
		cp_bad "$desc: cdnactl $* changed the state"
		diff <(echo "$before") <(echo "$after") | sed 's/^/    /'
	else
		cp_good "$desc ($err)"
	fi
}

cp_err() {
	cp_fails 2 "$@"
}

cp_usage() {
	cp_fails 255 "$@"
}

cp_expect() {
	local desc=$1 expr=$2 out
	shift 2
	if ! out=$(cp_ctl -j "$@" 2>&1); then
		cp_bad "$desc: cdnactl -j $* failed: $out"
	elif ! jq -e "$expr" >/dev/null <<<"$out"; then
		cp_bad "$desc: cdnactl -j $* | jq '$expr' is false; output: $out"
	else
		cp_good "$desc"
	fi
}

cp_hold() {
	local fifo out=$CDNA_TEST_DIR/hold.out
	[ -x "$CP_HOLD_BIN" ] || make -s -C "$CDNA_REPO/selftests/vfio" cdna_hold >/dev/null ||
		cdna_skip "selftests/vfio/cdna_hold is not built"
	mkdir -p "$CDNA_TEST_DIR"
	# Not on the 9p run directory: no fifos there.
	fifo=$(mktemp -u /run/cp-hold.XXXXXX)
	mkfifo "$fifo" || return 1
	: >"$out"
	# stdin stays open (the fifo's writer is fd CP_HOLD_FD) until cp_unhold.
	"$CP_HOLD_BIN" "$@" <"$fifo" >"$out" 2>>"$CDNA_TEST_DIR/hold.err" &
	CP_HOLD_PID=$!
	exec {CP_HOLD_FD}>"$fifo"
	rm -f "$fifo"
	for _ in {1..100}; do
		grep -q held "$out" && return 0
		kill -0 "$CP_HOLD_PID" 2>/dev/null || break
		cdna_sleep 0.05
	done
	cat "$CDNA_TEST_DIR/hold.err"
	return 1
}

# Let the holder go (close its stdin, else kill it) and reap it.
cp_unhold() {
	[ -n "$CP_HOLD_PID" ] || return 0
	exec {CP_HOLD_FD}>&-
	for _ in {1..40}; do
		kill -0 "$CP_HOLD_PID" 2>/dev/null || break
		cdna_sleep 0.05
	done
	kill "$CP_HOLD_PID" 2>/dev/null	# a child kept its stdin open
	wait "$CP_HOLD_PID" 2>/dev/null
	CP_HOLD_PID=
}

cp_cleanup() {
	local d
	cp_unhold
	for d in "$CP_MDEV"/*; do
		[ -e "$d/remove" ] || continue
		echo 1 >"$d/remove" || cp_bad "cleanup: removing mdev $d failed"
	done
	if [ -d "/sys/class/cdna/cdna-$CP_NIC" ]; then
		cp_ctl nic del dev "$CP_NIC" force || cp_bad "cleanup: detaching $CP_NIC failed"
	fi
	ip link del "$CP_NIC" 2>/dev/null
	if [ -d /sys/module/cdna ]; then
		rmmod cdna || cp_bad "cleanup: rmmod cdna failed"
	fi
}

cp_done() {
	echo "$cp_pass passed, $cp_fail failed"
	[ $cp_fail -eq 0 ] || exit 1
	exit 0
}
