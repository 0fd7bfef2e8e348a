#!/bin/sh
# bench/intake.sh: docs/design.md §10 for the daemon, in one run on this machine.
#
#   bench/intake.sh [BUILD_DIR]      (default build-bench; nothing is built)
#
# A tally-keys PKI and a 3-of-5 ceremony, credential cards for N members
# (default 3000, a hall of 3,000 deputies) for every vote at once, tallyd on
# 127.0.0.1 port 0 in a temporary folder (workers 0, durable receipts), then
# one fresh vote per run: district-head.json (3 selections) and session.json
# (20 selections), each cast by `tallyctl simulate` from 8 and from 64
# terminals. Per run: ballots/s and p50/p99 receipt latency (simulate's own
# figures), VmRSS of the ledger and the frontend before and after (RSS per
# ballot), the time of `vote close`, of three trustee mixes of the
# write-ins (the mix-net; each downloads and verifies the whole record and
# every earlier shuffle, then shuffles and proves), of three trustee decrypts
# (each downloads and verifies the whole record) and of `tally`. Control votes
# (district-head with SMALL ballots, budget-motion, which has no write-in
# slot, with N and SMALL) separate what grows with the ballots (the write-in
# list: 3 ciphertexts per ballot and slot, shuffled 3 times) from what does not (the aggregates). Beside it, verification only:
# bench_proof (proofs/s vs OpenSSL's EC_POINT_mul/s) and bench_record
# (record_verify ballots/s on 1 thread and on every core).
#
# Load (issue 16's intake goal): each manifest and T runs twice on fresh
# votes: at peak (closed loop: every terminal sends its next ballot when it
# has the receipt of the last), then at half the peak rate just measured
# (`simulate --rate`, open loop: each ballot is due at a fixed time and
# its latency counts from then, so waiting for a free terminal counts).
# The goals printed at the end: peak session ballots/s >= 0.8 x
# bench_record's all-core verification rate, and p99 < 100 ms at half of
# peak. simulate runs on the same cores as tallyd: its ballots are made
# (encrypted, signed) before the clock starts, and the CPU seconds of the
# client, the frontend and the ledger during each run are printed beside it.
#
# Environment: N (cards and ballots per run, default 3000), TERMINALS
# (default "8 64"), MANIFESTS (default "district-head session"), SMALL
# (default 100, 0 skips the control votes), HALF (default 1, 0 skips the
# half-of-peak runs), TALLY (default 1, 0 skips close, mixes, decrypts
# and tally: intake only), RECORD_BALLOTS (bench_record, default 500),
# SEED (default 1), KEEP=1 keeps the work folder, PERF=1 records
# `perf record -g` of the frontend and the ledger during each run into it
# (perf-frontend-VOTE.data, perf-ledger-VOTE.data).
# Opt-in: not run by ctest. 6 to 9 minutes on 2 shared cores, most of it
# the trustees verifying the record before they decrypt.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

