# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers of mig_live.sh (sourced after $CDNA_LIB; not a test itself: not
# executable). A guest that migrates cannot have a 9p root (QEMU blocks
# the migration of a mounted virtfs export), so these guests boot from an
# initramfs of their own, selftests/tests/mig_live-guest.init as /init,
# and report on their serial console.
#
#   mig_initramfs OUT MODS...  build the initramfs OUT: static busybox,
#                              iperf3 and its libraries, the modules MODS
#                              (paths, loaded in that order)
#   mig_cdna_initramfs OUT     that initramfs with cdna_vf and the modules
#                              it depends on
#   mig_qemu NAME INITRD APPEND ARGS...
#                              start a guest QEMU (KVM, 256 MB, QMP on
#                              $MIG_DIR/NAME.qmp, console $MIG_DIR/NAME.log)
#                              with ARGS (devices, -incoming); returns at once
#   mig_qmp NAME CMD [JSON]    one QMP command, its "return" on stdout
#   mig_wait_console NAME TEXT SECS
#                              wait until NAME's console has TEXT
#   mig_run SRC DST URI        migrate SRC to DST (which listens on URI),
#                              wait for the end; sets MIG_STATUS,
#                              MIG_DOWNTIME (ms), MIG_TOTAL (ms),
#                              MIG_BYTES (RAM bytes sent), MIG_ROUNDS
#                              (dirty-page syncs), MIG_SETUP (ms)
#   mig_wait_end SRC SECS STEP  poll SRC's migration until it ended or
#                              SECS passed; sets MIG_STATUS, MIG_QUERY
#   mig_cancel SRC URI BW SECS start migrating SRC to URI at BW bytes/s,
#                              cancel it after SECS; true if it ended
#                              "cancelled" (MIG_STATUS)
#   mig_quit NAME              stop a guest's QEMU, wait for it to go
#   mig_stream LOG SECS WHAT [PID]
#                              wait up to SECS for MIG-RESULT on the guest
#                              console LOG (or until PID ends), print
#                              iperf3's summary; false, saying why, if the
#                              stream did not end, died, or the link dropped
#   mig_server PID JSON WHAT   wait for the iperf3 server PID (-1: it ends
#                              with its stream), print what it received;
#                              false if its last 3 seconds had no bytes

MIG_DIR=${MIG_DIR:-$CDNA_TEST_DIR/mig}
MIG_QMP=$CDNA_REPO/selftests/vm/qmp
declare -gA MIG_PID=()

mig_initramfs() {
	local out=$1 tmp m f
	shift
	tmp=$(mktemp -d)
	mkdir -p "$tmp/bin" "$tmp/modules" "$tmp/tmp" "$tmp/proc" "$tmp/sys" "$tmp/dev"
	cp "$(command -v busybox)" "$tmp/bin/busybox" || return 1
	install -m 0755 "$CDNA_REPO/selftests/tests/mig_live-guest.init" "$tmp/init"
	cp "$(command -v iperf3)" "$tmp/bin/iperf3" || return 1
	for f in $(ldd "$(command -v iperf3)" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		mkdir -p "$tmp$(dirname "$f")"
		cp -L "$f" "$tmp$f"
	done
	: >"$tmp/modules.list"
	for f in "$@"; do
		m=$(basename "$f")
		m=${m%%.ko*}
		case "$f" in
		*.ko.xz) xz -dc "$f" >"$tmp/modules/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$tmp/modules/$m.ko" ;;
		*) cp "$f" "$tmp/modules/$m.ko" ;;
		esac
		echo "$m" >>"$tmp/modules.list"
	done
	(cd "$tmp" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out"
	rm -rf "$tmp"
	[ -s "$out" ]
}

# The modules (paths, in load order) a kernel module needs, itself last.
mig_module_paths() {
	modprobe --show-depends "$1" 2>/dev/null | awk '$1 == "insmod" { print $2 }'
}

mig_cdna_initramfs() {
	local d mods=()
	for d in $(modinfo -F depends "$CDNA_VF_KO" | tr ',' ' '); do
		mapfile -t -O "${#mods[@]}" mods < <(mig_module_paths "$d")
	done
	mig_initramfs "$1" "${mods[@]}" "$CDNA_VF_KO"
}

mig_qemu() {
	local name=$1 initrd=$2 append=$3
	shift 3
	mkdir -p "$MIG_DIR"
	rm -f "$MIG_DIR/$name.qmp"
	taskset -c "$CDNA_L2_L1CPUS" qemu-system-x86_64 -name "cdna-mig-$name" \
		-machine q35,accel=kvm -cpu host,-xsave -m 256 -smp 1 \
		-nodefaults -no-user-config -display none -vga none \
		-monitor none -no-reboot -nic none \
		-serial "file:$MIG_DIR/$name.log" \
		-qmp "unix:$MIG_DIR/$name.qmp,server=on,wait=off" \
		-kernel "$CDNA_KERNEL" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 quiet $append" \
		"$@" >"$MIG_DIR/$name.qemu" 2>&1 </dev/null &
	MIG_PID[$name]=$!
	for _ in $(seq 1 100); do
		[ -S "$MIG_DIR/$name.qmp" ] && return 0
		kill -0 "${MIG_PID[$name]}" 2>/dev/null || break
		cdna_sleep 0.1
	done
	echo "mig: QEMU $name did not start:"
	sed "s/^/mig $name qemu: /" "$MIG_DIR/$name.qemu"
	return 1
}

mig_qmp() {
	"$MIG_QMP" "$MIG_DIR/$1.qmp" "$2" "${3:-}"
}

