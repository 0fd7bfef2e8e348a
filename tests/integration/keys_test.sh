#!/bin/sh
# keys_test.sh: tally-keys end to end: CA and role certificates verified by
# openssl, a 5-of-3 ceremony, a phase-by-phase ceremony with a tampered share
# (the sender is named), 239 credential cards for two votes, private file
# modes, and bad inputs that must fail without leaving files behind.
# usage: keys_test.sh PATH/TO/tally-keys
set -u
K=${1:?usage: keys_test.sh TALLY_KEYS}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { "$@" >"$T/out" 2>&1 || fail "$* (exit $?): $(cat "$T/out")"; }
# Expect a non-zero exit; $1 is a pattern the error must contain.
bad() {
	pat=$1; shift
	if "$@" >"$T/out" 2>&1; then fail "$* succeeded"; return; fi
	grep -q -- "$pat" "$T/out" || fail "$*: no '$pat' in: $(cat "$T/out")"
}
mode() { stat -c %a "$1"; }
private() { [ "$(mode "$1")" = 600 ] || fail "$1 is $(mode "$1"), not 600"; }

# --- CA and certificates
ok "$K" ca init "$T/pki"
private "$T/pki/ca.key"
for r in terminal official trustee auditor daemon; do
	ok "$K" cert issue "$T/pki" --role $r --name "$r-1"
	private "$T/pki/$r-1.key"
	openssl verify -CAfile "$T/pki/ca.crt" "$T/pki/$r-1.crt" >/dev/null ||
	    fail "openssl verify $r"
	ou=$(openssl x509 -in "$T/pki/$r-1.crt" -noout -subject \
	    -nameopt multiline | sed -n 's/^ *organizationalUnitName *= *//p')
	[ "$ou" = "$r" ] || fail "role of $r-1 read back as '$ou'"
	openssl x509 -in "$T/pki/$r-1.crt" -noout -text | grep -q "CA:FALSE" ||
	    fail "$r-1 is not CA:FALSE"
done
openssl x509 -in "$T/pki/daemon-1.crt" -noout -text |
    grep -q "DNS:localhost, IP Address:127.0.0.1" || fail "daemon SAN"
openssl x509 -in "$T/pki/daemon-1.crt" -noout -text |
    grep -q "TLS Web Server Authentication" || fail "daemon EKU"
openssl x509 -in "$T/pki/terminal-1.crt" -noout -text |
    grep -q "TLS Web Client Authentication" || fail "terminal EKU"
bad E_EXISTS "$K" cert issue "$T/pki" --role auditor --name auditor-1
bad E_INVALID_ARG "$K" cert issue "$T/pki" --role admin --name x
[ -e "$T/pki/x.key" ] && fail "x.key left behind"
bad E_NOT_FOUND "$K" cert issue "$T/nodir" --role auditor --name a
[ -e "$T/nodir" ] && fail "nodir created"
ok "$K" ledger-key "$T/pki"
private "$T/pki/ledger.key"
[ "$(wc -c <"$T/pki/ledger.pub")" = 65 ] || fail "ledger.pub size"
ok "$K" ca --help
ok "$K" trustee --help
ok "$K" credentials generate --help

# --- ceremony, all at once
ok "$K" ceremony "$T/c" --trustees 5 --quorum 3
[ -s "$T/c/transcript.pb" ] || fail "no transcript"
for i in 1 2 3 4 5; do
	private "$T/c/private-$i/share.pb"
	private "$T/c/private-$i/state"
done
bad E_INVALID_ARG "$K" ceremony "$T/c2" --trustees 3 --quorum 5
bad E_INVALID_ARG "$K" ceremony "$T/c2" --trustees 65 --quorum 3
bad E_INVALID_ARG "$K" ceremony "$T/c2" --trustees 5 --quorum 0
[ -e "$T/c2" ] && fail "c2 created for bad parameters"

# --- ceremony phase by phase, with a tampered share
C=$T/p
mkdir "$C"
bad E_NOT_FOUND "$K" trustee init --ceremony "$T/none" --index 1 --of 3 \
    --quorum 2
bad E_INVALID_ARG "$K" trustee init --ceremony "$C" --index 1 --of 3 \
    --quorum 4
bad E_INVALID_ARG "$K" trustee init --ceremony "$C" --index 4 --of 3 \
    --quorum 2
