# daemon_lib.sh: helpers shared by the tallyd integration tests (sourced).
#
# Test certificates are made with the openssl CLI: an election CA (ECDSA
# P-256) and one certificate per role, the role in the subject OU, as
# tally-keys issues them; plus a certificate from a foreign CA.

set -eu

: "${TALLYD:?}" "${TALLYCTL:?}"
T=$(mktemp -d /tmp/tallyd-test.XXXXXX)
DAEMON_PID=
cleanup() {
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
	fi
	rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; [ -f "$T/tallyd.err" ] && tail -20 "$T/tallyd.err" >&2; exit 1; }

# mkcert NAME OU CA_DIR
mkcert() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/$1.key" -out "$T/$1.csr" -subj "/O=tally/OU=$2/CN=$1" \
	    2>/dev/null
	openssl x509 -req -in "$T/$1.csr" -CA "$3/ca.crt" -CAkey "$3/ca.key" \
	    -CAcreateserial -days 2 -out "$T/$1.crt" 2>/dev/null
	chmod 600 "$T/$1.key"
}

mkca() {
	mkdir -p "$1"
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$1/ca.key" -out "$1/ca.crt" -days 2 \
	    -subj "/O=tally/CN=$2" 2>/dev/null
}

setup_pki() {
	mkca "$T/ca" "tally test CA"
	mkca "$T/evil" "foreign CA"
	for r in daemon terminal official trustee auditor; do
		mkcert "$r" "$r" "$T/ca"
	done
	mkcert noou "" "$T/ca" 2>/dev/null || true
	mkcert foreign official "$T/evil"
	openssl genpkey -algorithm ED25519 -out "$T/ledger.key" 2>/dev/null
	chmod 600 "$T/ledger.key"
}

# write_config FILE [extra lines...]
write_config() {
	f=$1; shift
	mkdir -p "$T/data" "$T/empty"
	cat >"$f" <<EOC
listen 127.0.0.1:0
data_dir $T/data
ca_cert $T/ca/ca.crt
tls_cert $T/daemon.crt
tls_key $T/daemon.key
ledger_key $T/ledger.key
user nobody
empty_dir $T/empty
EOC
	for l in "$@"; do echo "$l" >>"$f"; done
	grep -q '^workers' "$f" || echo "workers 2" >>"$f"
}

# start_daemon CONFIG: sets DAEMON_PID and PORT.
start_daemon() {
	"$TALLYD" -d -f "$1" 2>"$T/tallyd.err" &
	DAEMON_PID=$!
	PORT=
	for _ in $(seq 1 100); do
		PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
		    "$T/tallyd.err" | head -1)
		if [ -n "$PORT" ] && grep -q "frontend: ready" "$T/tallyd.err" &&
		    grep -q "ledger: ready" "$T/tallyd.err"; then
			return 0
		fi
		kill -0 "$DAEMON_PID" 2>/dev/null || fail "tallyd died"
		sleep 0.1
	done
	fail "tallyd did not start"
}

# ctl NAME ARGS...: tallyctl with NAME's certificate: a role of
# setup_pki, or a name of keys_daemon's PKI once that has run.
CTL_CA=$T/ca/ca.crt
CTL_CERTS=$T
ctl() {
	ctl_who=$1; shift
	"$TALLYCTL" --server "127.0.0.1:$PORT" --ca "$CTL_CA" \
	    --cert "$CTL_CERTS/$ctl_who.crt" --key "$CTL_CERTS/$ctl_who.key" \
	    --config "$PINS" "$@"
}

# ctl_exec NAME ARGS...: ctl in place of the shell that runs it: run it in
# the background (ctl_exec auditor screen ... &) and $! is tallyctl itself,
# which a trap can then stop.
ctl_exec() {
	ctl_who=$1; shift
	exec "$TALLYCTL" --server "127.0.0.1:$PORT" --ca "$CTL_CA" \
	    --cert "$CTL_CERTS/$ctl_who.crt" --key "$CTL_CERTS/$ctl_who.key" \
	    --config "$PINS" "$@"
}

