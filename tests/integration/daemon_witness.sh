#!/bin/sh
# daemon_witness.sh: witnesses and the sealed decryption (issue 10).
#
# s6-budget names three witnesses, quorum 2. Two witnesses follow it while
# 220 ballots are cast from 4 terminals; one of them is killed with SIGKILL
# in the middle and restarted: it resumes from its folder and the record
# shows it never cosigned backwards. The third cosigns once during the
# polls. Closed, the vote is refused to every scrutineer until two
# witnesses cosigned exactly the sealed log. s6-session has no witness:
# its scrutineers must type the size and root read out at closing.
#
# Attack 1: the tally host writes a second log of each vote with its own
# ledger key (the real VoteCreated and PollsOpened and one deputy's ballot
# copied byte for byte) and serves it from a second tallyd, which closes
# it as if it were the vote. No scrutineer decrypts it: unwitnessed
# (E_UNSEALED), not what was read out in the hall (E_FORK), or another
# sealed state than the one this scrutineer already decrypted (E_FORK).
# The third witness, shown that fork, refuses with its evidence and
# cosigns nothing more. Finally the real votes are counted, and the record
# verifies offline with its cosignatures.
TALLYD=$1 TALLYCTL=$2 KEYS=${5:-} BALLOT=${6:-}
. "$(dirname "$0")/daemon_lib.sh"
M=$4/tests/data/manifests
[ -n "$KEYS" ] && [ -n "$BALLOT" ] || { echo "skip: tools not built"; exit 0; }
WPIDS=
cleanup_witnesses() {
	for p in $WPIDS; do kill -KILL "$p" 2>/dev/null || true; done
	for p in ${D1:-} ${D2:-}; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	cleanup
}
trap cleanup_witnesses EXIT

keys_daemon 3 2 220 s6-budget,s6-session
D1=$DAEMON_PID
PORT1=$PORT
for i in 1 2 3; do
	"$KEYS" witness-key "$T/w$i" >"$T/w$i.out" || fail "witness-key $i"
	grep -q '^witness key [A-Z2-7]\{4\}-' "$T/w$i.out" ||
	    fail "no fingerprint: $(cat "$T/w$i.out")"
done
refused() {	# refused CODE TEXT NAME ARGS...
	code=$1 text=$2; shift 2
	if ctl "$@" >"$T/out" 2>"$T/err"; then
		fail "$*: succeeded"
	fi
	grep -q "^tallyctl: $code: .*$text" "$T/err" ||
	    fail "$*: expected $code ($text), got: $(cat "$T/err")"
}
witness() {	# witness I ARGS...: witness I with its key and folder
	i=$1; shift
	"$TALLYCTL" --server "127.0.0.1:$PORT" --ca "$CTL_CA" \
	    --cert "$CTL_CERTS/auditor.crt" --key "$CTL_CERTS/auditor.key" \
	    --config "$PINS" witness s6-budget --key "$T/w$i/witness.key" \
	    --state "$T/ws$i" --interval 1 "$@"
}
# witness_bg I LOG ARGS...: the same in the background, $! being the
# witness itself (not a shell around it), so that a signal reaches it.
witness_bg() {
	i=$1 wlog=$2; shift 2
	(exec "$TALLYCTL" --server "127.0.0.1:$PORT" --ca "$CTL_CA" \
	    --cert "$CTL_CERTS/auditor.crt" --key "$CTL_CERTS/auditor.key" \
	    --config "$PINS" witness s6-budget --key "$T/w$i/witness.key" \
	    --state "$T/ws$i" --interval 1 "$@" >>"$wlog" 2>&1) &
}

# A witness set that is not a majority, or a key that is not one.
refused E_WITNESS "more than half" secretariat vote create \
    "$M/budget-motion.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-budget.txt" --witness "$T/w1/witness.pub" \
    --witness "$T/w2/witness.pub" --witness "$T/w3/witness.pub" \
    --witness-quorum 1
refused E_DECODE "not a witness public key" secretariat vote create \
    "$M/budget-motion.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-budget.txt" \
    --witness "$T/w1/witness.key"

out=$(ctl secretariat vote create "$M/budget-motion.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-budget.txt" \
    --witness "$T/w1/witness.pub" --witness "$T/w2/witness.pub" \
    --witness "$T/w3/witness.pub" --witness-quorum 2) ||
    fail "create s6-budget"
pin "$out"
for i in 1 2 3; do
	fp=$(sed -n 's/^witness key \([^ ]*\) .*/\1/p' "$T/w$i.out")
	echo "$out" | grep -q "^witness [1-3] of 3: $fp$" ||
	    fail "fingerprint of witness $i not printed: $out"
done
out=$(ctl secretariat vote create "$M/session.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-session.txt") || fail "create s6-session"
pin "$out"
ctl secretariat vote open s6-budget --present 230 --issued 220 >/dev/null ||
    fail "open s6-budget"
ctl secretariat vote open s6-session --present 230 --issued 220 >/dev/null ||
    fail "open s6-session"

