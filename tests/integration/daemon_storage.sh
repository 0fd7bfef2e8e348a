#!/bin/sh
# daemon_storage.sh: issue 12, finding 9. A write the disk refuses reaches
# the log line with its cause and the client as E_STORAGE (44); the vote
# then takes no more writes, reads still work; a daemon that cannot write
# its data_dir does not start; once the disk is fixed, a restart recovers
# the vote up to its last durable record and intake goes on.
#
# The failing disk is RLIMIT_FSIZE (prlimit(1)), not a full file system:
# a test cannot mount a small tmpfs without root. Past the limit the kernel
# refuses the write with EFBIG ("File too large", SIGXFSZ ignored by
# tallyd) where a full disk gives ENOSPC; both are a failed pwritev in the
# same code, reported the same way.
TALLYD=$1 TALLYCTL=$2 KEYS=${5:-} BALLOT=${6:-}
. "$(dirname "$0")/daemon_lib.sh"
M=$4/tests/data/manifests
[ -n "$KEYS" ] && [ -n "$BALLOT" ] || { echo "skip: no tally-keys"; exit 0; }
command -v prlimit >/dev/null || { echo "skip: no prlimit(1)"; exit 0; }

setup_pki
"$KEYS" ceremony "$T/cer" --trustees 3 --quorum 2 >/dev/null
"$KEYS" credentials generate --count 4 --votes s6-head --out "$T/cards" \
    >/dev/null
write_config "$T/tallyd.conf"
[ "$(id -u)" = 0 ] && chown nobody "$T/data"
start_daemon "$T/tallyd.conf"
out=$(ctl official vote create "$M/district-head.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-head.txt") || fail "create"
pin "$out"
ctl official vote open s6-head --present 239 --issued 239 >/dev/null ||
    fail "open"
card() { echo "$T/cards/cards/card-00000$1.txt"; }
rec() { "$BALLOT" record "127.0.0.1:$PORT" "$T/ca/ca.crt" \
    "$T/auditor.crt" "$T/auditor.key" s6-head "$1" >/dev/null; }
cast() { "$BALLOT" cast "127.0.0.1:$PORT" "$T/ca/ca.crt" "$T/terminal.crt" \
    "$T/terminal.key" s6-head "$(card "$1")" "${2:-none}" 2>&1; }
[ "$(cast 1 keep="$T/b1.pb")" = "code=0" ] || fail "first cast"
log=$T/data/s6-head.log
size=$(stat -c %s "$log")
ledger=$(sed -n 's/.*started: ledger \([0-9]*\),.*/\1/p' "$T/tallyd.err")
[ -n "$ledger" ] || fail "no ledger pid"

# The disk refuses the next byte of any file. prlimit(2) on another
# process needs CAP_SYS_RESOURCE (not given in containers) or its user:
# started as root, the ledger runs as nobody.
limit() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid="$(id -g nobody)" \
		    --clear-groups prlimit --pid "$ledger" --fsize="$1:$1"
	else
		prlimit --pid "$ledger" --fsize="$1:$1"
	fi || fail "prlimit"
}
limit "$size"
got=$(cast 2)
[ "$got" = "code=44" ] || fail "cast on a full disk: $got (want E_STORAGE)"
grep -q "ledger: vote s6-head: E_STORAGE: cannot write its log: File too large" \
    "$T/tallyd.err" || fail "the log line does not give the cause"
kill -0 "$DAEMON_PID" || fail "tallyd died on a write error"
# The vote takes no more writes (refused at once, same code) ...
[ "$(cast 3)" = "code=44" ] || fail "second cast on a failed log"
ctl official vote close s6-head >"$T/close.out" 2>&1 &&
    fail "closed a vote whose log failed"
grep -q E_STORAGE "$T/close.out" || fail "close: $(cat "$T/close.out")"
# The ballot that was recorded, sent again (its answer lost), still gets
# its receipt (issue 12, finding 11): record 2, after VoteCreated and
# PollsOpened.
got=$(cast 0 resend="$T/b1.pb")
[ "$got" = "code=0 index=2" ] || fail "resend on a failed vote: $got"
# ... and says so; reads still work, and serve only what is durable.
st=$(ctl official status s6-head) || fail "status"
case "$st" in "s6-head failed "*) ;; *) fail "status: $st";; esac
rec "$T/got.log" || fail "get_record after the failure"
[ "$(stat -c %s "$T/got.log")" = "$size" ] ||
    fail "get_record served $(stat -c %s "$T/got.log") bytes, durable $size"
# A vote created now: its log's first record cannot be written either
# (a VoteCreated is larger than 1,000 bytes).
limit 1000
sed 's/"s6-head"/"s6-late"/' "$M/district-head.json" >"$T/late.json"
ctl official vote create "$T/late.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-head.txt" >"$T/late.out" 2>&1 &&
    fail "created a vote on a full disk"
grep -q E_STORAGE "$T/late.out" || fail "create: $(cat "$T/late.out")"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "stop"; DAEMON_PID=
echo "ok a write error: E_STORAGE to the client, its cause in the log"

# A data_dir that cannot take a file: tallyd stops before intake, saying
# why, and never says "ready".
: >"$T/tallyd.err"
prlimit --fsize=8192 "$TALLYD" -d -f "$T/tallyd.conf" 2>"$T/tallyd.err" &&
    fail "tallyd started with an unwritable data_dir"
grep -q "ledger: E_STORAGE: data_dir $T/data: cannot write a 64 KiB file and sync it: File too large: intake not started" \
    "$T/tallyd.err" || fail "no clear message: $(cat "$T/tallyd.err")"
grep -q "ledger: ready" "$T/tallyd.err" && fail "the ledger said ready"
[ -e "$T/data/.tallyd-probe" ] && fail "the probe file was left behind"
echo "ok an unwritable data_dir: no start"

# The disk fixed: the vote is recovered with its one durable ballot (the
# torn write cut), the second card was never used, intake goes on.
start_daemon "$T/tallyd.conf"
grep -q "vote s6-late: its log held no record" "$T/tallyd.err" ||
    fail "the header-only log of s6-late was not removed"
st=$(ctl official status s6-head) || fail "status after restart"
case "$st" in "s6-head open ballots=1 "*) ;; *) fail "status: $st";; esac
[ "$(cast 2)" = "code=0" ] || fail "card 2 after the restart"
got=$(cast 0 resend="$T/b1.pb")
[ "$got" = "code=0 index=2" ] || fail "resend after recovery: $got"
[ "$(cast 1)" = "code=24" ] || fail "card 1 voted twice"
ctl official vote close s6-head >/dev/null || fail "close after restart"
rec "$T/final.log" || fail "get_record"
cmp -s "$T/final.log" "$log" || fail "the record is not the file"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "stop"; DAEMON_PID=
echo "ok recovered after the disk is fixed"
