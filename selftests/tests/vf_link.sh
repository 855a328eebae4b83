#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 300
#
# Link toggles from the host reach the guest's carrier within a bound, and
# interrupts travel host -> VFIO eventfd -> KVM irqfd -> guest without QEMU:
#  - the guest's driver reads CTRL_CAUSE within VF_LINK_DRV_BOUND_MS of
#    each toggle (cdnactl ctx set UUID link down|up) (the host sees the read: one
#    clock), and the guest's carrier follows every toggle within
#    VF_LINK_BOUND_MS (L1 measures its write -> the guest's report through
#    9p, which dominates that figure);
#  - the host signalled the control vector once per toggle (debugfs stats)
#    and the guest counted exactly as many (/proc/interrupts);
#  - L1 ftrace: every kvm_msi_set_irq whose stack holds cdna's signal has
#    irqfd_wakeup under it (eventfd -> irqfd -> MSI in the kernel), there
#    is one per toggle, and QEMU injected nothing on those guest vectors
#    from userspace (kvm_send_userspace_msi);
#  - QEMU's trace: its own vfio interrupt handler (vfio_msi_interrupt)
#    never ran, while it did wire the vectors (vfio_msix_vector_do_use).
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"

n=${VF_LINK_TOGGLES:-10}
bound_ms=${VF_LINK_BOUND_MS:-3000}
drv_bound_ms=${VF_LINK_DRV_BOUND_MS:-1000}
tr=/sys/kernel/tracing
ev=$tr/events/kvm/kvm_msi_set_irq

# The guest reports through its output directory. Keep that in L1's
# overlay (tmpfs) rather than on the machine's share: a 9p round trip from
# L2 then ends in L1. The directory is copied back at the end.
keep_dir=$CDNA_TEST_DIR
CDNA_TEST_DIR=/var/tmp/cdna-vf_link.$$
mkdir -p "$CDNA_TEST_DIR"
trap 'cp -r "$CDNA_TEST_DIR"/. "$keep_dir"/ 2>/dev/null; rm -rf "$CDNA_TEST_DIR"' EXIT

vf_host_setup
cdna_kvm_setup
[ -d "$ev" ] || cdna_skip "no kvm:kvm_msi_set_irq trace event in L1"
uuid=$(vf_mdev_create 1) || cdna_fail "cannot create a cdna-1qp context"

qtrace="-trace vfio_msi_interrupt -trace vfio_msix_vector_do_use"
l2_start vf0 --mem 512 --qemu-args "$(vf_qemu_args "$uuid") $qtrace" \
	--script "$CDNA_REPO/selftests/tests/vf_link-guest.sh" -- "$n"
out=$(l2_out vf0)
while [ ! -e "$out/vf-ready" ] && [ ! -e "$out/done" ]; do cdna_sleep 0.1; done
if [ ! -e "$out/vf-ready" ]; then
	vf_dbg "$uuid" stats | grep -Ev '^queue'
	l2_wait vf0 10
	cdna_fail "the guest never got its interface up"
fi
ifc=$(vf_guest_text vf0 vf-ready)
echo "guest interface $ifc is up; toggling the link $n times"

echo 0 >"$tr/tracing_on"
echo >"$tr/trace"
echo stacktrace >"$ev/trigger"
echo 1 >"$ev/enable"
echo 1 >"$tr/tracing_on"

h0=$(vf_stat "$uuid" irq_vector0)
qlog=$out/qemu.log
q0=$(grep -c vfio_msi_interrupt "$qlog")
max=0 sum=0 cmax=0 csum=0 err=
for ((i = 1; i <= n; i++)); do
	val=$((i % 2 ? 0 : 1))
	t0=$(cdna_now_us)
	vf_set_link "$uuid" $val || { err="cdnactl ctx set link failed"; break; }
	# The guest's control task read (and so cleared) CTRL_CAUSE.
	while vf_stat_fast "$uuid" ctrl_cause && [ "$VF_STAT" != 0x0 ]; do
		[ $(($(cdna_now_us) - t0)) -lt 20000000 ] || break
		cdna_sleep 0.002
	done
	cms=$(( ($(cdna_now_us) - t0) / 1000 ))
	csum=$((csum + cms))
	[ $cms -gt $cmax ] && cmax=$cms
	while [ ! -e "$out/carrier.$i" ]; do
		if [ $(($(cdna_now_us) - t0)) -gt 20000000 ] || [ -e "$out/done" ]; then
			err="toggle $i (link $val): the guest never reported its carrier"
			break 2
		fi
		cdna_sleep 0.005
	done
	ms=$(( ($(cdna_now_us) - t0) / 1000 ))
	echo "toggle $i: link $val -> guest read CTRL_CAUSE in $cms ms, reported carrier $(vf_guest_text vf0 "carrier.$i") in $ms ms"
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
g=$(vf_guest_text vf0 irqs)
echo "link toggles: $n; host write -> guest driver read CTRL_CAUSE: max $cmax ms, mean $((csum / n)) ms (bound $drv_bound_ms ms)"
echo "host write -> guest carrier reported (9p to L1): max $max ms, mean $((sum / n)) ms (bound $bound_ms ms)"
echo "control vector interrupts: host signalled $((h1 - h0)), guest received $g"
cdna_stage "link toggle -> guest driver (mean)" "$(printf '%d.%03d' $((csum / n / 1000)) $((csum / n % 1000)))"
cdna_stage "link toggle -> guest carrier report (mean)" "$(printf '%d.%03d' $((sum / n / 1000)) $((sum / n % 1000)))"

