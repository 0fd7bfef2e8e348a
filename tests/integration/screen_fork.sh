#!/bin/sh
# screen_fork.sh: the hall screen (tallyctl screen, no browser: its
# state.json) follows a vote's record; then the tally host is restarted,
# on the same address, on a forked log of the vote (daemon_ballot fork:
# the same VoteCreated and PollsOpened, one ballot of three, re-chained and
# signed with the real ledger key). The screen must show the vote as not
# verifying, with the failing check, and none of its numbers any more.
TALLYD=$1 TALLYCTL=$2 KEYS=${5:-} BALLOT=${6:-}
. "$(dirname "$0")/daemon_lib.sh"
M=$4/tests/data/manifests
[ -n "$KEYS" ] || { echo "skip: tally-keys not built"; exit 77; }

keys_daemon 3 2 4 s6-session
out=$(ctl secretariat vote create "$M/session.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-session.txt") || fail "create"
pin "$out"
ctl secretariat vote open s6-session --present 200 --issued 4 >/dev/null ||
    fail "open"
printf '{"head": {"for": ["c1"]}}' >"$T/choice.json"
for i in 1 2 3; do
	ctl terminal cast s6-session --card "$T/cards/cards/card-00000$i.txt" \
	    --ballot "$T/choice.json" --receipt "$T/r$i.pb" >/dev/null \
	    2>"$T/err" || fail "cast $i: $(cat "$T/err")"
done

ctl_exec auditor screen --listen 127.0.0.1:0 --every 1 >"$T/screen.out" \
    2>"$T/screen.err" &
SCREEN_PID=$!
trap 'kill $SCREEN_PID 2>/dev/null; cleanup' EXIT
URL=
for _ in $(seq 1 100); do
	URL=$(sed -n 's/^screen: //p' "$T/screen.out")
	[ -n "$URL" ] && break
	kill -0 $SCREEN_PID 2>/dev/null || break
	sleep 0.1
done
[ -n "$URL" ] || fail "the screen did not start: $(cat "$T/screen.err")"

state() {	# state WANT: wait for the screen's state.json to match WANT
	/usr/bin/python3 - "$URL" "$1" <<'EOP'
import json, sys, time, urllib.request
url, want = sys.argv[1], sys.argv[2]
for _ in range(300):
    j = json.load(urllib.request.urlopen(url + "state.json", timeout=10))
    v = [x for x in j["votes"] if x["id"] == "s6-session"]
    if v:
        v = v[0]
        if want == "good" and v["verified"] and v["received"] == 3:
            print("good received %d records %d root %s" %
                  (v["received"], v["records"], v["root"]))
            sys.exit(0)
        if want == "bad" and not v["verified"]:
            for k in ("received", "records", "root", "present", "witnesses"):
                if k in v:
                    sys.exit("a failed record still shows %s: %s" % (k, v))
            print("bad check %s index %d reason %s" %
                  (v["check"], v["index"], v["reason"]))
            sys.exit(0)
    time.sleep(0.2)
sys.exit("the screen never showed %s: %s" % (want, j))
EOP
}
state good >"$T/good.out" 2>&1 || fail "screen: $(cat "$T/good.out")"

# The host restarts on a fork of the log, on the same address.
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
mkdir -p "$T/data2"
"$BALLOT" fork "$T/data/s6-session.log" "$T/data2/s6-session.log" 0 \
    >/dev/null || fail "fork"
sed -e "s|^data_dir .*|data_dir $T/data2|" \
    -e "s|^listen .*|listen 127.0.0.1:$PORT|" "$T/tallyd.conf" \
    >"$T/tallyd2.conf"
[ "$(id -u)" = 0 ] && chown -R nobody "$T/data2"
start_daemon "$T/tallyd2.conf"
s=$(ctl auditor status s6-session)
case "$s" in "s6-session open ballots=1 "*) ;; *) fail "fork status: $s";; esac
state bad >"$T/bad.out" 2>&1 || fail "screen: $(cat "$T/bad.out")"
cat "$T/good.out" "$T/bad.out"
kill -0 $SCREEN_PID || fail "the screen died: $(cat "$T/screen.err")"
echo ok
