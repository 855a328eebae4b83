# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers for tests running in L1 (source "$CDNA_LIB"):
#
#   cdna_skip REASON          print "SKIP: REASON", exit 4
#   cdna_fail MESSAGE         print "FAIL: MESSAGE", exit 1
#   cdna_stage NAME SECS      record a stage time (printed by selftests/vm/run)
#   cdna_kvm_setup            kvm_amd nested=1, /dev/kvm (skips if no SVM)
#   cdna_vfio_setup           vfio, vfio_iommu_type1, mdev
#   cdna_insmod KO [PARAMS]   modprobe KO's dependencies, then insmod it
#   cdna_insmod_host [PARAMS] cdna_vfio_setup + insmod $CDNA_KMOD_KO (once)
#   cdna_moddir               the directory with kmod/cdna.ko and
#                             vf-driver/cdna_vf.ko for the running kernel
#   $CDNA_KMOD_KO, $CDNA_VF_KO  those two modules (from cdna_moddir)
#   cdna_perf_start DATA      perf record (all CPUs) into DATA, set up, disabled
#   cdna_perf_ctl enable|disable  switch it (acknowledged)
#   cdna_perf_stop DATA       end it; DATA is complete on return
#
# The igb L1 (selftests/vm/run --igb, or "# cdna-l1: igb" in a test):
#   cdna_igb_setup            igb bound to both ports; sets $CDNA_IGB_UPLINK
#                             and $CDNA_IGB_PEER (skips outside the igb L1)
#   cdna_igb_uplink / cdna_igb_peer   print those PF netdevs (found by driver
#                             igb and the MACs the runner gives the ports)
#   cdna_igb_vfs_create PF N  N VFs on PF (none bound to a driver: autoprobe
#                             off); waits until all N exist
#   cdna_igb_vfs_remove PF    unbind every VF of PF, sriov_numvfs back to 0
#   cdna_igb_vf_pci PF I      the PCI address of PF's VF I (0-based)
#   cdna_igb_vf_group PCI     the IOMMU group number of a PCI function
#   cdna_igb_vf_netdev PCI [SECS]  its netdev once a driver made one
#   cdna_pci_driver PCI       the driver bound to PCI (empty: none)
#   cdna_pci_bind PCI DRIVER  bind PCI to DRIVER (driver_override)
#   cdna_pci_unbind PCI       unbind it, clear its driver_override
#
#   l2_start NAME [--mem MB] [--cpus N] [--qemu-args "ARGS"] [--timeout S]
#            [--append "KERNEL ARGS"] [--l1-cpus LIST]
#            --script PATH [-- SCRIPT ARGS...]
#       Start an L2 guest under KVM and return at once. The guest boots the
#       same kernel and initramfs as L1 with L1's / as its root (9p +
#       overlay) and runs "bash PATH ARGS" from the repo directory, with
#       CDNA_OUT = its output directory (shared with L1, same path in both).
#       Its QEMU runs on L1 CPUs LIST (default: L1's last CPU, for every
#       guest: see CDNA_L2_L1CPUS below).
#   l2_wait NAME [TIMEOUT]   wait for the guest script; return its exit status
#                            (124 on timeout, 125 if the guest died, 1 if the
#                            guest kernel logged WARNING/BUG/Oops); on failure
#                            print the console path
#   l2_booted NAME SECS      wait until the guest's init runs; if it died or
#                            SECS passed first, start the guest once more
#                            (same options; the first try's files stay in
#                            NAME.attempt1) and wait again; 1 if that fails
#   l2_console NAME [--live] print the path of the guest's serial console log
#   l2_out NAME              print the guest's output directory (CDNA_OUT)
#   l2_kill NAME             stop the guest now
#
# Paths are computed at run time; the repo has the same path on the machine,
# in L1 and in L2, so modules can be insmod'ed straight from the tree.

CDNA_REPO=${CDNA_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}
CDNA_TEST_DIR=${CDNA_TEST_DIR:-/tmp/cdna-test.$$}
CDNA_L2_TIMEOUT=${CDNA_L2_TIMEOUT:-300}
CDNA_KSFT_SKIP=4

