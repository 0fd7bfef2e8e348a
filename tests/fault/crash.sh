#!/bin/sh
# crash.sh WRITER CHECK KILLS: SIGKILL a group-committing writer at random
# moments KILLS times over one log; after every kill, recovery must succeed
# and every record the writer reported durable must be present and intact.
set -u
writer=$1 check=$2 kills=${3:-200}
dir=$(mktemp -d "${TMPDIR:-/tmp}/tally-crash-XXXXXX")
trap 'rm -rf "$dir"' EXIT
log=$dir/vote.log out=$dir/printed
: >"$out"
"$writer" "$log" 1 1 >>"$out" || { echo "cannot create the log"; exit 1; }
i=0
while [ "$i" -lt "$kills" ]; do
	i=$((i + 1))
	# 1..40 ms of appending (startup and recovery included), then SIGKILL.
	ms=$(( $(od -An -N2 -tu2 /dev/urandom) % 40 + 1 ))
	timeout -s KILL "$(printf '0.%03d' "$ms")" \
	    "$writer" "$log" 16 0 100 >>"$out" 2>"$dir/err"
	rc=$?
	if [ "$rc" -ne 137 ] && [ "$rc" -ne 124 ]; then
		echo "run $i: writer exited $rc, not killed:"; cat "$dir/err"
		exit 1
	fi
	# An unfinished last line would merge with the next run's output.
	[ -s "$out" ] && [ "$(tail -c1 "$out" | od -An -c | tr -d ' ')" != '\n' ] &&
	    echo >>"$out"
	if ! "$check" "$log" "$out" >"$dir/check"; then
		echo "run $i (killed after ${ms} ms): check failed"; exit 1
	fi
done
echo "$kills kills: $(cat "$dir/check")"