[ -z "$(ls "$C")" ] || fail "files left after bad init: $(ls "$C")"
ok "$K" trustee init --ceremony "$C" --index 1 --of 3 --quorum 2
bad E_CEREMONY "$K" trustee share --ceremony "$C" --index 1
ls "$C" | grep -q share- && fail "share files after a share too early"
bad E_EXISTS "$K" trustee init --ceremony "$C" --index 1 --of 3 --quorum 2
ok "$K" trustee init --ceremony "$C" --index 2 --of 3 --quorum 2
ok "$K" trustee init --ceremony "$C" --index 3 --of 3 --quorum 2
bad E_CEREMONY "$K" trustee share --ceremony "$C" --index 1 --of 4
ok "$K" trustee share --ceremony "$C" --index 1
bad E_CEREMONY "$K" trustee finish --ceremony "$C" --index 1
[ -e "$C/transcript.pb" ] && fail "transcript after a finish too early"
ok "$K" trustee share --ceremony "$C" --index 2
ok "$K" trustee share --ceremony "$C" --index 3
cp "$C/share-2-3.pb" "$T/good"
# Flip one byte in the middle of the share trustee 2 sent to trustee 3.
f=$C/share-2-3.pb
off=$(($(wc -c <"$f") / 2))
v=$(od -An -tu1 -j $off -N1 "$f" | tr -d ' ')
printf "\\$(printf %o $((v ^ 1)))" |
    dd of="$f" bs=1 seek=$off conv=notrunc 2>/dev/null
cmp -s "$f" "$T/good" && fail "tampering did not change the share"
bad "trustee 2" "$K" trustee finish --ceremony "$C" --index 3
grep -q "E_BAD_SIGNATURE\|E_BAD_SHARE\|E_CRYPTO\|E_DECODE" "$T/out" || fail "no error code: $(cat "$T/out")"
cat "$T/out"
[ -e "$C/private-3/share.pb" ] && fail "share.pb written despite a bad share"
[ -e "$C/transcript.pb" ] && fail "transcript written despite a bad share"
cp "$T/good" "$C/share-2-3.pb"
for i in 1 2 3; do ok "$K" trustee finish --ceremony "$C" --index $i; done
private "$C/private-3/share.pb"
# The last finish found every signature and wrote the signed transcript;
# each step printed the fingerprints the trustees read aloud.
grep -Eq '^transcript \(read it aloud.* [A-Z2-7]{4}(-[A-Z2-7]{4}){3}$' \
    "$T/out" || fail "no transcript fingerprint: $(cat "$T/out")"
grep -q 'signed by all 3 trustees' "$T/out" || fail "not sealed: $(cat "$T/out")"
for i in 1 2 3; do [ -s "$C/signature-$i.pb" ] || fail "no signature-$i.pb"; done
cp "$C/transcript.pb" "$T/sealed"
ok "$K" trustee seal --ceremony "$C" --index 2
cmp -s "$C/transcript.pb" "$T/sealed" || fail "seal changed the transcript"
mv "$C/signature-3.pb" "$T/sig3"
bad "have not signed" "$K" trustee seal --ceremony "$C" --index 1
cp "$C/signature-1.pb" "$C/signature-3.pb"
bad "trustee 3's signature-3.pb does not sign" "$K" trustee seal \
    --ceremony "$C" --index 1
mv "$T/sig3" "$C/signature-3.pb"
cmp -s "$C/transcript.pb" "$T/sealed" || fail "a bad seal changed the transcript"
chmod 644 "$C/private-1/state"
bad E_PERM "$K" trustee finish --ceremony "$C" --index 1

# --- issue 10, attack 3: trustee 2's public part from a rehearsal with the
# same n and k, replayed into the real ceremony with the rehearsal's shares.
R=$T/rehearsal D=$T/real
mkdir "$R" "$D"
for i in 1 2 3; do
	ok "$K" trustee init --ceremony "$R" --index $i --of 3 --quorum 2
done
for i in 1 2 3; do ok "$K" trustee share --ceremony "$R" --index $i; done
for i in 1 2 3; do
	ok "$K" trustee init --ceremony "$D" --index $i --of 3 --quorum 2
	grep -Eq '^  public part .* [A-Z2-7]{4}(-[A-Z2-7]{4}){3}$' "$T/out" ||
	    fail "init printed no fingerprint: $(cat "$T/out")"
