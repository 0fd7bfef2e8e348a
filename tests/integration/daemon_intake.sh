#!/bin/sh
# daemon_intake.sh: ballots through tallyd. Every rejection gets its code
# and leaves the log unchanged; a burst of casts checked as one batch with
# refusals among them; then a whole vote: 200 ballots from 8 terminals
# (tallyctl simulate, the first 40 at an offered rate), close, every
# receipt in the log, and the
# aggregate decrypted with the test trustees' shares equals the totals the
# simulator cast; trustees' shares, the tally, and the record and receipts
# pass tallyctl verify and receipt check.
TALLYD=$1 TALLYCTL=$2 KEYS=${5:-} BALLOT=${6:-}
. "$(dirname "$0")/daemon_lib.sh"
M=$4/tests/data/manifests
[ -n "$KEYS" ] || { echo "skip: tally-keys not built"; exit 0; }

pki_setup 200 s6-session,s6-head
"$KEYS" credentials generate --count 2 --votes s6-head --out "$T/stray" \
    >/dev/null
start_daemon "$T/tallyd.conf"
for v in s6-head:district-head s6-session:session; do
	out=$(ctl official vote create "$M/${v#*:}.json" --ceremony "$T/cer" \
	    --registry "$T/cards/registry-${v%%:*}.txt") ||
	    fail "create ${v%%:*}"
	pin "$out"
done

card() { echo "$T/cards/cards/card-$(printf %06d "$1").txt"; }
b() {	# b ROLE VOTE CARD MUTATION -> the codes, one a line
	"$BALLOT" cast "127.0.0.1:$PORT" "$T/ca/ca.crt" "$T/$1.crt" \
	    "$T/$1.key" "$2" "$3" "$4" | tr '\n' ' '
}
expect_b() {	# expect_b "CODES" ARGS... (codes as in proto ErrorCode)
	want=$1; shift
	got=$(b "$@")
	[ "$got" = "$want" ] || fail "$*: expected '$want', got '$got'"
}
logsum() { sha256sum "$T/data/s6-head.log" | cut -d' ' -f1; }

# Before the polls open.
expect_b "code=19 " terminal s6-head "$(card 1)" none	# E_VOTE_NOT_OPEN
ctl official vote open s6-head --present 239 --issued 239 >/dev/null ||
    fail "open s6-head"
ctl official vote open s6-session --present 230 --issued 228 >/dev/null ||
    fail "open s6-session"

# Every rejection, each with its own code, the log untouched.
before=$(logsum)
expect_b "code=13 " terminal s6-head "$(card 1)" sig	# E_BAD_SIGNATURE
expect_b "code=10 " terminal s6-head "$(card 1)" point	# E_BAD_POINT
expect_b "code=12 " terminal s6-head "$(card 1)" proof	# E_BAD_PROOF
expect_b "code=18 " terminal s6-head "$(card 1)" vote	# E_VOTE_UNKNOWN
expect_b "code=15 " terminal s6-head "$(card 1)" shape	# E_BALLOT_SHAPE
expect_b "code=23 " terminal s6-head "$T/stray/cards/card-000001.txt" none
expect_b "code=26 " official s6-head "$(card 1)" none	# E_ROLE
expect_b "code=26 " auditor s6-head "$(card 1)" none
[ "$(logsum)" = "$before" ] || fail "a rejected ballot changed the log"
# Accepted once; the same bytes again (an answer lost) get the same
# receipt (issue 12, finding 11: daemon_ballot prints "receipt differs"
# otherwise) and record nothing; a fresh ballot of the same credential is
# its second.
expect_b "code=0 code=0 " terminal s6-head "$(card 1)" again
after=$(logsum)
expect_b "code=24 " terminal s6-head "$(card 1)" none	# E_CRED_USED
[ "$(logsum)" = "$after" ] || fail "a second ballot changed the log"
state=$(ctl official status s6-head)
case "$state" in "s6-head open ballots=1 "*) ;; *) fail "status: $state";; esac
# Casts that queue together at the frontend's workers are checked as one
# batch (daemon/workers.h): refusals among them, before the batch (a bad
# point, a bad signature) and in it (a bad proof), are each answered with
# their own code, and every good ballot beside them gets its receipt.
got=$("$BALLOT" burst "127.0.0.1:$PORT" "$T/ca/ca.crt" "$T/terminal.crt" \
    "$T/terminal.key" s6-head "$T/cards/cards" 3 none none proof none none \
    none none none point none none sig none none proof none none none none \
    none | tr '\n' ' ')
want="code=0 code=0 code=12 code=0 code=0 code=0 code=0 code=0 code=10"
want="$want code=0 code=0 code=13 code=0 code=0 code=12 code=0 code=0"
want="$want code=0 code=0 code=0 "
[ "$got" = "$want" ] || fail "burst: expected '$want', got '$got'"
state=$(ctl official status s6-head)
case "$state" in "s6-head open ballots=17 "*) ;; *) fail "status: $state";; esac
ctl official vote close s6-head >/dev/null || fail "close s6-head"
expect_b "code=19 " terminal s6-head "$(card 2)" none	# closed