# cdna_moddir: where the modules for the running kernel are. $CDNA_MODDIR
# when set (selftests/vm/run --kernel-version: build/<release>/; passed on
# to L2), else whichever of the tree (make KDIR=...) and
# build/<release>/ (make modules-out) holds a cdna.ko built for this kernel
# (vermagic), the newer one if both do; the tree if none does (insmod
# then says why).
cdna_moddir() {
	local rel d vm t best=$CDNA_REPO best_t=0
	if [ -n "${CDNA_MODDIR:-}" ]; then
		echo "$CDNA_MODDIR"
		return
	fi
	read -r rel </proc/sys/kernel/osrelease
	for d in "$CDNA_REPO/build/$rel" "$CDNA_REPO"; do
		[ -f "$d/kmod/cdna.ko" ] || continue
		vm=$(modinfo -F vermagic "$d/kmod/cdna.ko" 2>/dev/null)
		[ "${vm%% *}" = "$rel" ] || continue
		t=$(stat -c %Y "$d/kmod/cdna.ko")
		[ "$t" -gt "$best_t" ] && best=$d best_t=$t
	done
	echo "$best"
}
CDNA_MODDIR=$(cdna_moddir)
CDNA_KMOD_KO=$CDNA_MODDIR/kmod/cdna.ko
CDNA_VF_KO=$CDNA_MODDIR/vf-driver/cdna_vf.ko

cdna_skip() {
	echo "SKIP: $*"
	exit $CDNA_KSFT_SKIP
}

cdna_fail() {
	echo "FAIL: $*"
	exit 1
}

cdna_stage() {
	echo "cdna-stage: $1: $2 s"
}

# Time in microseconds; cdna_since T0_US prints seconds since then ("12.3").
# Pure bash: under TCG every fork+exec of a tool costs milliseconds.
cdna_now_us() {
	echo "${EPOCHREALTIME/./}"
}

cdna_since() {
	local us=$((${EPOCHREALTIME/./} - $1))
	echo "$((us / 1000000)).$((us % 1000000 / 100000))"
}

# cdna_sleep SECS: sleep without exec'ing sleep(1) (a read that times out).
cdna_sleep() {
	if [ -z "${CDNA_SLEEP_FD:-}" ]; then
		exec {CDNA_SLEEP_FD}<> <(:)
	fi
	read -r -t "$1" -u "$CDNA_SLEEP_FD" _
	return 0
}

# cdna_perf_start DATA [SECS]: perf record of every CPU (call graphs; cpu-clock:
# no PMU here) into DATA, in the background, its events disabled; returns
# once perf is set up (seconds under TCG, minutes in L2: it is enabled and
# disabled once through its control fifo, which acknowledges each command;
# 1 if that takes more than SECS, default 120).
# cdna_perf_ctl enable|disable: switch recording, acknowledged.
# cdna_perf_stop DATA ends it and waits until DATA is written.
cdna_perf_start() {
	local d=$1 tmo=${2:-120}
	rm -f "$d" "$d.ctl" "$d.ack"
	mkfifo "$d.ctl" "$d.ack" || return 1
	exec {CDNA_PERF_CTL}<>"$d.ctl" {CDNA_PERF_ACK}<>"$d.ack"
	perf record -q -a -g -e cpu-clock -F 499 -D -1 \
		--control "fifo:$d.ctl,$d.ack" -o "$d" -- sleep 3600 >/dev/null 2>&1 &
	CDNA_PERF_PID=$!
	if ! cdna_perf_ctl enable "$tmo" || ! cdna_perf_ctl disable; then
		cdna_perf_stop "$d"
		return 1
	fi
}

cdna_perf_ctl() {
	local _ack
	echo "$1" >&"$CDNA_PERF_CTL"
	read -r -t "${2:-20}" -u "$CDNA_PERF_ACK" _ack
}

cdna_perf_stop() {
	kill -INT "$CDNA_PERF_PID" 2>/dev/null
	while kill -0 "$CDNA_PERF_PID" 2>/dev/null; do
		cdna_sleep 0.2
	done
	exec {CDNA_PERF_CTL}>&- {CDNA_PERF_ACK}>&-
	rm -f "$1.ctl" "$1.ack"
}

