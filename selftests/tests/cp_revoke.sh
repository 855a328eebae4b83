#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 360
#
# Teardown never waits for a VM. A "VM" (selftests/vfio/cdna_hold --run:
# queues enabled on pinned rings, DRIVER_OK) holds a context and ignores
# the device request:
#  1. ip link del of the veth uplink, while frames flood in from the peer,
#     returns within $RV_BOUND s; generic netlink (cdnactl, devlink) and
#     rtnetlink answer at once; the holder's LINK register reads 0 when
#     the request comes, its queues are stopped, a new queue enable is
#     refused and no page stays pinned. Closing the holder then removes
#     the mdevs and the NIC device, and cdna unloads.
#  2. cdnactl nic del force returns within $RV_BOUND s with the holder
#     still there, the uplink is left as it was before the attach
#     (promiscuity 0, no rx_handler: it can be enslaved to a bridge), its
#     name cannot be attached again until the holder closes, then can.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/cp_lib.sh"

RV_BOUND=5		# seconds a teardown step may take
RV_NS=cprevoke
RV_DBG=/sys/kernel/debug/cdna
RV_TYPES=/sys/class/cdna/cdna-$CP_NIC/mdev_supported_types
RV_HOLD_OUT=$CDNA_TEST_DIR/hold.out
RV_PID=		# a command rv_run left running

rv_cleanup() {
	[ -n "$RV_PID" ] && kill "$RV_PID" 2>/dev/null
	[ -n "${RV_PING:-}" ] && kill "$RV_PING" 2>/dev/null
	cp_cleanup
	ip netns del "$RV_NS" 2>/dev/null
	ip link del cprvbr0 2>/dev/null
}

# rv_run SECS CMD...: run CMD for at most SECS; RV_SECS is how long it
# took, RV_RC its exit status. Returns 1 if it still runs (left in RV_PID).
rv_run() {
	local secs=$1 t0 pid
	shift
	t0=$(cdna_now_us)
	"$@" >"$CDNA_TEST_DIR/rv.out" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [ $(($(cdna_now_us) - t0)) -ge $((secs * 1000000)) ]; then
			RV_SECS=$(cdna_since "$t0")
			RV_PID=$pid
			return 1
		fi
		cdna_sleep 0.05
	done
	wait "$pid"
	RV_RC=$?
	RV_SECS=$(cdna_since "$t0")
	return 0
}

# rv_timed DESC CMD...: CMD must succeed within RV_BOUND s.
rv_timed() {
	local desc=$1
	shift
	if ! rv_run "$RV_BOUND" "$@"; then
		cp_bad "$desc: $* still running after $RV_SECS s"
		return 1
	elif [ "$RV_RC" -ne 0 ]; then
		cp_bad "$desc: $* failed ($RV_RC): $(cat "$CDNA_TEST_DIR/rv.out")"
		return 1
	fi
	cp_good "$desc ($RV_SECS s)"
}

# The other users of generic netlink and rtnetlink are not held up.
rv_host_usable() {
	rv_timed "$1: cdnactl nic show answers" cp_ctl -j nic show
	rv_timed "$1: ip -d link answers" ip -d link show
	if command -v devlink >/dev/null; then
		rv_timed "$1: devlink (another genl family) answers" devlink dev show
	fi
}

rv_mdev_create() {
	local uuid
	uuid=$(cat /proc/sys/kernel/random/uuid)
	echo "$uuid" >"$RV_TYPES/cdna-1qp/create" || return 1
	echo "$uuid"
}

# rv_wait_hold PATTERN SECS: wait for a line of the holder's stdout.
rv_wait_hold() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		grep -q "$1" "$RV_HOLD_OUT" && return 0
		cdna_sleep 0.05
	done
	return 1
}

rv_engine_stat() {
	awk -v n="$1" '$1 == n { print $2; f = 1 } END { exit !f }' \
		"$RV_DBG/$CP_NIC/engine/stats"
}

# The held context's registers as the holder reads them now.
rv_regs() {
	local n i
	n=$(grep -c "^regs " "$RV_HOLD_OUT")
	echo regs >&"$CP_HOLD_FD"
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -c "^regs " "$RV_HOLD_OUT")" -gt "$n" ] && break
		cdna_sleep 0.05
	done
	grep "^regs " "$RV_HOLD_OUT" | tail -n 1
}

