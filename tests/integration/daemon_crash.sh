#!/bin/sh
# daemon_crash.sh: kill -9 of tallyd while simulate casts. Both children
# die with the parent; after a restart every receipt the simulator got is
# in the log, the rerun retries only the unacknowledged ballots and each
# credential is recorded exactly once; the aggregate decrypts to the
# totals of all ballots.
TALLYD=$1 TALLYCTL=$2 KEYS=${5:-} BALLOT=${6:-}
. "$(dirname "$0")/daemon_lib.sh"
M=$4/tests/data/manifests
[ -n "$KEYS" ] || { echo "skip: tally-keys not built"; exit 0; }

pki_setup 400 s6-head
start_daemon "$T/tallyd.conf"
out=$(ctl official vote create "$M/district-head.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-head.txt") || fail create
pin "$out"
ctl official vote open s6-head --present 239 --issued 239 >/dev/null ||
    fail open

sim() {
	ctl terminal simulate s6-head --cards "$T/cards" --terminals 8 \
	    --ballots 400 --seed 5 --expect "$T/expect.json" \
	    --receipts "$T/receipts"
}
sim >"$T/sim1.out" 2>&1 &
SIM=$!
for _ in $(seq 1 300); do
	[ "$(ls "$T/receipts" 2>/dev/null | wc -l)" -ge 40 ] && break
	sleep 0.05
done
children=$(child_pids)
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
wait $SIM && fail "simulate did not notice the crash"
sleep 0.3
for p in $children; do	# a zombie is dead (no init reaps it here)
	st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' /proc/$p/status \
	    2>/dev/null || true)
	[ -z "$st" ] || [ "$st" = Z ] || fail "child $p outlived its parent"
done
acked=$(ls "$T/receipts" | wc -l)
[ "$(ls "$T/receipts" | grep -cv '^card-[0-9]*\.pb$')" = 0 ] ||
    fail "simulate left partial receipt files"
grep -q 'unacknowledged' "$T/sim1.out" || fail "simulate died: $(cat "$T/sim1.out")"
[ "$acked" -lt 400 ] || fail "the crash came too late to test anything"
echo "killed after $acked receipts"

start_daemon "$T/tallyd.conf"
out=$("$BALLOT" inlog "$T/data/s6-head.log" "$T/receipts")
[ "$out" = "ok $acked" ] || fail "after the crash: $out"
out=$(sim) || fail "retry: $out"
echo "$out"
echo "$out" | grep -q "400 ballots, 8 terminals: [0-9]* accepted, $acked had receipts, [0-9]* already recorded, 0 failed, 0 unacknowledged" ||
    fail "retry: $out"
ctl official vote close s6-head >/dev/null || fail close
state=$(ctl official status s6-head)
case "$state" in "s6-head closed ballots=400 "*) ;; *) fail "status: $state";; esac
out=$("$BALLOT" decrypt "$T/data/s6-head.log" "$T/cer" "$T/expect.json")
[ "$out" = ok ] || fail "decrypted totals: $out"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "SIGTERM exit status"
DAEMON_PID=
echo ok