cdna_kvm_setup() {
	grep -qw svm /proc/cpuinfo || cdna_skip "no SVM in this CPU: no nested KVM"
	if [ ! -d /sys/module/kvm_amd ]; then
		modprobe kvm_amd nested=1 || cdna_fail "modprobe kvm_amd nested=1 failed"
	fi
	case "$(cat /sys/module/kvm_amd/parameters/nested 2>/dev/null)" in
	1|Y) ;;
	*) cdna_fail "kvm_amd is loaded without nested=1" ;;
	esac
	[ -c /dev/kvm ] || cdna_fail "no /dev/kvm after loading kvm_amd"
}

cdna_vfio_setup() {
	modprobe -a vfio vfio_iommu_type1 mdev || cdna_fail "modprobe vfio vfio_iommu_type1 mdev failed"
}

# insmod does not resolve dependencies: modprobe what the module's
# "depends" lists (from the booted kernel's /lib/modules) first.
cdna_insmod() {
	local ko=$1 deps
	shift
	deps=$(modinfo -F depends "$ko" 2>/dev/null | tr ',' ' ')
	if [ -n "$deps" ]; then
		# shellcheck disable=SC2086
		modprobe -a $deps || cdna_fail "modprobe $deps (for $ko) failed"
	fi
	insmod "$ko" "$@" || cdna_fail "insmod $ko failed"
}

cdna_insmod_host() {
	[ -d /sys/module/cdna ] && return 0
	cdna_vfio_setup
	cdna_insmod "$CDNA_KMOD_KO" "$@"
}

cdna_l2_dir() {
	echo "$CDNA_TEST_DIR/l2/$1"
}

# Every L2 guest's QEMU runs on the same L1 CPU (the last one); the others
# are left to the host side (engine, vhost, peers). Two L2 guests running at
# once on two L1 vCPUs break the testbed itself: QEMU's TCG emulation of
# nested SVM then corrupts state - L1 panics in KVM_RUN with a guest's GS
# base, or an L2 guest triple-faults - with or without cdna.ko loaded
# (seen with QEMU 7.2; not with the guests on one L1 CPU, nor with npt=0,
# which doubles an L2 boot). docs/testbed.md has the details.
CDNA_L2_L1CPUS=${CDNA_L2_L1CPUS:-$(($(getconf _NPROCESSORS_ONLN) - 1))}

