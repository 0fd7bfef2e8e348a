#!/bin/sh
# daemon_vote.sh: votes through tallyd with tallyctl: create (manifest,
# ceremony transcript, registry), open (quorum), close, status; the
# refusals of each step; two votes at once; every transition survives a
# restart; a child that dies takes tallyd down with a non-zero status.
TALLYD=$1 TALLYCTL=$2 RAW=$3 KEYS=${5:-} BALLOT=${6:-}
. "$(dirname "$0")/daemon_lib.sh"
SRC=$4
M=$SRC/tests/data/manifests
[ -n "$KEYS" ] || { echo "skip: tally-keys not built"; exit 0; }

pki_setup 20 s6-head,s6-budget
start_daemon "$T/tallyd.conf"

state_is() {	# state_is VOTE "STATE ballots=.. ..."
	s=$(ctl auditor status "$1") || fail "status $1"
	case "$s" in "$1 $2"*) ;; *) fail "status of $1: '$s', expected '$2'";; esac
}
create() {	# create MANIFEST VOTE: prints what vote create printed; pins
	cout=$(ctl official vote create "$M/$1" --ceremony "$T/cer" \
	    --registry "$T/cards/registry-$2.txt") || { echo "$cout"; return 1; }
	pin "$cout"
	echo "$cout"
}

out=$(create district-head.json s6-head) || fail "create: $out"
echo "$out" | grep -Eq '^election hash [0-9a-f]{64}$' || fail "create: $out"
echo "$out" | grep -q '^vote s6-head created$' || fail "create: $out"
state_is s6-head "created ballots=0 log=1 present=0 issued=0 shares=0/2"

# Issue 10, attack 2: a host that names xG (x its own) as the joint key,
# with H_E recomputed over its lie. Terminals refuse to encrypt even with
# the liar's own hash pinned: they recompute the joint key from the
# trustees' commitments (vote_ctx_init).
"$BALLOT" liar "$T/data/s6-head.log" "$T/daemon.crt" "$T/daemon.key" \
    >"$T/liar.out" 2>&1 &
LIAR=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -s "$T/liar.out" ] && break
	sleep 0.5
done
read -r lport lhe <"$T/liar.out" || fail "liar: $(cat "$T/liar.out")"
liar() {
	r=$1; shift
	"$TALLYCTL" --server "127.0.0.1:$lport" --ca "$T/ca/ca.crt" \
	    --cert "$T/$r.crt" --key "$T/$r.key" "$@"
}
printf '{"head": {"for": ["c1"]}}' >"$T/choice.json"
out=$(liar terminal cast s6-head --card "$T/cards/cards/card-000001.txt" \
    --ballot "$T/choice.json" --election-hash "$lhe" 2>&1) &&
    fail "cast encrypted to a swapped joint key"
echo "$out" | grep -q '^tallyctl: E_CEREMONY: .*(transcript)' ||
    fail "cast to the liar: $out"
out=$(liar terminal simulate s6-head --cards "$T/cards/cards" --terminals 2 \
    --ballots 4 --seed 1 --expect "$T/liar-expect.json" \
    --election-hash "$lhe" 2>&1) &&
    fail "simulate encrypted to a swapped joint key"
echo "$out" | grep -q 'E_CEREMONY: .*(transcript)' ||
    fail "simulate against the liar: $out"
[ -e "$T/liar-expect.json" ] && fail "simulate wrote totals for the liar"
kill "$LIAR"
wait "$LIAR" 2>/dev/null || true
# An auditor that asks and never reads is no longer read once its
# answers pile up (session_output_bounded): the frontend's peak memory
# stays put (about 80 MB more without the bound); others are still served.
fe_hwm() {
	fe=$(sed -n 's/.*started: ledger [0-9]*, frontend \([0-9]*\).*/\1/p' \
	    "$T/tallyd.err" | head -1)
	sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$fe/status
}
before=$(fe_hwm)
out=$("$RAW" 127.0.0.1 "$PORT" "$T/ca/ca.crt" "$T/auditor.crt" \
    "$T/auditor.key" flood s6-head 20)
case "$out" in *"blocked after "*) ;; *) fail "flood: $out";; esac
# Sanitizer builds keep freed memory in quarantine: no memory check there.
if ! grep -q __asan_default_options "$TALLYD"; then
	[ $(($(fe_hwm) - before)) -lt 24000 ] ||
	    fail "flood: frontend peak memory $before kB -> $(fe_hwm) kB"
