#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdna-timeout: 600
#
# The benchmark's smoke variant, so that make bench cannot rot: one short
# iteration of one workload (TCP guest -> peer) per path, through the same
# code make bench runs (selftests/bench/lib.sh), then the report
# (selftests/bench/report.py, without the chart). Asserts behaviour, not
# performance (no thresholds: a benchmark is not a test):
#  - every path moved data: > 0 bytes received, > 0 packets, and its L1
#    CPU, VM exit and guest interrupt counters were read (> 0);
#  - bench.json holds every field of every path, workload, ratio and target.
# BENCH_SMOKE_PATHS narrows the paths (default: all three).
set -u
. "$CDNA_LIB"
. "$CDNA_REPO/selftests/tests/vf_lib.sh"
. "$CDNA_REPO/selftests/bench/lib.sh"

py=/usr/bin/python3
[ -x "$py" ] || cdna_skip "no /usr/bin/python3 for selftests/bench/report.py (make deps)"
[ -r /sys/kernel/debug/kvm/exits ] || cdna_kvm_setup
BENCH_PATHS=${BENCH_SMOKE_PATHS:-"cdna vhost-tap vhost-macvtap"}
BENCH_WORKLOADS=tcp_tx
BENCH_ITERS=1
BENCH_TCP_SECS=2
BENCH_BUDGET=480

t0=$(cdna_now_us)
bench_main
cdna_stage "bench (all paths)" "$(cdna_since "$t0")"
"$py" "$CDNA_REPO/selftests/bench/report.py" --no-plot --raw "$BENCH_OUT/raw.jsonl" \
	--params "$BENCH_OUT/params.json" --out "$BENCH_OUT" ||
	cdna_fail "report.py failed"
json=$BENCH_OUT/bench.json

fails=0
check() {	# check DESCRIPTION JQ-EXPRESSION (true = good)
	if ! jq -e "$2" "$json" >/dev/null; then
		echo "FAIL: $1"
		fails=$((fails + 1))
	fi
}

check "bench.json lacks meta/params/paths/ratios/targets/raw" \
	'has("params") and has("paths") and has("ratios") and has("targets") and has("raw")'
check "targets: not exactly the five of docs/performance.md, or a field missing" \
	'(.targets | length) == 5 and all(.targets[]; has("target") and has("goal") and has("status") and has("values"))'
check "ratios: a workload or a ratio field is missing" \
	'(.ratios | keys) == (.params.workloads | sort) and all(.ratios[]; all(.[]; has("rate") and has("cpu") and has("exits_per_kpkt") and has("irqs_per_kpkt")))'
for p in $BENCH_PATHS; do
	check "$p: not in bench.json" ".paths | has(\"$p\")"
	st=$(jq -r ".paths[\"$p\"].status" "$json")
	if [ "$st" != ok ]; then
		echo "FAIL: $p: n/a ($(jq -r ".paths[\"$p\"].reason" "$json"))"
		fails=$((fails + 1))
		continue
	fi
	w=".paths[\"$p\"].workloads.tcp_tx"
	for f in gbps cpu_s_per_gbit exits_per_kpkt irqs_per_kpkt l1_host_cpu_s \
		 vm_exits packets guest_irqs bytes; do
		check "$p: $f has no median/min/max" "$w.$f | has(\"median\") and has(\"min\") and has(\"max\")"
	done
	for f in bytes packets l1_host_cpu_s vm_exits guest_irqs; do
		check "$p: $f is not > 0" "$w.$f.median > 0"
	done
	# VM exits split by reason (kvm:kvm_exit histogram in L1).
	check "$p: no VM exits by reason" "$w.exits_by_reason_per_kpkt | length > 0"
	if [ "$p" = cdna ]; then
		check "cdna: no doorbells per 1000 packets" "$w.kicks_per_kpkt | has(\"median\")"
	fi
	echo "$p: $(jq -r "$w | \"\(.gbps.median) Gb/s, \(.exits_per_kpkt.median) exits/kpkt, \(.irqs_per_kpkt.median) irqs/kpkt\"" "$json")"
done
[ "$fails" -eq 0 ] || cdna_fail "$fails check(s) failed; report: $json"
exit 0