build=${1:-build-bench}
case $build in /*) ;; *) build=$top/$build ;; esac
N=${N:-3000}
TERMINALS=${TERMINALS:-"8 64"}
MANIFESTS=${MANIFESTS:-"district-head session"}
SMALL=${SMALL:-100}
HALF=${HALF:-1}
TALLY=${TALLY:-1}
RECORD_BALLOTS=${RECORD_BALLOTS:-500}
SEED=${SEED:-1}

KEYS=$build/keys/tally-keys
TALLYD=$build/daemon/tallyd
CTL=$build/client/tallyctl
for p in "$KEYS" "$TALLYD" "$CTL" "$build/bench/bench_proof" \
    "$build/bench/bench_record"; do
	[ -x "$p" ] || { echo "intake.sh: $p missing: build $build first" >&2;
	    exit 2; }
done

W=$(mktemp -d /tmp/tally-bench.XXXXXX)
DAEMON_PID=
finish() {
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
	fi
	if [ "${KEEP:-0}" = 1 ]; then
		echo "intake.sh: work folder kept: $W"
	else
		rm -rf "$W"
	fi
}
trap finish EXIT
die() {
	echo "intake.sh: FAILED: $*" >&2
	[ -f "$W/tallyd.log" ] && tail -20 "$W/tallyd.log" >&2
	exit 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
step() { printf '== %s\n' "$*"; }

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
step "machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)," \
    "load average $(loadavg)"

# ---------------------------------------------------------------- votes
# Run list: VOTE MANIFEST TERMINALS BALLOTS LOAD (peak: closed loop;
# half: open loop at half the rate of the peak run before it)
: >"$W/runs"
for m in $MANIFESTS; do
	for t in $TERMINALS; do
		echo "bench-$m-t$t $m $t $N peak" >>"$W/runs"
		[ "$HALF" = 0 ] ||
		    echo "bench-$m-t$t-half $m $t $N half" >>"$W/runs"
	done
done
# Controls for close and tally: the same manifest with few ballots, and a
# motion (no write-in slot) with N and with few ballots.
if [ "$SMALL" -gt 0 ]; then
	echo "bench-head-small district-head 8 $SMALL peak" >>"$W/runs"
	echo "bench-motion budget-motion 8 $N peak" >>"$W/runs"
	echo "bench-motion-small budget-motion 8 $SMALL peak" >>"$W/runs"
fi
VOTES=$(cut -d' ' -f1 "$W/runs" | paste -sd, -)

mkdir -p "$W/manifests"
while read -r v m _ _ _; do
	python3 - "tests/data/manifests/$m.json" "$W/manifests/$v.json" \
	    "$v" "$N" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
m["id"], m["members"] = sys.argv[3], int(sys.argv[4])
json.dump(m, open(sys.argv[2], "w"), ensure_ascii=False)
EOF
done <"$W/runs"

step "PKI, ceremony (5 trustees, quorum 3), $N cards for $VOTES"
t0=$(now_ms)
{
	"$KEYS" ca init "$W/pki"
	"$KEYS" cert issue "$W/pki" --role daemon --name tallyd
	"$KEYS" cert issue "$W/pki" --role official --name secretariat
	"$KEYS" cert issue "$W/pki" --role terminal --name terminal
	for i in 1 2 3 4 5; do
		"$KEYS" cert issue "$W/pki" --role trustee --name "trustee-$i"
	done
	"$KEYS" ledger-key "$W/pki"
	"$KEYS" ceremony "$W/ceremony" --trustees 5 --quorum 3
} >"$W/setup.out" 2>&1 || { cat "$W/setup.out" >&2; die "setup"; }
t1=$(now_ms)
"$KEYS" credentials generate --count "$N" --votes "$VOTES" \
    --out "$W/cards" >"$W/cards.out" 2>&1 ||
    { cat "$W/cards.out" >&2; die "credentials generate"; }
t2=$(now_ms)
echo "keys and ceremony $((t1 - t0)) ms, $N cards x $(echo "$VOTES" |
    tr , '\n' | wc -l) votes $((t2 - t1)) ms"

# ---------------------------------------------------------------- tallyd
mkdir -p "$W/data"
cat >"$W/tallyd.conf" <<EOF
listen 127.0.0.1:0
data_dir $W/data
ca_cert $W/pki/ca.crt
tls_cert $W/pki/tallyd.crt
tls_key $W/pki/tallyd.key
ledger_key $W/pki/ledger.key
workers 0
EOF
if [ "$(id -u)" -eq 0 ]; then
	id -u _tally >/dev/null 2>&1 ||
	    useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin _tally
	chown _tally: "$W/data"
	echo "user _tally" >>"$W/tallyd.conf"
fi
"$TALLYD" -d -f "$W/tallyd.conf" 2>"$W/tallyd.log" &
DAEMON_PID=$!
port=
for _ in $(seq 100); do
	port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' \
	    "$W/tallyd.log" | head -1)
	[ -n "$port" ] && break
	kill -0 "$DAEMON_PID" 2>/dev/null || die "tallyd did not start"
	sleep 0.1
done
[ -n "$port" ] || die "tallyd did not report its port"
# The parent forks the ledger first, then the frontend (daemon/main.c).
LEDGER_PID= FRONTEND_PID=
for _ in $(seq 50); do
	set -- $(pgrep -P "$DAEMON_PID" | sort -n)
	[ $# -eq 2 ] && { LEDGER_PID=$1; FRONTEND_PID=$2; break; }
	sleep 0.1
done
[ -n "$LEDGER_PID" ] || die "tallyd's two children not found"
step "tallyd on 127.0.0.1:$port: parent $DAEMON_PID, ledger $LEDGER_PID," \
    "frontend $FRONTEND_PID"

ctl() {
	who=$1; shift
	"$CTL" --server "127.0.0.1:$port" --ca "$W/pki/ca.crt" \
	    --cert "$W/pki/$who.crt" --key "$W/pki/$who.key" "$@"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# CPU seconds (user + system, every thread) a process has used so far.
cpu_s() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, "");
	    printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"
}

# ---------------------------------------------------------------- intake
: >"$W/results"
while read -r v m t n load; do
	rateopt='' offered=0
	if [ "$load" = half ]; then
		peak=$(awk -v m="$m" -v t="$t" '$2 == m && $3 == t &&
		    $17 == "peak" { r = $5 } END { print int(r / 2) }' \
		    "$W/results")
		[ "$peak" -gt 0 ] || die "no peak rate for $m T=$t"
		rateopt="--rate $peak" offered=$peak
		step "$v: $m.json, $n ballots from $t terminals, offered" \
		    "$peak ballots/s (half of peak, open loop)"
	else
		step "$v: $m.json, $n ballots from $t terminals (peak," \
		    "closed loop)"
	fi
	he=$(ctl secretariat vote create "$W/manifests/$v.json" \
	    --ceremony "$W/ceremony" --registry "$W/cards/registry-$v.txt" |
	    sed -n 's/^election hash //p')
	[ -n "$he" ] || die "vote create $v"
	ctl secretariat vote open "$v" --present "$N" --issued "$N" \
	    >/dev/null || die "vote open $v"
	l0=$(rss_kb "$LEDGER_PID"); f0=$(rss_kb "$FRONTEND_PID")
	fc0=$(cpu_s "$FRONTEND_PID"); lc0=$(cpu_s "$LEDGER_PID")
	PERFS=
	if [ "${PERF:-0}" = 1 ]; then
		for who in "frontend:$FRONTEND_PID" "ledger:$LEDGER_PID"; do
			pid=${who#*:} who=${who%%:*}
			(exec perf record -q -g -p "$pid" \
			    -o "$W/perf-$who-$v.data" >/dev/null 2>&1) &
			PERFS="$PERFS $!"
		done
		sleep 1
	fi
	# shellcheck disable=SC2086 # rateopt is empty or two words
	ctl terminal simulate "$v" --cards "$W/cards/cards" --terminals "$t" \
	    --ballots "$n" --seed "$SEED" --expect "$W/expect-$v.json" \
	    --election-hash "$he" $rateopt \
	    >"$W/sim-$v.out" 2>&1 || { cat "$W/sim-$v.out" >&2;
	    die "simulate $v"; }
	cat "$W/sim-$v.out"
	l1=$(rss_kb "$LEDGER_PID"); f1=$(rss_kb "$FRONTEND_PID")
	fc1=$(cpu_s "$FRONTEND_PID"); lc1=$(cpu_s "$LEDGER_PID")
	for pp in $PERFS; do
		kill -INT "$pp" 2>/dev/null || true
		wait "$pp" 2>/dev/null || true
	done
	# connections and casts (the ballots were made before)
	cc=$(sed -n 's/.*client used \([0-9.]*\) s of CPU.*/\1/p' \
	    "$W/sim-$v.out")
	fcpu=$(echo "$fc0 $fc1" | awk '{ printf "%.2f", $2 - $1 }')
	lcpu=$(echo "$lc0 $lc1" | awk '{ printf "%.2f", $2 - $1 }')
	echo "CPU during the casts: frontend $fcpu s, ledger $lcpu s," \
	    "client $cc s"
	c0=$(now_ms) c1=$c0 cm=$c0 c2=$c0 c3=$c0
	if [ "$TALLY" = 0 ]; then
		l2=$(rss_kb "$LEDGER_PID")
	else
		c0=$(now_ms)
		seal=$(ctl secretariat vote close "$v" | sed -n 's/^sealed //p')
		[ -n "$seal" ] || die "vote close $v"
		c1=$(now_ms)
		# the mix-net: 3 trustees shuffle the write-ins (each verifies the
		# record and every earlier shuffle first); nothing for a motion
		for i in 3 4 5; do
			ctl "trustee-$i" trustee mix "$v" \
			    --share "$W/ceremony/private-$i/share.pb" >/dev/null ||
			    die "trustee $i mix $v"
		done
		cm=$(now_ms)
		for i in 1 2 3; do
			ctl "trustee-$i" trustee decrypt "$v" \
			    --share "$W/ceremony/private-$i/share.pb" --sealed "$seal" \
			    >/dev/null ||
			    die "trustee $i decrypt $v"
		done
		c2=$(now_ms)
		ctl secretariat tally "$v" >/dev/null || die "tally $v"
		c3=$(now_ms)
		l2=$(rss_kb "$LEDGER_PID")
	fi
	# the first of each: the offered line repeats the words
	rate=$(sed -n 's/.* \([0-9.]*\) ballots\/s.*/\1/p' "$W/sim-$v.out" |
	    head -1)
	p50=$(sed -n 's/.*p50 \([0-9.]*\) ms.*/\1/p' "$W/sim-$v.out" |
	    head -1)
	p99=$(sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' "$W/sim-$v.out" |
	    head -1)
	echo "$v $m $t $n $rate $p50 $p99 $l0 $l1 $f0 $f1 $((c1 - c0))" \
	    "$((c2 - cm)) $((c3 - c2)) $l2 $((cm - c1)) $load $offered" \
	    "$fcpu $lcpu $cc" >>"$W/results"
	echo "RSS ledger $l0 -> $l1 kB (after tally $l2 kB), frontend $f0 ->" \
	    "$f1 kB; close" \
	    "$((c1 - c0)) ms, 3 mixes $((cm - c1)) ms, 3 decrypts" \
	    "$((c2 - cm)) ms, tally $((c3 - c2)) ms"
