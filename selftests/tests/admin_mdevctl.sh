#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 300
#
# Persistence with mdevctl: a context defined with "mdevctl define" and
# attributes (mac, name, vlan, rate) comes up with them on "mdevctl start"
# (one defined with --addattr, one with --jsonfile);
# after cdna.ko is reloaded and the NIC attached again by "cdnactl -batch",
# "mdevctl start" (what its udev rule runs when the parent appears; L1 has
# no udevd) brings back the same name, MAC and VLAN.  The attributes read
# back, refuse invalid values like CTX_SET does and change nothing, and
# refuse every write with EBUSY while a VM holds the context.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/cp_lib.sh"

command -v mdevctl >/dev/null || cdna_fail "mdevctl is not installed (make deps installs it)"
uuid=8b6f1a52-3c1d-4e0a-9f7e-2a5c6d7e8f90
mac=02:cd:0a:00:00:05
name=web5
vlan=42
other_mac=02:cd:0a:00:00:06
juuid=8b6f1a52-3c1d-4e0a-9f7e-2a5c6d7e8f91
jmac=02:cd:0a:00:00:08
json=$(mktemp /run/cdna-mdev.XXXXXX)
dev=$CP_MDEV/$uuid
batch=$(mktemp /run/cdna-batch.XXXXXX)

cp_setup
cleanup() {
	mdevctl stop -u $uuid >/dev/null 2>&1
	mdevctl undefine -u $uuid >/dev/null 2>&1
	mdevctl stop -u $juuid >/dev/null 2>&1
	mdevctl undefine -u $juuid >/dev/null 2>&1
	rm -f "$batch" "$json"
	cp_cleanup
}
trap cleanup EXIT

# What cdna.service runs at boot: attach the NICs from a file.
cat >"$batch" <<EOF
# cdna NICs to attach at boot
nic attach dev $CP_NIC
EOF
if cp_ctl -batch "$batch"; then
	cp_good "cdnactl -batch attached $CP_NIC"
else
	cp_bad "cdnactl -batch $batch failed"
fi

# Define the context the mdevctl way; the attributes are written in order.
mdevctl define --auto -u $uuid -p "cdna-$CP_NIC" -t cdna-1qp ||
	cp_bad "mdevctl define failed"
for kv in mac=$mac name=$name vlan=$vlan rate=250; do
	mdevctl modify -u $uuid --addattr="${kv%%=*}" --value="${kv#*=}" ||
		cp_bad "mdevctl modify --addattr=${kv%%=*} failed"
done
mdevctl list -d -u $uuid --dumpjson
# The same from a JSON file: type, startup and attributes in one go.
cat >"$json" <<EOF
{"mdev_type": "cdna-1qp", "start": "auto",
 "attrs": [{"mac": "$jmac"}, {"name": "db7"}, {"vlan": "7"}, {"trust": "on"}, {"link": "down"}]}
EOF
mdevctl define -u $juuid -p "cdna-$CP_NIC" --jsonfile "$json" ||
	cp_bad "mdevctl define --jsonfile failed"

# The context as mdevctl makes it: the defined settings, not defaults.
started() {
	local when=$1
	if mdevctl start -u $uuid; then
		cp_good "$when: mdevctl start"
	else
		cp_bad "$when: mdevctl start failed"
		return
	fi
	cp_expect "$when: name, MAC, VLAN and rate are the defined ones" \
		".[] | select(.uuid == \"$uuid\") | .name == \"$name\" and .mac == \"$mac\" and .vlan == $vlan and .rate == 250" \
		ctx show
}
started "first start"
if mdevctl start -u $juuid; then
	cp_expect "jsonfile: name, MAC, VLAN, trust and link are the defined ones" \
		".[] | select(.uuid == \"$juuid\") | .name == \"db7\" and .mac == \"$jmac\" and .vlan == 7 and .trust == true and .link == \"down\"" \
		ctx show
	mdevctl stop -u $juuid || cp_bad "mdevctl stop (jsonfile) failed"
else
	cp_bad "mdevctl start of the jsonfile context failed"
fi

# The attributes read what the context has.
for kv in mac=$mac name=$name vlan=$vlan rate=250 trust=off spoofchk=on link=auto; do
	got=$(cat "$dev/${kv%%=*}" 2>&1)
	[ "$got" = "${kv#*=}" ] && cp_good "$dev/${kv%%=*} reads $got" ||
		cp_bad "$dev/${kv%%=*} reads '$got', want '${kv#*=}'"
done

