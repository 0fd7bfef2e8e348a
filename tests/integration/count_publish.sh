#!/bin/sh
# count_publish.sh: the count and the publication through tallyctl, with a
# PKI, ceremony (5 scrutineers, any 3) and cards from tally-keys. A vote of
# session.json (an election with a write-in slot, projects, a motion) is
# cast by tallyctl simulate --plan; then every refusal of trustee decrypt,
# tally and publish is checked by its code in tallyctl's one-line error,
# shares 2, 4 and 5 are counted, the Result equals what was cast, the
# publication folder is complete, and the record and receipts verify
# offline (and a flipped byte or another vote's record does not).
TALLYD=$1 TALLYCTL=$2 KEYS=${5:-} BALLOT=${6:-}
. "$(dirname "$0")/daemon_lib.sh"
M=$4/tests/data/manifests
[ -n "$KEYS" ] || { echo "skip: tally-keys not built"; exit 0; }

keys_daemon 5 3 24 s6-session,s6-budget
"$KEYS" ceremony "$T/cer2" --trustees 5 --quorum 3 >/dev/null

# refused CODE TEXT NAME ARGS...: tallyctl fails with exit 1 and the
# one-line error "tallyctl: CODE: ..." containing TEXT.
refused() {
	code=$1 text=$2; shift 2
	if ctl "$@" >"$T/out" 2>"$T/err"; then
		fail "$*: succeeded"
	fi
	grep -q "^tallyctl: $code: .*$text" "$T/err" ||
	    fail "$*: expected $code ($text), got: $(cat "$T/err")"
}
logsum() { sha256sum "$T/data/$1.log" | cut -d' ' -f1; }
share() { echo "$T/cer/private-$1/share.pb"; }

out=$(ctl secretariat vote create "$M/session.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-session.txt") ||
    fail "create s6-session"
pin "$out"
out=$(ctl secretariat vote create "$M/budget-motion.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-budget.txt") ||
    fail "create s6-budget"
# s6-budget's terminal is pinned by the flag, not the configuration
hb=$(echo "$out" | sed -n 's/^election hash //p')
ctl secretariat vote open s6-session --present 200 --issued 24 >/dev/null ||
    fail "open s6-session"
ctl secretariat vote open s6-budget --present 200 --issued 24 >/dev/null ||
    fail "open s6-budget"

cat >"$T/plan.json" <<'EOJ'
[ { "count": 10, "ballot": { "head": { "for": ["c1"] },
    "projects": { "approve": ["p01", "p02", "p03", "p04", "p05", "p06",
      "p07", "p08", "p09", "p10"] }, "budget": { "for": ["budget"] } } },
  { "count": 5, "ballot": { "head": { "against": ["c1"], "writein": ["张三"] },
    "projects": { "approve": ["p01", "p02", "p03", "p04", "p05", "p11",
      "p12", "p13", "p14", "p15"] }, "budget": { "against": ["budget"] } } },
  { "count": 3, "ballot": { "head": { "writein": ["李四"] } } },
  { "count": 2, "ballot": { "head": { "against": ["c1"], "writein": ["张三"] } } },
  { "count": 4, "ballot": { } } ]
EOJ
out=$(ctl terminal simulate s6-session --cards "$T/cards/cards" \
    --terminals 4 --plan "$T/plan.json" --expect "$T/expect.json" \
    --receipts "$T/receipts" 2>&1) || fail "simulate: $out"
echo "$out" | grep -q '24 accepted, .* 0 failed' || fail "simulate: $out"
cat >"$T/plan-b.json" <<'EOJ'
[ { "count": 3, "ballot": { "budget": { "for": ["budget"] } } } ]
EOJ
# A terminal that pins nothing encrypts nothing; one pinned to another
# vote's hash neither.
refused E_UNPINNED "no election hash pinned" terminal simulate s6-budget \
    --cards "$T/cards/cards" --terminals 1 --plan "$T/plan-b.json" \
    --expect "$T/expect-b.json"
ha=$(sed -n 's/^election_hash s6-session //p' "$PINS")
refused E_PIN_MISMATCH "not the one pinned" terminal simulate s6-budget \
    --cards "$T/cards/cards" --terminals 1 --plan "$T/plan-b.json" \
    --expect "$T/expect-b.json" --election-hash "$ha"
printf '{"budget": {"for": ["budget"]}}' >"$T/choice-b.json"
refused E_PIN_MISMATCH "not the one pinned" terminal cast s6-budget \
    --card "$T/cards/cards/card-000001.txt" --ballot "$T/choice-b.json" \
    --election-hash "$ha"
out=$(ctl terminal simulate s6-budget --cards "$T/cards/cards" --terminals 1 \
    --plan "$T/plan-b.json" --expect "$T/expect-b.json" \
    --receipts "$T/receipts-b" --election-hash "$hb" 2>&1) ||
    fail "simulate s6-budget: $out"