done <"$W/runs"

# ---------------------------------------------------------------- verify only
step "verification only: bench_proof"
"$build/bench/bench_proof" | tee "$W/proof.out"
step "verification only: bench_record $RECORD_BALLOTS (session.json ballots)"
"$build/bench/bench_record" "$RECORD_BALLOTS" | tee "$W/record.out"

# ---------------------------------------------------------------- summary
step "summary ($(nproc) cores; client, daemon and verification share them)"
awk '
BEGIN {
	printf "%-14s %3s %5s %9s %8s %8s %20s %13s %8s %6s %8s %8s %6s\n",
	    "manifest", "T", "N", "ballots/s", "p50 ms", "p99 ms",
	    "ledger kB (tallied)", "frontend kB", "B/ballot", "close",
	    "3 mixes", "3 decr.", "tally"
}
{
	per = (($9 - $8) + ($11 - $10)) * 1024 / $4
	printf "%-14s %3d %5d %9.1f %8.2f %8.2f %5d>%5d (%5d) " \
	    "%5d>%5d %8.0f %6d %8d %8d %6d\n", $2, $3, $4, $5, $6, $7, $8, $9,
	    $15, $10, $11, per, $12, $16, $13, $14
}' "$W/results"
echo "(close, 3 mixes, 3 decr. and tally in ms: vote close; three trustee"
echo " mixes of the write-ins (each verifies the record and the shuffles"
echo " before it, then shuffles and proves; the ledger verifies each);"
echo " three trustee decrypts;"
echo " tally after them. B/ballot: growth of ledger + frontend VmRSS during"
echo " the run divided by its ballots; (tallied): ledger VmRSS after the"
echo " tally. Load average at the end: $(loadavg))"
echo "load and CPU (s) during each run's casts; the client (tallyctl"
echo " simulate, its ballots made before the clock) shares the $(nproc) cores"
echo " with tallyd's frontend and ledger:"
awk '
BEGIN {
	printf "%-14s %3s %5s %-12s %9s %8s %8s %9s %7s %7s\n", "manifest",
	    "T", "N", "load", "ballots/s", "p50 ms", "p99 ms", "frontend",
	    "ledger", "client"
}
{
	printf "%-14s %3d %5d %-12s %9.1f %8.2f %8.2f %9.2f %7.2f %7.2f\n",
	    $2, $3, $4, $17 == "half" ? "half " $18 "/s" : "peak", $5, $6,
	    $7, $19, $20, $21
}' "$W/results"
awk '{
	printf "ledger memory (%s, T=%d): %.0f B/ballot during intake (goal " \
	    "<= 100 B/ballot over 64 MB), %d kB before intake, %d kB after " \
	    "the tally (goal: no per-ballot memory kept)\n", $2, $3,
	    ($9 - $8) * 1024 / $4, $8, $15
}' "$W/results"
grep 'EC_POINT_mul\|ratio' "$W/proof.out"
grep 'ballots/s\|speed-up' "$W/record.out"
grep 'ballot_encrypt' "$W/record.out"
rv=$(sed -n 's/^verify, session.json, 0 thread[^:]*: [0-9.]* s, \([0-9.]*\) ballots\/s.*/\1/p' \
    "$W/record.out")
