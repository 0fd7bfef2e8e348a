#!/bin/sh
# daemon_memory.sh: issue 12, findings 5 and 6, against one tallyd with
# max_buffer_memory 32 MiB and max_downloads 2.
#   5  ten auditors pipelining get_record of a 1.2 MB record without
#      reading: each session has one download at a time and its queued
#      answers count against its output cap, the ledger sees at most
#      max_downloads of them, and a terminal's cast still gets its receipt;
#      the frontend's peak RSS grows by less than 64 MiB (it grew by 300 MB
#      before);
#   6  forty officials announcing 16 MB frames, sending 15 MB each and
#      stalling: large frames reserve their length from max_buffer_memory
#      before they are read, so two are read and the rest wait unread; the
#      frontend's RSS stays under the budget plus 48 MiB while they stall
#      (600 MB before) and falls back within 32 MiB of where it was once
#      they are gone (malloc_trim: 610 MB stayed before).
# And issue 16: the ledger's own memory. 500 session.json ballots (20
# selections and a write-in slot each) grow its RSS by at most 100 bytes a
# ballot plus 256 KiB during intake (about 1 kB a ballot before issue 16:
# the H(a) of every selection, the write-in list), and once the vote is
# mixed, decrypted and tallied it holds at most 3 MiB more than before
# the intake (11 kB a ballot, 5.7 MB, stayed before: the mix state, the
# shares; about 1.6 MB now, fixed: the verification threads' stacks and
# arenas, a first vote's tables).
# RSS is asserted only without a sanitizer runtime (AddressSanitizer's
# quarantine keeps freed memory on purpose); with one, the frontend's own
# accounting ("peak buffered" at stop) is checked instead.
TALLYD=$1 TALLYCTL=$2 RAW=$3 KEYS=${5:-} BALLOT=${6:-}
. "$(dirname "$0")/daemon_lib.sh"
M=$4/tests/data/manifests
[ -n "$KEYS" ] && [ -n "$BALLOT" ] || { echo "skip: no tally-keys"; exit 0; }

setup_pki
"$KEYS" ceremony "$T/cer" --trustees 3 --quorum 2 >/dev/null
"$KEYS" credentials generate --count 3 --votes s6-head --out "$T/cards" \
    >/dev/null
# A registry of 35,000 more (random) keys makes a 1.2 MB VoteCreated: the
# first get_record chunk is that one frame.
python3 - "$T/cards/registry-s6-head.txt" <<'EOP' || fail "registry"
import os, sys
p = sys.argv[1]
lines = open(p).read().split("\n")
keys = [l for l in lines[1:] if l]
keys += [os.urandom(32).hex() for _ in range(35000)]
keys = sorted(set(keys))
open(p, "w").write("tally-registry v1 s6-head %d\n" % len(keys) +
                   "\n".join(keys) + "\n")
EOP
write_config "$T/tallyd.conf" "max_buffer_memory 33554432" \
    "max_downloads 2" "request_timeout 8"
[ "$(id -u)" = 0 ] && chown nobody "$T/data"
start_daemon "$T/tallyd.conf"
sanitized=
grep -qa -e __asan_init -e __tsan_init "$TALLYD" && sanitized=1

# Issue 16: the ledger's memory per ballot (not under a sanitizer, whose
# allocator keeps freed memory and whose speed would make this minutes).
# First, while the ledger's heap holds no freed memory that the intake
# could reuse unseen (the large VoteCreated below leaves some).
if [ -z "$sanitized" ]; then
	NB=500
	python3 - "$M/session.json" "$T/mem.json" "$NB" <<'EOP' || fail "manifest"
import json, sys
m = json.load(open(sys.argv[1]))
m["id"], m["members"] = "s6-mem", int(sys.argv[3])
json.dump(m, open(sys.argv[2], "w"), ensure_ascii=False)
EOP
	"$KEYS" credentials generate --count "$NB" --votes s6-mem \
	    --out "$T/mcards" >/dev/null || fail "cards"
	out=$(ctl official vote create "$T/mem.json" --ceremony "$T/cer" \
	    --registry "$T/mcards/registry-s6-mem.txt") || fail "create: $out"
	pin "$out"
	ctl official vote open s6-mem --present "$NB" --issued "$NB" \
	    >/dev/null || fail "open s6-mem"
	led=$(sed -n 's/.*started: ledger \([0-9]*\),.*/\1/p' "$T/tallyd.err")
	[ -n "$led" ] || fail "no ledger pid"
	lkib() { awk '/^VmRSS:/ {print $2}' "/proc/$led/status"; }
	l0=$(lkib)
	out=$(ctl terminal simulate s6-mem --cards "$T/mcards/cards" \
	    --terminals 8 --ballots "$NB" --seed 1 --expect "$T/mem-expect.json" \
	    2>&1) || fail "simulate: $out"
	echo "$out" | grep -q "$NB accepted, .* 0 failed" || fail "simulate: $out"
	l1=$(lkib)
	seal=$(ctl official vote close s6-mem | sed -n 's/^sealed //p')
	[ -n "$seal" ] || fail "close s6-mem"
	for i in 1 2; do
		ctl trustee trustee mix s6-mem \
		    --share "$T/cer/private-$i/share.pb" >/dev/null 2>"$T/err" ||
		    fail "mix $i: $(cat "$T/err")"
	done
	for i in 1 2; do
		ctl trustee trustee decrypt s6-mem --sealed "$seal" \
		    --share "$T/cer/private-$i/share.pb" >/dev/null 2>"$T/err" ||
		    fail "decrypt $i: $(cat "$T/err")"
	done
	ctl official tally s6-mem >/dev/null 2>"$T/err" ||
	    fail "tally: $(cat "$T/err")"
	l2=$(lkib)
	echo "ledger RSS: $l0 KiB before $NB ballots, $l1 KiB after them" \
	    "($(( (l1 - l0) * 1024 / NB )) B a ballot), $l2 KiB after the tally"
	[ $(( (l1 - l0) * 1024 )) -lt $(( NB * 100 + 262144 )) ] ||
	    fail "intake grew the ledger by $((l1 - l0)) KiB for $NB ballots"
	[ $((l2 - l0)) -lt 3072 ] ||
	    fail "after the tally the ledger holds $((l2 - l0)) KiB more"
	echo "ok issue 16: ledger memory per ballot bounded, freed after the tally"