# keys_daemon TRUSTEES QUORUM CARDS VOTES: tallyd (one proof worker; as
# root, as nobody) on a PKI from tally-keys ($KEYS) in P=$T/pki: tallyd,
# secretariat (official), terminal, auditor and scrutineer-1 to
# scrutineer-TRUSTEES (trustees); a ceremony in $T/cer (TRUSTEES, any
# QUORUM) and CARDS cards for VOTES (comma-separated) in $T/cards. ctl
# then uses these certificates.
keys_daemon() {
	P=$T/pki
	"$KEYS" ca init "$P" >/dev/null
	kd_certs="daemon:tallyd official:secretariat terminal:terminal"
	kd_certs="$kd_certs auditor:auditor"
	kd_i=1
	while [ "$kd_i" -le "$1" ]; do
		kd_certs="$kd_certs trustee:scrutineer-$kd_i"
		kd_i=$((kd_i + 1))
	done
	for c in $kd_certs; do
		"$KEYS" cert issue "$P" --role "${c%%:*}" --name "${c#*:}" \
		    >/dev/null || fail "cert ${c#*:}"
	done
	"$KEYS" ledger-key "$P" >/dev/null
	"$KEYS" ceremony "$T/cer" --trustees "$1" --quorum "$2" >/dev/null
	"$KEYS" credentials generate --count "$3" --votes "$4" \
	    --out "$T/cards" >/dev/null
	mkdir -p "$T/data" "$T/empty"
	cat >"$T/tallyd.conf" <<EOC
listen 127.0.0.1:0
data_dir $T/data
ca_cert $P/ca.crt
tls_cert $P/tallyd.crt
tls_key $P/tallyd.key
ledger_key $P/ledger.key
empty_dir $T/empty
workers 1
EOC
	if [ "$(id -u)" = 0 ]; then
		echo "user nobody" >>"$T/tallyd.conf"
		chown nobody "$T/data"
	fi
	start_daemon "$T/tallyd.conf"
	CTL_CA=$P/ca.crt
	CTL_CERTS=$P
}

# pin OUTPUT: the election hash that `vote create` printed (OUTPUT), put
# into the terminals' configuration as the officials hand it out. Every
# later ctl reads it ($PINS); daemon_ballot reads it too.
PINS="$T/pins.conf"
export PINS
: >"$PINS"
pin() {
	pv=$(printf '%s\n' "$1" | sed -n 's/^vote \(.*\) created$/\1/p')
	ph=$(printf '%s\n' "$1" |
	    sed -n 's/^election hash \([0-9a-f]\{64\}\)$/\1/p')
	[ -n "$pv" ] && [ -n "$ph" ] || fail "no election hash in: $1"
	echo "election_hash $pv $ph" >>"$PINS"
}

# expect_ctl ROLE EXPECTED_CODE ARGS...: ctl succeeds (EXPECTED_CODE OK) or
# fails with that code.
expect_ctl() {
	r=$1 code=$2; shift 2
	out=$(ctl "$r" "$@" 2>&1) && st=0 || st=$?
	if [ "$code" = OK ]; then
		[ $st = 0 ] || fail "$r $*: $out"
	else
		[ $st != 0 ] && echo "$out" | grep -q "^tallyctl: $code: " ||
		    fail "$r $* should give $code, got: $out"
	fi
}

# mix VOTE I...: scrutineers I... shuffle the write-ins of VOTE in turn
# (tallyctl trustee mix, the mix-net before any share).
mix() {
	mx_vote=$1; shift
	for mx_i in "$@"; do
		ctl "scrutineer-$mx_i" trustee mix "$mx_vote" \
		    --share "$T/cer/private-$mx_i/share.pb" >/dev/null \
		    2>"$T/err" || fail "mix $mx_i: $(cat "$T/err")"
	done
}

# decrypt VOTE SEAL I...: scrutineer-I sends its decryption of VOTE with
# share I of the ceremony in $T/cer, on the sealed log SEAL read out at
# closing (close_seal).
decrypt() {
	dc_vote=$1 dc_seal=$2; shift 2
	for dc_i in "$@"; do
		ctl "scrutineer-$dc_i" trustee decrypt "$dc_vote" \
		    --share "$T/cer/private-$dc_i/share.pb" --sealed "$dc_seal" \
		    >/dev/null 2>"$T/err" || fail "decrypt $dc_i: $(cat "$T/err")"
	done
}

# close_seal VOTE: close VOTE as the secretariat and print its sealed log
# (SIZE:ROOT), as the presiding official reads it out (a vote without
# witnesses is decrypted only with it).
close_seal() {
	cs_out=$(ctl secretariat vote close "$1") || fail "close $1"
	cs_out=$(printf '%s\n' "$cs_out" | sed -n 's/^sealed //p')
	[ -n "$cs_out" ] || fail "close $1: no sealed log"
	echo "$cs_out"
}

# pki_setup CARDS VOTES [CONFIG LINES...]: setup_pki, a ceremony in $T/cer
# (3 trustees, any 2), CARDS cards for VOTES (comma-separated) in
# $T/cards and $T/tallyd.conf (write_config) for start_daemon.
pki_setup() {
	setup_pki
	"$KEYS" ceremony "$T/cer" --trustees 3 --quorum 2 >/dev/null
	"$KEYS" credentials generate --count "$1" --votes "$2" \
	    --out "$T/cards" >/dev/null
	shift 2
	write_config "$T/tallyd.conf" "$@"
	if [ "$(id -u)" = 0 ]; then chown nobody "$T/data"; fi
}

child_pids() {
	pgrep -P "$DAEMON_PID"
}
