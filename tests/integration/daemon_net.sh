#!/bin/sh
# daemon_net.sh: tallyd's network face on 127.0.0.1, ephemeral port:
# roles and their allow-lists, certificates refused, frame limits, broken
# input, pipelining, handshake timeout and connection limit, the sandbox
# of both children and a clean SIGTERM.
TALLYD=$1 TALLYCTL=$2 RAW=$3
. "$(dirname "$0")/daemon_lib.sh"

setup_pki
write_config "$T/tallyd.conf" "workers 0" "handshake_timeout 2" "max_connections 6" \
    "max_handshakes_per_source 4" "max_frame 4096" "max_large_frame 65536" \
    "request_timeout 2"
[ "$(id -u)" = 0 ] && chown nobody "$T/data"
start_daemon "$T/tallyd.conf"

raw() { r=$1; shift; "$RAW" 127.0.0.1 "$PORT" "$T/ca/ca.crt" \
    "$T/$r.crt" "$T/$r.key" "$@"; }

# 1. Sandbox: both children under a seccomp filter, no core dumps.
for p in $(child_pids); do
	grep -q '^Seccomp:[[:space:]]*2' /proc/$p/status ||
	    fail "child $p not under seccomp"
	grep -q '^NoNewPrivs:[[:space:]]*1' /proc/$p/status ||
	    fail "child $p without no_new_privs"
	grep -q '^Max core file size *0 *0' /proc/$p/limits ||
	    fail "child $p may dump core"
	if [ "$(id -u)" = 0 ]; then
		[ "$(stat -c %u /proc/$p)" = 65534 ] || fail "child $p is root"
		[ "$(readlink /proc/$p/root)" != / ] || fail "child $p not chrooted"
	fi
done
[ "$(child_pids | wc -l)" = 2 ] || fail "expected two children"

# 2. Roles: every role may ask for status; the allow-lists hold.
for r in terminal official trustee auditor; do expect_ctl $r OK status; done
expect_ctl official E_VOTE_UNKNOWN vote close nosuch
expect_ctl official E_VOTE_UNKNOWN vote open nosuch --present 1 --issued 1
expect_ctl official E_VOTE_UNKNOWN status nosuch
expect_ctl terminal E_ROLE vote close nosuch
expect_ctl terminal E_ROLE vote open nosuch --present 1 --issued 1
expect_ctl trustee E_ROLE vote close nosuch
expect_ctl auditor E_ROLE vote close nosuch
# create_vote (field 10) from a terminal: refused by role before anything.
[ "$(raw terminal frames 080110075200)" = "resp id=7 code=26" ] ||
    fail "terminal create_vote not refused with E_ROLE"
# cast (field 14) from an official.
[ "$(raw official frames 080110087200)" = "resp id=8 code=26" ] ||
    fail "official cast not refused with E_ROLE"

# 3. Certificates: none, a foreign CA, no role, the daemon's own role.
out=$("$RAW" 127.0.0.1 "$PORT" "$T/ca/ca.crt" - - frames 08011001 2>&1)
case "$out" in handshake-failed|eof) ;; *) fail "no cert accepted: $out";; esac
out=$(raw foreign frames 08011001 2>&1)
case "$out" in handshake-failed|eof) ;; *) fail "foreign CA accepted: $out";; esac
out=$(raw daemon frames 08011001 2>&1)
case "$out" in handshake-failed|eof) ;; *) fail "daemon role accepted: $out";; esac
if [ -f "$T/noou.crt" ]; then
	out=$(raw noou frames 08011001 2>&1)
	case "$out" in handshake-failed|eof) ;; *) fail "no OU accepted: $out";; esac
fi
# TLS 1.2 is refused even with a good certificate.
out=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 \
    -CAfile "$T/ca/ca.crt" -cert "$T/terminal.crt" -key "$T/terminal.key" \
    2>&1 </dev/null) || true
echo "$out" | grep -q 'alert protocol version' &&
    echo "$out" | grep -q 'Cipher is (NONE)' || fail "TLS 1.2 accepted: $out"
ctl terminal status >/dev/null 2>&1 || fail "daemon stopped serving"

# 4. Frames: over the role's limit, broken, garbage, unknown version.
[ "$(raw terminal len 4097)" = "$(printf 'resp id=0 code=7\neof')" ] ||
    fail "oversized terminal frame"
[ "$(raw official len 65537)" = "$(printf 'resp id=0 code=7\neof')" ] ||
    fail "oversized official frame"
# A frame within the official limit waits for its body, but no longer
# than request_timeout (2 s here): a slow sender is cut off.
[ "$(raw official len 4097)" = "$(printf 'resp id=0 code=38\neof')" ] ||
    fail "official frame of 4097 bytes should wait, then time out"
[ "$(raw terminal raw ffffffffdeadbeefdeadbeef)" = "$(printf 'resp id=0 code=7\neof')" ] ||
    fail "garbage bytes"
