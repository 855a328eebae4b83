#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build, static checks and the testbed tests, as one TAP stream
# (kselftest style). Every step counts as a test:
#   build           make W=1 from clean modules (modules, cdnactl, C selftests)
#   w1-clean        that build printed no warning
#   checkpatch      scripts/checkpatch.sh finds nothing
#   sparse          make W=1 C=2 CHECK=sparse prints nothing for our files
#                   (same flags as the build: kbuild only runs sparse, no
#                   recompile; one compile in all)
#   userspace-unit  make -C userspace test
#   install         make install / install-guest / dkms sources into a
#                   DESTDIR: complete, and nothing outside it
#   dkms            both DKMS packages build (private DKMS trees); the
#                   host one becomes build/dkms/cdna-$KVER.tar.gz, which the
#                   testbed test admin_dkms installs in L1
#   <test>...       every executable selftests/tests/* in ONE L1 boot
# Ends with one line "N passed, N failed, N skipped"; exits 1 on any failure.
# Logs: build/check/<step>.log; testbed runs: build/runs/<time>-<pid>/.
# --static (make check-static): these static steps only, no testbed.

# The whole script is one compound command: bash parses it completely before
# running it, so editing this file during a run cannot break that run.
{
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo" || exit 1

if [ -z "${KDIR:-}" ]; then
	KDIR=/lib/modules/$(uname -r)/build
	[ -d "$KDIR" ] || KDIR=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
fi
export KDIR
KVER=${KVER:-$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h" 2>/dev/null)}
export KVER
logs=$repo/build/check
mkdir -p "$logs"
t_start=$EPOCHREALTIME

vm_tests=()
if [ "${1:-}" != --static ]; then
	mapfile -t vm_tests < <(selftests/vm/run --list)
fi
static=(build w1-clean checkpatch sparse userspace-unit install dkms)
echo "TAP version 13"
echo "1..$(( ${#static[@]} + ${#vm_tests[@]} ))"

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

# Lines "file:line:col: warning|error: ..." about our own sources.
ours() {
	grep -E "^($repo/)?(kmod|vf-driver|include|userspace|selftests)/[^:]*:[0-9]+(:[0-9]+)?: (warning|error)" "$1"
}

# 1. build, from clean module objects so that every warning shows; W=1 is
#    kbuild's extra warnings (userspace builds with -Werror anyway).
{
	make --no-print-directory -C "$KDIR" M="$repo" clean
	make --no-print-directory W=1 all
} >"$logs/build.log" 2>&1
build_rc=$?
report build $build_rc "$logs/build.log" "$(grep -E 'error' "$logs/build.log")"

# 2. W=1 clean
findings=$(grep -E 'warning:|error:' "$logs/build.log")
rc=0
[ -n "$findings" ] && rc=1
[ $build_rc -ne 0 ] && rc=1
report w1-clean $rc "$logs/build.log" "$findings"

# 3. checkpatch
scripts/checkpatch.sh >"$logs/checkpatch.log" 2>&1
rc=$?
report checkpatch $rc "$logs/checkpatch.log" "$(cat "$logs/checkpatch.log")"

# 4. sparse over every source (C=2), findings about our files only.
make --no-print-directory -C "$KDIR" M="$repo" W=1 C=2 CHECK=sparse modules >"$logs/sparse.log" 2>&1
rc=$?
findings=$(ours "$logs/sparse.log")
[ -n "$findings" ] && rc=1
report sparse $rc "$logs/sparse.log" "$findings"

# 5. userspace unit tests
make --no-print-directory -C userspace test >"$logs/userspace-unit.log" 2>&1
rc=$?
report userspace-unit $rc "$logs/userspace-unit.log" "$(grep -E '^FAIL|rror' "$logs/userspace-unit.log")"

# 6. install into a DESTDIR
scripts/check-install.sh >"$logs/install.log" 2>&1
rc=$?
report install $rc "$logs/install.log" "$(grep '^install:' "$logs/install.log")"

# 7. DKMS packages (on the machine: L1 compiles far too slowly)
{
	scripts/dkms.sh host --tarball "build/dkms/cdna-$KVER.tar.gz" &&
	scripts/dkms.sh guest --tarball "build/dkms/cdna-vf-$KVER.tar.gz"
} >"$logs/dkms.log" 2>&1
rc=$?
report dkms $rc "$logs/dkms.log"

# 8. the testbed: all tests in one L1 boot
if [ ${#vm_tests[@]} -gt 0 ]; then
	if [ $build_rc -ne 0 ]; then
		echo "# testbed tests not run: the build failed"
		for t in "${vm_tests[@]}"; do
			num=$((num + 1)); fail=$((fail + 1))
			echo "not ok $num $t"
		done
	else
		selftests/vm/run --tap-offset "$num" "${vm_tests[@]}" 2>&1 | tee "$logs/testbed.log"
		# run prints exactly one TAP line per test; count what it printed and
		# fail whatever it did not report.
		got=0
		while IFS= read -r line; do
			case "$line" in
			"not ok "*) fail=$((fail + 1)); got=$((got + 1)) ;;
			"ok "*"# SKIP"*) skip=$((skip + 1)); got=$((got + 1)) ;;
			"ok "*) pass=$((pass + 1)); got=$((got + 1)) ;;
			esac
		done <"$logs/testbed.log"
		num=$((num + got))
		while [ "$got" -lt ${#vm_tests[@]} ]; do
			num=$((num + 1)); fail=$((fail + 1))
			echo "not ok $num ${vm_tests[$got]} # no result from the testbed"
			got=$((got + 1))
		done
	fi
fi

echo "# make check: $(secs "$t_start") s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
exit
}
