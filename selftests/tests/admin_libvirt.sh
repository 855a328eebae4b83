#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 480
#
# libvirt for real: L1 runs libvirtd (no systemd: started by hand), a
# context is made with cdnactl, "virsh nodedev-list --cap mdev" lists it, a
# domain is defined with the <hostdev> that "cdnactl ctx libvirt" prints and
# started with "virsh start"; the guest gets the NIC with its MAC and a link
# and pings the peer behind the uplink; "virsh destroy" closes the context,
# which can then be deleted.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/cp_lib.sh"
. "$CDNA_REPO/selftests/tests/lv_lib.sh"

command -v libvirtd >/dev/null || cdna_fail "libvirtd is not installed (make deps installs it)"
ns=admlv
mac=52:54:00:12:34:21
dom=cdna-web1
virsh() { command virsh -q -c qemu:///system "$@"; }

cp_setup
cdna_kvm_setup
ip netns add $ns || cdna_fail "cannot create netns $ns"
cleanup() {
	virsh destroy $dom >/dev/null 2>&1
	virsh undefine $dom >/dev/null 2>&1
	cp_cleanup
	ip netns del $ns 2>/dev/null
	lv_stop
}
trap cleanup EXIT
ip link set "$CP_PEER" netns $ns
ip -n $ns addr add 198.18.0.1/24 dev "$CP_PEER"
ip -n $ns link set "$CP_PEER" up

# The context exists before libvirtd starts: L1 runs no udevd, so libvirt's
# node device driver sees only what it enumerates at start.
cp_ok "nic attach" nic attach dev "$CP_NIC"
cp_ok "ctx add" ctx add nic "$CP_NIC" name web1 mac $mac queues 1

t0=$(cdna_now_us)
lv_start || cdna_fail "libvirtd did not start"
cdna_stage "libvirtd up" "$(cdna_since "$t0")"

uuid=$(cp_ctl -j ctx show web1 | jq -r '.[0].uuid')
# libvirt names an mdev node device after its UUID (with underscores).
if virsh nodedev-list --cap mdev | grep -q "mdev_${uuid//-/_}"; then
	cp_good "virsh nodedev-list --cap mdev lists the context"
else
	cp_bad "nodedev-list --cap mdev: $(virsh nodedev-list --cap mdev | tr '\n' ' ')"
fi
hostdev=$(cp_ctl ctx libvirt web1) || cdna_fail "ctx libvirt failed"
echo "$hostdev"

cdna_l2_job web1 "$CDNA_REPO/selftests/tests/cp_story-guest.sh" a 198.18.0.2 198.18.0.1 ||
	cdna_fail "cannot make the guest's job"
out=$(l2_out web1)
cat >"$out/domain.xml" <<XML
<domain type='kvm'>
  <name>$dom</name>
  <memory unit='MiB'>512</memory>
  <vcpu cpuset='$CDNA_L2_L1CPUS'>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$CDNA_KERNEL</kernel>
    <initrd>$CDNA_INITRD</initrd>
    <cmdline>$(cdna_l2_append "$out")</cmdline>
  </os>
  <features><acpi/></features>
  <cpu mode='host-passthrough'><feature policy='disable' name='xsave'/></cpu>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <filesystem type='mount' accessmode='passthrough' multidevs='remap'>
      <source dir='/'/>
      <target dir='hostroot'/>
      <readonly/>
    </filesystem>
    <filesystem type='mount' accessmode='passthrough'>
      <source dir='$out'/>
      <target dir='results'/>
    </filesystem>
    <serial type='file'>
      <source path='/run/$dom-console.log'/>
      <target port='0'/>
    </serial>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
    $hostdev
  </devices>
</domain>
XML
virsh define "$out/domain.xml" >/dev/null || cdna_fail "virsh define failed"
t0=$(cdna_now_us)
virsh start $dom >/dev/null || cdna_fail "virsh start failed: $(tail -n 5 /var/log/libvirt/qemu/$dom.log)"
cp_good "virsh start"
for _ in $(seq 1800); do
	[ -e "$out/vf-up" ] && break
	virsh domstate $dom | grep -q running || break
	cdna_sleep 0.1
done
cp /run/$dom-console.log "$out/console.log" 2>/dev/null
[ -e "$out/vf-up" ] || cdna_fail "the guest's NIC never came up; console: $out/console.log"
cdna_stage "virsh start to guest NIC up" "$(cdna_since "$t0")"
read -r gifc gmac _ <"$out/vf-up.txt"
[ "$gmac" = $mac ] && cp_good "guest $gifc has the context's MAC" || cp_bad "guest MAC $gmac, want $mac"
cp_expect "context running with link up" '.[0].state == "running" and .[0].link_up == true' ctx show web1

: >"$out/go"
for _ in $(seq 600); do [ -e "$out/vf-result" ] && break; cdna_sleep 0.1; done
cat "$out/vf-result" 2>/dev/null
grep -q PASS "$out/vf-result" 2>/dev/null && ! grep -q FAIL "$out/vf-result" &&
	cp_good "the libvirt guest pinged the peer" || cp_bad "no ping from the libvirt guest"

virsh destroy $dom >/dev/null || cp_bad "virsh destroy failed"
cp /run/$dom-console.log "$out/console.log" 2>/dev/null
cp_expect "virsh destroy closed the context" '.[0].state == "closed"' ctx show web1
virsh undefine $dom >/dev/null || cp_bad "virsh undefine failed"
cp_ok "ctx del after destroy" ctx del web1
cp_done