# cdna_l2_job NAME SCRIPT [ARGS...]: make the guest's output directory and
# its job (what l2-init runs). Also for guests another tool starts (libvirt).
cdna_l2_job() {
	local name=$1 script=$2 dir
	shift 2
	dir=$(cdna_l2_dir "$name")
	if [ -e "$dir" ]; then
		echo "l2: guest '$name' already exists in this test" >&2
		return 2
	fi
	mkdir -p "$dir"
	{
		printf 'CDNA_L2_NAME=%q\nCDNA_L2_SCRIPT=%q\n' "$name" "$script"
		printf 'CDNA_MODDIR=%q\n' "$CDNA_MODDIR"
		printf 'CDNA_L2_ARGS=('
		[ $# -eq 0 ] || printf '%q ' "$@"
		printf ')\n'
	} >"$dir/job"
}

# cdna_l2_append DIR: the kernel command line of a guest whose output
# directory is DIR (the 9p root, l2-init, the results share's path).
cdna_l2_append() {
	echo "console=ttyS0 panic=-1 quiet loglevel=5 i8042.noaux cdna.rootopts=cache=loose" \
		"cdna.init=$CDNA_REPO/selftests/vm/l2-init cdna.run=$1"
}

# l2_start's options per guest, for l2_booted's second try.
declare -gA CDNA_L2_OPTS=()

l2_start() {
	local name=$1 mem=512 cpus=1 qargs=() script= tmo=$CDNA_L2_TIMEOUT dir a append live
	local l1cpus=$CDNA_L2_L1CPUS
	local extra_append=
	local args=()
	shift
	CDNA_L2_OPTS[$name]=$(printf '%q ' "$@")
	while [ $# -gt 0 ]; do
		case "$1" in
		--mem) mem=$2; shift ;;
		--cpus) cpus=$2; shift ;;
		--qemu-args) read -r -a a <<<"$2"; qargs+=("${a[@]}"); shift ;;
		--script) script=$2; shift ;;
		--append) extra_append=$2; shift ;;
		--timeout) tmo=$2; shift ;;
		--l1-cpus) l1cpus=$2; shift ;;
		--) shift; args=("$@"); break ;;
		*) echo "l2_start: unknown option '$1'" >&2; return 2 ;;
		esac
		shift
	done
	[ -n "$script" ] || { echo "l2_start: --script is required" >&2; return 2; }
	script=$(cd "$(dirname "$script")" && pwd -P)/$(basename "$script")
	[ -c /dev/kvm ] || cdna_kvm_setup

	dir=$(cdna_l2_dir "$name")
	cdna_l2_job "$name" "$script" "${args[@]}" || return 2

	# The serial console goes to L1's tmpfs while the guest runs: QEMU
	# writes it a byte at a time, and each write to the 9p run directory
	# would be a round trip to the machine. Copied to console.log at exit.
	mkdir -p /run/cdna-l2
	live=$(mktemp "/run/cdna-l2/${CDNA_TEST_NAME:-cmd}-$name.XXXXXX")
	echo "$live" >"$dir/console.live"

	append="$(cdna_l2_append "$dir") $extra_append"
	# -cpu host,-xsave: with XSAVE, the L2 kernel WARNs at boot ("XSAVE
	# consistency problem": the sizes L1's KVM reports under TCG disagree).
	# A later -cpu in --qemu-args wins.
	# Supervisor: starts QEMU, notes when the guest's init is reached,
	# enforces the timeout, records QEMU's exit status. It stays in the
	# test's process group, so the test's own timeout kills it and QEMU too.
	(
		t0=$(cdna_now_us)
		taskset -c "$l1cpus" qemu-system-x86_64 -name "cdna-l2-$name" \
			-machine q35,accel=kvm -cpu host,-xsave -m "$mem" -smp "$cpus" \
			-nodefaults -no-user-config -display none -vga none \
			-monitor none -no-reboot -nic none \
			-serial "file:$live" \
			-kernel "$CDNA_KERNEL" -initrd "$CDNA_INITRD" -append "$append" \
			-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
			-virtfs "local,path=$dir,mount_tag=results,security_model=none" \
			"${qargs[@]}" >"$dir/qemu.log" 2>&1 </dev/null &
		qpid=$!
		echo "$qpid" >"$dir/qemu.pid"
		while kill -0 "$qpid" 2>/dev/null; do
			if [ ! -e "$dir/boot-secs" ] && [ -e "$dir/ready" ]; then
				cdna_since "$t0" >"$dir/boot-secs"
			fi
			if [ $((${EPOCHREALTIME/./} - t0)) -ge $((tmo * 1000000)) ]; then
				echo "l2 $name: killed after its $tmo s timeout" >>"$dir/qemu.log"
				l2_kill "$name"
				break
			fi
			cdna_sleep 0.1
		done
		wait "$qpid"
		echo $? >"$dir/qemu.rc"
		cp "$live" "$dir/console.log"
		cdna_since "$t0" >"$dir/total-secs"
		: >"$dir/done"
	) &
	# l2_kill needs the pid: wait until the supervisor has written it.
	for _ in {1..50}; do [ -s "$dir/qemu.pid" ] && break; cdna_sleep 0.1; done
	echo "l2 $name: started (${mem} MB, $cpus vCPU, script $script)"
}

cdna_l2_wait_ready() {	# DIR SECS
	local t0
	t0=$(cdna_now_us)
	while [ ! -e "$1/ready" ]; do
		[ -e "$1/done" ] && return 1
		[ $((${EPOCHREALTIME/./} - t0)) -lt $(($2 * 1000000)) ] || return 1
		cdna_sleep 0.1
	done
}

# An L2 that never reaches its init is the nested-SVM emulation's fault,
# not the test's (docs/testbed.md, Known quirks): it gets a second start.
l2_booted() {
	local name=$1 dir
	dir=$(cdna_l2_dir "$name")
	cdna_l2_wait_ready "$dir" "$2" && return 0
	[ -e "$dir.attempt1" ] && return 1
	echo "l2 $name: its init did not run within $2 s (console: $dir.attempt1/console.log); starting it once more"
	l2_kill "$name"
	for _ in {1..300}; do [ -e "$dir/done" ] && break; cdna_sleep 0.1; done
	mv "$dir" "$dir.attempt1" || return 1
	eval "l2_start $(printf '%q' "$name") ${CDNA_L2_OPTS[$name]}" >/dev/null || return 1
	cdna_l2_wait_ready "$dir" "$2"
}