fi
state_is s6-head "created ballots=0 log=1"
expect_ctl official E_VOTE_EXISTS vote create "$M/district-head.json" \
    --ceremony "$T/cer" --registry "$T/cards/registry-s6-head.txt"
expect_ctl terminal E_ROLE vote create "$M/district-head.json" \
    --ceremony "$T/cer" --registry "$T/cards/registry-s6-head.txt"
printf '{"id": "x"}' >"$T/bad.json"
expect_ctl official E_MANIFEST vote create "$T/bad.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-head.txt"
create budget-motion.json s6-budget >/dev/null || fail "second vote"
[ "$(ctl official status | wc -l)" = 2 ] || fail "two votes expected"

# Opening: quorum of a congress is ceil(2 * 239 / 3) = 160 present.
expect_ctl official E_QUORUM vote open s6-head --present 159 --issued 159
expect_ctl official E_INVALID_ARG vote open s6-head --present 200 --issued 201
expect_ctl terminal E_ROLE vote open s6-head --present 200 --issued 200
expect_ctl official E_VOTE_STATE vote close s6-head
expect_ctl official OK vote open s6-head --present 200 --issued 198
expect_ctl official E_VOTE_STATE vote open s6-head --present 200 --issued 198
state_is s6-head "open ballots=0 log=2 present=200 issued=198"
state_is s6-budget "created ballots=0 log=1"

# A restart recovers both votes from their logs.
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "SIGTERM exit status"
start_daemon "$T/tallyd.conf"
grep -q 'vote s6-head recovered: open' "$T/tallyd.err" || fail "no recovery"
state_is s6-head "open ballots=0 log=2 present=200 issued=198"
state_is s6-budget "created ballots=0 log=1"

# Closing appends PollsClosed, the closing Checkpoint and the Aggregate.
expect_ctl official OK vote close s6-head
state_is s6-head "closed ballots=0 log=5 present=200 issued=198"
expect_ctl official E_VOTE_STATE vote close s6-head
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "SIGTERM exit status"
start_daemon "$T/tallyd.conf"
state_is s6-head "closed ballots=0 log=5"

# The log files are the ledger's: 0600 or tighter, in data_dir only.
[ -f "$T/data/s6-head.log" ] && [ -f "$T/data/s6-budget.log" ] ||
    fail "log files missing"
[ -z "$(ls "$T/empty")" ] || fail "frontend wrote into its chroot"

# tallyctl's client configuration file; flags win over it.
cat >"$T/ctl.conf" <<EOC
# tallyctl client configuration
server 127.0.0.1:$PORT
ca_cert $T/ca/ca.crt
cert $T/auditor.crt
key $T/auditor.key
EOC
"$TALLYCTL" --config "$T/ctl.conf" status s6-head >/dev/null ||
    fail "tallyctl --config"
out=$("$TALLYCTL" --config "$T/ctl.conf" vote close s6-budget 2>&1) &&
    fail "auditor closed a vote"
echo "$out" | grep -q '^tallyctl: E_ROLE: ' || fail "auditor close: $out"
out=$("$TALLYCTL" --config "$T/ctl.conf" --cert "$T/official.crt" \
    --key "$T/official.key" vote close s6-budget 2>&1) &&
    fail "close of a vote never opened"
echo "$out" | grep -q '^tallyctl: E_VOTE_STATE: ' || fail "flags: $out"
echo "servr 127.0.0.1:1" >"$T/bad.conf"
out=$("$TALLYCTL" --config "$T/bad.conf" status 2>&1) && fail "bad config"
echo "$out" | grep -q "^tallyctl: E_CONFIG: $T/bad.conf:1: " ||
    fail "bad client config: $out"
"$TALLYCTL" --help | grep -q '^usage: tallyctl' || fail "--help"
for c in status vote cast simulate; do
	"$TALLYCTL" $c --help >/dev/null || fail "$c --help"
done
out=$("$TALLYCTL" --config "$T/ctl.conf" frobnicate 2>&1) && fail "unknown"
echo "$out" | grep -q '^tallyctl: E_INVALID_ARG: ' || fail "unknown: $out"

# A dead child stops tallyd with a non-zero status.
ledger=$(pgrep -P "$DAEMON_PID" | head -1)
kill -KILL "$ledger"
wait "$DAEMON_PID" && st=0 || st=$?
DAEMON_PID=
[ $st != 0 ] || fail "tallyd exited 0 after a child was killed"
sleep 0.2
[ -z "$(pgrep -f "tallyd -d -f $T/tallyd.conf")" ] || fail "a child survived"
echo ok
