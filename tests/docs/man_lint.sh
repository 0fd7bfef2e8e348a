#!/bin/sh
# man_lint.sh SOURCE_DIR: every page of man/ is clean for mandoc -T lint at
# the warning level (a warning is a failure) and renders with man -l (groff)
# without a message on standard error.
set -eu
src=$1
fail=0
n=0
for page in "$src"/man/*.[1-9]; do
	n=$((n + 1))
	if ! out=$(mandoc -T lint -W warning "$page" 2>&1) || [ -n "$out" ]; then
		echo "man_lint: $page:" >&2
		echo "$out" >&2
		fail=1
	fi
	if command -v man >/dev/null 2>&1; then
		err=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null) || err="$err (man -l failed)"
		if [ -n "$err" ]; then
			echo "man_lint: man -l $page: $err" >&2
			fail=1
		fi
	fi
done
[ "$n" -ge 5 ] || { echo "man_lint: expected 5 pages in $src/man, found $n" >&2; exit 1; }
[ "$fail" -eq 0 ] && echo "man_lint: $n pages clean"
exit "$fail"