# Before close: no decryption, no count, nothing recorded.
before=$(logsum s6-session)
refused E_VOTE_STATE "" scrutineer-1 trustee decrypt s6-session \
    --share "$(share 1)"
refused E_VOTE_STATE "" secretariat tally s6-session
[ "$(logsum s6-session)" = "$before" ] ||
    fail "a refused decrypt or tally changed the log"

seal=$(close_seal s6-session)
ctl secretariat vote close s6-budget >/dev/null || fail "close s6-budget"
# The mix-net: no share before 3 shuffles of the write-ins; each
# scrutineer mixes once; a vote without write-in slot needs none.
refused E_MIX_STATE "shuffle them first" scrutineer-2 trustee decrypt \
    s6-session --share "$(share 2)" --sealed "$seal"
for i in 1 3; do
	ctl "scrutineer-$i" trustee mix s6-session --share "$(share "$i")" \
	    >"$T/out" 2>"$T/err" || fail "mix $i: $(cat "$T/err")"
	grep -q "^scrutineer $i: shuffle $((i / 2)) of the write-ins" "$T/out" ||
	    fail "mix $i: $(cat "$T/out")"
done
refused E_MIX_DUP "already shuffled" scrutineer-3 trustee mix s6-session \
    --share "$(share 3)"
refused E_MIX_STATE "shuffle them first" scrutineer-2 trustee decrypt \
    s6-session --share "$(share 2)" --sealed "$seal"
mix s6-session 5
ctl scrutineer-1 trustee mix s6-budget --share "$(share 1)" >"$T/out" \
    2>"$T/err" || fail "mix s6-budget: $(cat "$T/err")"
grep -q "nothing to shuffle" "$T/out" || fail "mix s6-budget: $(cat "$T/out")"
decrypt s6-session "$seal" 2 4
refused E_NEED_SHARES "1 more needed" secretariat tally s6-session
refused E_MIX_STATE "decryption has begun" scrutineer-4 trustee mix \
    s6-session --share "$(share 4)"

# Refused shares, each with its code; none is recorded.
before=$(logsum s6-session)
cp "$(share 5)" "$T/open-share.pb"
chmod 644 "$T/open-share.pb"
refused E_PERM "" scrutineer-5 trustee decrypt s6-session \
    --share "$T/open-share.pb"
refused E_BAD_SHARE "another ceremony" scrutineer-5 trustee decrypt \
    s6-session --share "$T/cer2/private-5/share.pb"
refused E_SHARE_DUP "trustee 2" scrutineer-2 trustee decrypt s6-session \
    --share "$(share 2)" --sealed "$seal"
code=$("$BALLOT" share "127.0.0.1:$PORT" "$P/ca.crt" "$P/scrutineer-5.crt" \
    "$P/scrutineer-5.key" s6-session "$T/cer" 5 wrong 2>"$T/err") ||
    fail "daemon_ballot share: $(cat "$T/err")"
[ "$code" = "code=0" ] && fail "a share made with a wrong secret was taken"
grep -q "trustee 5" "$T/err" ||
    fail "the wrong share's refusal does not name trustee 5: $(cat "$T/err")"
[ "$(logsum s6-session)" = "$before" ] || fail "a refused share was recorded"

ctl scrutineer-5 trustee decrypt s6-session --share "$(share 5)" \
    --sealed "$seal" >/dev/null 2>"$T/err" || fail "decrypt 5: $(cat "$T/err")"
ctl secretariat tally s6-session >"$T/tally.json" 2>"$T/err" ||
    fail "tally: $(cat "$T/err")"

# The Result's totals and write-ins equal what the simulator cast.
python3 - "$T/expect.json" "$T/tally.json" <<'EOP' || fail "totals differ"
import json, sys
exp = json.load(open(sys.argv[1]))
got = {c["id"]: c for c in json.load(open(sys.argv[2]))["contests"]}
n = 0
for c in exp["contests"]:
    g = got[c["id"]]
    for opt, marks in c["totals"].items():
        for k, v in marks.items():
            if g["totals"][opt].get(k) != v:
                sys.exit("%s/%s/%s: cast %s, counted %s" %
                         (c["id"], opt, k, v, g["totals"][opt].get(k)))
    if "writeins" in c:
        if c["writeins"] != g.get("writeins"):
            sys.exit("%s write-ins: cast %s, counted %s" %
                     (c["id"], c["writeins"], g.get("writeins")))
        n += len(c["writeins"])
if n == 0:
    sys.exit("no write-ins in the expected totals")
EOP

# Publication.
pub=$T/pub
mkdir "$pub"
ctl auditor publish s6-session --out "$pub/zh" >/dev/null 2>"$T/err" ||
    fail "publish: $(cat "$T/err")"
for f in record.log results.json announcement.txt results.html; do
	[ -s "$pub/zh/$f" ] || fail "publish wrote no $f"
done
grep -q '公告' "$pub/zh/announcement.txt" || fail "announcement: no 公告"
grep -q '本次.*有效' "$pub/zh/announcement.txt" ||
    fail "announcement: no 本次 ... 有效"
