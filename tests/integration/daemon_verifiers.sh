#!/bin/sh
# daemon_verifiers.sh: the ledger checks a shuffle's proof on a verification
# thread (issue 11: the ledger stays free of heavy work). Vote mw-a is
# closed with N ballots that each carry a write-in; while the ledger
# verifies scrutineer 1's shuffle of its write-in list, ballots cast into
# the open vote s6-budget get their receipts and status answers, all
# before the shuffle is acknowledged. Before, the ledger's one thread
# verified the proof and every terminal of every vote waited for it.
# TALLY_VERIFIERS_BALLOTS=N (default 1200) for a measurement: the test
# prints the longest cast into s6-budget (with a status) while the
# shuffle ran.
TALLYD=$1 TALLYCTL=$2 KEYS=${5:-}
. "$(dirname "$0")/daemon_lib.sh"
M=$4/tests/data/manifests
[ -n "$KEYS" ] || { echo "skip: tally-keys not built"; exit 0; }
N=${TALLY_VERIFIERS_BALLOTS:-1200}
NB=${TALLY_VERIFIERS_B:-200}

keys_daemon 3 2 "$((N > NB ? N : NB))" mw-a,s6-budget
# Three write-in slots: each tuple of the list is 9 ciphertexts, and the
# proof takes longer per ballot cast.
cat >"$T/mw-a.json" <<EOJ
{ "id": "mw-a", "title": "mix", "body": "congress", "members": $N,
  "contests": [ { "id": "head", "kind": "election", "title": "t",
    "seats": 3, "writein_slots": 3,
    "options": [ { "id": "c1", "name": "甲" } ] } ], "rules": { } }
EOJ
out=$(ctl secretariat vote create "$T/mw-a.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-mw-a.txt") || fail "create mw-a"
pin "$out"
out=$(ctl secretariat vote create "$M/budget-motion.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-budget.txt") || fail "create s6-budget"
pin "$out"
ctl secretariat vote open mw-a --present "$N" --issued "$N" >/dev/null ||
    fail "open mw-a"
ctl secretariat vote open s6-budget --present 200 --issued 200 >/dev/null ||
    fail "open s6-budget"
cat >"$T/plan-a.json" <<EOJ
[ { "count": $N, "ballot": { "head": { "writein": ["张三", "李四", "王五"] } } } ]
EOJ
out=$(ctl terminal simulate mw-a --cards "$T/cards/cards" --terminals 4 \
    --plan "$T/plan-a.json" --expect "$T/expect-a.json" 2>&1) ||
    fail "simulate mw-a: $out"
close_seal mw-a >/dev/null

# Scrutineer 1 shuffles mw-a's list (its own tool computes the shuffle),
# then the ledger verifies the proof. Meanwhile a terminal casts into
# s6-budget, one ballot after another, each waiting for its receipt, and
# the status is asked, until the shuffle is acknowledged.
(ctl_exec scrutineer-1 trustee mix mw-a --share "$T/cer/private-1/share.pb" \
    >"$T/mix.out" 2>"$T/mix.err") &
MIX_PID=$!
trap 'kill "$MIX_PID" 2>/dev/null || true; cleanup' EXIT
verifying() { grep -q "vote mw-a: shuffle 0 .*: verifying" "$T/tallyd.err"; }
recorded() { grep -q "vote mw-a: shuffle 0 .* recorded" "$T/tallyd.err"; }
printf '{"budget": {"for": ["budget"]}}' >"$T/choice-b.json"
# Each answer is stamped with what the ledger's log said right after it
# came: a proof check begun (v) and the shuffle recorded (r). An answer
# with v and not r came while the ledger verified the proof: a ledger that
# verified on its own thread could give none (and never logged v).
note() {	# note KIND T0 T1
	verifying && v=1 || v=0
	recorded && r=1 || r=0
	echo "$1 $2 $3 $v $r" >>"$T/casts"
}
# The official asks for mw-a's tally while the shuffle is verified: the
# ledger answers E_BUSY (it recorded nothing), and tallyctl asks again
# until the shuffle is recorded; then the ledger says what the tally
# really lacks (the scrutineers' shares). Before, tallyctl gave up at the
# first E_BUSY ("ask again", which the official had to do by hand).
TALLY_PID=
i=0
: >"$T/casts"
while kill -0 "$MIX_PID" 2>/dev/null; do
	if [ -z "$TALLY_PID" ] && verifying && ! recorded; then
		(ctl_exec secretariat tally mw-a >"$T/tally.out" \
		    2>"$T/tally.err") &
		TALLY_PID=$!
	fi
	i=$((i + 1))
	[ "$i" -le "$NB" ] || fail "$NB ballots cast, the shuffle still runs"
	card=$(printf '%s/cards/cards/card-%06d.txt' "$T" "$i")
	t0=$(date +%s.%N)
	ctl terminal cast s6-budget --card "$card" --ballot "$T/choice-b.json" \
	    --receipt "$T/receipt-b-$i.pb" >"$T/cast.out" 2>&1 ||
	    fail "cast $i: $(cat "$T/cast.out")"
	t1=$(date +%s.%N)
	note cast "$t0" "$t1"
	for j in 1 2 3; do
		t0=$(date +%s.%N)
		ctl auditor status s6-budget >"$T/status" 2>&1 ||
		    fail "status: $(cat "$T/status")"
		t1=$(date +%s.%N)
		note status "$t0" "$t1"
	done
done
wait "$MIX_PID" || fail "mix: $(cat "$T/mix.err")"
trap cleanup EXIT
recorded || fail "the shuffle was not recorded"
[ -n "$TALLY_PID" ] || fail "the proof check was never seen in the log"
! wait "$TALLY_PID" || fail "mw-a tallied without shares"
last=$(tail -n 1 "$T/tally.err")
case $last in
*E_BUSY*) fail "tallyctl gave up at E_BUSY: $(cat "$T/tally.err")" ;;
*E_NEED_SHARES*|*E_MIX_STATE*) ;;
*) fail "tally: $(cat "$T/tally.err")" ;;
esac
busy=$(grep -c "E_BUSY: .*asking again" "$T/tally.err" || true)
# The tally is asked for as soon as the log shows the proof check begun,
# seconds before it ends; should it still come late, the run says so
# rather than fail (what it checks then is only that tallyctl did not
# give up).
[ "$busy" -gt 0 ] || echo "note: the tally came after the shuffle was recorded: no E_BUSY to wait through in this run"
echo "tally of mw-a during the shuffle's check: E_BUSY $busy time(s), asked again; then: $last"
python3 - "$T/casts" <<'EOP' || fail "s6-budget's ballots waited for mw-a's shuffle"
import sys
c = [l.split() for l in open(sys.argv[1])]
c = [(k, float(a), float(b), v == "1", r == "1") for k, a, b, v, r in c]
casts = [b - a for k, a, b, v, r in c if k == "cast"]
stat = [b - a for k, a, b, v, r in c if k == "status"]
within = [k for k, a, b, v, r in c if v and not r]
print("%d casts and %d status calls of s6-budget while mw-a was shuffled; "
      "longest cast %.3f s, status %.3f s; %d answered while the ledger "
      "verified the shuffle's proof (%d casts)" %
      (len(casts), len(stat), max(casts), max(stat), len(within),
       within.count("cast")))
sys.exit(0 if within else 1)
EOP
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "SIGTERM exit status"
DAEMON_PID=
echo ok
