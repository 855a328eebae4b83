#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build, static checks and the testbed tests, as one TAP stream
# (kselftest style), for each kernel we support. Every step counts as a test:
#   build-<k>       make modules-out W=1 for kernel <k>, from clean objects
#                   in build/<release>/ (the first also builds cdnactl and
#                   the C selftests)
#   w1-clean-<k>    that build printed no warning
#   sparse-<k>      make W=1 C=2 CHECK=sparse prints nothing for our files
#                   (kbuild only runs sparse, no recompile)
#   checkpatch      scripts/checkpatch.sh finds nothing
#   userspace-unit  make -C userspace test
#   install         make install / install-guest / dkms sources into a
#                   DESTDIR (the first kernel's modules): complete, and
#                   nothing outside it (scripts/check-install.sh)
#   dkms-<k>        both DKMS packages build for kernel <k> (private DKMS
#                   trees, on the machine: L1 compiles far too slowly); the
#                   host one becomes build/dkms/cdna-<release>.tar.gz, which
#                   the testbed test admin_dkms installs in L1
#   <test>          the testbed tests, in ONE L1 boot per kernel, with
#                   L1 and L2 on that kernel: every executable
#                   selftests/tests/* on the first kernel; on the others
#                   the subset in CHECK_SUBSET (below), named <test>@<k>
# Kernels: KDIR=<headers> checks that one kernel only (with the whole
# suite); else CHECK_KERNELS (default "6.12 6.1": bookworm-backports' 6.12
# and Debian 12's 6.1, see selftests/vm/run --kernel-version), those
# installed.
# Ends with one line "N passed, N failed, N skipped"; exits 1 on any failure.
# Logs: build/check/<step>.log; testbed runs: build/runs/<time>-<pid>/.
# --static (make check-static): no testbed.