done
cp "$R/trustee-2.pub" "$D/trustee-2.pub"
bad "not the one this trustee made" "$K" trustee share --ceremony "$D" \
    --index 2
grep -q E_FOREIGN "$T/out" || fail "no E_FOREIGN: $(cat "$T/out")"
ok "$K" trustee share --ceremony "$D" --index 1
grep -Eq '^ceremony [A-Z2-7]{4}(-[A-Z2-7]{4}){3}$' "$T/out" ||
    fail "share printed no ceremony fingerprint: $(cat "$T/out")"
ok "$K" trustee share --ceremony "$D" --index 3
cp "$R/share-2-1.pb" "$R/share-2-3.pb" "$D/"
for i in 1 3; do
	bad "trustee 2 sent to trustee $i is of another ceremony" "$K" trustee \
	    finish --ceremony "$D" --index $i
	grep -q E_FOREIGN "$T/out" || fail "no E_FOREIGN: $(cat "$T/out")"
	[ -e "$D/private-$i/share.pb" ] && fail "share.pb despite a replay"
	[ -e "$D/signature-$i.pb" ] && fail "signed despite a replay"
done
[ -e "$D/transcript.pb" ] && fail "transcript despite a replay"

# --- credentials
ok "$K" credentials generate --count 239 --votes v1,v2 --out "$T/cr"
n=$(ls "$T/cr/cards" | wc -l)
[ "$n" = 239 ] || fail "$n cards, not 239"
for f in "$T/cr/cards/"*; do private "$f"; done
private "$T/cr/cards.html"
for v in v1 v2; do
	head -1 "$T/cr/registry-$v.txt" | grep -q "^tally-registry v1 $v 239$" ||
	    fail "registry header $v"
	[ "$(wc -l <"$T/cr/registry-$v.txt")" = 240 ] || fail "registry $v size"
	tail -n +2 "$T/cr/registry-$v.txt" | LC_ALL=C sort -c -u ||
	    fail "registry $v not sorted"
done
[ "$(grep -c 'class="card"' "$T/cr/cards.html")" = 239 ] || fail "sheet"
# Every card: its code, its QR code, instructions in both languages; eight
# cards to an A4 sheet (239 cards: 30 sheets).
python3 - "$T/cr/cards.html" "$T/cr/cards" <<'EOP' || fail "card sheet"
import os, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
cards = re.findall(r'<div class="card">(.*?<p class="code">[^<]*)</p></div>', html, re.S)
codes = {open(os.path.join(sys.argv[2], f)).read().strip()
         for f in os.listdir(sys.argv[2])}
if len(cards) != 239 or html.count('<div class="sheet">') != 30:
    sys.exit("%d cards, %d sheets" % (len(cards), html.count('class="sheet"')))
for c in cards:
    code = re.search(r'<p class="code">([A-Z2-7-]+)$', c)
    if code is None or code.group(1) not in codes:
        sys.exit("a card without its code: " + c[-200:])
    if "<svg" not in c or not re.search(r'<path fill="#000" d="(M\d+ \d+h1v1h-1z)+"', c):
        sys.exit("a card without a QR code")
    if "选票卡" not in c or "polling terminal" not in c:
        sys.exit("a card without its instructions")
if "size: A4" not in html or "http" in html.replace("http://www.w3.org/2000/svg", ""):
    sys.exit("not an A4 sheet, or it loads something")
EOP
# No registry key appears on a card or in the other registry.
if tail -n +2 "$T/cr/registry-v1.txt" | grep -q -F -f - \
    "$T/cr/registry-v2.txt"; then fail "registries share keys"; fi
bad E_INVALID_ARG "$K" credentials generate --count 0 --votes v1 --out "$T/cr2"
bad E_INVALID_ARG "$K" credentials generate --count 3 --votes V1 --out "$T/cr2"
bad E_INVALID_ARG "$K" credentials generate --count 3 --votes a,a --out "$T/cr2"
[ -e "$T/cr2" ] && fail "cr2 created for bad input"
bad E_EXISTS "$K" credentials generate --count 3 --votes v1 --out "$T/cr"
[ "$(ls "$T/cr/cards" | wc -l)" = 239 ] || fail "existing cards disturbed"
bad E_INVALID_ARG "$K" nosuch
"$K" >/dev/null 2>&1
[ $? = 2 ] || fail "usage exit code is not 2"

if [ $fails -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "keys_test: ok"