l2_wait() {
	local name=$1 tmo=${2:-$CDNA_L2_TIMEOUT} dir t0 rc
	dir=$(cdna_l2_dir "$name")
	[ -d "$dir" ] || { echo "l2_wait: no guest '$name'" >&2; return 2; }
	t0=$(cdna_now_us)
	while [ ! -e "$dir/done" ]; do
		if [ $((${EPOCHREALTIME/./} - t0)) -ge $((tmo * 1000000)) ]; then
			l2_kill "$name"
			for _ in {1..25}; do [ -e "$dir/done" ] && break; cdna_sleep 0.2; done
			echo "l2 $name: timed out after $tmo s; console: $dir/console.log"
			return 124
		fi
		cdna_sleep 0.2
	done
	[ -e "$dir/boot-secs" ] && cdna_stage "L2 $name boot" "$(cat "$dir/boot-secs")"
	[ -e "$dir/script-secs" ] && cdna_stage "L2 $name script" "$(cat "$dir/script-secs")"
	cdna_stage "L2 $name total" "$(cat "$dir/total-secs")"
	if [ ! -e "$dir/rc" ]; then
		echo "l2 $name: guest died before its script finished" \
		     "(qemu exit $(cat "$dir/qemu.rc")); console: $dir/console.log"
		[ -s "$dir/qemu.log" ] && sed "s/^/l2 $name qemu: /" "$dir/qemu.log"
		return 125
	fi
	rc=$(cat "$dir/rc")
	if "$CDNA_REPO/selftests/vm/dmesg-check" "$dir/console.log" >"$dir/dmesg-hits"; then
		:
	else
		echo "l2 $name: kernel log has WARNING/BUG/Oops lines:"
		sed "s/^/l2 $name: /" "$dir/dmesg-hits"
		[ "$rc" -eq 0 ] && rc=1
	fi
	if [ "$rc" -ne 0 ]; then
		echo "l2 $name: guest script failed (exit $rc); console: $dir/console.log"
		tail -n 20 "$dir/console.log" | sed "s/^/l2 $name: /"
	fi
	return "$rc"
}

# The path to quote in messages (complete once the guest has stopped);
# "l2_console NAME --live" gives the file QEMU is writing right now.
l2_console() {
	local dir
	dir=$(cdna_l2_dir "$1")
	if [ "${2:-}" = --live ]; then
		cat "$dir/console.live"
	else
		echo "$dir/console.log"
	fi
}

l2_out() {
	cdna_l2_dir "$1"
}

l2_kill() {
	local dir pid
	dir=$(cdna_l2_dir "$1")
	pid=$(cat "$dir/qemu.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in {1..10}; do
		kill -0 "$pid" 2>/dev/null || return 0
		cdna_sleep 0.2
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# --- the igb L1 ----------------------------------------------------------------
# selftests/vm/run --igb gives L1 two QEMU igb ports (Intel 82576, SR-IOV PFs)
# on one QEMU hub, with these MACs: the uplink (what cdna, macvtap and the VFs
# use) and the peer (the other end of the wire, for a network namespace).
CDNA_IGB_UPLINK_MAC=52:54:00:cd:1b:01
CDNA_IGB_PEER_MAC=52:54:00:cd:1b:02

# cdna_igb_netdev MAC: the netdev bound to igb with permanent address MAC.
cdna_igb_netdev() {
	local n drv a
	for n in /sys/class/net/*; do
		drv=$(readlink "$n/device/driver" 2>/dev/null) || continue
		[ "${drv##*/}" = igb ] || continue
		# addr_assign_type aside, the PF's own address is its MAC until
		# someone changes it; the runner's MACs are fixed.
		read -r a <"$n/address" || continue
		[ "${a,,}" = "${1,,}" ] && { echo "${n##*/}"; return 0; }
	done
	return 1
}

cdna_igb_uplink() {
	cdna_igb_netdev "$CDNA_IGB_UPLINK_MAC"
}

cdna_igb_peer() {
	cdna_igb_netdev "$CDNA_IGB_PEER_MAC"
}

# cdna_igb_setup: outside the igb L1 the test is skipped; in it, a missing
# port fails it.
cdna_igb_setup() {
	local i
	case "${CDNA_L1:-default}" in
	igb|igbnoiommu) ;;
	*) cdna_skip "needs the igb L1 (selftests/vm/run --igb; this L1: ${CDNA_L1:-default})" ;;
	esac
	[ -d /sys/module/igb ] || modprobe igb || cdna_fail "modprobe igb failed"
	for ((i = 0; i < 100; i++)); do
		CDNA_IGB_UPLINK=$(cdna_igb_uplink) && CDNA_IGB_PEER=$(cdna_igb_peer) && break
		cdna_sleep 0.1
	done
	[ -n "${CDNA_IGB_UPLINK:-}" ] ||
		cdna_fail "no igb netdev with MAC $CDNA_IGB_UPLINK_MAC (the uplink port)"
	[ -n "${CDNA_IGB_PEER:-}" ] ||
		cdna_fail "no igb netdev with MAC $CDNA_IGB_PEER_MAC (the peer port)"
	export CDNA_IGB_UPLINK CDNA_IGB_PEER
}

