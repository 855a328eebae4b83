#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 300
#
# Link toggles from the host reach the guest's carrier within a bound, and
# interrupts travel host -> VFIO eventfd -> KVM irqfd -> guest without QEMU:
#  - the guest's carrier follows every toggle of the debugfs "link" knob
#    within VF_LINK_BOUND_MS (L1 measures write -> guest's report);
#  - the host signalled the control vector once per toggle (debugfs stats)
#    and the guest counted exactly as many (/proc/interrupts);
#  - L1 ftrace: every kvm_msi_set_irq whose stack holds cdna's signal has
#    irqfd_wakeup under it (eventfd -> irqfd -> MSI in the kernel), and
#    there is one per toggle;
#  - QEMU's trace: its own vfio interrupt handler (vfio_msi_interrupt)
#    never ran, while it did wire the vectors (vfio_msix_vector_do_use).
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"

n=${VF_LINK_TOGGLES:-10}
bound_ms=${VF_LINK_BOUND_MS:-2000}
tr=/sys/kernel/tracing
ev=$tr/events/kvm/kvm_msi_set_irq

vf_host_setup
cdna_kvm_setup
[ -d "$ev" ] || cdna_skip "no kvm:kvm_msi_set_irq trace event in L1"
uuid=$(vf_mdev_create 1) || cdna_fail "cannot create a cdna-1qp context"

qtrace="-trace vfio_msi_interrupt -trace vfio_msix_vector_do_use"
l2_start vf0 --mem 512 --qemu-args "$(vf_qemu_args "$uuid") $qtrace" \
	--script "$CDNA_REPO/selftests/tests/vf_link-guest.sh" -- "$n"
out=$(l2_out vf0)
while [ ! -e "$out/ready" ] && [ ! -e "$out/done" ]; do cdna_sleep 0.1; done
[ -e "$out/ready" ] || { l2_wait vf0 10; cdna_fail "guest never got its interface up"; }
ifc=$(cat "$out/ready")
echo "guest interface $ifc is up; toggling the link $n times"

echo 0 >"$tr/tracing_on"
echo >"$tr/trace"
echo stacktrace >"$ev/trigger"
echo 1 >"$ev/enable"
echo 1 >"$tr/tracing_on"

h0=$(vf_stat "$uuid" irq_vector0)
qlog=$out/qemu.log
q0=$(grep -c vfio_msi_interrupt "$qlog")
max=0 sum=0 err=
for ((i = 1; i <= n; i++)); do
	val=$((i % 2 ? 0 : 1))
	t0=$(cdna_now_us)
	echo $val >"$VF_DBG/$VF_NIC/$uuid/link"
	while [ ! -e "$out/carrier.$i" ]; do
		if [ $(($(cdna_now_us) - t0)) -gt 20000000 ] || [ -e "$out/done" ]; then
			err="toggle $i (link $val): the guest never reported its carrier"
			break 2
		fi
		cdna_sleep 0.005
	done
	ms=$(( ($(cdna_now_us) - t0) / 1000 ))
	echo "toggle $i: link $val -> guest carrier $(cat "$out/carrier.$i") in $ms ms"
	sum=$((sum + ms))
	[ $ms -gt $max ] && max=$ms
done
h1=$(vf_stat "$uuid" irq_vector0)

echo 0 >"$tr/tracing_on"
cp "$tr/trace" "$CDNA_TEST_DIR/kvm_msi_set_irq.trace"
echo 0 >"$ev/enable"
echo '!stacktrace' >"$ev/trigger"

l2_wait vf0 60 || cdna_fail "L2 guest failed; console: $(l2_console vf0)"
[ -z "$err" ] || cdna_fail "$err"
g=$(cat "$out/irqs")
echo "link toggles: $n, latency max $max ms, mean $((sum / n)) ms (bound $bound_ms ms)"
echo "control vector interrupts: host signalled $((h1 - h0)), guest received $g"
cdna_stage "link toggle mean ms" "$((sum / n))"

# Through KVM's irqfd: stacks of kvm_msi_set_irq that hold cdna's signal.
read -r ours via_irqfd < <(awk '
	/ kvm_msi_set_irq: / { flush(); inrec = 1; next }
	/<stack trace>/ { next }
	/^ => / { if (inrec) { if ($0 ~ /\[cdna\]/) c = 1; if ($0 ~ /irqfd_wakeup/) w = 1 }; next }
	{ flush() }
	function flush() { if (inrec && c) { ours++; if (w) irqfd++ } inrec = 0; c = 0; w = 0 }
	END { flush(); print ours + 0, irqfd + 0 }' "$CDNA_TEST_DIR/kvm_msi_set_irq.trace")
echo "kvm_msi_set_irq from cdna: $ours, of which through irqfd_wakeup: $via_irqfd"
grep -m1 -A14 '\[cdna\]' "$CDNA_TEST_DIR/kvm_msi_set_irq.trace" | head -20 ||
	grep -m1 -B2 -A14 'kvm_msi_set_irq' "$CDNA_TEST_DIR/kvm_msi_set_irq.trace" | head -20
q1=$(grep -c vfio_msi_interrupt "$qlog")
wired=$(grep -c vfio_msix_vector_do_use "$qlog")
echo "QEMU: vfio_msix_vector_do_use $wired, vfio_msi_interrupt during the toggles $((q1 - q0)) (total $q1)"

[ $max -le "$bound_ms" ] || cdna_fail "link latency $max ms exceeds $bound_ms ms"
[ $((h1 - h0)) -eq "$n" ] || cdna_fail "host signalled $((h1 - h0)) control interrupts for $n toggles"
[ "$g" -eq "$n" ] || cdna_fail "guest received $g control interrupts, host signalled $((h1 - h0))"
[ "$ours" -eq "$n" ] || cdna_fail "ftrace shows $ours MSIs from cdna, expected $n"
[ "$via_irqfd" -eq "$ours" ] || cdna_fail "$((ours - via_irqfd)) MSIs from cdna did not go through irqfd_wakeup"
[ "$wired" -ge 1 ] || cdna_fail "QEMU never wired an MSI-X vector of the VF"
[ "$q1" -eq "$q0" ] || cdna_fail "QEMU's userspace vfio interrupt handler ran $((q1 - q0)) times"
[ "$(vf_dbg "$uuid" state)" = closed ] || cdna_fail "context is $(vf_dbg "$uuid" state) after the guest is gone"
vf_host_cleanup
exit 0
