#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 300
#
# Every cdnactl verb against the kernel, checked through cdnactl -j | jq:
# nic add/show/del, ctx add (every option)/show/set/stats/qemu-args/
# libvirt/del, prefix matching, an mdev created straight through sysfs
# showing up as a manageable context, link auto following the uplink,
# nic del force, and nothing left behind (module unloads); the positional
# and keyword forms ("nic show eth1", "ctx del name web1"), -V with the
# loaded module's version, and the message inside another network
# namespace.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/cp_lib.sh"

cp_setup
trap cp_cleanup EXIT

# --- nic -----------------------------------------------------------------
cp_ok "nic add" nic add dev "$CP_NIC"
cp_expect "nic show lists it" \
	"length == 1 and .[0].ifname == \"$CP_NIC\" and .[0].contexts == 0 and .[0].max_ctx == 64 and .[0].backend == \"software\" and .[0].mdev_parent == \"/sys/class/cdna/cdna-$CP_NIC\"" \
	nic show
# A NIC without SR-IOV gets the software engine, and says so in plain text.
out=$(cp_ctl nic show "$CP_NIC" 2>&1)
[[ "$out" == *" backend software "* ]] &&
	cp_good "nic show (plain) names the backend" ||
	cp_bad "nic show (plain) does not say \"backend software\": $out"
cp_expect "nic show dev" ".[0].ifindex == $(cat /sys/class/net/$CP_NIC/ifindex)" nic show dev "$CP_NIC"
cp_expect "nic show IFNAME (positional, as ip link show)" \
	"length == 1 and .[0].ifname == \"$CP_NIC\"" nic show "$CP_NIC"
cp_expect "nic list IFNAME" "length == 1" nic list "$CP_NIC"
cp_expect "prefix matching: n s" ".[0].ifname == \"$CP_NIC\"" n s
cp_ok "nic help" nic help
[ -d "/sys/class/cdna/cdna-$CP_NIC/mdev_supported_types/cdna-2qp" ] &&
	cp_good "mdev parent registered" || cp_bad "no mdev types after nic add"

# --- ctx add with every option -------------------------------------------
uuid=0f0e0d0c-0b0a-4908-8706-050403020100
cp_expect "ctx add (every option)" \
	".[0].name == \"web1\" and .[0].uuid == \"$uuid\" and .[0].mac == \"52:54:00:12:34:01\" and .[0].queue_pairs == 2 and .[0].protect == \"checked\" and .[0].vlan == 10 and .[0].trust == true and .[0].spoofchk == false and .[0].rate == 100 and .[0].link == \"down\" and .[0].link_up == false and .[0].state == \"created\" and .[0].mdev == \"/sys/bus/mdev/devices/$uuid\"" \
	ctx add nic "$CP_NIC" name web1 mac 52:54:00:12:34:01 queues 2 protect checked \
	vlan 10 trust on spoofchk off rate 100 link down uuid "$uuid"
[ -e "$CP_MDEV/$uuid" ] && cp_good "mdev instance $uuid exists" || cp_bad "no mdev $uuid after ctx add"
[ "$(basename "$(readlink "$CP_MDEV/$uuid/mdev_type")")" = cdna-2qp ] &&
	cp_good "mdev type cdna-2qp" || cp_bad "mdev type is not cdna-2qp"
cp_expect "ctx add (defaults)" \
	'.[0].name == "web2" and .[0].queue_pairs == 1 and .[0].link == "auto" and .[0].link_up == true and .[0].trust == false and .[0].spoofchk == true and .[0].vlan == 0 and .[0].rate == 0 and (.[0].mac | test("^[0-9a-f:]{17}$"))' \
	ctx add nic "$CP_NIC" name web2