mig_wait_console() {
	local end=$(( $(cdna_now_us) + $3 * 1000000 ))
	while ! grep -q "$2" "$MIG_DIR/$1.log" 2>/dev/null; do
		[ "$(cdna_now_us)" -lt "$end" ] || return 1
		kill -0 "${MIG_PID[$1]}" 2>/dev/null || return 1
		cdna_sleep 0.2
	done
}

# mig_wait_end SRC SECS STEP: poll SRC's query-migrate every STEP s until
# the migration ended (completed, failed or cancelled) or SECS passed.
# Sets MIG_STATUS and MIG_QUERY (the last reply); 1 if QMP failed.
mig_wait_end() {
	local src=$1 end=$(( $(cdna_now_us) + $2 * 1000000 ))
	while [ "$(cdna_now_us)" -lt "$end" ]; do
		MIG_QUERY=$(mig_qmp "$src" query-migrate) || return 1
		MIG_STATUS=$(jq -r .status <<<"$MIG_QUERY")
		case "$MIG_STATUS" in
		completed|failed|cancelled) return 0 ;;
		esac
		cdna_sleep "$3"
	done
}

mig_run() {
	local src=$1 dst=$2 uri=$3 q
	MIG_STATUS=none MIG_DOWNTIME= MIG_TOTAL= MIG_BYTES= MIG_ROUNDS= MIG_SETUP=
	mig_qmp "$src" migrate-set-parameters '{"max-bandwidth": 4294967296}' >/dev/null ||
		return 1
	mig_qmp "$src" migrate "{\"uri\": \"$uri\"}" >/dev/null || return 1
	mig_wait_end "$src" 300 0.3 || return 1
	q=$MIG_QUERY
	echo "mig: $src -> $dst: $MIG_STATUS"
	[ "$MIG_STATUS" = completed ] || { jq -c . <<<"$q"; return 1; }
	MIG_DOWNTIME=$(jq -r .downtime <<<"$q")
	MIG_TOTAL=$(jq -r '."total-time"' <<<"$q")
	MIG_BYTES=$(jq -r .ram.transferred <<<"$q")
	MIG_ROUNDS=$(jq -r '.ram."dirty-sync-count"' <<<"$q")
	MIG_SETUP=$(jq -r '."setup-time" // 0' <<<"$q")
	echo "mig: downtime $MIG_DOWNTIME ms, total $MIG_TOTAL ms, setup $MIG_SETUP ms," \
	     "RAM sent $MIG_BYTES bytes in $MIG_ROUNDS dirty-page rounds"
	jq -c . <<<"$q" >"$MIG_DIR/$src.query-migrate"
}

mig_cancel() {
	local src=$1 uri=$2 bw=$3 secs=$4 q sent
	MIG_STATUS=none
	mig_qmp "$src" migrate-set-parameters "{\"max-bandwidth\": $bw}" >/dev/null &&
	mig_qmp "$src" migrate "{\"uri\": \"$uri\"}" >/dev/null || return 1
	cdna_sleep "$secs"
	q=$(mig_qmp "$src" query-migrate) || return 1
	MIG_STATUS=$(jq -r .status <<<"$q")
	[ "$MIG_STATUS" = active ] || { jq -c . <<<"$q"; return 1; }
	sent=$(jq -r '.ram.transferred // 0' <<<"$q")
	mig_qmp "$src" migrate_cancel >/dev/null || return 1
	mig_wait_end "$src" 30 0.2 || return 1
	echo "mig: $src: migrate_cancel after $secs s and $sent bytes: $MIG_STATUS"
	[ "$MIG_STATUS" = cancelled ]
}

mig_quit() {
	local pid=${MIG_PID[$1]:-}
	[ -n "$pid" ] || return 0
	mig_qmp "$1" quit >/dev/null 2>&1
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		cdna_sleep 0.2
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "MIG_PID[$1]"
	return 0
}

mig_stream() {
	local log=$1 secs=$2 what=$3 pid=${4:-} end r rc c0 c1
	end=$(( $(cdna_now_us) + secs * 1000000 ))
	while ! grep -qa MIG-RESULT "$log" 2>/dev/null; do
		if [ "$(cdna_now_us)" -ge "$end" ] ||
		   { [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; }; then
			echo "FAIL: $what: the guest did not finish its stream; console: $log"
			tail -n 20 "$log"
			return 1
		fi
		cdna_sleep 0.2
	done
	# The serial console ends its lines with CR LF.
	r=$(grep -a MIG-RESULT "$log" | tail -n 1 | tr -d '\r')
	read -r _ rc c0 c1 <<<"$r"
	grep -a 'MIG-IPERF .*\(sender\|receiver\|error\)' "$log"
	if [ "$rc" != 0 ]; then
		echo "FAIL: $what: iperf3 failed (exit $rc): the stream died"
		return 1
	fi
	if [ "$c0" != "$c1" ]; then
		echo "FAIL: $what: the guest's link dropped (carrier_changes $c0 -> $c1)"
		return 1
	fi
}

# The guests' QEMUs are children of the test too: wait for the server alone.
mig_server() {
	local pid=$1 json=$2 what=$3 tail_ok
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		cdna_sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "$what: the iperf3 server did not end"
		kill "$pid"
	fi
	wait "$pid" 2>/dev/null
	echo "$what: receiver got $(jq -r '.end.sum_received.bytes' "$json" 2>/dev/null) bytes" \
	     "in $(jq -r '.intervals | length' "$json" 2>/dev/null) s," \
	     "$(jq -r '[.intervals[].sum.bytes] | min' "$json" 2>/dev/null) bytes in its worst second"
	tail_ok=$(jq -r '[.intervals[-3:][].sum.bytes > 0] | all' "$json" 2>/dev/null)
	if [ "$tail_ok" != true ]; then
		echo "FAIL: $what: the receiver saw no bytes at the end of the stream"
		return 1
	fi
}
