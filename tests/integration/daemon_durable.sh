#!/bin/sh
# daemon_durable.sh: get_record serves only what is durable. With every
# fdatasync slowed down by an LD_PRELOAD shim (slowsync.c), a ballot's
# frame is in the file while its batch is not yet synced: a download made
# then ends before that frame (a prefix of the file, shorter than it), and
# one made after the receipt is the whole file.
TALLYD=$1 TALLYCTL=$2 KEYS=${5:-} BALLOT=${6:-} SHIM=${7:-}
. "$(dirname "$0")/daemon_lib.sh"
M=$4/tests/data/manifests
[ -n "$KEYS" ] && [ -n "$SHIM" ] || { echo "skip: no tally-keys or shim"; exit 0; }

pki_setup 2 s6-head "workers 0"
export LD_PRELOAD="$SHIM" SLOWSYNC_MS=2000
start_daemon "$T/tallyd.conf"
unset LD_PRELOAD SLOWSYNC_MS
out=$(ctl official vote create "$M/district-head.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-head.txt") || fail "create"
pin "$out"
ctl official vote open s6-head --present 239 --issued 239 >/dev/null ||
    fail "open"
rec() { "$BALLOT" record "127.0.0.1:$PORT" "$T/ca/ca.crt" \
    "$T/auditor.crt" "$T/auditor.key" s6-head "$1" >/dev/null; }
log=$T/data/s6-head.log
rec "$T/before.log" || fail "get_record before the ballot"
cmp -s "$T/before.log" "$log" || fail "the record differs from the file"
size0=$(stat -c %s "$log")

"$BALLOT" cast "127.0.0.1:$PORT" "$T/ca/ca.crt" "$T/terminal.crt" \
    "$T/terminal.key" s6-head "$T/cards/cards/card-000001.txt" \
    keep="$T/b.pb" >"$T/cast.out" &
castpid=$!
# Wait until the ballot's frame is in the file (its sync still sleeping).
for _ in $(seq 50); do
	[ "$(stat -c %s "$log")" -gt "$size0" ] && break
	sleep 0.05
done
[ "$(stat -c %s "$log")" -gt "$size0" ] || fail "the ballot was not written"
rec "$T/during.log" || fail "get_record during the sync"
kill -0 "$castpid" 2>/dev/null || fail "the cast was answered too soon"
# The same bytes again while the first is being synced (issue 12, finding
# 11): E_BUSY (39), nothing recorded twice.
resend() { "$BALLOT" cast "127.0.0.1:$PORT" "$T/ca/ca.crt" "$T/terminal.crt" \
    "$T/terminal.key" s6-head /nonexistent resend="$T/b.pb"; }
got=$(resend) || fail "resend during the sync"
[ "$got" = "code=39" ] || fail "resend during the sync: $got"
cmp -s "$T/during.log" "$T/before.log" ||
    fail "get_record served bytes not yet durable ($(stat -c %s \
    "$T/during.log") bytes, durable $size0)"
wait "$castpid" || fail "cast"
[ "$(cat "$T/cast.out")" = "code=0" ] || fail "cast: $(cat "$T/cast.out")"
got=$(resend) || fail "resend after the sync"
[ "$got" = "code=0 index=2" ] || fail "resend after the sync: $got"
rec "$T/after.log" || fail "get_record after the receipt"
cmp -s "$T/after.log" "$log" || fail "after the receipt: not the whole file"
[ "$(stat -c %s "$T/after.log")" -gt "$size0" ] || fail "no ballot served"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "SIGTERM exit status"
DAEMON_PID=
echo ok
