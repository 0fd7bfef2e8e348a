#!/bin/sh
# failinject.sh WRITER CHECK SHIM K: for k = 1..K make the k-th
# write/pwrite/pwritev/fsync/fdatasync of the writer fail (EIO for odd k,
# ENOSPC for even k), both while creating a log and while appending to an
# existing one. A writer that hit the failure must exit 3 (it also checks
# that a later append is refused); recovery must then succeed with every
# record reported durable present and intact.
set -u
writer=$1 check=$2 shim=$3 K=${4:-40}
dir=$(mktemp -d "${TMPDIR:-/tmp}/tally-fail-XXXXXX")
trap 'rm -rf "$dir"' EXIT
log=$dir/vote.log out=$dir/printed
fired=0
k=0
while [ "$k" -lt "$K" ]; do
	k=$((k + 1))
	e=EIO; [ $((k % 2)) -eq 0 ] && e=ENOSPC
	for mode in create existing; do
		rm -f "$log"; : >"$out"
		if [ "$mode" = existing ]; then
			"$writer" "$log" 2 20 >>"$out" || exit 1
		fi
		FAILSHIM_K=$k FAILSHIM_ERRNO=$e LD_PRELOAD=$shim \
		    "$writer" "$log" 4 300 200 >>"$out" 2>"$dir/err"
		rc=$?
		if grep -q '^failshim: failing' "$dir/err"; then
			fired=$((fired + 1))
			if [ "$rc" -ne 3 ]; then
				echo "k=$k $mode $e: failure injected but" \
				    "writer exited $rc"; cat "$dir/err"; exit 1
			fi
		elif [ "$rc" -ne 0 ]; then
			echo "k=$k $mode: writer exited $rc"; cat "$dir/err"
			exit 1
		fi
		[ -e "$log" ] || continue   # creation failed before the file
		if ! "$check" "$log" "$out" >/dev/null; then
			echo "k=$k $mode $e: check failed"; exit 1
		fi
	done
done
[ "$fired" -gt 0 ] || { echo "the shim never fired"; exit 1; }
echo "K=$K: $fired injected failures, all consistent"
