#!/bin/sh
# daemon_config.sh: golden tests of `tallyd -n -f FILE` over
# tests/data/config/*.conf; NAME.expected holds the exact output and the
# exit status. Also checks the usage errors and --help.
set -eu
TALLYD=$1
SRC=$4
cd "$SRC/tests/data/config"
n=0
for conf in *.conf; do
	name=${conf%.conf}
	got=$( ("$TALLYD" -n -f "$conf" 2>&1; echo "status $?") || true)
	if [ "$got" != "$(cat "$name.expected")" ]; then
		echo "FAIL: $conf"; echo "expected:"; cat "$name.expected"
		echo "got:"; echo "$got"; exit 1
	fi
	n=$((n + 1))
done
# A missing file is E_CONFIG too; no -f is a usage error.
out=$("$TALLYD" -n -f /nonexistent/tallyd.conf 2>&1) && exit 1
echo "$out" | grep -q '^tallyd: E_CONFIG: /nonexistent/tallyd.conf:0: ' ||
    { echo "FAIL: missing file: $out"; exit 1; }
"$TALLYD" -n >/dev/null 2>&1 && { echo "FAIL: -n without -f"; exit 1; }
"$TALLYD" --help | grep -q '^usage: tallyd' || { echo "FAIL: --help"; exit 1; }
echo "ok: $n golden configurations"