# After a revoke: the holder was asked, saw link down, and cannot restart.
rv_check_orphan() {
	local uuid=$1 line v
	if rv_wait_hold "^request " 5; then
		line=$(grep "^request " "$RV_HOLD_OUT" | head -n 1)
		[[ "$line" == *"link=0 "* ]] &&
			cp_good "$2: the VM was asked to release and reads LINK 0 ($line)" ||
			cp_bad "$2: the VM reads $line when asked"
	else
		cp_bad "$2: the VM was never asked to release the device"
	fi
	v=$(cat "$RV_DBG/$CP_NIC/$uuid/link" 2>&1)
	[ "$v" = 0 ] && cp_good "$2: context link down" || cp_bad "$2: context link is '$v'"
	v=$(grep -c "_enabled 1" "$RV_DBG/$CP_NIC/$uuid/stats")
	[ "$v" = 0 ] && cp_good "$2: no queue left enabled" || cp_bad "$2: $v queue(s) still enabled"
	v=$(rv_engine_stat pins_total)
	[ "$v" = 0 ] && cp_good "$2: no page pinned" || cp_bad "$2: pins_total $v"
	# After a reset a new queue enable is refused: the VM gets an error.
	echo enable >&"$CP_HOLD_FD"
	if rv_wait_hold "^enable=" 5; then
		grep -q "^enable=0" "$RV_HOLD_OUT" && cp_good "$2: queue enable after a reset refused" ||
			cp_bad "$2: queue enable: $(grep '^enable=' "$RV_HOLD_OUT")"
	else
		cp_bad "$2: the holder did not answer"
	fi
	line=$(rv_regs)
	[[ "$line" == *"cause=5"* ]] && cp_good "$2: the VM sees a device error ($line)" ||
		cp_bad "$2: registers after the refused enable: $line"
}

# Let the holder go; the contexts, then the NIC device, must disappear.
rv_release() {
	local uuid i
	cp_unhold
	for ((i = 0; i < 400; i++)); do
		[ -e "/sys/class/cdna/cdna-$CP_NIC" ] || break
		cdna_sleep 0.05
	done
	[ ! -e "/sys/class/cdna/cdna-$CP_NIC" ] &&
		cp_good "$1: NIC device gone once the VM closed" ||
		cp_bad "$1: NIC device still there 20 s after the VM closed"
	for uuid in "${@:2}"; do
		[ ! -e "$CP_MDEV/$uuid" ] || cp_bad "$1: mdev $uuid left behind"
	done
	[ ! -e "$RV_DBG/$CP_NIC" ] || cp_bad "$1: NIC debugfs left behind"
}

mkdir -p "$CDNA_TEST_DIR"
cp_setup
trap rv_cleanup EXIT

# --- 1. ip link del under a running holder, with traffic ----------------------
ip netns add "$RV_NS" || cdna_fail "cannot create netns $RV_NS"
ip link set "$CP_PEER" netns "$RV_NS"
ip -n "$RV_NS" addr add 10.77.0.2/24 dev "$CP_PEER"
ip -n "$RV_NS" link set "$CP_PEER" up
ip addr add 10.77.0.1/24 dev "$CP_NIC"
cp_ok "attach" nic add dev "$CP_NIC"
u1=$(rv_mdev_create) || cdna_fail "cannot create a context"
u2=$(rv_mdev_create) || cdna_fail "cannot create a second context"
cp_hold "$u1" --run || cdna_fail "cannot hold $u1"
rv_wait_hold "^running" 10 || cdna_fail "the holder did not bring $u1 up: $(cat "$RV_HOLD_OUT" "$CDNA_TEST_DIR/hold.err")"
cp_expect "held context runs" '.[0].state == "running"' ctx show "$u1"
p=$(rv_engine_stat pins_total)
[ "${p:-0}" -gt 0 ] && cp_good "the holder's rings are pinned ($p pages)" ||
	cp_bad "no pins with rings enabled"

ip netns exec "$RV_NS" ping -q -f -b 10.77.0.255 >/dev/null 2>&1 &
RV_PING=$!
f0=$(rv_engine_stat rx_flooded)
for _ in {1..100}; do
	[ "$(rv_engine_stat rx_flooded)" -gt "$f0" ] && break
	cdna_sleep 0.05
done
f1=$(rv_engine_stat rx_flooded)
[ "$f1" -gt "$f0" ] && cp_good "traffic reaches the context ($((f1 - f0)) frames flooded)" ||
	cp_bad "no traffic through the engine"