cp_expect "ctx show (dump)" 'length == 2 and (map(.name) | sort) == ["web1", "web2"]' ctx show
cp_expect "ctx show NAME" "length == 1 and .[0].uuid == \"$uuid\"" ctx show web1
cp_expect "ctx show UUID" '.[0].name == "web1"' ctx show "$uuid"
cp_expect "ctx show nic filter" 'length == 2' ctx show nic "$CP_NIC"
cp_expect "ctx show nic filter (other)" 'length == 0' ctx show nic nosuch0
cp_expect "ctx show name NAME (keyword form)" '.[0].name == "web1"' ctx show name web1
cp_expect "ctx show name UUID" '.[0].name == "web1"' ctx show name "$uuid"
cp_expect "ctx list" 'length == 2' ctx list
cp_expect "JSON keys: queue_pairs a number in show, link the mode, link_up a boolean" \
	'.[0] | (.queue_pairs | type) == "number" and (.link | type) == "string" and (.link_up | type) == "boolean" and (has("queues") | not) and (has("link_state") | not)' \
	ctx show web1
cp_expect "nic show counts contexts" '.[0].contexts == 2' nic show
cp_expect "prefix matching: c s" 'length == 2' c s

# --- snippets --------------------------------------------------------------
out=$(cp_ctl ctx qemu-args web1)
[ "$out" = "-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$uuid" ] &&
	cp_good "ctx qemu-args" || cp_bad "ctx qemu-args printed '$out'"
out=$(cp_ctl ctx libvirt web1)
[ "$out" = "<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='$uuid'/></source></hostdev>" ] &&
	cp_good "ctx libvirt" || cp_bad "ctx libvirt printed '$out'"
cp_expect "ctx qemu-args -j" ".qemu_args == \"-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$uuid\"" ctx qemu-args web1

# --- set -------------------------------------------------------------------
cp_ok "ctx set" ctx set web1 mac 52:54:00:12:34:09 link up trust off spoofchk on rate 0 vlan 0
cp_expect "ctx set took" \
	'.[0].mac == "52:54:00:12:34:09" and .[0].link == "up" and .[0].link_up == true and .[0].trust == false and .[0].spoofchk == true and .[0].rate == 0 and .[0].vlan == 0' \
	ctx show web1
mon=$CDNA_TEST_DIR/monitor.json
mkdir -p "$CDNA_TEST_DIR"
cp_ctl -j monitor >"$mon" &
monpid=$!
# Once web2's link events show, the monitor has joined the group.
for _ in {1..20}; do
	cp_ctl ctx set web2 link down && cp_ctl ctx set web2 link auto
	cdna_sleep 0.5
	[ -s "$mon" ] && break
done
cp_ok "ctx set link auto" ctx set web1 link auto
cp_ok "ctx set link down" ctx set web1 link down
cp_ok "ctx set link up" ctx set web1 link up
cdna_sleep 0.5
kill $monpid; wait $monpid 2>/dev/null
if jq -se "[.[] | select(.event == \"link\" and .name == \"web1\")] | map(.link_up) == [false, true]" \
	"$mon" >/dev/null; then
	cp_good "monitor: link events"
else
	cp_bad "monitor: link events missing: $(cat "$mon")"
fi
cp_ok "ctx set link auto" ctx set web1 link auto
ip link set "$CP_PEER" down
for _ in {1..50}; do
	[ "$(cp_ctl -j ctx show web1 | jq -r '.[0].link_up')" = false ] && break
	cdna_sleep 0.1
done
cp_expect "link auto follows the uplink (carrier lost)" '.[0].link_up == false' ctx show web1
ip link set "$CP_PEER" up
for _ in {1..50}; do
	[ "$(cp_ctl -j ctx show web1 | jq -r '.[0].link_up')" = true ] && break
	cdna_sleep 0.1
done
cp_expect "link auto follows the uplink (carrier back)" '.[0].link_up == true' ctx show web1

# --- stats -----------------------------------------------------------------
cp_expect "ctx stats NAME" \
	'length == 1 and .[0].name == "web1" and (.[0].queues | length) == 4 and .[0].packets == 0 and (.[0].drops | keys | length) == 11 and .[0].queues[1].type == "tx" and .[0].queues[3].pair == 1 and (.[0] | has("pins_held"))' \
	ctx stats web1
