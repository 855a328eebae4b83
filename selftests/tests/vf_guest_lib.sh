# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers of the vf_*-guest.sh scripts, which run inside L2 guests (sourced;
# not a test itself). Pure bash where it matters: every fork is slow here.
#
#   vfg_pci                  print the sysfs dir of the cdna VF (0xcd0a:0x0001)
#   vfg_load                 insmod vf-driver/cdna_vf.ko (with dependencies)
#   vfg_netdev PCIDIR        print the interface the driver made for it
#   vfg_wait_carrier IF 0|1 SECS   wait for the carrier; 0 if it came
#   vfg_up IP                load the driver, bring the VF's interface up
#                            with IP/24 and wait for its carrier; sets ifc
#   vfg_irqs PATTERN         sum of /proc/interrupts over lines matching
#   vfg_mark NAME [TEXT]     publish NAME (and TEXT) to L1 in $CDNA_OUT; use
#                            a "vf-" prefix: l2-init owns ready, done, rc...
#   vfg_wait_file NAME SECS  wait for L1 to publish $CDNA_OUT/NAME
#   vfg_fail MESSAGE         dump the interface state, then cdna_fail

VFG_KO=$CDNA_VF_KO

vfg_pci() {
	local d v id
	for d in /sys/bus/pci/devices/*; do
		read -r v <"$d/vendor"
		read -r id <"$d/device"
		if [ "$v" = 0xcd0a ] && [ "$id" = 0x0001 ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

vfg_load() {
	cdna_insmod "$VFG_KO"
}

vfg_netdev() {
	local n
	for n in "$1"/net/*; do
		[ -e "$n" ] || return 1
		echo "${n##*/}"
		return 0
	done
	return 1
}

vfg_wait_carrier() {
	local ifc=$1 want=$2 end c
	end=$((${EPOCHREALTIME/./} + $3 * 1000000))
	while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do
		c=
		read -r c 2>/dev/null <"/sys/class/net/$ifc/carrier"
		[ "$c" = "$want" ] && return 0
		cdna_sleep 0.005
	done
	return 1
}

vfg_up() {
	local pci
	pci=$(vfg_pci) || vfg_fail "no cdna function on the PCI bus"
	vfg_load
	ifc=$(vfg_netdev "$pci") || vfg_fail "cdna_vf made no interface"
	ip addr add "$1/24" dev "$ifc" || vfg_fail "ip addr add $1/24 dev $ifc failed"
	ip link set "$ifc" up || vfg_fail "ip link set $ifc up failed"
	vfg_wait_carrier "$ifc" 1 10 || vfg_fail "no carrier 10 s after ip link set up"
}

vfg_irqs() {
	local line sum=0 f
	while read -r line; do
		case "$line" in
		*$1*)
			# "IRQ: count [count...] chip hwirq edge name"
			for f in ${line#*:}; do
				case "$f" in
				*[!0-9]*) break ;;
				*) sum=$((sum + f)) ;;
				esac
			done
			;;
		esac
	done </proc/interrupts
	echo "$sum"
}

# Builtins only (an exec of mv costs seconds here): the text goes to
# NAME.txt first, then NAME appears, empty. L1 waits for NAME and reads
# NAME.txt (vf_guest_text in vf_lib.sh).
vfg_mark() {
	echo "${2:-}" >"$CDNA_OUT/$1.txt" && : >"$CDNA_OUT/$1"
}

vfg_wait_file() {
	local end n=0
	end=$((${EPOCHREALTIME/./} + $2 * 1000000))
	# Each look is a 9p round trip through QEMU, on the L1 CPU the other
	# guests share: every 10 ms for a second, then every 100 ms.
	while [ ! -e "$CDNA_OUT/$1" ]; do
		[ "${EPOCHREALTIME/./}" -lt "$end" ] || return 1
		if [ $((n++)) -lt 100 ]; then cdna_sleep 0.01; else cdna_sleep 0.1; fi
	done
	return 0
}

vfg_fail() {
	echo "--- guest state at failure ---"
	ip -s link show 2>&1 | tail -n 20
	grep -E 'cdna|CPU' /proc/interrupts
	dmesg | grep -i cdna | tail -n 20
	cdna_fail "$*"
}
