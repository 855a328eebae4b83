#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 480
#
# Every refusal of the control plane, through cdnactl: the exit status is
# 2 (255 for a command line cdnactl refuses itself), stderr carries the
# kernel's extack message, stdout stays empty (also with -j), and nothing
# changed (NICs, contexts and mdevs compared before and after).  Contexts held by
# a "VM" use selftests/vfio/cdna_hold (a userspace VFIO opener).
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/cp_lib.sh"

cp_setup
trap cp_cleanup EXIT

# --- nic ---------------------------------------------------------------------
cp_err "attach an unknown NIC" "no such network device" nic add dev nosuch0
cp_ok "attach" nic add dev "$CP_NIC" max_ctx 3
cp_err "attach twice" "uplink is already attached" nic add dev "$CP_NIC"
ip link add cpbr0 type bridge && ip link add cpport0 type veth peer name cpport1 &&
	ip link set cpport0 master cpbr0 || cp_bad "cannot build a bridge port"
cp_err "attach a bridge port (rx_handler taken)" "rx_handler" nic add dev cpport0
ip link del cpport0; ip link del cpbr0
cp_err "attach loopback" "not an Ethernet device" nic add dev lo
cp_err "detach a NIC not attached" "uplink is not attached" nic del dev "$CP_PEER"
cp_err "max_ctx out of range" "out of range" nic add dev "$CP_PEER" max_ctx 65

# --- ctx add -----------------------------------------------------------------
cp_err "ctx add on an unknown NIC" "unknown NIC" ctx add nic nosuch0 name a
cp_err "ctx add on a NIC not attached" "unknown NIC" ctx add nic "$CP_PEER" name a
cp_err "invalid MAC (zero)" "invalid MAC address" ctx add nic "$CP_NIC" name a mac 00:00:00:00:00:00
cp_usage "malformed MAC" 'invalid mac "52:54:00:zz:00:01"' ctx add nic "$CP_NIC" name a mac 52:54:00:zz:00:01
cp_err "multicast MAC" "MAC address is multicast" ctx add nic "$CP_NIC" name a mac 01:00:5e:00:00:01
cp_err "queues 3" "queue pairs must be 1, 2, 4 or 8" ctx add nic "$CP_NIC" name a queues 3
cp_err "queues 16" "queue pairs out of range" ctx add nic "$CP_NIC" name a queues 16
cp_err "queues 0" "queue pairs out of range" ctx add nic "$CP_NIC" name a queues 0
cp_usage "vlan 4095" 'invalid vlan "4095"' ctx add nic "$CP_NIC" name a vlan 4095
cp_err "bad name" "context name must be" ctx add nic "$CP_NIC" name 'a/b'
cp_usage "missing name" "Context name is not set" ctx add nic "$CP_NIC"
cp_usage "missing nic" "NIC (nic) is not set" ctx add name a
cp_usage "unknown option" 'unknown option "color"' ctx add nic "$CP_NIC" name a color blue
# The software backend copies with the CPU: an IOMMU could not constrain it,
# with or without one in the host.
[ "$(cp_ctl -j nic show "$CP_NIC" | jq -r '.[0].backend')" = software ] ||
	cp_bad "the test NIC's backend is not the software engine"
cp_err "protect iommu on the software backend" \
	"iommu protection needs a NIC that does the DMA itself (igb backend); this NIC's backend copies with the CPU" \
	ctx add nic "$CP_NIC" name a protect iommu
cp_err "a strategy without protect iommu" "a mapping strategy is for iommu protection only" \
	ctx add nic "$CP_NIC" name a protect checked strategy single-use
cp_usage "an unknown strategy" 'invalid strategy "lazy"' \
	ctx add nic "$CP_NIC" name a protect iommu strategy lazy

cp_ok "ctx add a" ctx add nic "$CP_NIC" name a mac 52:54:00:00:00:0a
cp_err "duplicate MAC" "MAC address is in use" ctx add nic "$CP_NIC" name b mac 52:54:00:00:00:0a
umac=$(cat "/sys/class/net/$CP_NIC/address")
cp_err "the uplink's own MAC" "MAC address is the uplink's own" ctx add nic "$CP_NIC" name b mac "$umac"
cp_err "duplicate name" "context name is in use" ctx add nic "$CP_NIC" name a
ua=$(cp_ctl -j ctx show a | jq -r '.[0].uuid')
cp_err "duplicate UUID" "UUID is in use" ctx add nic "$CP_NIC" name b uuid "$ua"
cp_ok "ctx add b" ctx add nic "$CP_NIC" name b
cp_ok "ctx add c (third of max_ctx 3)" ctx add nic "$CP_NIC" name c
cp_err "too many contexts" "too many contexts" ctx add nic "$CP_NIC" name d
[ "$(cat "/sys/class/cdna/cdna-$CP_NIC/mdev_supported_types/cdna-1qp/available_instances")" = 0 ] &&
	cp_good "available_instances is 0" || cp_bad "available_instances is not 0 on a full NIC"
