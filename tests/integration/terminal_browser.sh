#!/bin/sh
# terminal_browser.sh: the polling terminal in a real browser. tallyd with
# a tally-keys PKI and a vote of session.json (an election with a write-in
# slot, ten projects of fifteen, a motion); `tallyctl terminal` on the
# loopback; headless Chromium driven by selenium (terminal_browser.py)
# through a deputy's whole path, once by pointer and once by keyboard
# alone: a wrong card then the right one, every kind of contest marked, an
# over-selection refused, a ballot challenged and checked, one cast. The
# vote is counted and published; `tallyctl challenge check` shows the
# challenged ballot; results.html's search finds the cast one. Requests
# without the page's token, from another Host or Origin are refused. The
# hall screen (tallyctl screen, an auditor verifying the record) shows the
# ballots received rising: 0, 1, 2; the vote has one witness (quorum 1):
# once it cosigned, the screen shows its fingerprint as cosigning, and
# after the close, as cosigning the sealed log, 1 / 1.
# Screenshots of every screen: BUILD/tests/integration/terminal-shots/.
TALLYD=$1 TALLYCTL=$2 KEYS=${5:-} SHOTS=${7:-}
. "$(dirname "$0")/daemon_lib.sh"
M=$4/tests/data/manifests
PY=$(dirname "$0")/terminal_browser.py
[ -n "$KEYS" ] || { echo "skip: tally-keys not built"; exit 77; }
for f in /usr/bin/chromium /usr/bin/chromedriver; do
	[ -x "$f" ] || { echo "skip: $f missing"; exit 77; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null ||
    { echo "skip: python3-selenium missing"; exit 77; }
rm -rf "$SHOTS"
mkdir -p "$SHOTS"

keys_daemon 3 2 4 s6-session
code() { tr -d '\n' <"$T/cards/cards/card-00000$1.txt"; }
# The terminal encrypts only to the vote whose H_E its --config pins.
"$KEYS" witness-key "$T/w1" >"$T/w1.out" || fail "witness-key"
FP=$(sed -n 's/^witness key \([^ ]*\) .*/\1/p' "$T/w1.out")
[ -n "$FP" ] || fail "no fingerprint: $(cat "$T/w1.out")"
cout=$(ctl secretariat vote create "$M/session.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-session.txt" \
    --witness "$T/w1/witness.pub" --witness-quorum 1) || fail "create"
pin "$cout"
ctl secretariat vote open s6-session --present 200 --issued 4 >/dev/null ||
    fail "open"

# The terminal and the hall screen, on free loopback ports.
ctl_exec terminal terminal --listen 127.0.0.1:0 >"$T/term.out" 2>"$T/term.err" &
TERM_PID=$!
ctl_exec auditor screen --listen 127.0.0.1:0 --every 1 >"$T/screen.out" \
    2>"$T/screen.err" &
SCREEN_PID=$!
trap 'kill $TERM_PID $SCREEN_PID 2>/dev/null; cleanup' EXIT
url_of() {	# url_of PID FILE WORD
	for _ in $(seq 1 100); do
		u=$(sed -n "s/^$3: //p" "$2")
		[ -n "$u" ] && { echo "$u"; return 0; }
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
URL=$(url_of $TERM_PID "$T/term.out" terminal) ||
    fail "the terminal did not start: $(cat "$T/term.err")"
SCREEN=$(url_of $SCREEN_PID "$T/screen.out" screen) ||
    fail "the hall screen did not start: $(cat "$T/screen.err")"
screen_shows() {	# screen_shows N: the hall screen shows N ballots received
	/usr/bin/python3 "$PY" screen "$SCREEN" "$SHOTS" "$1" >"$T/scr.out" \
	    2>&1 || fail "hall screen: $(cat "$T/scr.out")"
	grep -q "^received $1\$" "$T/scr.out" ||
	    fail "hall screen: $(cat "$T/scr.out"), expected $1"
}
screen_shows 0
HOSTPORT=${URL#http://}
HOSTPORT=${HOSTPORT%/}

# Only our own page may post: token, Host and Origin are checked.
/usr/bin/python3 - "$HOSTPORT" <<'EOP' || fail "a request not from our page was served"
import http.client, re, sys
hp = sys.argv[1]
def req(method, path, headers, body=None):
    c = http.client.HTTPConnection(hp, timeout=10)
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    return r.status, r.read().decode("utf-8", "replace")
st, page = req("GET", "/", {})
tok = re.search(r'name="tally-token" content="([0-9a-f]{64})"', page).group(1)
j = {"Content-Type": "application/json"}
cases = [({}, 403), ({"X-Tally-Token": "0" * 64}, 403),
         ({"X-Tally-Token": tok, "Origin": "http://evil.example"}, 403),
         ({"X-Tally-Token": tok, "Host": "evil.example"}, 403),
         ({"X-Tally-Token": tok}, 200)]
for h, want in cases:
    st, _ = req("POST", "/api/reset", dict(j, **h), "{}")
    if st != want:
        sys.exit("POST with %s: %d, expected %d" % (h, st, want))
st, _ = req("GET", "/", {"Host": "evil.example"})
if st != 403:
    sys.exit("a page for another Host: %d" % st)
EOP

for mode in pointer keyboard; do
	card=1
	[ $mode = keyboard ] && card=2
	/usr/bin/python3 "$PY" vote "$URL" "$(code $card)" "$SHOTS" $mode \
	    >"$T/$mode.out" 2>"$T/$mode.err" ||
	    fail "browser ($mode): $(cat "$T/$mode.err" "$T/$mode.out")"
	screen_shows $card
done
challenged=$(sed -n 's/^challenged //p' "$T/pointer.out")
cast=$(sed -n 's/^cast //p' "$T/pointer.out")
s=$(ctl auditor status s6-session)
case "$s" in "s6-session open ballots=2 "*) ;; *) fail "status: $s";; esac

# The witness cosigns (as an auditor); the screen shows its fingerprint.
witness() {
	ctl auditor witness s6-session --key "$T/w1/witness.key" \
	    --state "$T/ws1" --interval 1 "$@" >>"$T/w1.log" 2>&1 ||
	    fail "witness $*: $(cat "$T/w1.log")"
}
screen_witness() {	# screen_witness [seal]
	/usr/bin/python3 "$PY" witness "$SCREEN" "$SHOTS" "$FP" "${1:-no}" \
	    >"$T/scrw.out" 2>&1 || fail "hall screen: $(cat "$T/scrw.out")"
	grep -q "^text 见证人 $FP · 已联署前 [1-9]" "$T/scrw.out" ||
	    fail "hall screen: $(cat "$T/scrw.out")"
}
witness --once
screen_witness
seal=$(close_seal s6-session)
witness --until sealed
screen_witness seal
grep -q "^sealtext 封存记录 .* 见证人联署 1 / 1$" "$T/scrw.out" ||
    fail "hall screen, seal: $(cat "$T/scrw.out")"
mix s6-session 2 1
decrypt s6-session "$seal" 1 2
ctl secretariat tally s6-session >/dev/null 2>"$T/err" || fail "tally: $(cat "$T/err")"
ctl auditor publish s6-session --out "$T/pub" >/dev/null 2>"$T/err" ||
    fail "publish: $(cat "$T/err")"
"$TALLYCTL" challenge check "$challenged" --record "$T/pub/record.log" \
    >"$T/check.out" 2>&1 || fail "challenge check: $(cat "$T/check.out")"
grep -q "张三" "$T/check.out" || fail "challenge check: $(cat "$T/check.out")"
/usr/bin/python3 "$PY" results "$T/pub/results.html" "$cast" "$challenged" \
    "$SHOTS" >"$T/results.out" 2>&1 || fail "results.html: $(cat "$T/results.out")"
ls "$SHOTS" | grep -q 'keyboard-.*cast' || fail "no screenshots"
echo "ok: $(ls "$SHOTS" | wc -l) screenshots in $SHOTS"