fi

out=$(ctl official vote create "$M/district-head.json" --ceremony "$T/cer" \
    --registry "$T/cards/registry-s6-head.txt") || fail "create: $out"
pin "$out"
ctl official vote open s6-head --present 239 --issued 239 >/dev/null ||
    fail "open"
[ "$(stat -c %s "$T/data/s6-head.log")" -gt 1100000 ] || fail "record size"
fe=$(sed -n 's/.*started: ledger [0-9]*, frontend \([0-9]*\).*/\1/p' \
    "$T/tallyd.err")
[ -n "$fe" ] || fail "no frontend pid"
kib() { awk "/^$1:/ {print \$2}" "/proc/$fe/status"; }
raw() {	# raw ROLE MODE ARGS...
	r=$1; shift
	"$RAW" 127.0.0.1 "$PORT" "$T/ca/ca.crt" "$T/$r.crt" "$T/$r.key" "$@"
}
cast() { "$BALLOT" cast "127.0.0.1:$PORT" "$T/ca/ca.crt" "$T/terminal.crt" \
    "$T/terminal.key" s6-head "$T/cards/cards/card-00000$1.txt" none 2>&1; }
alive() { kill -0 "$DAEMON_PID" 2>/dev/null || fail "tallyd died: $1"; }

# A download, once, for the frontend's own memory at rest.
"$BALLOT" record "127.0.0.1:$PORT" "$T/ca/ca.crt" "$T/auditor.crt" \
    "$T/auditor.key" s6-head "$T/rec.log" >/dev/null || fail "get_record"
hwm0=$(kib VmHWM)

# Finding 5.
raw auditor dlflood 10 s6-head 6 >"$T/dl.out" &
dl=$!
sleep 2
got=$(cast 1 || true)
[ "$got" = "code=0" ] || fail "cast during the download flood: $got"
wait "$dl"
grep -q "^sent [0-9]* requests on 10 connections" "$T/dl.out" ||
    fail "dlflood: $(cat "$T/dl.out")"
alive "download flood"
hwm1=$(kib VmHWM)
echo "frontend peak RSS: $hwm0 KiB at rest, $hwm1 KiB after ten unread" \
    "download floods ($(cat "$T/dl.out"))"
[ -n "$sanitized" ] || [ $((hwm1 - hwm0)) -lt 65536 ] ||
    fail "the download flood grew the frontend by $((hwm1 - hwm0)) KiB"
echo "ok finding 5: unread downloads bounded, the cast answered"

# Finding 6.
sleep 2
rss0=$(kib VmRSS)
raw official bigstall 40 16000000 15000000 5 >"$T/big.out" &
big=$!
sleep 4
rss1=$(kib VmRSS)
got=$(cast 2 || true)
[ "$got" = "code=0" ] || fail "cast during the stalled frames: $got"
wait "$big"
grep -q "^sent [0-9]* bytes on 40 connections" "$T/big.out" ||
    fail "bigstall: $(cat "$T/big.out")"
sleep 3
alive "stalled frames"
rss2=$(kib VmRSS)
echo "frontend RSS: $rss0 KiB before, $rss1 KiB with 40 stalled frames" \
    "($(cat "$T/big.out")), $rss2 KiB after they closed"
if [ -z "$sanitized" ]; then
	[ $((rss1 - rss0)) -lt $((32768 + 49152)) ] ||
	    fail "stalled frames grew the frontend by $((rss1 - rss0)) KiB"
	[ $((rss2 - rss0)) -lt 32768 ] ||
	    fail "after the stalled frames: $((rss2 - rss0)) KiB kept"
fi
echo "ok finding 6: large frames within the budget, memory given back"

kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "stop"; DAEMON_PID=
peak=$(sed -n 's/.*peak buffered: \([0-9]*\) KiB.*/\1/p' "$T/tallyd.err")
[ -n "$peak" ] || fail "no peak buffered line"
echo "frontend's own peak of answers and large frames: $peak KiB"
# Over the budget by at most what max_downloads answers and the frames
# admitted alone can add: 32 MiB + 2 x 1.2 MB + a 16 MB frame.
[ "$peak" -lt $((32768 + 4096 + 16384)) ] ||
    fail "peak buffered $peak KiB over max_buffer_memory"
