#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cdnactl help: exits 0 and prints a usage text naming the tool.
set -u
CDNACTL=${CDNACTL:-./cdnactl}

out=$("$CDNACTL" help 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
	echo "cdnactl help exited $rc" >&2
	exit 1
fi
if ! grep -qi '^usage: *cdnactl' <<<"$out"; then
	echo "cdnactl help printed no 'Usage: cdnactl' line:" >&2
	echo "$out" >&2
	exit 1
fi
# An unknown object is an error.
if "$CDNACTL" no-such-object >/dev/null 2>&1; then
	echo "cdnactl no-such-object exited 0" >&2
	exit 1
fi
exit 0