before=$(cp_snapshot)
if echo "$(cat /proc/sys/kernel/random/uuid)" \
	>"/sys/class/cdna/cdna-$CP_NIC/mdev_supported_types/cdna-1qp/create" 2>/dev/null; then
	cp_bad "sysfs create on a full NIC succeeded"
elif [ "$before" != "$(cp_snapshot)" ]; then
	cp_bad "sysfs create on a full NIC changed the state"
else
	cp_good "sysfs create on a full NIC refused"
fi
cp_ok "ctx del name c (keyword form)" ctx del name c

# --- ctx set / del / show ----------------------------------------------------
cp_err "set MAC to another context's" "MAC address is in use" ctx set b mac 52:54:00:00:00:0a
cp_err "set multicast MAC" "MAC address is multicast" ctx set b mac 33:33:00:00:00:01
cp_err "set the uplink's own MAC" "MAC address is the uplink's own" ctx set b mac "$umac"
cp_err "set the uplink's own MAC with a VLAN" "MAC address is the uplink's own" ctx set b mac "$umac" vlan 7
cp_usage "set nothing" "nothing to set" ctx set b
cp_err "set an unknown context" "no such context" ctx set nosuch link up
cp_usage "set queues" 'unknown option "queues"' ctx set b queues 2
cp_err "set protect iommu on the software backend" \
	"iommu protection needs a NIC that does the DMA itself (igb backend); this NIC's backend copies with the CPU" \
	ctx set b protect iommu
cp_err "set a strategy alone" "a mapping strategy comes with protect iommu" ctx set b strategy persistent
cp_err "del an unknown context" "no such context" ctx del nosuch
cp_err "show an unknown context" "no such context" ctx show nosuch
cp_err "stats of an unknown context" "no such context" ctx stats nosuch
cp_err "qemu-args of an unknown context" "no such context" ctx qemu-args nosuch
cp_err "del name of an unknown context (keyword form)" "no such context" ctx del name nosuch
# -j: a kernel error prints nothing on stdout (cp_err checks it), not "[]"
cp_err "-j show of an unknown context" "no such context" -j ctx show nosuch
cp_err "-j stats of an unknown context" "no such context" -j ctx stats nosuch
cp_err "-j nic show of a NIC not attached" "uplink is not attached" -j nic show "$CP_PEER"
cp_err "-j nic show dev of a NIC not attached" "uplink is not attached" -j nic show dev "$CP_PEER"
# a keyword is never a name, a global option after the object is an error
cp_usage "ctx show nic (a keyword, not a name)" 'option "nic" needs a value' ctx show nic
cp_usage "ctx show -j (an option after the object)" '"-j" is an option of cdnactl itself' ctx show -j
cp_usage "timeout out of range says the range" \
	'invalid timeout "86401": out of range, expected 0..86400' ctx del b force timeout 86401
cp_usage "rate out of range says the range" \
	'invalid rate "1000001": out of range, expected 0..1000000' ctx set b rate 1000001
cp_usage "unknown command" 'command "frobnicate" is unknown' ctx frobnicate
cp_usage "unknown object" 'object "foo" is unknown' foo

# --- held by a VM -------------------------------------------------------------
if cp_hold "$ua"; then
	cp_expect "held context is open" '.[0].state == "open"' ctx show a
	cp_err "del while a VM holds it" "context is in use by a VM" ctx del a
	cp_err "set MAC while a VM holds it" "only while no VM holds the context" ctx set a mac 52:54:00:00:00:0b
	cp_err "set protection while a VM holds it" \
		"protection and mapping strategy change only while no VM holds the context" \
		ctx set a protect checked
	cp_err "nic del while contexts exist" "NIC has contexts" nic del dev "$CP_NIC"
	cp_ok "set link while held" ctx set a link down
	cp_expect "link down while held" '.[0].link_up == false' ctx show a
	cp_unhold
	cp_expect "closed after the holder left" '.[0].state == "closed"' ctx show a
else
	cp_bad "cannot hold context a open"
fi

# del force: a VMM that releases on request...
if cp_hold "$ua" --release-on-request; then
	t0=$(cdna_now_us)
	cp_ok "del force while held (VMM releases)" ctx del a force
	wait "$CP_HOLD_PID" && cp_good "holder released the device ($(cdna_since "$t0") s)" ||
		cp_bad "holder exited non-zero"
	CP_HOLD_PID=
	exec {CP_HOLD_FD}>&-
	[ ! -e "$CP_MDEV/$ua" ] && cp_good "mdev removed" || cp_bad "mdev $ua still there"
