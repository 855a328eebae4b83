#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-lockdep.sh [TEST...]: run testbed tests on the debug kernel of
# make debug-kernel (lockdep, atomic-sleep checks; KASAN too if it was
# built with KASAN=1) and list what the checkers reported (make
# check-lockdep; docs/testbed.md, "The debug kernel"). Default: every test
# of the default and igb L1s.
#
# Each test gets an L1 boot of its own: lockdep stops checking after its
# first report, so one report must not hide the next test's. A test fails
# when its L1 log has a report (the runner's dmesg-check), like any kernel
# warning. The reports, one line per lockdep, sleep-check or KASAN title
# with the lock or access it was about, go to build/lockdep/reports.txt,
# with the log file each came from.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
out=$repo/build/debug-kernel
lock=/tmp/cdna-testbed.lock

rel=$(cat "$out/release" 2>/dev/null) ||
	{ echo "check-lockdep: no debug kernel: run make debug-kernel first" >&2; exit 2; }
kernel=$out/vmlinuz-$rel
kdir=/lib/modules/$rel/build
if [ ! -f "$kernel" ] || [ ! -d "$kdir" ]; then
	echo "check-lockdep: $kernel or $kdir missing: run make debug-kernel" >&2
	exit 2
fi

if ! make --no-print-directory -C "$repo" modules-out KDIR="$kdir" >/dev/null; then
	echo "check-lockdep: building cdna.ko for $rel failed" >&2
	exit 2
fi

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	mapfile -t tests < <("$repo/selftests/vm/run" --list | cut -f1)
fi

res=$repo/build/lockdep
mkdir -p "$res"
: >"$res/reports.txt"
# What the checkers print as a report's title, and the line after which
# the lock or function it is about follows.
titles='possible circular locking dependency|possible recursive locking|inconsistent lock state|possible irq lock inversion|suspicious RCU usage|sleeping function called from invalid context|Invalid wait context|lock held when returning to user space|BUG: MAX_LOCKDEP|bad unlock balance|held lock freed|BUG: KASAN: '
# The cycle docs/datapath.md ("Lock order") describes: a protection's lock
# held while pinning (the engine's, or the iommu flavour's) -> type1's
# iommu->lock -> its device_list_lock -> .dma_unmap taking that lock.
# Reported as known; lockdep checks nothing more in that boot.
known='&(ectx|ictx)->lock --> &iommu->lock(#[0-9]+)? --> &iommu->device_list_lock'
pass=0 fail=0 nknown=0
for t in "${tests[@]}"; do
	log=$res/$t.log
	touch "$res/.start"
	flock "$lock" "$repo/selftests/vm/run" --kernel "$kernel" --test-timeout 900 \
		"$t" >"$log" 2>&1
	# The run directories of this test (an igb test's L1 has its own).
	dirs=$(find "$repo/build/runs" -mindepth 1 -maxdepth 1 -newer "$res/.start")
	for d in $dirs; do
		printf '%s\n' "$d"/tests/*.dmesg "$d"/tests/*/l2/*/console.log
	done | while IFS= read -r d; do
		[ -f "$d" ] || continue
		grep -aE -A3 "$titles" "$d" |
			grep -aE "$titles|is trying to acquire|at: | of size [0-9]+ at addr " | head -n 8 |
			sed "s/^\[ *[0-9.]*\] //; s|\$| ($d)|; s/^/$t: /"
		grep -aoE "$known" "$d" | sed "s|^|$t: (known: |; s|\$|) ($d)|"
	done >"$res/$t.reports"
	cat "$res/$t.reports" >>"$res/reports.txt"
	# The test's own exit status (the runner's also counts the reports).
	rc=$(for d in $dirs; do cat "$d/stages"; done 2>/dev/null |
	     sed -n "s/^test $t rc=\([0-9]*\) .*/\1/p" | tail -n 1)
	nrep=$(grep -c 'WARNING: \|BUG: ' "$res/$t.reports")
	nk=$(grep -c '(known: ' "$res/$t.reports")
	# A test that checks the kernel log itself fails on the known report
	# too; if that is all it failed on, it counts as the known case.
	nfail=$(grep -c '^# FAIL: ' "$log")
	nfail_log=$(grep -c '^# FAIL: WARN or BUG in dmesg' "$log")
	if [ "${rc:-1}" -ne 0 ] && [ "$nk" -gt 0 ] && [ "$nrep" -eq "$nk" ] &&
	   [ "$nfail" -gt 0 ] && [ "$nfail" -eq "$nfail_log" ]; then
		rc=0
	fi
	if [ "${rc:-1}" -ne 0 ] && [ "${rc:-1}" -ne 4 ]; then
		fail=$((fail + 1)); echo "not ok $t (test failed: rc ${rc:-none}; $log)"
	elif [ "$nrep" -gt "$nk" ]; then
		fail=$((fail + 1)); echo "not ok $t ($nrep lock checker reports; $res/$t.reports)"
	elif [ "$nk" -gt 0 ]; then
		pass=$((pass + 1)) nknown=$((nknown + 1))
		echo "ok $t # the known lock cycle (docs/datapath.md); checking stopped there"
	else
		pass=$((pass + 1)); echo "ok $t"
	fi
done
echo "lock checker reports: $res/reports.txt; $nknown tests stopped at the known cycle"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
