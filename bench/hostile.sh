#!/bin/sh
# bench/hostile.sh: issue 12's figures. Honest terminals' cast latency
# (p50/p99 of `tallyctl simulate`'s receipts, 4 terminal connections) and
# the frontend's peak RSS (VmHWM, tallyd started afresh for each row), with
# no attack and under each attack of the issue:
#   idle1200   1,200 TCP connections that send nothing, reopened when cut
#   fd1100     1,100 such connections, tallyd under `ulimit -n 1024`
#   junk16     an official's 16 MiB junk frame (8 million empty entries)
#              every second
#   dl10       10 auditors pipelining get_record of a 1.2 MB record and
#              never reading
#   stall40    40 officials' 16 MB frames sent to 15 MB, then stalled
#
#   bench/hostile.sh [BUILD_DIR]     (default build; nothing is built)
#
# Environment: BALLOTS (per row, default 80), SECS (attack warm-up before
# the casts, default 3), KEEP=1 keeps the work folder. Opt-in: not run by
# ctest; about 3 minutes. Latency is a ratio to the quiet row of the same
# run: the absolute figures depend on the machine's load (printed).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
BALLOTS=${BALLOTS:-80}
SECS=${SECS:-3}
KEYS=$build/keys/tally-keys
TALLYD=$build/daemon/tallyd
CTL=$build/client/tallyctl
RAW=$build/tests/integration/daemon_raw
for p in "$KEYS" "$TALLYD" "$CTL" "$RAW"; do
	[ -x "$p" ] || { echo "hostile.sh: $p missing: build $build" >&2
	    exit 2; }
done
W=$(mktemp -d /tmp/tally-hostile.XXXXXX)
DAEMON_PID= ATTACK=
finish() {
	[ -n "$ATTACK" ] && kill $ATTACK 2>/dev/null || true
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "work folder kept: $W"
	else rm -rf "$W"; fi
}
trap finish EXIT
die() { echo "hostile.sh: $*" >&2; [ -f "$W/tallyd.err" ] &&
    tail -5 "$W/tallyd.err" >&2; exit 1; }

rows="quiet idle1200 fd1100 junk16 dl10 stall40"
P=$W/pki
"$KEYS" ca init "$P" >/dev/null
for c in daemon:tallyd official:secretariat terminal:terminal \
    auditor:auditor; do
	"$KEYS" cert issue "$P" --role "${c%%:*}" --name "${c#*:}" >/dev/null
done
"$KEYS" ledger-key "$P" >/dev/null
"$KEYS" ceremony "$W/cer" --trustees 3 --quorum 2 >/dev/null
votes=$(for r in $rows; do printf 'h-%s,' "$r"; done)big
"$KEYS" credentials generate --count "$BALLOTS" --votes "$votes" \
    --out "$W/cards" >/dev/null
# The download target: 35,000 more registry keys, a 1.2 MB record.
python3 - "$W/cards/registry-big.txt" <<'EOP'
import os, sys
p = sys.argv[1]
keys = [l for l in open(p).read().split("\n")[1:] if l]
keys = sorted(set(keys + [os.urandom(32).hex() for _ in range(35000)]))
open(p, "w").write("tally-registry v1 big %d\n" % len(keys) +
                   "\n".join(keys) + "\n")
EOP
mkdir -p "$W/data" "$W/empty"
cat >"$W/tallyd.conf" <<EOC
listen 127.0.0.1:0
data_dir $W/data
ca_cert $P/ca.crt
tls_cert $P/tallyd.crt
tls_key $P/tallyd.key
ledger_key $P/ledger.key
empty_dir $W/empty
EOC
if [ "$(id -u)" = 0 ]; then
	echo "user nobody" >>"$W/tallyd.conf"
	chown nobody "$W/data"
fi
cat >"$W/lowfd" <<EOW
#!/bin/sh
ulimit -n 1024
exec "$TALLYD" "\$@"
EOW
chmod +x "$W/lowfd"