# sysfs_set ATTR VALUE: write VALUE to ATTR; prints the error, if any.
sysfs_set() {
	(echo "$2" >"$dev/$1") 2>&1 | sed 's/.*write error: //'
}

# sysfs_err DESC ATTR VALUE ERROR: the write must fail with ERROR (the
# strerror text) and change nothing.
sysfs_err() {
	local desc=$1 attr=$2 val=$3 want=$4 before after err
	before=$(cp_snapshot)
	err=$(sysfs_set "$attr" "$val")
	after=$(cp_snapshot)
	if [ -z "$err" ]; then
		cp_bad "$desc: $attr=$val was accepted"
	elif [[ "$err" != *"$want"* ]]; then
		cp_bad "$desc: $attr=$val: expected '$want', got '$err'"
	elif [ "$before" != "$after" ]; then
		cp_bad "$desc: $attr=$val changed the state"
		diff <(echo "$before") <(echo "$after") | sed 's/^/    /'
	else
		cp_good "$desc: $attr=$val refused ($err)"
	fi
}

# Invalid values: the same rules as CTX_SET.
cp_ok "a second context" ctx add nic "$CP_NIC" name other mac $other_mac
uplink_mac=$(cat "/sys/class/net/$CP_NIC/address")
sysfs_err "multicast MAC" mac 01:00:5e:00:00:01 "Invalid argument"
sysfs_err "zero MAC" mac 00:00:00:00:00:00 "Invalid argument"
sysfs_err "malformed MAC" mac 02:cd:0a:00:00 "Invalid argument"
sysfs_err "the uplink's MAC" mac "$uplink_mac" "Address already in use"
sysfs_err "another context's MAC" mac $other_mac "File exists"
sysfs_err "name with a space" name "web 5" "Invalid argument"
sysfs_err "name with a slash" name "web/5" "Invalid argument"
sysfs_err "16-character name" name abcdefghijklmnop "Invalid argument"
sysfs_err "empty name" name "" "Invalid argument"
sysfs_err "another context's name" name other "File exists"
sysfs_err "VLAN 4095" vlan 4095 "Numerical result out of range"
sysfs_err "VLAN not a number" vlan ten "Invalid argument"
sysfs_err "rate above 1 Tbit/s" rate 1000001 "Numerical result out of range"
sysfs_err "negative rate" rate -1 "Invalid argument"
sysfs_err "trust not a boolean" trust maybe "Invalid argument"
sysfs_err "unknown link mode" link sideways "Invalid argument"
cp_ok "del the second context" ctx del other

# A valid write while idle applies, like CTX_SET would.
err=$(sysfs_set link down)
[ -z "$err" ] && cp_good "link=down accepted" || cp_bad "link=down: $err"
cp_expect "link=down shows in ctx show" \
	".[] | select(.uuid == \"$uuid\") | .link == \"down\"" ctx show
err=$(sysfs_set link auto)
[ -z "$err" ] || cp_bad "link=auto: $err"

# While a VM holds the context, every write is refused and nothing changes.
if cp_hold $uuid; then
	cp_expect "held context is open" \
		".[] | select(.uuid == \"$uuid\") | .state != \"created\" and .state != \"closed\"" ctx show
	sysfs_err "held: name" name web6 "Device or resource busy"
	sysfs_err "held: mac" mac 02:cd:0a:00:00:07 "Device or resource busy"
	sysfs_err "held: vlan" vlan 7 "Device or resource busy"
	sysfs_err "held: rate" rate 10 "Device or resource busy"
	sysfs_err "held: trust" trust on "Device or resource busy"
	sysfs_err "held: spoofchk" spoofchk off "Device or resource busy"
	sysfs_err "held: link" link down "Device or resource busy"
	got=$(cat "$dev/name")
	[ "$got" = "$name" ] && cp_good "held: name still reads" ||
		cp_bad "held: name reads '$got'"
	cp_unhold
else
	cp_bad "cdna_hold could not open $uuid"
fi

# Reload cdna.ko: everything is gone; the boot path brings it back.
mdevctl stop -u $uuid || cp_bad "mdevctl stop failed"
cp_ok "nic del" nic del dev "$CP_NIC"
rmmod cdna || cp_bad "rmmod cdna failed"
cdna_insmod_host
cp_expect "no context after the reload" 'length == 0' ctx show
if cp_ctl -batch "$batch"; then
	cp_good "after reload: cdnactl -batch attached $CP_NIC"
else
	cp_bad "after reload: cdnactl -batch failed"
fi
started "after reload"

cp_done
