#!/bin/sh
# daemon_challenge.sh: Benaloh cast-or-challenge through tallyd
# (docs/record/challenge.md). A card challenges a ballot (with a write-in)
# twice and then casts; the challenged ballots are recorded opened and the
# card stays usable; a terminal's attacks are refused with their codes (a
# challenged ballot cast, a cast ballot challenged, an opening that lies,
# one challenged twice); the vote is counted and published; the record
# verifies with its challenged ballots, `tallyctl challenge check` prints
# what each contained, refuses a cast ballot's code and an unknown one.
TALLYD=$1 TALLYCTL=$2 KEYS=${5:-} BALLOT=${6:-}
. "$(dirname "$0")/daemon_lib.sh"
M=$4/tests/data/manifests
[ -n "$KEYS" ] || { echo "skip: tally-keys not built"; exit 0; }

keys_daemon 3 2 12 s6-session
card() { printf '%s/cards/cards/card-%06d.txt' "$T" "$1"; }

refused() {	# refused CODE NAME ARGS...
	code=$1; shift
	if ctl "$@" >"$T/out" 2>"$T/err"; then
		fail "$*: succeeded"
	fi
	grep -q "^tallyctl: $code: " "$T/err" ||
	    fail "$*: expected $code, got: $(cat "$T/err")"
}
attack() {	# attack CARD HOW EXPECTED-CODES [CARD2]
	out=$("$BALLOT" challenge "127.0.0.1:$PORT" "$P/ca.crt" \
	    "$P/terminal.crt" "$P/terminal.key" s6-session "$(card "$1")" "$2" \
	    ${4:+"$(card "$4")"} | tr '\n' ' ') ||
	    fail "daemon_ballot challenge $2"
	[ "$out" = "$3 " ] || fail "attack $2: got '$out', expected '$3'"
}
code_of() { sed -n 's/^tracking code //p' "$1"; }

cout=$(ctl secretariat vote create "$M/session.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-session.txt") || fail "create"
pin "$cout"
ctl secretariat vote open s6-session --present 200 --issued 12 >/dev/null ||
    fail "open"

cat >"$T/a.json" <<'EOJ'
{ "head": { "against": ["c1"], "writein": ["张三"] },
  "projects": { "approve": ["p02", "p07"] }, "budget": { "for": ["budget"] } }
EOJ
cat >"$T/b.json" <<'EOJ'
{ "head": { "for": ["c1"] }, "budget": { "against": ["budget"] } }
EOJ
# Card 1 challenges twice, then casts: the card was never used up.
ctl terminal cast s6-session --card "$(card 1)" --ballot "$T/a.json" \
    --challenge --receipt "$T/r-ch1.pb" >"$T/ch1" 2>"$T/err" ||
    fail "challenge 1: $(cat "$T/err")"
grep -q "challenged ballot" "$T/ch1" || fail "challenge 1: $(cat "$T/ch1")"
ctl terminal cast s6-session --card "$(card 1)" --ballot "$T/b.json" \
    --challenge --receipt "$T/r-ch2.pb" >"$T/ch2" 2>"$T/err" ||
    fail "challenge 2: $(cat "$T/err")"
ctl terminal cast s6-session --card "$(card 1)" --ballot "$T/a.json" \
    --receipt "$T/r-cast1.pb" >"$T/cast1" 2>"$T/err" ||
    fail "cast after challenges: $(cat "$T/err")"
ch1=$(code_of "$T/ch1") ch2=$(code_of "$T/ch2") cast1=$(code_of "$T/cast1")
[ ${#ch1} = 64 ] && [ "$ch1" != "$ch2" ] && [ "$ch1" != "$cast1" ] ||
    fail "tracking codes: '$ch1' '$ch2' '$cast1'"
# A card that has voted has nothing to challenge.
refused E_CRED_USED terminal cast s6-session --card "$(card 1)" \
    --ballot "$T/b.json" --challenge --receipt "$T/r-no.pb"
# A terminal's attacks (E_REVEAL 58, E_SPOILED 59, E_ALREADY_CAST 60).
attack 2 cast-spoiled "code=0 code=59"
attack 3 spoil-cast "code=0 code=60"
attack 4 lie "code=58"
attack 5 twice "code=0 code=59"
# Card 4's lie changed nothing: it still votes.
for i in 4 6 7; do
	ctl terminal cast s6-session --card "$(card $i)" --ballot "$T/b.json" \
	    --receipt "$T/r-$i.pb" >/dev/null 2>"$T/err" ||
	    fail "cast $i (card 4 after its lie): $(cat "$T/err")"
done
s=$(ctl auditor status s6-session)
case "$s" in "s6-session open ballots=5 "*) ;; *) fail "status: $s";; esac

# Restart: the challenged ballots are recovered, still never castable.
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "SIGTERM exit status"
start_daemon "$T/tallyd.conf"
attack 8 cast-spoiled "code=0 code=59"