# The whole script is one compound command: bash parses it completely before
# running it, so editing this file during a run cannot break that run.
{
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo" || exit 1

# On the kernels after the first: smoke, the VF device, the data-path
# protection, the control plane, and migration (6.1 answers the device
# state's size itself, mig.c).
subset=(${CHECK_SUBSET:-smoke vf_probe vf_regs dp_protect cp_errors cp_netlink mig})

# kdirs[i] / kvers[i] / knames[i]: headers, release, short name.
kdirs=() kvers=() knames=()
add_kernel() {	# KDIR NAME
	local rel
	rel=$(scripts/kernel-release.sh "$1" 2>/dev/null) || return 1
	kdirs+=("$1") kvers+=("$rel") knames+=("$2")
}
if [ -n "${KDIR:-}" ]; then
	rel=$(scripts/kernel-release.sh "$KDIR" 2>/dev/null)
	add_kernel "$KDIR" "$(sed -E 's/^([0-9]+\.[0-9]+).*/\1/' <<<"$rel")" ||
		{ echo "check: no kernel build dir at KDIR=$KDIR" >&2; exit 1; }
else
	for v in ${CHECK_KERNELS:-6.12 6.1}; do
		d=$(ls -d "/usr/src/linux-headers-$v".*-amd64 "/usr/src/linux-headers-$v"-*-amd64 \
		    "/usr/src/linux-headers-$v"+*-amd64 2>/dev/null | sort -V | tail -n 1)
		if [ -n "$d" ] && add_kernel "$d" "$v"; then
			continue
		fi
		echo "# check: no linux-headers for $v installed (make deps); skipping it" >&2
	done
	[ ${#kdirs[@]} -gt 0 ] || { echo "check: no kernel headers (make deps)" >&2; exit 1; }
fi
logs=$repo/build/check
mkdir -p "$logs"
t_start=$EPOCHREALTIME

# vm_tests[k]: the tests for kernel k, space-separated.
vm_tests=()
nvm=0
if [ "${1:-}" != --static ]; then
	for k in "${!kdirs[@]}"; do
		if [ "$k" -eq 0 ]; then
			t=$(selftests/vm/run --list | cut -f1 | tr '\n' ' ')
		else
			t="${subset[*]}"
		fi
		vm_tests+=("$t")
		read -r -a a <<<"$t"
		nvm=$((nvm + ${#a[@]}))
	done
fi
echo "TAP version 13"
echo "1..$(( 4 * ${#kdirs[@]} + 3 + nvm ))"

num=0 pass=0 fail=0 skip=0
diag() { sed 's/^/# /'; }
secs() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# report NAME STATUS LOG [FINDINGS]: one TAP line; findings as diagnostics.
report() {
	local name=$1 st=$2 log=$3 findings=${4:-}
	num=$((num + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $num $name"
		pass=$((pass + 1))
		return
	fi
	if [ -n "$findings" ]; then
		head -n 60 <<<"$findings" | diag
		[ "$(wc -l <<<"$findings")" -gt 60 ] && echo "# ... (more in $log)"
	else
		tail -n 30 "$log" | diag
	fi
	echo "# log: $log"
	echo "not ok $num $name"
	fail=$((fail + 1))
}

# Lines "file:line:col: warning|error: ..." about our own sources (also as
# build/<release>/... , the modules-out mirror).
ours() {
	grep -E "^($repo/)?(build/[^/]+/)?(kmod|vf-driver|include|userspace|selftests)/[^:]*:[0-9]+(:[0-9]+)?: (warning|error)" "$1"
}

# 1. per kernel: build from clean module objects so that every warning
#    shows (W=1: kbuild's extra warnings; userspace builds with -Werror
#    anyway), then sparse over the same objects.
build_ok=()
for k in "${!kdirs[@]}"; do
	kd=${kdirs[$k]} kn=${knames[$k]} out=build/${kvers[$k]}
	log=$logs/build-$kn.log
	{
		if [ -d "$out" ]; then
			make --no-print-directory -C "$kd" M="$repo/$out" clean
		fi
		make --no-print-directory W=1 KDIR="$kd" modules-out &&
		if [ "$k" -eq 0 ]; then
			make --no-print-directory W=1 KDIR="$kd" userspace selftests
		fi
	} >"$log" 2>&1
	rc=$?
	build_ok[$k]=$rc
	report "build-$kn" $rc "$log" "$(grep -E 'error' "$log")"

	findings=$(grep -E 'warning:|error:' "$log")
	rc=0
	[ -n "$findings" ] && rc=1
	[ "${build_ok[$k]}" -ne 0 ] && rc=1
	report "w1-clean-$kn" $rc "$log" "$findings"

	log=$logs/sparse-$kn.log
	make --no-print-directory -C "$kd" M="$repo/$out" W=1 C=2 CHECK=sparse modules >"$log" 2>&1
	rc=$?
	findings=$(ours "$log")
	[ -n "$findings" ] && rc=1
	report "sparse-$kn" $rc "$log" "$findings"
done

# 2. checkpatch (kernel-independent)
scripts/checkpatch.sh >"$logs/checkpatch.log" 2>&1
rc=$?
report checkpatch $rc "$logs/checkpatch.log" "$(cat "$logs/checkpatch.log")"

# 3. userspace unit tests
make --no-print-directory -C userspace test >"$logs/userspace-unit.log" 2>&1
rc=$?
report userspace-unit $rc "$logs/userspace-unit.log" "$(grep -E '^FAIL|rror' "$logs/userspace-unit.log")"

# 4. install into a DESTDIR, from the first kernel's build
KDIR=${kdirs[0]} KVER=${kvers[0]} MODDIR=build/${kvers[0]} scripts/check-install.sh >"$logs/install.log" 2>&1
rc=$?
report install $rc "$logs/install.log" "$(grep '^install:' "$logs/install.log")"

# 5. DKMS packages, per kernel
for k in "${!kdirs[@]}"; do
	kv=${kvers[$k]} log=$logs/dkms-${knames[$k]}.log
	{
		KVER=$kv scripts/dkms.sh host --tarball "build/dkms/cdna-$kv.tar.gz" &&
		KVER=$kv scripts/dkms.sh guest --tarball "build/dkms/cdna-vf-$kv.tar.gz"
	} >"$log" 2>&1
	report "dkms-${knames[$k]}" $? "$log"
done

# 6. the testbed, per kernel: its tests in one L1 boot, L1 and L2 on that
#    kernel (selftests/vm/run --kernel-version: modules from build/<release>/).
for k in "${!vm_tests[@]}"; do
	read -r -a tests <<<"${vm_tests[$k]}"
	[ ${#tests[@]} -gt 0 ] || continue
	kn=${knames[$k]}
	sfx=
	[ "$k" -gt 0 ] && sfx=@$kn
	tlog=$logs/testbed-$kn.log
	echo "# testbed on ${kvers[$k]}: ${tests[*]}"
	if [ "${build_ok[$k]}" -ne 0 ]; then
		echo "# testbed tests on $kn not run: the build failed"
		for t in "${tests[@]}"; do
			num=$((num + 1)); fail=$((fail + 1))
			echo "not ok $num $t$sfx"
		done
		continue
	fi
	selftests/vm/run --kernel-version "${kvers[$k]}" --no-build --tap-offset "$num" \
		"${tests[@]}" 2>&1 |
		sed -u -E "s/^((not )?ok [0-9]+ [^ #]+)/\\1$sfx/" | tee "$tlog"
	# run prints exactly one TAP line per test; count what it printed and
	# fail whatever it did not report.
	got=0
	while IFS= read -r line; do
		case "$line" in
		"not ok "*) fail=$((fail + 1)); got=$((got + 1)) ;;
		"ok "*"# SKIP"*) skip=$((skip + 1)); got=$((got + 1)) ;;
		"ok "*) pass=$((pass + 1)); got=$((got + 1)) ;;
		esac
	done <"$tlog"
	num=$((num + got))
	while [ "$got" -lt ${#tests[@]} ]; do
		num=$((num + 1)); fail=$((fail + 1))
		echo "not ok $num ${tests[$got]}$sfx # no result from the testbed"
		got=$((got + 1))
	done
done

echo "# make check: $(secs "$t_start") s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
exit
}
