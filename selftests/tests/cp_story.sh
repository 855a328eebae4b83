#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 400
#
# The README story end to end, with an L2 guest: attach an uplink, add a
# context with cdnactl, start the guest with $(cdnactl ctx qemu-args ...),
# the guest's NIC appears with 2 queue pairs and pings a namespace peer
# through the uplink, stats are non-zero, del is refused while the guest
# runs and succeeds after it powered off, detach leaves nothing behind
# (no mdev, no rx_handler on the uplink, the module unloads).
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/cp_lib.sh"

ns=cpstory
mac=52:54:00:12:34:01
cp_setup
cdna_kvm_setup
ip netns add $ns || cdna_fail "cannot create netns $ns"
cleanup() {
	l2_kill web1 2>/dev/null
	cp_cleanup
	ip netns del $ns 2>/dev/null
}
trap cleanup EXIT
ip link set "$CP_PEER" netns $ns
ip -n $ns addr add 198.18.0.1/24 dev "$CP_PEER"
ip -n $ns link set "$CP_PEER" up

cp_ok "cdnactl nic attach dev $CP_NIC" nic attach dev "$CP_NIC"
cp_ok "cdnactl ctx add ... queues 2 protect checked" \
	ctx add nic "$CP_NIC" name web1 mac $mac queues 2 protect checked
cp_expect "ctx show -j" ".[0].name == \"web1\" and .[0].state == \"created\" and .[0].mac == \"$mac\"" ctx show
qargs=$(cp_ctl ctx qemu-args web1) || cdna_fail "ctx qemu-args failed"
echo "qemu-system-x86_64 ... $qargs"

l2_start web1 --mem 512 --qemu-args "$qargs" \
	--script "$CDNA_REPO/selftests/tests/cp_story-guest.sh" -- a 198.18.0.2 198.18.0.1
l2_booted web1 120 || cdna_fail "the guest did not boot; console: $(l2_console web1)"
out=$(l2_out web1)
while [ ! -e "$out/vf-up" ] && [ ! -e "$out/done" ]; do cdna_sleep 0.1; done
[ -e "$out/vf-up" ] || { l2_wait web1 10; cdna_fail "the guest's NIC never came up"; }
read -r gifc gmac gnq <"$out/vf-up.txt"
echo "guest: $gifc $gmac, $gnq queue pairs offered"
[ "$gmac" = $mac ] && cp_good "guest sees the MAC" || cp_bad "guest MAC $gmac"
[ "$gnq" = 2 ] && cp_good "guest NIC offers 2 queue pairs" || cp_bad "guest NIC offers $gnq queue pairs"

cp_expect "context running" '.[0].state == "running" and .[0].link_up == true' ctx show web1

: >"$out/go"
while [ ! -e "$out/vf-result" ] && [ ! -e "$out/done" ]; do cdna_sleep 0.1; done
cat "$out/vf-result" 2>/dev/null
grep -q FAIL "$out/vf-result" 2>/dev/null && cp_bad "guest ping failed"
grep -q PASS "$out/vf-result" 2>/dev/null && cp_good "guest pinged the namespace peer"
cp_ctl ctx stats web1
# The guest kicks through its kick page under KVM (cdna_vf's default), so
# the doorbells count there; either kind of kick must have happened.
cp_expect "stats non-zero" \
	'.[0].packets > 0 and .[0].bytes > 0 and .[0].irqs > 0 and (.[0].kicks + .[0].kick_page_kicks) > 0 and ([.[0].queues[] | .packets] | add) > 0' \
	ctx stats web1
cp_err "del refused while the guest runs" "context is in use by a VM" ctx del web1
cp_err "detach refused while the guest runs" "NIC has contexts" nic del dev "$CP_NIC"

: >"$out/bye"
l2_wait web1 120 || cp_bad "L2 guest failed; console: $(l2_console web1)"
cp_expect "context closed after power-off" '.[0].state == "closed"' ctx show web1
cp_ok "del succeeds after shutdown" ctx del web1
cp_ok "detach" nic detach dev "$CP_NIC"
[ -z "$(ls "$CP_MDEV")" ] && cp_good "no mdev left" || cp_bad "mdevs left: $(ls "$CP_MDEV")"
[ ! -e "/sys/class/cdna/cdna-$CP_NIC" ] && cp_good "no mdev parent left" || cp_bad "mdev parent left"
ip link add cpbr0 type bridge
ip link set "$CP_NIC" master cpbr0 && cp_good "uplink's rx_handler is free (bridge port ok)" ||
	cp_bad "the uplink's rx_handler is still taken"
ip link del cpbr0
rmmod cdna && cp_good "module unloads" || cp_bad "rmmod cdna failed"
cp_done
