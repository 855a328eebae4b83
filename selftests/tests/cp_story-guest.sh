# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# L2 side of cp_story.sh and of the demo (selftests/demo/story.sh): the
# README story as a guest sees it.  Args: ROLE MY_IP TARGET_IP... [-- SECS
# IPERF_SERVER_IP]
#   modprobe cdna_vf -> a NIC appears, link up, its queue pairs; address it,
#   publish vf-up, wait for L1's "go", ping every target, optionally run
#   iperf3 for SECS to IPERF_SERVER_IP, publish vf-result ("PASS/FAIL ..."
#   lines) and wait for L1's "bye" before powering off.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_guest_lib.sh"

role=$1 me=$2
shift 2
targets=() secs=0 server=
while [ $# -gt 0 ]; do
	case "$1" in
	--) secs=$2; server=$3; break ;;
	*) targets+=("$1") ;;
	esac
	shift
done

vfg_up "$me"
# Queue pairs the device offers (ethtool's pre-set maximum); the driver
# uses at most one per vCPU.
nq=$(ethtool -l "$ifc" 2>/dev/null | awk '/^Combined:/ { print $2; exit }')
iperf3 -s -D >/dev/null 2>&1
vfg_mark vf-up "$ifc $(cat "/sys/class/net/$ifc/address") $nq"
vfg_wait_file go 300 || vfg_fail "L1 never said go"

result() {
	echo "$1 $role: $2" | tee -a "$CDNA_OUT/vf-result.tmp"
}
for t in "${targets[@]}"; do
	if out=$(busybox ping -c 3 -W 3 "$t" 2>&1); then
		result PASS "ping $t: $(echo "$out" | tail -n 1)"
	else
		result FAIL "ping $t: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	fi
done
if [ "$secs" != 0 ]; then
	if out=$(iperf3 -t "$secs" -c "$server" 2>&1) && ! grep -q error <<<"$out"; then
		result PASS "iperf3 to $server: $(grep -E 'receiver' <<<"$out" | awk '{print $7, $8}')"
	else
		result FAIL "iperf3 to $server: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
	fi
fi
mv "$CDNA_OUT/vf-result.tmp" "$CDNA_OUT/vf-result"
vfg_wait_file bye 300
exit 0