[ "$(raw terminal frames ffffffff)" = "resp id=0 code=9" ] ||
    fail "undecodable request should give E_DECODE"
[ "$(raw terminal frames 0802100b6a00)" = "resp id=11 code=41" ] ||
    fail "version 2 should give E_VERSION"
[ "$(raw terminal frames 0801100c)" = "resp id=12 code=37" ] ||
    fail "empty request should give E_PROTOCOL"
[ "$(raw terminal frames 0801100d6a00 0801100e6a00)" = "$(printf 'resp id=13 code=0\nresp id=14 code=0')" ] ||
    fail "two framed requests"
# Only the canonical encoding is taken (E_TRAILING, id 0, connection kept):
# an unknown field in the Request, one inside its body, fields out of
# order, a varint of more bytes than needed; each is the status request
# 0801 10NN 6a00 that passes above, changed in one way.
[ "$(raw terminal frames 0801100f6a00980601 0801100f6a00)" = "$(printf 'resp id=0 code=8\nresp id=15 code=0')" ] ||
    fail "an unknown field in the Request should give E_TRAILING"
[ "$(raw terminal frames 080110106a024801)" = "resp id=0 code=8" ] ||
    fail "an unknown field in the StatusRequest should give E_TRAILING"
[ "$(raw terminal frames 101108016a00)" = "resp id=0 code=8" ] ||
    fail "fields out of order should give E_TRAILING"
[ "$(raw terminal frames 08011092006a00)" = "resp id=0 code=8" ] ||
    fail "a non-minimal varint should give E_TRAILING"
[ "$(raw terminal raw 000000400801)" = "$(printf 'resp id=0 code=38\neof')" ] ||
    fail "truncated frame should time out"
[ "$(raw terminal raw 0000)" = "$(printf 'resp id=0 code=38\neof')" ] ||
    fail "truncated header should time out"
out=$(raw terminal pipeline 40)
[ "$(echo "$out" | grep -c 'code=0')" = 40 ] || fail "pipeline: $out"
[ "$(echo "$out" | sed -n 's/resp id=\([0-9]*\).*/\1/p' | tr '\n' ' ')" = \
    "$(seq 1 40 | tr '\n' ' ')" ] || fail "pipeline out of order"
# More than the 64 a connection may have in flight, in one write: those
# read while the pipeline was full are answered too (pipeline_over_limit).
out=$(raw terminal pipeline 200)
[ "$(echo "$out" | grep -c 'code=0')" = 200 ] ||
    fail "pipeline over the limit stalls: $(echo "$out" | tail -2)"
[ "$(echo "$out" | sed -n 's/resp id=\([0-9]*\).*/\1/p' | tr '\n' ' ')" = \
    "$(seq 1 200 | tr '\n' ' ')" ] || fail "pipeline over the limit out of order"

# 5. A handshake that never completes is cut after handshake_timeout
# while others are served. Handshakes have their own budget (issue 12
# finding 2): six silent connections from one address, over its 4, have
# their oldest cut and never keep an honest client out; max_connections
# bounds authenticated sessions only.
"$RAW" 127.0.0.1 "$PORT" - - - stall 1 6 >"$T/stall1" &
sleep 0.3
ctl terminal status >/dev/null 2>&1 || fail "not served beside a stalled peer"
wait $!
grep -q '^closed 1 of 1 after [23] s' "$T/stall1" || fail "stall: $(cat "$T/stall1")"
"$RAW" 127.0.0.1 "$PORT" - - - stall 6 6 >"$T/stall6" &
sleep 0.5
ctl terminal status >/dev/null 2>&1 ||
    fail "silent connections kept an honest client out"
wait $!
grep -q '^closed 6 of 6' "$T/stall6" || fail "stall6: $(cat "$T/stall6")"
raw auditor hold 6 3 >"$T/hold6" &
sleep 1.5
ctl terminal status >/dev/null 2>&1 && fail "max_connections not enforced"
wait $!
grep -q '^held 6 of 6' "$T/hold6" || fail "hold6: $(cat "$T/hold6")"
ctl terminal status >/dev/null 2>&1 || fail "not served after the stalls"

# 6. Still the same two children (nothing was killed by seccomp); SIGTERM
# ends all three with status 0.
[ "$(child_pids | wc -l)" = 2 ] || fail "a child died"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" && st=0 || st=$?
DAEMON_PID=
[ $st = 0 ] || fail "tallyd exited $st after SIGTERM"
grep -q 'SIGSYS\|killed by signal' "$T/tallyd.err" && fail "a child was killed"
# Refusals are summed up in one line (every 10 s and at the stop), not
# logged one line each.
grep -q 'connections refused or cut in [0-9]* s: .*handshakes of one address.*max_connections' \
    "$T/tallyd.err" || fail "refusals not summed up: $(grep refused "$T/tallyd.err")"
echo ok