echo "issue 16's intake goals (session.json; verification only is"
echo " bench_record's all-core record_verify rate, same ballots):"
# The same per CPU second, which the load of the moment (other programs,
# and this client) changes less: session ballots per CPU second of
# tallyd (frontend + ledger) / record_verify's per CPU second on 1 thread.
rc=$(sed -n 's/^verify, session.json, 1 thread.*per core (CPU time) \([0-9.]*\) ballots\/s.*/\1/p' \
    "$W/record.out")
awk -v rv="$rv" -v rc="$rc" '$2 == "session" && $17 == "peak" && rv > 0 {
	r = $5 / rv
	printf "  end to end / verification only: T=%d peak %.1f / %.1f " \
	    "ballots/s = %.2f (goal >= 0.8: %s); p50 %.1f ms, p99 %.1f ms " \
	    "at peak\n", $3, $5, rv, r, (r >= 0.8 ? "met" : "NOT met"),
	    $6, $7
	if (rc > 0 && $19 + $20 > 0) {
		c = $4 / ($19 + $20)
		printf "  per CPU second: tallyd %.1f ballots/s (frontend " \
		    "%.2f + ledger %.2f ms a ballot) / record_verify %.1f " \
		    "= %.2f; client %.2f ms a ballot\n", c,
		    1000 * $19 / $4, 1000 * $20 / $4, rc, c / rc,
		    1000 * $21 / $4
	}
}
$2 == "session" && $17 == "half" {
	printf "  half of peak: T=%d offered %d ballots/s, took %.1f/s: " \
	    "receipt p50 %.1f ms, p99 %.1f ms (goal p99 < 100 ms: %s)\n",
	    $3, $18, $5, $6, $7, ($7 < 100 ? "met" : "NOT met")
}' "$W/results"
