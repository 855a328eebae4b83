#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdnactl -batch FILE: one command per line, "#" comments and blank lines
# skipped, quotes group words, the first failing command stops the batch
# with its line number.  Only commands that need no kernel ("help") run.
set -u
CDNACTL=${CDNACTL:-./cdnactl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "batch: $*" >&2; fail=1; }

want=$( ("$CDNACTL" nic help; "$CDNACTL" ctx help) 2>&1)

# Comments, blank lines, indentation and quotes.
cat >"$tmp/ok" <<'B'
# attach the uplinks at boot

   nic help   # a trailing comment
	"ctx" 'help'
B
got=$("$CDNACTL" -batch "$tmp/ok" 2>&1) || bad "a good batch exited $?"
[ "$got" = "$want" ] || bad "a good batch printed '$got', want '$want'"
got=$("$CDNACTL" -b - <"$tmp/ok" 2>&1) || bad "-b - exited $?"
[ "$got" = "$want" ] || bad "-b - (stdin) printed another output"

# The first error stops the batch, with its line number; nothing after it runs.
printf 'nic help\n# x\nctx help\nno-such-object\nnic help\n' >"$tmp/err"
"$CDNACTL" -batch "$tmp/err" >"$tmp/out" 2>"$tmp/errout" &&
	bad "a batch with a bad line exited 0"
grep -q "$tmp/err:4:" "$tmp/errout" ||
	bad "no line number 4 in: $(cat "$tmp/errout")"
[ "$(cat "$tmp/out")" = "$want" ] ||
	bad "the batch ran past its failing line 4: $(cat "$tmp/out")"

# A usage error of a command (checked before the kernel) stops it too.
printf 'nic help\nctx set name web1 rate 99999999999\nnic help\n' >"$tmp/range"
"$CDNACTL" -batch "$tmp/range" >/dev/null 2>"$tmp/errout" &&
	bad "a rate out of range in a batch exited 0"
grep -q "$tmp/range:2:" "$tmp/errout" ||
	bad "no line number 2 in: $(cat "$tmp/errout")"

# An unterminated quote is an error on its line.
printf '\n\nnic "help\n' >"$tmp/quote"
"$CDNACTL" -batch "$tmp/quote" >/dev/null 2>"$tmp/errout" &&
	bad "an unterminated quote exited 0"
grep -q "$tmp/quote:3:" "$tmp/errout" ||
	bad "no line number 3 in: $(cat "$tmp/errout")"

# No file, no FILE argument, a command next to -batch.
"$CDNACTL" -batch "$tmp/none" >/dev/null 2>&1 && bad "a missing file exited 0"
"$CDNACTL" -batch >/dev/null 2>&1 && bad "-batch without FILE exited 0"
"$CDNACTL" -batch "$tmp/ok" nic show >/dev/null 2>&1 &&
	bad "-batch FILE with a command exited 0"
# An empty file is an empty batch.
: >"$tmp/empty"
"$CDNACTL" -batch "$tmp/empty" >/dev/null 2>&1 || bad "an empty batch failed"
exit $fail