cp_expect "ctx stats (dump)" 'length == 2' ctx stats
cp_ok "ctx stats text" ctx stats web1

# --- an mdev created straight through sysfs ---------------------------------
u2=$(cat /proc/sys/kernel/random/uuid)
echo "$u2" >"/sys/class/cdna/cdna-$CP_NIC/mdev_supported_types/cdna-1qp/create" ||
	cp_bad "sysfs create failed"
cp_expect "sysfs mdev shows as a context with defaults" \
	".[0].name == \"${u2:0:8}\" and .[0].queue_pairs == 1 and .[0].link == \"auto\" and .[0].spoofchk == true and .[0].protect == \"checked\"" \
	ctx show "$u2"
cp_ok "sysfs context is manageable (set)" ctx set "${u2:0:8}" link down
cp_expect "set took" '.[0].link == "down"' ctx show "$u2"
cp_ok "sysfs context is manageable (del)" ctx del "${u2:0:8}"
[ ! -e "$CP_MDEV/$u2" ] && cp_good "its mdev is gone" || cp_bad "mdev $u2 still there"

# --- default names are unique on the host -------------------------------------
# Three UUIDs alike in their first 13 digits, and one more on a second NIC.
ip link add cpup1 type veth peer name cppeer1 && ip link set cpup1 up &&
	ip link set cppeer1 up || cp_bad "cannot create a second veth"
cp_ok "nic add (second NIC)" nic add dev cpup1
pfx=00000000-0000-4000-8000-00000000000
for i in 1 2 3; do
	echo "$pfx$i" >"/sys/class/cdna/cdna-$CP_NIC/mdev_supported_types/cdna-1qp/create" ||
		cp_bad "sysfs create $pfx$i failed"
done
echo "${pfx}4" >/sys/class/cdna/cdna-cpup1/mdev_supported_types/cdna-1qp/create ||
	cp_bad "sysfs create ${pfx}4 (second NIC) failed"
cp_expect "default names: unique on the host" \
	"[.[] | select(.uuid | startswith(\"$pfx\"))] | (map(.name) | sort) == [\"00000000\", \"00000000-2\", \"00000000-3\", \"00000000-4\"]" \
	ctx show
cp_expect "a name finds one context" "length == 1 and .[0].uuid == \"${pfx}1\"" ctx show 00000000
cp_err "a definition cannot take a default name of another NIC" "context name is in use" \
	ctx add nic cpup1 name 00000000-3
for i in 1 2 3 4; do
	echo 1 >"$CP_MDEV/$pfx$i/remove" || cp_bad "removing $pfx$i failed"
done
cp_ok "nic del (second NIC)" nic del dev cpup1
ip link del cpup1

# --- the uplink takes a context's MAC ------------------------------------------
umac=$(cat "/sys/class/net/$CP_NIC/address")
ip link set "$CP_NIC" address 52:54:00:12:34:09
for _ in {1..50}; do
	[ "$(cp_ctl -j ctx show web1 | jq -r '.[0].link_up')" = false ] && break
	cdna_sleep 0.1
done
cp_expect "a context whose MAC the uplink took goes down" '.[0].link_up == false' ctx show web1
ip link set "$CP_NIC" address "$umac"
for _ in {1..50}; do
	[ "$(cp_ctl -j ctx show web1 | jq -r '.[0].link_up')" = true ] && break
	cdna_sleep 0.1
done
cp_expect "... and up again once the uplink gave it back" '.[0].link_up == true' ctx show web1

# --- a renamed uplink ------------------------------------------------------------
ip link set "$CP_NIC" down && ip link set "$CP_NIC" name cpren0 && ip link set cpren0 up ||
	cp_bad "cannot rename $CP_NIC"