start() {	# start [WRAPPER]
	"${1:-$TALLYD}" -d -f "$W/tallyd.conf" 2>"$W/tallyd.err" &
	DAEMON_PID=$!
	for _ in $(seq 100); do
		PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
		    "$W/tallyd.err" | head -1)
		[ -n "$PORT" ] && grep -q "frontend: ready" "$W/tallyd.err" &&
		    grep -q "ledger: ready" "$W/tallyd.err" && break
		sleep 0.1
	done
	[ -n "$PORT" ] || die "tallyd did not start"
	FE=$(sed -n 's/.*started: ledger [0-9]*, frontend \([0-9]*\).*/\1/p' \
	    "$W/tallyd.err")
}
stop() {
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=
}
ctl() {
	who=$1; shift
	"$CTL" --server "127.0.0.1:$PORT" --ca "$P/ca.crt" \
	    --cert "$P/$who.crt" --key "$P/$who.key" --config "$W/pins" "$@"
}
raw() {	# always run with &: exec, so that $! is daemon_raw itself
	who=$1; shift
	exec "$RAW" 127.0.0.1 "$PORT" "$P/ca.crt" "$P/$who.crt" "$P/$who.key" "$@"
}
create() {	# create VOTE MANIFEST REGISTRY
	sed "0,/\"id\": \"[^\"]*\"/s//\"id\": \"$1\"/" "$2" >"$W/m.json"
	out=$(ctl secretariat vote create "$W/m.json" --ceremony "$W/cer" \
	    --registry "$3") || die "create $1: $out"
	h=$(echo "$out" | sed -n 's/^election hash //p')
	echo "election_hash $1 $h" >>"$W/pins"
	ctl secretariat vote open "$1" --present 200 --issued "$BALLOTS" \
	    >/dev/null || die "open $1"
}
: >"$W/pins"
M=$top/tests/data/manifests
start
create big "$M/budget-motion.json" "$W/cards/registry-big.txt"
stop

printf '\nmachine: %s cores, load %s\n' "$(nproc)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s | %8s | %8s | %7s | %11s | %s\n' attack "p50 ms" "p99 ms" \
    "p99/q" "peak RSS MB" "attack's own report"
printf '%s\n' "----------|----------|----------|---------|-------------|------"
q99=
for r in $rows; do
	case $r in fd1100) start "$W/lowfd" ;; *) start ;; esac
	create "h-$r" "$M/district-head.json" "$W/cards/registry-h-$r.txt"
	dur=$((SECS + 60))
	: >"$W/attack.out"
	case $r in
	quiet) ATTACK= ;;
	idle1200)
		ATTACK=
		for _ in 1 2 3 4 5; do
			raw - idle 240 "$dur" >>"$W/attack.out" 2>&1 &
			ATTACK="$ATTACK $!"
		done ;;
	fd1100)
		ATTACK=
		for _ in 1 2 3 4 5; do
			raw - idle 220 "$dur" >>"$W/attack.out" 2>&1 &
			ATTACK="$ATTACK $!"
		done ;;
	junk16) raw secretariat junk "$dur" >"$W/attack.out" 2>&1 &
		ATTACK=$! ;;
	dl10)	raw auditor dlflood 10 big "$dur" >"$W/attack.out" 2>&1 &
		ATTACK=$! ;;
	stall40) raw secretariat bigstall 40 16000000 15000000 "$dur" \
		    >"$W/attack.out" 2>&1 &
		ATTACK=$! ;;
	esac
	sleep "$SECS"
	out=$(ctl terminal simulate "h-$r" --cards "$W/cards/cards" \
	    --terminals 4 --ballots "$BALLOTS" --seed 1 \
	    --expect "$W/expect-$r.json" 2>&1) || true
	p50=$(echo "$out" | sed -n 's/.*latency p50 \([0-9.]*\) ms.*/\1/p')
	p99=$(echo "$out" | sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p')
	acc=$(echo "$out" | sed -n 's/.*terminals: \([0-9]*\) accepted.*/\1/p')
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$FE/status")
	if [ -n "$ATTACK" ]; then
		kill $ATTACK 2>/dev/null || true
		wait $ATTACK 2>/dev/null || true
	fi
	ATTACK=
	[ -n "$q99" ] || q99=$p99
	ratio=$(awk -v a="${p99:-0}" -v b="${q99:-1}" \
	    'BEGIN { printf "%.2f", (b > 0) ? (a / b) : 0 }')
	note="$(tr '\n' ' ' <"$W/attack.out" | cut -c1-60)"
	[ "${acc:-0}" = "$BALLOTS" ] ||
	    note="$note; $(echo "$out" | tail -1 | cut -c1-80)"
	printf '%-9s | %8s | %8s | %7s | %11s | %s\n' "$r" "${p50:--}" \
	    "${p99:--}" "$ratio" "$((${hwm:-0} / 1024))" "$note"
	stop
done