else
	cp_bad "cannot hold context a open (release on request)"
fi

# ... and one that does not: the timeout, then the removal completes.
ub=$(cp_ctl -j ctx show b | jq -r '.[0].uuid')
if cp_hold "$ub"; then
	err=$(cp_ctl ctx del b force timeout 2 2>&1)
	[ $? -eq 2 ] && [[ "$err" == *"did not release it within 2 s"* ]] &&
		cp_good "del force times out on a VMM that does not let go" ||
		cp_bad "del force with timeout: '$err'"
	cp_expect "forced context is deleting" '.[0].state == "deleting" and .[0].link_up == false' ctx show b
	cp_unhold
	for _ in {1..100}; do [ -e "$CP_MDEV/$ub" ] || break; cdna_sleep 0.05; done
	[ ! -e "$CP_MDEV/$ub" ] && cp_good "removal completed once the VMM let go" ||
		cp_bad "mdev $ub still there after the holder left"
else
	cp_bad "cannot hold context b open"
fi

# --- what the backend offers ---------------------------------------------------
# The software engine offers sw_max_queue_pairs per context on NICs attached
# after it is set: more is refused by netlink, and the mdev types beyond it
# have no instances and cannot be created through sysfs either.
params=/sys/module/cdna/parameters
echo 2 >"$params/sw_max_queue_pairs" || cp_bad "cannot set sw_max_queue_pairs"
cp_ok "attach $CP_PEER (software engine offering 2 queue pairs)" nic add dev "$CP_PEER"
echo 8 >"$params/sw_max_queue_pairs"
cp_err "more queue pairs than the backend offers" \
	"more queue pairs than the NIC's backend offers per context" \
	ctx add nic "$CP_PEER" name q4 queues 4
types=/sys/class/cdna/cdna-$CP_PEER/mdev_supported_types
[ "$(cat "$types/cdna-4qp/available_instances")" = 0 ] &&
	[ "$(cat "$types/cdna-8qp/available_instances")" = 0 ] &&
	[ "$(cat "$types/cdna-2qp/available_instances")" -gt 0 ] &&
	cp_good "only the types the backend can hold have instances" ||
	cp_bad "available_instances 2qp/4qp/8qp: $(cat "$types"/cdna-{2,4,8}qp/available_instances | tr '\n' ' ')"
before=$(cp_snapshot)
u4=0a0b0c0d-0e0f-4001-8002-030405060708
if echo "$u4" >"$types/cdna-4qp/create" 2>/dev/null; then
	cp_bad "a 4qp mdev was created on a NIC whose backend offers 2"
elif [ -e "$CP_MDEV/$u4" ] || [ "$before" != "$(cp_snapshot)" ]; then
	cp_bad "a refused 4qp mdev left something behind"
else
	cp_good "a 4qp mdev through sysfs is refused, nothing left"
fi
cp_expect "2 queue pairs are fine" '.[0].queue_pairs == 2' \
	ctx add nic "$CP_PEER" name q2 queues 2
cp_ok "ctx del q2" ctx del q2
cp_ok "detach $CP_PEER" nic del dev "$CP_PEER"

# --- privileges -----------------------------------------------------------------
if command -v setpriv >/dev/null; then
	CP_WRAP=(setpriv --inh-caps=-net_admin --bounding-set=-net_admin)
	cp_err "ctx add without CAP_NET_ADMIN" "Operation not permitted" \
		ctx add nic "$CP_NIC" name e
	cp_err "nic del without CAP_NET_ADMIN" "Operation not permitted" \
		nic del dev "$CP_NIC"
	cp_expect "show needs no privilege" "length == 1" nic show
	CP_WRAP=(setpriv --reuid=65534 --regid=65534 --clear-groups
		 --inh-caps=-all --bounding-set=-all)
	cp_err "ctx add as nobody" "Operation not permitted" \
		ctx add nic "$CP_NIC" name e
	cp_err "nic add as nobody" "Operation not permitted" nic add dev "$CP_PEER"
	# Reads of the configuration are anyone's (as with ip link), counters
	# and events are not.
	cp_expect "nic show as nobody" "length == 1 and .[0].ifname == \"$CP_NIC\"" nic show
	cp_expect "ctx show as nobody" 'type == "array"' ctx show
	cp_err "ctx stats as nobody" "Operation not permitted" ctx stats
	CP_WRAP=(timeout 5 "${CP_WRAP[@]}")
	cp_err "monitor as nobody" "Operation not permitted" monitor
	CP_WRAP=()
else
	echo "# no setpriv: privilege checks skipped"
fi
cp_done