snap=$(cd "$pub" && find . -type f -exec sha256sum {} + | sort)
refused E_EXISTS "" auditor publish s6-session --out "$pub/zh"
[ "$(cd "$pub" && find . -type f -exec sha256sum {} + | sort)" = "$snap" ] ||
    fail "publish to an existing folder changed it"
[ ! -e "$pub/zh.partial" ] || fail "publish to an existing folder left zh.partial"
ctl auditor publish s6-session --out "$pub/en" --lang en >/dev/null \
    2>"$T/err" || fail "publish --lang en: $(cat "$T/err")"
grep -q 'nnouncement' "$pub/en/announcement.txt" ||
    fail "English announcement: $(head -3 "$pub/en/announcement.txt")"
grep -q '公告' "$pub/en/announcement.txt" && fail "English announcement in Chinese"
refused E_VOTE_STATE "" auditor publish s6-budget --out "$pub/budget"
[ ! -e "$pub/budget" ] && [ ! -e "$pub/budget.partial" ] ||
    fail "a refused publish left a folder behind"

# Offline checks.
"$TALLYCTL" verify "$pub/zh/record.log" >"$T/out" 2>"$T/err" ||
    fail "verify: $(cat "$T/err")"
"$TALLYCTL" verify --json "$pub/zh/record.log" >"$T/out" 2>/dev/null ||
    fail "verify --json"
python3 - "$T/out" "$pub/zh/results.json" <<'EOP' || fail "verify --json output"
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
sys.exit(0 if a == b else "verify --json: %s" % a)
EOP
# A publication folder verifies as a whole, in either language; one whose
# results, announcement or page say anything else is refused, naming the file.
for l in zh en; do
	"$TALLYCTL" verify "$pub/$l" >"$T/out" 2>"$T/err" ||
	    fail "verify $l folder: $(cat "$T/err")"
	grep -q "^publication verified: .*($l)" "$T/out" ||
	    fail "verify $l folder: $(cat "$T/out")"
done
pub_refused() {	# FILE WHAT: the altered copy of the zh folder is refused
	if "$TALLYCTL" verify "$T/bad" >/dev/null 2>"$T/err"; then
		fail "a folder with $2 verifies"
	fi
	grep -q "^tallyctl: E_VERIFY: record [0-9]*: publication: $1" \
	    "$T/err" || fail "$2: $(cat "$T/err")"
}
pub_copy() { rm -rf "$T/bad"; cp -r "$pub/zh" "$T/bad"; }
pub_copy
python3 - "$T/bad/results.json" <<'EOP'
import json, sys
p = sys.argv[1]; r = json.load(open(p))
t = r["contests"][0]["totals"]; k = next(iter(t)); t[k]["for"] = 201
open(p, "w").write(json.dumps(r, ensure_ascii=False, separators=(",", ":")))
EOP
pub_refused results.json "201 votes in results.json"
pub_copy; sed -i '0,/[0-9]票/s/\([0-9]\)票/\19票/' "$T/bad/announcement.txt"
pub_refused announcement.txt "an altered announcement"
pub_copy; cp "$pub/en/announcement.txt" "$T/bad/announcement.txt"
pub_refused results.html "a page in another language than the announcement"
pub_copy; rm "$T/bad/results.html"
pub_refused results.html "no results.html"
pub_copy; echo "{}" >"$T/bad/results-corrected.json"
pub_refused results-corrected.json "an extra file"
pub_copy; rm "$T/bad/results.json"; ln -s "$pub/zh/results.json" "$T/bad/results.json"
pub_refused results.json "a symlink"
cp "$pub/zh/record.log" "$T/flipped.log"
size=$(stat -c %s "$T/flipped.log")
python3 - "$T/flipped.log" "$((size / 2))" <<'EOP'
import sys
p, at = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read()); b[at] ^= 0x01
open(p, "wb").write(b)
EOP
if "$TALLYCTL" verify "$T/flipped.log" >/dev/null 2>"$T/err"; then
	fail "a record with a flipped byte verifies"
fi
grep -q '^tallyctl: E_[A-Z_]*: .*record [0-9]' "$T/err" ||
    fail "verify of a flipped record does not name the record: $(cat "$T/err")"
n=0
for r in "$T/receipts"/*; do
	"$TALLYCTL" receipt check "$r" --record "$pub/zh/record.log" \
	    >/dev/null 2>"$T/err" || fail "receipt $r: $(cat "$T/err")"
	n=$((n + 1))
done
[ "$n" = 24 ] || fail "$n receipts saved, 24 expected"
cp "$T/data/s6-budget.log" "$T/budget.log"
if "$TALLYCTL" receipt check "$T/receipts/card-000001.pb" \
    --record "$T/budget.log" >/dev/null 2>&1; then
	fail "a receipt checks against another vote's record"
fi
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "SIGTERM exit status"
DAEMON_PID=
echo ok
