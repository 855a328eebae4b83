#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 600
#
# `virsh migrate --live` of a libvirt domain that holds a cdna context,
# under an iperf3 TCP stream, between two libvirt hosts in one L1.
# libvirt refuses a migration to the host it runs on (the two ends' host
# UUIDs must differ: "Attempt to migrate guest to the same host"), so the
# destination is a second libvirtd that is a host of its own (lv_lib.sh:
# its own host_uuid, hostname and libvirt directories; network, /dev and
# /sys shared, as the NIC is).
#  - the source domain has the context's <hostdev type='mdev'> and
#    enable-migration=on for its vfio-pci device (<qemu:override>);
#  - the destination takes an "incoming" context with the guest's MAC:
#    virsh migrate --xml gives it that mdev and its own console file;
#  - it fails if libvirt refuses the migration, if the domain does not run
#    on the destination afterwards, if the stream dies or the guest's link
#    dropped, or if the source context holds pins or is not closed.
# The guest is mig_live's initramfs guest (mig_lib.sh).
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/tests/dp_lib.sh"
. "$CDNA_REPO/selftests/tests/mig_lib.sh"
. "$CDNA_REPO/selftests/tests/lv_lib.sh"

secs=${MIG_IPERF_SECS:-40}
mac=52:54:00:6d:69:30
dom=cdna-migvirt
lvb=$MIG_DIR/lvb
uri_a=qemu:///system
err=0
fail() { echo "FAIL: $*"; err=1; }

cleanup() {
	virsh -q -c "$(lv_uri_second "$lvb")" destroy $dom >/dev/null 2>&1
	virsh -q -c $uri_a destroy $dom >/dev/null 2>&1
	virsh -q -c $uri_a undefine $dom >/dev/null 2>&1
	lv_stop
	dp_cleanup
}

command -v libvirtd >/dev/null || cdna_fail "libvirtd is not installed (make deps installs it)"
command -v jq >/dev/null || cdna_skip "jq is not installed"
cdna_kvm_setup
dp_baseline
dp_topology
trap cleanup EXIT
mkdir -p "$MIG_DIR"

u1=$(cat /proc/sys/kernel/random/uuid)
u2=$(cat /proc/sys/kernel/random/uuid)
vf_ctl ctx add nic "$VF_NIC" name lvsrc mac "$mac" uuid "$u1" >/dev/null ||
	cdna_fail "cannot create the source context"
vf_ctl ctx add nic "$VF_NIC" name lvdst mac "$mac" uuid "$u2" incoming >/dev/null ||
	cdna_fail "cannot create the incoming context"

mig_cdna_initramfs "$MIG_DIR/cdna.cpio" ||
	cdna_fail "cannot build the guest's initramfs"

t0=$(cdna_now_us)
lv_start "$(cat /proc/sys/kernel/random/uuid)" || cdna_fail "the source libvirtd did not start"
lv_start_second "$lvb" "$(cat /proc/sys/kernel/random/uuid)" cdna-lvb ||
	cdna_fail "the destination libvirtd did not start"
uri_b=$(lv_uri_second "$lvb")
cdna_stage "two libvirtds up" "$(cdna_since "$t0")"

# domain_xml MDEV-UUID CONSOLE: the domain, with the context's mdev. Its
# UUID is the same at both ends (libvirt checks it), the mdev is not.
dom_uuid=$(cat /proc/sys/kernel/random/uuid)
domain_xml() {
	cat <<XML
<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>$dom</name>
  <uuid>$dom_uuid</uuid>
  <memory unit='MiB'>256</memory>
  <vcpu cpuset='$CDNA_L2_L1CPUS'>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$CDNA_KERNEL</kernel>
    <initrd>$MIG_DIR/cdna.cpio</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet mig.ip=198.18.0.2 mig.peer=$DP_NS_IP mig.secs=$secs</cmdline>
  </os>
  <features><acpi/></features>
  <cpu mode='host-passthrough'><feature policy='disable' name='xsave'/></cpu>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <serial type='file'>
      <source path='$2'/>
      <target port='0'/>
    </serial>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
    <hostdev mode='subsystem' type='mdev' model='vfio-pci'>
      <source><address uuid='$1'/></source>
      <alias name='ua-cdna0'/>
    </hostdev>
  </devices>
  <qemu:override>
    <qemu:device alias='ua-cdna0'>
      <qemu:frontend>
        <qemu:property name='enable-migration' type='string' value='on'/>
      </qemu:frontend>
    </qemu:device>
  </qemu:override>
</domain>
XML
}
domain_xml "$u1" "$MIG_DIR/lv-src.log" >"$MIG_DIR/src.xml"
domain_xml "$u2" "$MIG_DIR/lv-dst.log" >"$MIG_DIR/dst.xml"

dp_ns iperf3 -s -1 -J >"$MIG_DIR/lv-server.json" 2>&1 &
server=$!
virsh -q -c $uri_a define "$MIG_DIR/src.xml" >/dev/null || cdna_fail "virsh define failed"
virsh -q -c $uri_a start $dom >/dev/null ||
	cdna_fail "virsh start failed: $(tail -n 5 /var/log/libvirt/qemu/$dom.log)"
for _ in $(seq 900); do
	grep -q MIG-UP "$MIG_DIR/lv-src.log" 2>/dev/null && break
	cdna_sleep 0.2
done
grep -q MIG-UP "$MIG_DIR/lv-src.log" ||
	cdna_fail "the guest did not bring its NIC up; console: $MIG_DIR/lv-src.log"
cdna_sleep 5

t0=$(cdna_now_us)
if virsh -q -c $uri_a migrate --live --verbose --domain $dom --desturi "$uri_b" \
	--migrateuri tcp://127.0.0.1:49230 --xml "$MIG_DIR/dst.xml" \
	>"$MIG_DIR/virsh-migrate.out" 2>&1; then
	echo "virsh migrate --live: done in $(cdna_since "$t0")"
else
	cat "$MIG_DIR/virsh-migrate.out"
	tail -n 5 /var/log/libvirt/qemu/$dom.log "$lvb/log/qemu/$dom.log" 2>/dev/null
	cdna_fail "virsh migrate --live failed"
fi
virsh -q -c "$uri_b" domjobinfo --completed $dom 2>/dev/null |
	grep -E 'Time elapsed:|Total downtime:|Data processed:' | sed 's/^/destination job: /'
state_b=$(virsh -q -c "$uri_b" domstate $dom 2>&1)
state_a=$(virsh -q -c $uri_a domstate $dom 2>&1)
echo "domain state: source host '$state_a', destination host '$state_b'"
[ "$state_b" = running ] || fail "the domain does not run on the destination host"
[ "$state_a" != running ] || fail "the domain still runs on the source host"

s=$(vf_ctl -j ctx show lvsrc | jq -r '.[0].state')
pins=$(vf_stat "$u1" pinned_pages)
echo "source context: $s, $pins pages pinned"
[ "$s" = closed ] || fail "the source context is $s after the migration, not closed"
[ "$pins" = 0 ] || fail "the source context holds $pins pinned pages"
m=$(vf_ctl -j ctx show lvdst | jq -r '.[0].migration')
[ "$m" = running ] || fail "the destination context is in migration state $m"

mig_stream "$MIG_DIR/lv-dst.log" $((secs + 120)) "libvirt" || err=1
mig_server $server "$MIG_DIR/lv-server.json" "libvirt" || err=1
exit $err