if rv_run 60 ip link del "$CP_NIC"; then
	if [ "$RV_RC" -ne 0 ]; then
		cp_bad "ip link del failed: $(cat "$CDNA_TEST_DIR/rv.out")"
	elif [ "${RV_SECS%.*}" -lt "$RV_BOUND" ]; then
		cp_good "ip link del returned in $RV_SECS s with a VM holding a context"
	else
		cp_bad "ip link del took $RV_SECS s (bound $RV_BOUND s)"
	fi
else
	cp_bad "ip link del still waiting $RV_SECS s later, for the VM"
fi
cdna_stage "ip link del under a holder" "$RV_SECS"
rv_host_usable "after ip link del"
kill "$RV_PING" 2>/dev/null
wait "$RV_PING" 2>/dev/null
RV_PING=
cp_expect "the NIC is no longer listed" 'map(select(.ifname == "'"$CP_NIC"'")) | length == 0' nic show
# (its /sys/bus/mdev link goes with the removal request; the context stays)
[ -d "$RV_DBG/$CP_NIC/$u1" ] && cp_good "the held context stays until its VM closes it" ||
	cp_bad "context $u1 is gone with its VM still holding it"
rv_check_orphan "$u1" "uplink deleted"
if [ -n "$RV_PID" ]; then
	# Old behaviour: the deletion waits for the holder.
	cp_unhold
	wait "$RV_PID"
	RV_PID=
fi
rv_release "uplink deleted" "$u1" "$u2"
if rmmod cdna; then
	cp_good "cdna unloads after the uplink went under a VM"
else
	cp_bad "rmmod cdna failed"
fi
ip netns del "$RV_NS"

# --- 2. nic del force under a running holder ----------------------------------
cdna_insmod_host
ip link add "$CP_NIC" type veth peer name "$CP_PEER" || cdna_fail "cannot recreate $CP_NIC"
ip link set "$CP_NIC" up
ip link set "$CP_PEER" up
cp_ok "attach again" nic add dev "$CP_NIC"
u3=$(rv_mdev_create) || cdna_fail "cannot create a context"
: >"$RV_HOLD_OUT"
cp_hold "$u3" --run || cdna_fail "cannot hold $u3"
rv_wait_hold "^running" 10 || cdna_fail "the holder did not bring $u3 up"

if rv_run 60 cp_ctl nic del dev "$CP_NIC" force; then
	if [ "$RV_RC" -ne 0 ]; then
		cp_bad "nic del force failed: $(cat "$CDNA_TEST_DIR/rv.out")"
	elif [ "${RV_SECS%.*}" -lt "$RV_BOUND" ]; then
		cp_good "nic del force returned in $RV_SECS s with a VM holding a context"
	else
		cp_bad "nic del force took $RV_SECS s (bound $RV_BOUND s)"
	fi
else
	cp_bad "nic del force still waiting $RV_SECS s later, for the VM"
fi
cdna_stage "nic del force under a holder" "$RV_SECS"
rv_host_usable "after nic del force"
# (its /sys/bus/mdev link goes with the removal request; the context stays)
[ -d "$RV_DBG/$CP_NIC/$u3" ] && cp_good "the held context stays until its VM closes it" ||
	cp_bad "context $u3 is gone with its VM still holding it"
rv_check_orphan "$u3" "forced detach"
ip -d link show "$CP_NIC" | grep -q "promiscuity 0 " &&
	cp_good "the uplink is no longer promiscuous" ||
	cp_bad "the uplink keeps cdna's promiscuity: $(ip -d link show "$CP_NIC")"
if ip link add cprvbr0 type bridge && ip link set "$CP_NIC" master cprvbr0; then
	cp_good "the uplink's rx_handler is free (enslaved to a bridge)"
	ip link set "$CP_NIC" nomaster
else
	cp_bad "the uplink's rx_handler is still taken"
fi
ip link del cprvbr0 2>/dev/null
cp_err "attach the name of a NIC still releasing" "already attached" nic add dev "$CP_NIC"
if [ -n "$RV_PID" ]; then
	cp_unhold
	wait "$RV_PID"
	RV_PID=
fi
rv_release "forced detach" "$u3"
cp_ok "attach once released" nic add dev "$CP_NIC"
cp_ok "detach" nic del dev "$CP_NIC"
cp_done
