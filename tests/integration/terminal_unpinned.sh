#!/bin/sh
# terminal_unpinned.sh: the polling terminal's page API (tallyctl terminal
# on the loopback, driven with its token, no browser) refuses a vote whose
# election hash its --config does not pin. Two open votes, the same card
# registered for both; only s6-budget is pinned. /api/card and /api/votes
# offer s6-budget alone; choosing s6-session (/api/vote) is refused with
# E_UNPINNED and leaves no vote chosen (/api/encrypt then refused);
# choosing s6-budget is served its ballot paper.
TALLYD=$1 TALLYCTL=$2 KEYS=${5:-}
. "$(dirname "$0")/daemon_lib.sh"
M=$4/tests/data/manifests
[ -n "$KEYS" ] || { echo "skip: tally-keys not built"; exit 77; }

keys_daemon 3 2 2 s6-budget,s6-session
out=$(ctl secretariat vote create "$M/budget-motion.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-budget.txt") || fail "create s6-budget"
pin "$out"
# s6-session is created and opened, but its election hash is never pinned.
ctl secretariat vote create "$M/session.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-session.txt" >/dev/null ||
    fail "create s6-session"
for v in s6-budget s6-session; do
	ctl secretariat vote open $v --present 200 --issued 2 >/dev/null ||
	    fail "open $v"
done
grep -q s6-session "$PINS" && fail "s6-session pinned: $(cat "$PINS")"

ctl_exec terminal terminal --listen 127.0.0.1:0 >"$T/term.out" 2>"$T/term.err" &
TERM_PID=$!
trap 'kill $TERM_PID 2>/dev/null; cleanup' EXIT
URL=
for _ in $(seq 1 100); do
	URL=$(sed -n 's/^terminal: //p' "$T/term.out")
	[ -n "$URL" ] && break
	kill -0 $TERM_PID 2>/dev/null || break
	sleep 0.1
done
[ -n "$URL" ] || fail "the terminal did not start: $(cat "$T/term.err")"
HOSTPORT=${URL#http://}
HOSTPORT=${HOSTPORT%/}
CODE=$(tr -d '\n' <"$T/cards/cards/card-000001.txt")

/usr/bin/python3 - "$HOSTPORT" "$CODE" <<'EOP' || fail "terminal API: see above"
import http.client, json, re, sys
hp, code = sys.argv[1], sys.argv[2]
def req(method, path, headers=None, body=None):
    c = http.client.HTTPConnection(hp, timeout=60)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    return r.status, r.read().decode("utf-8", "replace")
st, page = req("GET", "/")
tok = re.search(r'name="tally-token" content="([0-9a-f]{64})"', page).group(1)
def api(name, obj):
    st, body = req("POST", "/api/" + name, {"Content-Type": "application/json",
                   "X-Tally-Token": tok}, json.dumps(obj))
    return st, json.loads(body)
def ids(j):
    return sorted(v["id"] for v in j["votes"])
st, j = api("card", {"code": code})
if st != 200 or ids(j) != ["s6-budget"]:
    sys.exit("card: %d %s (expected only s6-budget offered)" % (st, j))
st, j = api("votes", {})
if st != 200 or ids(j) != ["s6-budget"]:
    sys.exit("votes: %d %s (expected only s6-budget offered)" % (st, j))
st, j = api("vote", {"id": "s6-session"})
if st != 400 or j.get("error") != "E_UNPINNED":
    sys.exit("vote s6-session (unpinned): %d %s, expected E_UNPINNED" % (st, j))
if "contests" in j:
    sys.exit("an unpinned vote's ballot paper was served: %s" % j)
st, j = api("encrypt", {"choices": {}})
if st == 200:
    sys.exit("encrypt after a refused vote: %s" % j)
st, j = api("vote", {"id": "s6-budget"})
if st != 200 or j.get("id") != "s6-budget" or not j.get("contests"):
    sys.exit("vote s6-budget (pinned): %d %s" % (st, j))
print("ok: s6-session refused E_UNPINNED, s6-budget served")
EOP
s=$(ctl auditor status s6-session)
case "$s" in "s6-session open ballots=0 "*) ;; *) fail "status: $s";; esac
echo ok