cdna_igb_vf_pci() {
	local l
	l=$(readlink -f "/sys/class/net/$1/device/virtfn$2" 2>/dev/null) || return 1
	[ -e "$l" ] || return 1
	echo "${l##*/}"
}

cdna_igb_vf_group() {
	local g
	g=$(readlink "/sys/bus/pci/devices/$1/iommu_group" 2>/dev/null) || return 1
	echo "${g##*/}"
}

cdna_igb_vf_netdev() {
	local n i tmo=${2:-10}
	for ((i = 0; i <= tmo * 10; i++)); do
		for n in "/sys/bus/pci/devices/$1/net"/*; do
			[ -e "$n" ] && { echo "${n##*/}"; return 0; }
		done
		cdna_sleep 0.1
	done
	return 1
}

cdna_pci_driver() {
	local d
	d=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) || return 0
	echo "${d##*/}"
}

cdna_pci_bind() {
	local pci=$1 drv=$2 cur
	cur=$(cdna_pci_driver "$pci")
	[ "$cur" = "$drv" ] && return 0
	[ -z "$cur" ] || cdna_pci_unbind "$pci" || return 1
	[ -d "/sys/bus/pci/drivers/$drv" ] || modprobe "$drv" || return 1
	echo "$drv" >"/sys/bus/pci/devices/$pci/driver_override" || return 1
	echo "$pci" >/sys/bus/pci/drivers_probe 2>/dev/null
	[ "$(cdna_pci_driver "$pci")" = "$drv" ]
}

cdna_pci_unbind() {
	local pci=$1 cur
	cur=$(cdna_pci_driver "$pci")
	if [ -n "$cur" ]; then
		echo "$pci" >"/sys/bus/pci/drivers/$cur/unbind" || return 1
	fi
	echo >"/sys/bus/pci/devices/$pci/driver_override" 2>/dev/null
	return 0
}

cdna_igb_vfs_create() {
	local pf=$1 n=$2 dev i
	dev=/sys/class/net/$pf/device
	[ -e "$dev/sriov_numvfs" ] || { echo "cdna_igb_vfs_create: $pf has no SR-IOV" >&2; return 1; }
	# VFs come up unbound: the caller binds each to igbvf, vfio-pci or cdna.
	echo 0 >"$dev/sriov_drivers_autoprobe" || return 1
	if [ "$(<"$dev/sriov_numvfs")" -ne 0 ]; then
		cdna_igb_vfs_remove "$pf" || return 1
	fi
	echo "$n" >"$dev/sriov_numvfs" || return 1
	for ((i = 0; i < 100; i++)); do
		[ -e "$dev/virtfn$((n - 1))" ] && return 0
		cdna_sleep 0.1
	done
	echo "cdna_igb_vfs_create: $pf: VF $((n - 1)) did not appear" >&2
	return 1
}

cdna_igb_vfs_remove() {
	local pf=$1 dev l
	dev=/sys/class/net/$pf/device
	for l in "$dev"/virtfn*; do
		[ -e "$l" ] || continue
		cdna_pci_unbind "$(basename "$(readlink -f "$l")")"
	done
	echo 0 >"$dev/sriov_numvfs" || return 1
	[ "$(<"$dev/sriov_numvfs")" -eq 0 ]
}
