# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# libvirtd in L1 for the tests (sourced after $CDNA_LIB; not a test itself:
# not executable). L1 has no systemd: the daemons are started by hand, the
# way a KVM host without it runs them: QEMU as root, no cgroups, no mount
# namespace, no security driver (L1 is a throwaway overlay).
#
#   lv_conf DIR [UUID]    write DIR/qemu.conf, and DIR/libvirtd.conf with
#                         host_uuid UUID if one is given
#   lv_start [UUID]       virtlogd and libvirtd for qemu:///system, with
#                         host_uuid UUID if one is given; waits until it
#                         answers
#   lv_start_second DIR UUID NAME
#                         a second libvirtd that is a host of its own to
#                         libvirt: host_uuid UUID and hostname NAME, with
#                         its own /etc/libvirt, /run/libvirt,
#                         /var/lib/libvirt, /var/cache/libvirt and
#                         /var/log/libvirt under DIR (a mount and a UTS
#                         namespace; network, /dev and /sys shared);
#                         waits until it answers on $(lv_uri_second DIR)
#   lv_uri_second DIR     the URI of that second libvirtd
#   lv_stop               stop every libvirtd and virtlogd started here

lv_conf() {
	local dir=$1 uuid=${2:-}
	mkdir -p "$dir"
	cat >"$dir/qemu.conf" <<CONF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
CONF
	[ -z "$uuid" ] || echo "host_uuid = \"$uuid\"" >"$dir/libvirtd.conf"
}

lv_wait() {
	local uri=$1
	for _ in $(seq 120); do
		command virsh -q -c "$uri" version >/dev/null 2>&1 && return 0
		cdna_sleep 1
	done
	echo "lv: libvirtd at $uri does not answer"
	return 1
}

lv_start() {
	mkdir -p /var/log/libvirt/qemu /var/lib/libvirt/qemu /run/libvirt
	lv_conf /etc/libvirt "${1:-}"
	virtlogd -d || { echo "lv: virtlogd did not start"; return 1; }
	libvirtd -d || { echo "lv: libvirtd did not start"; return 1; }
	lv_wait qemu:///system
}

lv_uri_second() {
	echo "qemu+unix:///system?socket=$1/run/libvirt-sock"
}

lv_start_second() {
	local dir=$1 uuid=$2 name=$3 d
	for d in etc run lib cache log; do
		mkdir -p "$dir/$d"
	done
	mkdir -p "$dir/log/qemu" "$dir/lib/qemu"
	lv_conf "$dir/etc" "$uuid"
	# No virtlogd of its own: QEMU's output goes straight to the log file.
	echo 'stdio_handler = "file"' >>"$dir/etc/qemu.conf"
	unshare -m -u --propagation private sh -c '
		hostname "$1" &&
		mount --bind "$2/etc" /etc/libvirt &&
		mount --bind "$2/run" /run/libvirt &&
		mount --bind "$2/lib" /var/lib/libvirt &&
		mkdir -p /var/cache/libvirt &&
		mount --bind "$2/cache" /var/cache/libvirt &&
		mount --bind "$2/log" /var/log/libvirt &&
		exec libvirtd -d -p "$2/libvirtd.pid"' lv "$name" "$dir" ||
		{ echo "lv: the second libvirtd did not start"; return 1; }
	lv_wait "$(lv_uri_second "$dir")"
}

lv_stop() {
	pkill -x libvirtd
	pkill -x virtlogd
	return 0
}
