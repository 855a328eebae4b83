# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The benchmark's agent inside an L2 guest (started by selftests/bench/lib.sh;
# not executable). Args: KIND ADDR/PREFIX [MAC], KIND = virtio | cdna |
# igbvf (an igb VF passed through with vfio-pci; MAC: the one its PF
# programmed, which the VF asks for should igbvf have missed it at probe;
# docs/testbed.md, "The igb L1", on why it does).
#
# Brings the NIC up with ADDR, starts "iperf3 -s", publishes b-ready (the
# interface name) and then serves L1's commands, one file each in $CDNA_OUT:
#   b-cmd.<seq>  "snap HOLD"             answer the NIC's counters
#                "run HOLD IPERF3-ARGS"  run an iperf3 client (JSON to
#                                        b-json.<seq>), answer "RC BEFORE AFTER";
#                                        b-go.<seq> says it is starting
#                "prof HOLD SECS"        perf profile of the guest for SECS s
#                                        (b-prof.<seq>.txt when done)
#                "quit"                  stop (the guest powers off)
#   b-res.<seq>  marker: the answer is in b-res.<seq>.txt; counters are "irqs,rx_packets,tx_packets,
#                rx_bytes,tx_bytes" (irqs: the NIC's MSI-X vectors, summed)
# After answering, the agent sleeps HOLD seconds without touching the share:
# every poll of it would be a VM exit inside the measurement.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_guest_lib.sh"

kind=$1
addr=$2
mac=${3:-}
ifc=
pci=
irqs=" "

# bg_mark NAME TEXT: publish TEXT to L1: NAME.txt, then the empty marker
# NAME (L1 waits for the marker). Our own, not vfg_mark: the protocol with
# lib.sh must not change under us.
bg_mark() {
	echo "${2:-}" >"$CDNA_OUT/$1.txt" && : >"$CDNA_OUT/$1"
}

bg_fail() {
	bg_mark b-failed "$*"
	vfg_fail "$*"
}

# bg_nic_virtio / bg_nic_cdna / bg_nic_igbvf: load the driver, set $ifc and
# $pci.
bg_nic_virtio() {
	local n drv i
	modprobe virtio_net || bg_fail "modprobe virtio_net failed"
	for ((i = 0; i < 100; i++)); do
		for n in /sys/class/net/*; do
			drv=$(readlink "$n/device/driver" 2>/dev/null) || continue
			case "$drv" in
			*/virtio_net)
				ifc=${n##*/}
				# virtioN's parent is the PCI function that owns the vectors.
				pci=$(cd -P "$n/device/.." && pwd -P)
				return 0
				;;
			esac
		done
		cdna_sleep 0.05
	done
	bg_fail "virtio_net made no interface"
}

bg_nic_igbvf() {
	local n drv i
	modprobe igbvf || bg_fail "modprobe igbvf failed"
	for ((i = 0; i < 100; i++)); do
		for n in /sys/class/net/*; do
			drv=$(readlink "$n/device/driver" 2>/dev/null) || continue
			if [ "${drv##*/}" = igbvf ]; then
				ifc=${n##*/}
				pci=$(cd -P "$n/device" && pwd -P)
				return 0
			fi
		done
		cdna_sleep 0.05
	done
	bg_fail "igbvf made no interface"
}

bg_nic_cdna() {
	pci=$(vfg_pci) || bg_fail "no cdna VF on the PCI bus"
	vfg_load
	ifc=$(vfg_netdev "$pci") || bg_fail "cdna_vf made no interface"
}

# bg_snap: print the counters (pure bash: no fork of a tool).
bg_snap() {
	local line n f sum=0 s=/sys/class/net/$ifc/statistics rxp txp rxb txb
	while read -r line; do
		n=${line%%:*}
		case "$irqs" in
		*" $n "*)
			for f in ${line#*:}; do
				case "$f" in
				*[!0-9]*) break ;;
				*) sum=$((sum + f)) ;;
				esac
			done
			;;
		esac
	done </proc/interrupts
	read -r rxp <"$s/rx_packets"
	read -r txp <"$s/tx_packets"
	read -r rxb <"$s/rx_bytes"
	read -r txb <"$s/tx_bytes"
	echo "$sum,$rxp,$txp,$rxb,$txb"
}

