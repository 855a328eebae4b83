#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 180
#
# The module parameters are bounded: insmod with a value out of range (or
# not a number) fails and says why in the kernel log, a write of such a
# value to /sys/module/cdna/parameters is refused and changes nothing,
# and the limits themselves are accepted.
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/cp_lib.sh"

ko=$CDNA_KMOD_KO
params=/sys/module/cdna/parameters
cdna_vfio_setup
# shellcheck disable=SC2046
modprobe -a $(modinfo -F depends "$ko" | tr ',' ' ') || cdna_fail "cannot load what cdna.ko needs"
[ -d /sys/module/cdna ] && rmmod cdna
trap '[ -d /sys/module/cdna ] && rmmod cdna' EXIT

for bad in pin_max=1048577 pin_max=4294967295 weight=0 weight=4097 \
	   poll_usecs=10001 poll_usecs=4294967295 rx_backlog_bytes=1 \
	   rx_backlog_bytes=4294967295 tx_quantum=4095 tx_quantum=16777217 \
	   sw_max_queue_pairs=0 sw_max_queue_pairs=9 weight=lots; do
	name=${bad%%=*}
	dmesg -C
	if insmod "$ko" "$bad" 2>/dev/null; then
		cp_bad "insmod $bad was accepted (now $(cat "$params/$name"))"
		rmmod cdna
	elif ! dmesg | grep -q "cdna: parameter $name: \"${bad#*=}\" is not a number in \["; then
		cp_bad "insmod $bad refused without saying why: $(dmesg | tail -3)"
	else
		cp_good "insmod $bad refused: $(dmesg | grep -o "parameter $name:.*")"
	fi
done

lims="pin_max=1048576 weight=4096 poll_usecs=0 rx_backlog_bytes=262144 tx_quantum=16777216"
# shellcheck disable=SC2086
if insmod "$ko" $lims; then
	got="pin_max=$(cat $params/pin_max) weight=$(cat $params/weight) poll_usecs=$(cat $params/poll_usecs) rx_backlog_bytes=$(cat $params/rx_backlog_bytes) tx_quantum=$(cat $params/tx_quantum)"
	[ "$got" = "$lims" ] && cp_good "the limits are accepted ($got)" ||
		cp_bad "limits read back as $got"
	for bad in weight=0 weight=5000 pin_max=2000000 poll_usecs=-1 rx_backlog_bytes=0 \
		   tx_quantum=0; do
		name=${bad%%=*}
		old=$(cat "$params/$name")
		if echo "${bad#*=}" >"$params/$name" 2>/dev/null; then
			cp_bad "sysfs $bad was accepted (now $(cat "$params/$name"))"
		elif [ "$(cat "$params/$name")" != "$old" ]; then
			cp_bad "sysfs $bad refused but changed $name to $(cat "$params/$name")"
		else
			cp_good "sysfs $bad refused, $name still $old"
		fi
	done
	echo 128 >"$params/weight" && [ "$(cat "$params/weight")" = 128 ] &&
		cp_good "sysfs weight=128 taken" || cp_bad "sysfs weight=128 not taken"
	rmmod cdna || cp_bad "rmmod cdna failed"
else
	cp_bad "insmod $lims failed"
fi
cp_done
