#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 600
#
# make demo: the README story end to end in the testbed (run in L1 by
# selftests/vm/run). Attach an uplink, create two contexts with cdnactl,
# boot two guests with $(cdnactl ctx qemu-args ...), ping between them and
# to a namespace peer, a short iperf3 guest -> guest and guest -> peer,
# print cdnactl ctx stats, tear everything down. Prints a summary; exits
# non-zero if any step failed.
set -u
. "$CDNA_LIB"

ctl=$CDNA_REPO/userspace/cdnactl
nic=demo0 peer=demopeer ns=demons
secs=${CDNA_DEMO_IPERF_SECS:-3}
steps=() failed=0

step() {	# DESC CMD...: run, echo the command like a transcript, record
	local desc=$1
	shift
	if [ "$1 ${2:-}" = "bash -c" ]; then
		echo "\$ $3"
	else
		echo "\$ $*"
	fi
	if "$@"; then
		steps+=("ok    $desc")
	else
		steps+=("FAIL  $desc")
		failed=1
	fi
}

summary() {
	echo
	echo "=== cdna demo summary ==="
	printf '  %s\n' "${steps[@]}"
	[ $failed -eq 0 ] && echo "  all steps passed" || echo "  some steps FAILED"
}

cleanup() {
	l2_kill web1 2>/dev/null
	l2_kill web2 2>/dev/null
	[ -d "/sys/class/cdna/cdna-$nic" ] && "$ctl" nic del dev $nic force 2>/dev/null
	ip link del $nic 2>/dev/null
	ip netns del $ns 2>/dev/null
	[ -d /sys/module/cdna ] && rmmod cdna 2>/dev/null
	summary
}
trap cleanup EXIT

[ -x "$ctl" ] || cdna_fail "userspace/cdnactl is not built (make)"
cdna_kvm_setup
cdna_insmod_host
ip netns add $ns
ip link add $nic type veth peer name $peer
ip link set $peer netns $ns
ip -n $ns addr add 198.18.0.1/24 dev $peer
ip -n $ns link set $peer up
ip -n $ns link set lo up
ip link set $nic up
ip netns exec $ns iperf3 -s -D

step "attach the uplink" "$ctl" nic attach dev $nic
step "add context web1" "$ctl" ctx add nic $nic name web1 mac 52:54:00:12:34:01 queues 2 protect checked
step "add context web2" "$ctl" ctx add nic $nic name web2 mac 52:54:00:12:34:02 queues 2 protect checked
step "show contexts" "$ctl" ctx show
echo "\$ $ctl -j ctx show | jq ..."
"$ctl" -j ctx show | jq -c '.[] | {name, uuid, mac, queue_pairs, state}'

q1=$("$ctl" ctx qemu-args web1) q2=$("$ctl" ctx qemu-args web2)
echo "\$ qemu-system-x86_64 -enable-kvm ... $q1"
echo "\$ qemu-system-x86_64 -enable-kvm ... $q2"
g=$CDNA_REPO/selftests/tests/cp_story-guest.sh
l2_start web1 --mem 512 --qemu-args "$q1" --script "$g" -- \
	a 198.18.0.2 198.18.0.1 198.18.0.3 -- "$secs" 198.18.0.3
l2_booted web1 120	# the guests share an L1 CPU: boot one at a time
l2_start web2 --mem 512 --qemu-args "$q2" --script "$g" -- \
	b 198.18.0.3 198.18.0.1 198.18.0.2 -- "$secs" 198.18.0.1
up=1
for v in web1 web2; do
	o=$(l2_out $v)
	while [ ! -e "$o/vf-up" ] && [ ! -e "$o/done" ]; do cdna_sleep 0.1; done
	if [ -e "$o/vf-up" ]; then
		read -r i m n <"$o/vf-up.txt"
		echo "guest $v: $i $m, $n queue pairs offered, link up"
		[ "$n" = 2 ] || up=0
	else
		up=0
	fi
done
[ $up = 1 ] && steps+=("ok    both guests: modprobe cdna_vf -> NIC up, 2 queue pairs") ||
	{ steps+=("FAIL  a guest's NIC did not come up"); failed=1; }
step "contexts running" bash -c "\"$ctl\" -j ctx show | jq -e 'all(.[]; .state == \"running\")' >/dev/null"

# web1 first (pings, iperf3 to web2), then web2 (pings, iperf3 to the peer).
for v in web1 web2; do
	o=$(l2_out $v)
	: >"$o/go"
	while [ ! -e "$o/vf-result" ] && [ ! -e "$o/done" ]; do cdna_sleep 0.1; done
	while read -r res rest; do
		[ "$res" = PASS ] && steps+=("ok    $rest") || { steps+=("FAIL  $rest"); failed=1; }
		echo "guest $res $rest"
	done <"$o/vf-result"
done
step "per-context stats" "$ctl" ctx stats
step "stats are non-zero" bash -c "\"$ctl\" -j ctx stats | jq -e 'all(.[]; .packets > 0)' >/dev/null"
step "del refused while a VM holds web1" bash -c "! \"$ctl\" ctx del web1"

for v in web1 web2; do : >"$(l2_out $v)/bye"; done
for v in web1 web2; do
	l2_wait $v 120 >/dev/null || { steps+=("FAIL  guest $v: $(l2_console $v)"); failed=1; }
done
step "delete web1" "$ctl" ctx del web1
step "delete web2" "$ctl" ctx del web2
step "detach the uplink" "$ctl" nic detach dev $nic
step "nothing left" bash -c "[ -z \"\$(ls /sys/bus/mdev/devices)\" ] && [ \"\$(\"$ctl\" -j nic show)\" = '[]' ]"
step "unload cdna" rmmod cdna
exit $failed
