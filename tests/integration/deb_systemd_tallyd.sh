#!/bin/sh
# deb_systemd_tallyd.sh: stands in for tallyd in scripts/demo (TALLYD_WRAPPER)
# when deb_install.sh has installed the package on a machine run by systemd.
#
#   -n -f CONF   is passed to the installed /usr/sbin/tallyd;
#   -d -f CONF   copies the demo's certificates and ledger key into
#                /etc/tally, sets the demo's listen address in the packaged
#                /etc/tally/tallyd.conf, starts tallyd.service and follows its
#                journal on stderr (where the demo reads the port) until it
#                gets SIGTERM, then stops the service.
set -eu
case "${1:-}" in
-n) exec /usr/sbin/tallyd "$@" ;;
-d) ;;
*) echo "deb_systemd_tallyd: expected -n or -d" >&2; exit 2 ;;
esac
conf=$3
get() { sed -n "s/^$1 //p" "$conf"; }
install -m 0644 "$(get ca_cert)" /etc/tally/ca.crt
install -m 0644 "$(get tls_cert)" /etc/tally/tallyd.crt
install -m 0600 "$(get tls_key)" /etc/tally/tallyd.key
install -m 0600 "$(get ledger_key)" /etc/tally/ledger.key
sed -i "s/^listen .*/listen $(get listen)/" /etc/tally/tallyd.conf
/usr/sbin/tallyd -n -f /etc/tally/tallyd.conf >&2
since=$(date '+%Y-%m-%d %H:%M:%S')
systemctl start tallyd.service
journalctl -u tallyd.service -f -o cat --since "$since" >&2 &
jpid=$!
trap 'systemctl stop tallyd.service; kill "$jpid" 2>/dev/null; exit 0' TERM INT
while systemctl is-active --quiet tallyd.service; do
	sleep 1
done
echo "deb_systemd_tallyd: tallyd.service stopped" >&2
kill "$jpid" 2>/dev/null || true
exit 1