# Replays (docs/design.md §5; issue 16: the ledger no longer keeps every
# cast selection's ciphertext). A copy of a cast ballot's ciphertexts with
# their proofs, signed by another card: the proofs are bound to the first
# card (E_BAD_PROOF 12). A challenged ballot's ciphertexts cast by another
# card with fresh proofs from the published randomness: E_REPLAY 25. Two
# selections of one ballot with one ciphertext: E_REPLAY. A cast ballot's
# ciphertexts cast again by another card with fresh proofs (only the
# terminal that made the first knows that randomness, and so its vote):
# two votes, accepted (E_REPLAY before issue 16), and the record verifies.
attack 9 copy-cast "code=0 code=12" 10
attack 10 reuse-spoiled "code=0 code=25" 11
attack 2 within "code=25"
attack 11 reuse-cast "code=0 code=0" 12
# And a challenge reusing a cast ballot's ciphertexts is recorded (E_REPLAY
# before issue 16): it reveals what its maker knew already.
attack 5 spoil-reused "code=0 code=0" 10

seal=$(close_seal s6-session)
# Restarts after the close and between the shuffles: the ledger reads the
# write-in list back from the log at the Aggregate (issue 16), and each
# shuffle is checked against the list so recovered.
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "SIGTERM exit status"
start_daemon "$T/tallyd.conf"
mix s6-session 2
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "SIGTERM exit status"
start_daemon "$T/tallyd.conf"
mix s6-session 3
decrypt s6-session "$seal" 1 3
ctl secretariat tally s6-session >"$T/tally.json" 2>"$T/err" ||
    fail "tally: $(cat "$T/err")"
python3 - "$T/tally.json" <<'EOP' || fail "the count includes a challenged ballot"
import json, sys
r = {c["id"]: c for c in json.load(open(sys.argv[1]))["contests"]}
# 9 ballots cast: card 1 (a.json), cards 3, 5, 9, 11 and 12 (by the attack
# helper: selection 0, the head's "for" of c1), b.json by cards 4, 6 and 7.
w = r["head"].get("writeins", {})
if sum(w.values()) != 1:
    sys.exit("write-ins counted: %s (only card 1's cast ballot has one)" % w)
EOP
# A restart after the tally recovers the tallied vote (its write-in list
# read and freed again) and answers the same Result.
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "SIGTERM exit status"
start_daemon "$T/tallyd.conf"
ctl secretariat tally s6-session >"$T/tally2.json" 2>"$T/err" ||
    fail "tally after a restart: $(cat "$T/err")"
cmp -s "$T/tally.json" "$T/tally2.json" || fail "another Result after a restart"
ctl auditor publish s6-session --out "$T/pub" >/dev/null 2>"$T/err" ||
    fail "publish: $(cat "$T/err")"
R=$T/pub/record.log
"$TALLYCTL" verify "$R" >"$T/out" 2>"$T/err" || fail "verify: $(cat "$T/err")"

# What the challenged ballots contained, on any device.
"$TALLYCTL" challenge check "$ch1" --record "$R" >"$T/out" 2>"$T/err" ||
    fail "challenge check: $(cat "$T/err")"
grep -q "张三" "$T/out" && grep -q "反对" "$T/out" ||
    fail "challenge check 1: $(cat "$T/out")"
short=$(echo "$ch2" | cut -c1-19 | tr 'A-Z' 'a-z')
"$TALLYCTL" challenge check "$short" --record "$R" >"$T/out" 2>"$T/err" ||
    fail "challenge check (short, lower case): $(cat "$T/err")"
grep -q "张三" "$T/out" && fail "ballot 2 shows ballot 1's write-in"
grep -q "赞成" "$T/out" || fail "challenge check 2: $(cat "$T/out")"
for bad in "$cast1:E_ALREADY_CAST" "AAAA-AAAA-AAAA-AAAA:E_NO_BALLOT" \
    "ABCD:E_TRUNCATED"; do
	if "$TALLYCTL" challenge check "${bad%:*}" --record "$R" \
	    >/dev/null 2>"$T/err"; then
		fail "challenge check ${bad%:*}: succeeded"
	fi
	grep -q "^tallyctl: ${bad##*:}: " "$T/err" ||
	    fail "challenge check ${bad%:*}: $(cat "$T/err")"
done
"$TALLYCTL" receipt check "$T/r-ch1.pb" --record "$R" >/dev/null 2>&1 ||
    fail "the challenge's receipt does not check"

# The publication lists the challenged ballots with their contents, and
# results.html carries every tracking code for its offline search.
python3 - "$T/pub" "$ch1" "$ch2" "$cast1" <<'EOP' || fail "publication"
import json, re, sys
d, ch1, ch2, cast1 = sys.argv[1:]
ch = json.load(open(d + "/challenged.json"))["challenged"]
codes = {c["tracking_code"]: c for c in ch}
if len(ch) != 7:
    sys.exit("challenged.json lists %d ballots, not 7" % len(ch))
plain = lambda c: c.replace("-", "")
if "张三" not in codes[plain(ch1)]["contents"] or plain(ch2) not in codes:
    sys.exit("challenged.json: %s" % ch)
if plain(cast1) in codes:
    sys.exit("a cast ballot is listed as challenged")
html = open(d + "/results.html", encoding="utf-8").read()
if "查验我的选票" not in html:
    sys.exit("results.html has no search box")
m = re.search(r'<script type="application/json" id="ballots">(.*?)</script>',
              html, re.S)
rows = json.loads(m.group(1))
kinds = {r[0]: r[2] for r in rows}
if kinds.get(plain(cast1)) is not False or kinds.get(plain(ch1)) is not True \
        or len(rows) != 16:
    sys.exit("results.html ballots: %s" % rows)
EOP