# Witnesses 1 and 2 follow the vote while it runs.
witness_bg 1 "$T/w1.log" --until sealed
W1=$!
witness_bg 2 "$T/w2.log" --until sealed
W2=$!
WPIDS="$W1 $W2"
cat >"$T/plan.json" <<'EOJ'
[ { "count": 150, "ballot": { "budget": { "for": ["budget"] } } },
  { "count": 60, "ballot": { "budget": { "against": ["budget"] } } },
  { "count": 10, "ballot": { } } ]
EOJ
ctl terminal simulate s6-budget --cards "$T/cards/cards" --terminals 4 \
    --plan "$T/plan.json" --expect "$T/expect.json" >"$T/sim.out" 2>&1 &
SIM=$!
# Witness 1 is killed once it has cosigned something, then restarted.
for _ in $(seq 1 300); do
	grep -q "cosigned vote s6-budget" "$T/w1.log" && break
	kill -0 "$W1" 2>/dev/null || fail "witness 1 died: $(cat "$T/w1.log")"
	sleep 0.1
done
grep -q "cosigned vote s6-budget" "$T/w1.log" ||
    fail "witness 1 never cosigned: $(cat "$T/w1.log")"
kill -KILL "$W1"
wait "$W1" 2>/dev/null || true
pgrep -f "state $T/ws1 " >/dev/null && fail "witness 1 survived SIGKILL"
witness_bg 1 "$T/w1.log" --until sealed
W1=$!
WPIDS="$W1 $W2"
wait "$SIM" || fail "simulate: $(cat "$T/sim.out")"
grep -q '220 accepted, .* 0 failed' "$T/sim.out" ||
    fail "simulate: $(cat "$T/sim.out")"
# Witness 3 cosigns once, during the polls.
witness 3 --once >"$T/w3.log" 2>&1 || fail "witness 3: $(cat "$T/w3.log")"
grep -q "cosigned vote s6-budget" "$T/w3.log" ||
    fail "witness 3 did not cosign: $(cat "$T/w3.log")"

printf '{"head": {"for": ["c1"]}}' >"$T/choice.json"
ctl terminal cast s6-session --card "$T/cards/cards/card-000001.txt" \
    --ballot "$T/choice.json" --receipt "$T/r1.pb" >/dev/null ||
    fail "cast s6-session"
ctl terminal cast s6-session --card "$T/cards/cards/card-000002.txt" \
    --ballot "$T/choice.json" --receipt "$T/r2.pb" >/dev/null ||
    fail "cast s6-session 2"

# Closing: witness 2 stops before the seal, so only witness 1 cosigns it.
kill -TERM "$W2"
wait "$W2" 2>/dev/null || true
pgrep -f "state $T/ws2 " >/dev/null && fail "witness 2 did not stop"
sealA=$(ctl secretariat vote close s6-budget | sed -n 's/^sealed //p')
[ -n "$sealA" ] || fail "close s6-budget: no seal"
sealB=$(ctl secretariat vote close s6-session | sed -n 's/^sealed //p')
[ -n "$sealB" ] || fail "close s6-session: no seal"
wait "$W1" || fail "witness 1: $(cat "$T/w1.log")"
ctl secretariat status s6-budget | grep -q ' cosigned=1/2$' ||
    fail "status: $(ctl secretariat status s6-budget)"
share() { echo "$T/cer/private-$1/share.pb"; }
refused E_UNSEALED "1 of the 2 witness cosignatures" scrutineer-1 \
    trustee decrypt s6-budget --share "$(share 1)"
[ ! -e "$T/cer/private-1/sealed-s6-budget" ] ||
    fail "a refused decrypt left a sealed record"
refused E_UNSEALED "no witnesses" scrutineer-1 trustee decrypt s6-session \
    --share "$(share 1)"
refused E_FORK "not 3:" scrutineer-1 trustee decrypt s6-session \
    --share "$(share 1)" --sealed "3:$(echo "$sealB" | cut -d: -f2)"
refused E_INVALID_ARG "SIZE:ROOT" scrutineer-1 trustee decrypt s6-session \
    --share "$(share 1)" --sealed "5:abcd"
# Witness 2 comes back and cosigns the seal.
witness 2 --until sealed >>"$T/w2.log" 2>&1 || fail "witness 2: $(cat "$T/w2.log")"
ctl secretariat status s6-budget | grep -q ' cosigned=2/2$' ||
    fail "status: $(ctl secretariat status s6-budget)"

# Attack 1: a second log of each vote, by the host, with one ballot.
mkdir -p "$T/data2"
"$BALLOT" fork "$T/data/s6-budget.log" "$T/data2/s6-budget.log" 5 >/dev/null ||
    fail "fork s6-budget"
"$BALLOT" fork "$T/data/s6-session.log" "$T/data2/s6-session.log" 0 \
    >/dev/null || fail "fork s6-session"
