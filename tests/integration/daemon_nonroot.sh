#!/bin/sh
# daemon_nonroot.sh: tallyd started as an ordinary user (as a developer
# runs it): no chroot and no user change, each logged, but both children
# still run with no_new_privs and their seccomp filters, and serve.
# Skipped unless the tests run as root (needed to become another user).
TALLYD=$1 TALLYCTL=$2
. "$(dirname "$0")/daemon_lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "skip: needs root and setpriv"; exit 0
fi
setup_pki
write_config "$T/tallyd.conf"
sed -i '/^user /d' "$T/tallyd.conf"
chown -R nobody "$T"
chmod 755 "$T"
setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env \
    "$TALLYD" -d -f "$T/tallyd.conf" 2>"$T/tallyd.err" &
DAEMON_PID=$!
PORT=
for _ in $(seq 1 100); do
	PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
	    "$T/tallyd.err" | head -1)
	[ -n "$PORT" ] && grep -q "frontend: ready" "$T/tallyd.err" &&
	    grep -q "ledger: ready" "$T/tallyd.err" && break
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "tallyd died"
	sleep 0.1
done
[ -n "$PORT" ] || fail "tallyd did not start"
[ "$(grep -c 'not root: no chroot' "$T/tallyd.err")" = 2 ] ||
    fail "the skipped steps are not logged"
for p in $(pgrep -P "$DAEMON_PID"); do
	[ "$(stat -c %u /proc/$p)" = 65534 ] || fail "child $p not ours"
	grep -q '^Seccomp:[[:space:]]*2' /proc/$p/status || fail "no seccomp"
	grep -q '^NoNewPrivs:[[:space:]]*1' /proc/$p/status || fail "no nnp"
done
ctl official status >/dev/null 2>&1 || fail "not serving"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "SIGTERM exit status"
DAEMON_PID=
echo ok