for _ in {1..50}; do
	[ "$(cp_ctl -j ctx show web1 | jq -r '.[0].nic')" = cpren0 ] && break
	cdna_sleep 0.1
done
cp_expect "renamed uplink: nic show" '.[0].ifname == "cpren0"' nic show dev cpren0
cp_expect "renamed uplink: contexts name the new one" '.[0].nic == "cpren0"' ctx show web1
cp_expect "renamed uplink: ctx show nic NEW" 'length == 2' ctx show nic cpren0
cp_expect "renamed uplink: ctx show nic OLD" 'length == 0' ctx show nic "$CP_NIC"
[ -d /sys/kernel/debug/cdna/cpren0 ] && [ ! -e "/sys/kernel/debug/cdna/$CP_NIC" ] &&
	cp_good "renamed uplink: debugfs directory renamed" ||
	cp_bad "renamed uplink: debugfs has $(ls /sys/kernel/debug/cdna)"
ip link set cpren0 down && ip link set cpren0 name "$CP_NIC" && ip link set "$CP_NIC" up ||
	cp_bad "cannot rename cpren0 back"
for _ in {1..50}; do
	[ "$(cp_ctl -j ctx show web1 | jq -r '.[0].nic')" = "$CP_NIC" ] && break
	cdna_sleep 0.1
done
cp_expect "renamed back" ".[0].nic == \"$CP_NIC\"" ctx show web1

# --- del ---------------------------------------------------------------------
cp_ok "ctx del name NAME (keyword form)" ctx del name web2
cp_expect "web2 is gone" 'length == 1 and .[0].name == "web1"' ctx show
cp_ok "ctx add for nic del force" ctx add nic "$CP_NIC" name web3 queues 4
cp_ok "nic del force" nic del dev "$CP_NIC" force
cp_expect "no NIC left" 'length == 0' nic show
cp_expect "no context left" 'length == 0' ctx show
[ -z "$(ls "$CP_MDEV")" ] && cp_good "no mdev left" || cp_bad "mdevs left: $(ls "$CP_MDEV")"
cp_ok "nic attach (alias)" nic attach dev "$CP_NIC" max_ctx 8
cp_expect "max_ctx at attach" '.[0].max_ctx == 8' nic show
cp_ok "nic detach (alias, positional IFNAME)" nic detach "$CP_NIC"
cp_expect "detached" 'length == 0' nic show

# --- -V: cdnactl's version and the loaded module's ------------------------------
want="cdnactl $(cat "$CDNA_REPO/VERSION"), cdna.ko $(cat /sys/module/cdna/version)"
out=$(cp_ctl -V)
[ "$out" = "$want" ] && cp_good "-V: $out" || cp_bad "-V printed '$out', not '$want'"
if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$CP_CTL" -V)
	[ "$out" = "$want" ] && cp_good "-V as nobody" || cp_bad "-V as nobody printed '$out'"
fi

# --- another network namespace: the family is not there, and cdnactl says why ------
if ip netns add cpns0 2>/dev/null; then
	err=$(ip netns exec cpns0 "$CP_CTL" -j nic show 2>&1 >/dev/null)
	rc=$?
	out=$(ip netns exec cpns0 "$CP_CTL" -j nic show 2>/dev/null)
	if [ $rc -eq 1 ] && [[ "$err" == *"only in the initial network namespace"* ]] &&
	   [ -z "$out" ]; then
		cp_good "in another netns: exit 1, the namespace named ($err)"
	else
		cp_bad "in another netns: rc $rc, stdout '$out', stderr '$err'"
	fi
	out=$(ip netns exec cpns0 "$CP_CTL" -V)
	[[ "$out" == *"cdna.ko not reachable from this network namespace" ]] &&
		cp_good "-V in another netns" || cp_bad "-V in another netns printed '$out'"
	ip netns del cpns0
else
	cp_bad "cannot create a network namespace"
fi
rmmod cdna && cp_good "module unloads" || cp_bad "rmmod cdna failed"
cp_done