sed "s|^data_dir .*|data_dir $T/data2|" "$T/tallyd.conf" >"$T/tallyd2.conf"
[ "$(id -u)" = 0 ] && chown -R nobody "$T/data2"
cp "$T/tallyd.err" "$T/tallyd1.err"
start_daemon "$T/tallyd2.conf"
D2=$DAEMON_PID
PORT2=$PORT
DAEMON_PID=$D1
ctl secretariat vote close s6-budget >/dev/null || fail "close the fork"
forkB=$(ctl secretariat vote close s6-session | sed -n 's/^sealed //p')
[ -n "$forkB" ] || fail "close the fork of s6-session"
refused E_UNSEALED "0 of the 2" scrutineer-2 trustee decrypt s6-budget \
    --share "$(share 2)"
refused E_FORK "read out in the hall" scrutineer-2 trustee decrypt \
    s6-budget --share "$(share 2)" --sealed "$sealA"
refused E_FORK "read out in the hall" scrutineer-2 trustee decrypt \
    s6-session --share "$(share 2)" --sealed "$sealB"
# Scrutineer 3 decrypts the real s6-session; then shown the fork with the
# fork's own seal, it refuses: another sealed state of the same vote.
PORT=$PORT1
mix s6-session 1 2
ctl scrutineer-3 trustee decrypt s6-session --share "$(share 3)" \
    --sealed "$sealB" >/dev/null 2>"$T/err" || fail "decrypt: $(cat "$T/err")"
PORT=$PORT2
refused E_FORK "two states of one vote" scrutineer-3 trustee decrypt \
    s6-session --share "$(share 3)" --sealed "$forkB"
# Witness 3, shown the fork, refuses with the evidence, and for good.
cp "$T/ws3/s6-budget.witness" "$T/w3.state"
refused E_FORK "FORK" auditor witness s6-budget --key "$T/w3/witness.key" \
    --state "$T/ws3" --once
grep -q "cosigned by this witness" "$T/ws3/s6-budget.evidence.txt" ||
    fail "no evidence"
grep -q "the server now shows" "$T/ws3/s6-budget.evidence.txt" ||
    fail "evidence without the server's state"
cmp -s "$T/w3.state" "$T/ws3/s6-budget.witness" ||
    fail "witness 3 signed something of the fork"
refused E_FORK "cosigns nothing more" auditor witness s6-budget \
    --key "$T/w3/witness.key" --state "$T/ws3" --once
kill -TERM "$D2"
wait "$D2" 2>/dev/null || true
D2=

# The real votes are counted; the record verifies with its cosignatures.
PORT=$PORT1
for i in 1 2; do
	ctl "scrutineer-$i" trustee decrypt s6-budget --share "$(share "$i")" \
	    >/dev/null 2>"$T/err" || fail "decrypt $i: $(cat "$T/err")"
done
ctl secretariat tally s6-budget >/dev/null || fail "tally"
ctl auditor publish s6-budget --out "$T/pub" >/dev/null 2>"$T/err" ||
    fail "publish: $(cat "$T/err")"
out=$("$TALLYCTL" verify "$T/pub/record.log") || fail "verify: $out"
echo "$out" | grep -q "witnesses 3, quorum 2: .* cosigned by 2$" ||
    fail "verify: $out"

# A witness's state file that is not exactly what it wrote is refused, and
# left as it is: truncated, a byte more, another vote, a bad or uppercase
# hex digit, a number not in its canonical form, too large.
st=$T/ws1/s6-budget.witness
cp "$st" "$T/state.good"
bad_state() {	# bad_state CODE NAME: $T/state.bad must be refused as is
	cp "$T/state.bad" "$st"
	if witness 1 --once >"$T/out" 2>"$T/err"; then
		fail "state $2: accepted"
	fi
	grep -q "^tallyctl: $1: " "$T/err" ||
	    fail "state $2: expected $1, got: $(cat "$T/err")"
	cmp -s "$T/state.bad" "$st" || fail "state $2: the file was changed"
}
head -c 100 "$T/state.good" >"$T/state.bad"
bad_state E_DECODE truncated
{ cat "$T/state.good"; printf x; } >"$T/state.bad"
bad_state E_DECODE "trailing byte"
sed 's/^vote s6-budget$/vote s6-session/' "$T/state.good" >"$T/state.bad"
bad_state E_DECODE "another vote"
sed 's/^root \(.\)./root \1g/' "$T/state.good" >"$T/state.bad"
bad_state E_DECODE "bad hex"
sed 's/^signature \(.*\)$/signature \U\1/' "$T/state.good" >"$T/state.bad"
cmp -s "$T/state.good" "$T/state.bad" || bad_state E_DECODE "uppercase hex"
sed 's/^size /size +/' "$T/state.good" >"$T/state.bad"
bad_state E_DECODE "size +N"
sed 's/^time /time 0/' "$T/state.good" >"$T/state.bad"
bad_state E_DECODE "time 0N"
{ cat "$T/state.good"; head -c 1100 /dev/zero | tr '\0' '#'; } >"$T/state.bad"
bad_state E_TOO_LARGE "too large"
cp "$T/state.good" "$st"
witness 1 --once >"$T/out" 2>"$T/err" || fail "good state: $(cat "$T/err")"
echo "ok"