# Through KVM's irqfd. Per kvm_msi_set_irq event (its stack trace is a
# separate entry of the same task and CPU, possibly interleaved with other
# CPUs' entries): MSIs raised by cdna's link toggles, all MSIs raised by
# cdna, those of them under irqfd_wakeup, and MSIs to cdna's guest vectors
# that QEMU injected from userspace (KVM_SIGNAL_MSI).
read -r link ours via_irqfd user vecs < <(awk '
	function flush() {
		if (key == "") return
		if (c) { ours++; if (w) irqfd++; if (l) link++; v[vec[key]] = 1 }
		if (u) uvec[vec[key]]++
		key = ""; c = 0; w = 0; u = 0; l = 0
	}
	/ kvm_msi_set_irq: / {
		flush()
		for (i = 1; i <= NF; i++) if ($i == "vec") vec[$1 " " $2] = $(i + 1)
		next
	}
	/<stack trace>/ { flush(); key = $1 " " $2; next }
	/^ => / {
		if ($0 ~ /cdna_irq_signal/) c = 1
		if ($0 ~ /cdna_ctx_(set|update)_link/) l = 1
		if ($0 ~ /irqfd_wakeup/) w = 1
		if ($0 ~ /kvm_send_userspace_msi/) u = 1
		next
	}
	{ flush() }
	END {
		flush()
		for (x in v) { n += uvec[x]; list = list x "," }
		print link + 0, ours + 0, irqfd + 0, n + 0, (list == "" ? "-" : list)
	}' "$CDNA_TEST_DIR/kvm_msi_set_irq.trace")
echo "kvm_msi_set_irq raised by cdna: $ours ($link by the link toggles; guest vectors ${vecs%,}), through irqfd_wakeup: $via_irqfd; on those vectors from QEMU userspace: $user"
grep -m1 -A16 'cdna_ctx_update_link' -B12 "$CDNA_TEST_DIR/kvm_msi_set_irq.trace" | grep -A16 '<stack trace>' | head -17
q1=$(grep -c vfio_msi_interrupt "$qlog")
wired=$(grep -c vfio_msix_vector_do_use "$qlog")
echo "QEMU: vfio_msix_vector_do_use $wired, vfio_msi_interrupt during the toggles $((q1 - q0)) (total $q1)"

[ $cmax -le "$drv_bound_ms" ] || cdna_fail "the guest driver saw a link change only after $cmax ms (bound $drv_bound_ms ms)"
[ $max -le "$bound_ms" ] || cdna_fail "the guest reported a carrier change only after $max ms (bound $bound_ms ms)"
[ $((h1 - h0)) -eq "$n" ] || cdna_fail "host signalled $((h1 - h0)) control interrupts for $n toggles"
[ "$g" -eq "$n" ] || cdna_fail "guest received $g control interrupts, host signalled $((h1 - h0))"
[ "$link" -eq "$n" ] || cdna_fail "ftrace shows $link MSIs from the link toggles, expected $n"
[ "$via_irqfd" -eq "$ours" ] || cdna_fail "$((ours - via_irqfd)) MSIs from cdna did not go through irqfd_wakeup"
[ "$user" -eq 0 ] || cdna_fail "QEMU injected $user MSIs on the VF's vector(s) from userspace"
[ "$wired" -ge 1 ] || cdna_fail "QEMU never wired an MSI-X vector of the VF"
[ "$q1" -eq "$q0" ] || cdna_fail "QEMU's userspace vfio interrupt handler ran $((q1 - q0)) times"
[ "$(vf_dbg "$uuid" state)" = closed ] || cdna_fail "context is $(vf_dbg "$uuid" state) after the guest is gone"
vf_host_cleanup
exit 0
