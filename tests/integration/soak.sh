#!/bin/sh
# soak.sh: issue 12's session-length run. One tallyd takes N votes (60;
# TALLY_SOAK=long: 300) of every kind of the test manifests (motion,
# election with a write-in slot, projects, a multi-seat election, a
# session of all three) through the whole life: create, open, casts from
# three terminal connections at once (tallyctl simulate), a challenged
# ballot every fifth vote, status, close (its sealed log read out),
# the mix-net and decryption by two of three scrutineers on that seal (a different pair each time), tally, publish (its record
# downloaded by an auditor); every Result compared with what was cast, and
# every tenth vote's status checked and publication verified offline. Two restarts in the middle: a
# SIGTERM while a vote is open (it takes its ballots after), and a
# SIGKILL of the parent (the children follow it) between two decryption
# shares. Both children run under their seccomp filters all along: a
# system call off a list kills the child, the parent, and this test; the
# log must show no child killed and every vote recovered at each start.
TALLYD=$1 TALLYCTL=$2 KEYS=${5:-}
. "$(dirname "$0")/daemon_lib.sh"
M=$4/tests/data/manifests
[ -n "$KEYS" ] || { echo "skip: tally-keys not built"; exit 0; }
N=60 CARDS=6
if [ "${TALLY_SOAK:-}" = long ]; then N=300 CARDS=20; fi
start=$(date +%s)

votes=$(seq -s, -f 'soak-%g' 1 "$N")
keys_daemon 3 2 "$CARDS" "$votes"
kinds="budget-motion district-head projects standing-committee session"
alive() {
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "tallyd died: $1"
	! grep -q "killed by signal\|exited with status" "$T/tallyd.err" ||
	    fail "a child died: $1"
}
restart() {	# restart SIGNAL: stop tallyd so, start it, check recovery
	kill "-$1" "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || [ "$1" = KILL ] ||
	    fail "tallyd's exit after SIG$1"
	DAEMON_PID=
	# SIGKILL of the parent: the children die with it (PDEATHSIG).
	for _ in $(seq 50); do
		pgrep -f "$TALLYD -d -f $T/tallyd.conf" >/dev/null || break
		sleep 0.1
	done
	cat "$T/tallyd.err" >>"$T/tallyd.all"
	start_daemon "$T/tallyd.conf"
	n=$(grep -c "ledger: vote soak-[0-9]* recovered" "$T/tallyd.err")
	[ "$n" = "$created" ] ||
	    fail "after SIG$1: $n of $created votes recovered"
	echo "restart after SIG$1: $created votes recovered"
}
# compare: every vote's Result against what simulate cast (one python run
# for all: its start costs a second on a loaded machine).
compare() {
	python3 - "$T" "$N" <<'EOP'
import json, sys
t, n = sys.argv[1], int(sys.argv[2])
for i in range(1, n + 1):
    exp = json.load(open("%s/expect-%d.json" % (t, i)))
    res = json.load(open("%s/tally-%d.json" % (t, i)))
    got = {c["id"]: c for c in res["contests"]}
    for c in exp["contests"]:
        g = got[c["id"]]
        for opt, marks in c["totals"].items():
            for k, v in marks.items():
                if g["totals"][opt].get(k) != v:
                    sys.exit("soak-%d %s/%s/%s: cast %s, counted %s" %
                             (i, c["id"], opt, k, v, g["totals"][opt].get(k)))
        if c.get("writeins") and c["writeins"] != g.get("writeins"):
            sys.exit("soak-%d %s write-ins: cast %s, counted %s" %
                     (i, c["id"], c["writeins"], g.get("writeins")))
EOP
}
printf '{"budget": {"for": ["budget"]}}' >"$T/motion.json"
mkdir -p "$T/pub"

created=0 challenged=0
i=0
while [ "$i" -lt "$N" ]; do
	i=$((i + 1))
	v=soak-$i
	set -- $kinds
	shift $((i % 5))
	kind=$1
	sed "0,/\"id\": \"[^\"]*\"/s//\"id\": \"$v\"/" "$M/$kind.json" \
	    >"$T/m.json"
	out=$(ctl secretariat vote create "$T/m.json" --ceremony "$T/cer" \
	    --registry "$T/cards/registry-$v.txt") || fail "create $v: $out"
	pin "$out"
	created=$i
	ctl secretariat vote open "$v" --present 200 --issued "$CARDS" \
	    >/dev/null || fail "open $v"
	if [ "$kind" = budget-motion ]; then
		ctl terminal cast "$v" --card "$T/cards/cards/card-000001.txt" \
		    --ballot "$T/motion.json" --challenge \
		    --receipt "$T/challenge-$i.pb" >"$T/out" 2>&1 ||
		    fail "challenge in $v: $(cat "$T/out")"
		challenged=$((challenged + 1))
	fi
	if [ "$i" -eq $((N / 3)) ]; then
		restart TERM
		# The vote open before the stop takes its ballots after.
		[ "$(ctl secretariat status "$v" | cut -d' ' -f2)" = open ] ||
		    fail "$v not open after the restart"
	fi
	out=$(ctl terminal simulate "$v" --cards "$T/cards/cards" \
	    --terminals 3 --ballots "$CARDS" --seed "$i" \
	    --expect "$T/expect-$i.json" --receipts "$T/rc-$v" 2>&1) ||
	    fail "simulate $v: $out"
	echo "$out" | grep -q "$CARDS accepted, .* 0 failed" ||
	    fail "simulate $v: $out"
	if [ $((i % 10)) -eq 1 ]; then
		st=$(ctl auditor status "$v") || fail "status $v"
		case "$st" in "$v open ballots=$CARDS "*) ;;
		*) fail "status: $st";; esac
	fi
	seal=$(close_seal "$v")
	a=$((i % 3 + 1)) b=$(((i + 1) % 3 + 1))
	# the mix-net first (issue 11): the two shuffle the write-ins, if any
	mix "$v" "$a" "$b"
	decrypt "$v" "$seal" "$a"
	if [ "$i" -eq $((2 * N / 3)) ]; then
		restart KILL
	fi
	decrypt "$v" "$seal" "$b"
	ctl secretariat tally "$v" >"$T/tally-$i.json" 2>"$T/err" ||
	    fail "tally $v: $(cat "$T/err")"
	ctl auditor publish "$v" --out "$T/pub/$v" >/dev/null 2>"$T/err" ||
	    fail "publish $v: $(cat "$T/err")"
	if [ $((i % 10)) -eq 0 ]; then
		"$TALLYCTL" verify "$T/pub/$v" >/dev/null 2>"$T/err" ||
		    fail "verify $v: $(cat "$T/err")"
	fi
	alive "vote $i"
done
compare || fail "a Result differs from what was cast"
n=$(ctl auditor status | grep -c " tallied ")
[ "$n" = "$N" ] || fail "$n of $N votes tallied"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "stop"; DAEMON_PID=
cat "$T/tallyd.err" >>"$T/tallyd.all"
grep -q "killed by signal" "$T/tallyd.all" && fail "a child was killed"
echo "ok $N votes ($challenged challenges, 2 restarts) in" \
    "$(($(date +%s) - start)) s"