# The whole vote: the first 40 ballots offered at 20 a second (open
# loop, simulate --rate: the k-th is due k/20 s after the start, so at
# most 40 in 39/20 s), then the rest as fast as the server answers, the
# first 40 skipped by their receipts.
cd "$T"
out=$(ctl terminal simulate s6-session --cards "$T/cards" --terminals 8 \
    --ballots 40 --seed 20261125 --expect "$T/expect.json" \
    --receipts "$T/receipts" --rate 20) || fail "simulate: $out"
echo "$out"
echo "$out" | grep -q '40 accepted, 0 had receipts, 0 already recorded, 0 failed, 0 unacknowledged' ||
    fail "simulate: $out"
echo "$out" | grep -q '^simulate: offered 20 ballots/s (open loop' ||
    fail "simulate --rate: $out"
rate=$(echo "$out" | sed -n 's/^simulate: \([0-9.]*\) ballots\/s.*/\1/p')
awk -v r="$rate" 'BEGIN { exit !(r > 0 && r <= 20.6) }' ||
    fail "simulate --rate 20 cast $rate ballots/s"
out=$(ctl terminal simulate s6-session --cards "$T/cards" --terminals 8 \
    --ballots 200 --seed 20261125 --expect "$T/expect.json" \
    --receipts "$T/receipts") || fail "simulate: $out"
echo "$out"
echo "$out" | grep -q '160 accepted, 40 had receipts, 0 already recorded, 0 failed, 0 unacknowledged' ||
    fail "simulate: $out"
ctl official vote close s6-session >/dev/null || fail "close s6-session"
state=$(ctl official status s6-session)
case "$state" in "s6-session closed ballots=200 log=205 "*) ;;
    *) fail "status: $state";; esac
[ "$("$BALLOT" inlog "$T/data/s6-session.log" "$T/receipts")" = "ok 200" ] ||
    fail "receipts not all in the log"
out=$("$BALLOT" decrypt "$T/data/s6-session.log" "$T/cer" "$T/expect.json")
[ "$out" = ok ] || fail "decrypted totals: $out"
# The count: trustees' shares (k = 2 of 3), then the tally; the record
# tallyd wrote then passes the independent verifier, and so do receipts.
share() {	# share ROLE INDEX [VOTE] -> code
	"$BALLOT" share "127.0.0.1:$PORT" "$T/ca/ca.crt" "$T/$1.crt" \
	    "$T/$1.key" "${3:-s6-session}" "$T/cer" "$2"
}
tl() { "$BALLOT" tally "127.0.0.1:$PORT" "$T/ca/ca.crt" "$T/official.crt" \
    "$T/official.key" s6-session; }
[ "$(tl | head -1)" = "code=31" ] || fail "tally without shares: E_NEED_SHARES"
# The role check on a small vote: a share of s6-session's 200 ballots
# (3 points per write-in slot) is over a terminal's frame anyway.
[ "$(share terminal 1 s6-head)" = "code=26" ] ||
    fail "a terminal may not submit a share"
# No share before k = 2 shuffles of the write-in list (E_MIX_STATE = 55).
[ "$(share trustee 3)" = "code=55" ] || fail "a share before the mix-net"
for i in 2 3; do
	ctl trustee trustee mix s6-session --share "$T/cer/private-$i/share.pb" \
	    >/dev/null 2>"$T/err" || fail "mix $i: $(cat "$T/err")"
done
[ "$(share trustee 3)" = "code=0" ] || fail "share of trustee 3"
[ "$(share trustee 3)" = "code=30" ] || fail "second share of trustee 3: E_SHARE_DUP"
[ "$(tl | head -1)" = "code=31" ] || fail "tally with one share: E_NEED_SHARES"
[ "$(share trustee 1)" = "code=0" ] || fail "share of trustee 1"
tl >"$T/tally.out" || fail "tally"
[ "$(head -1 "$T/tally.out")" = "code=0" ] || fail "tally: $(cat "$T/tally.out")"
state=$(ctl official status s6-session)
case "$state" in "s6-session tallied ballots=200 log=211 "*) ;;
    *) fail "status: $state";; esac
[ "$(share trustee 2)" = "code=20" ] || fail "share after the tally: E_VOTE_STATE"
tl | cmp -s - "$T/tally.out" || fail "a second tally gives another result"
# An auditor downloads the record: the same bytes as the file.
n=$("$BALLOT" record "127.0.0.1:$PORT" "$T/ca/ca.crt" "$T/auditor.crt" \
    "$T/auditor.key" s6-session "$T/record.log") || fail "get_record"
cmp -s "$T/record.log" "$T/data/s6-session.log" ||
    fail "the downloaded record differs"
[ "$n" -ge 2 ] || fail "a record of 211 records came in $n chunk(s)"
"$TALLYCTL" verify "$T/record.log" >"$T/verify.out" 2>&1 ||
    fail "the record does not verify: $(cat "$T/verify.out")"
for r in card-000001 card-000100 card-000200; do
	"$TALLYCTL" receipt check "$T/receipts/$r.pb" --record \
	    "$T/data/s6-session.log" >/dev/null 2>&1 || fail "receipt $r"
done
for p in $(child_pids); do
	grep -q '^Seccomp:[[:space:]]*2' /proc/$p/status || fail "seccomp"
done
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "SIGTERM exit status"
DAEMON_PID=
echo ok