"bg_nic_$kind"
if [ "$kind" = igbvf ] && [ -n "$mac" ] && [ "$(<"/sys/class/net/$ifc/address")" != "$mac" ]; then
	ip link set "$ifc" address "$mac" || bg_fail "ip link set $ifc address $mac failed"
fi
for f in "$pci"/msi_irqs/*; do
	[ -e "$f" ] && irqs+="${f##*/} "
done
[ "$irqs" != " " ] || bg_fail "no MSI-X vectors under $pci/msi_irqs"
ip addr add "$addr" dev "$ifc" || bg_fail "ip addr add $addr dev $ifc failed"
ip link set "$ifc" up || bg_fail "ip link set $ifc up failed"
vfg_wait_carrier "$ifc" 1 20 || bg_fail "$ifc: no carrier"
# A test whose client vanished must not hold the server (it serves one
# test at a time) for the default 120 s: every later measurement would
# find it busy.
iperf3 -s -D --rcv-timeout 15000 || bg_fail "iperf3 -s -D failed"
echo "$kind NIC $ifc at ${pci##*/}, vectors:$irqs"
bg_mark b-ready "$ifc"

seq=1
while :; do
	f=$CDNA_OUT/b-cmd.$seq
	# Each look is a 9p round trip through QEMU on the L1 CPU the guests
	# share: every 50 ms for 5 s, then every 200 ms (idle while the other
	# guest boots).
	n=0
	while [ ! -e "$f" ]; do
		if [ $((n++)) -lt 100 ]; then cdna_sleep 0.05; else cdna_sleep 0.2; fi
	done
	read -r cmd hold rest <"$f"
	case "$cmd" in
	snap)
		bg_mark "b-res.$seq" "$(bg_snap)"
		;;
	run)
		s0=$(bg_snap)
		bg_mark "b-go.$seq"
		# shellcheck disable=SC2086
		timeout 120 iperf3 $rest -J --connect-timeout 5000 >"$CDNA_OUT/b-json.$seq" 2>&1
		rc=$?
		bg_mark "b-res.$seq" "$rc $s0 $(bg_snap)"
		;;
	prof)
		# "prof HOLD SECS": profile the whole guest for SECS seconds from
		# when perf records (cpu-clock: no PMU under nested SVM); answers
		# "recording" then (and holds), and the report lands in
		# b-prof.<seq>.txt.
		if cdna_perf_start "/run/perf.$seq" 360 && cdna_perf_ctl enable; then
			(
				cdna_sleep "$rest"
				cdna_perf_stop "/run/perf.$seq"
				{
					echo "# guest CPU time by task (swapper = idle)"
					perf report -q -i "/run/perf.$seq" --stdio --no-children \
						--sort comm -g none --percent-limit 0.5
					echo "# by task, DSO and symbol"
					perf report -q -i "/run/perf.$seq" --stdio --no-children \
						--sort comm,dso,sym -g none --percent-limit 0.5
				} >"$CDNA_OUT/.b-prof.$seq.txt" 2>&1
				rm -f "/run/perf.$seq"
				mv "$CDNA_OUT/.b-prof.$seq.txt" "$CDNA_OUT/b-prof.$seq.txt"
			) &
			bg_mark "b-res.$seq" recording
		else
			bg_mark "b-res.$seq" "perf did not start"
		fi
		;;
	quit)
		bg_mark "b-res.$seq" bye
		break
		;;
	*)
		bg_mark "b-res.$seq" "unknown command '$cmd'"
		;;
	esac
	[ "${hold:-0}" = 0 ] || cdna_sleep "$hold"
	seq=$((seq + 1))
done
echo "final counters: $(bg_snap)"
vec=$(echo $irqs)
grep -E "^ *(${vec// /|}):" /proc/interrupts
exit 0
