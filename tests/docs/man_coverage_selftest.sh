#!/bin/sh
# man_coverage_selftest.sh SOURCE_DIR: the coverage test fails, naming the
# page and the entry, when a command, a subcommand, an option, a keyword or
# an error code loses its entry; and passes on the pages as they are.
set -eu
src=$1
cov="python3 $src/tests/docs/man_coverage.py"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

$cov "$src" "$src/man" >/dev/null

expect() {	# expect WHAT SED-SCRIPT PAGE MESSAGE
	rm -rf "$t/man"
	cp -R "$src/man" "$t/man"
	sed -i "$2" "$t/man/$3"
	if $cov "$src" "$t/man" >"$t/out" 2>&1; then
		echo "selftest: $1: coverage passed although the entry was removed" >&2
		exit 1
	fi
	if ! grep -qF "$4" "$t/out"; then
		echo "selftest: $1: expected '$4' in:" >&2
		cat "$t/out" >&2
		exit 1
	fi
}

expect command '/^\.It Cm status/d' tallyctl.1 \
    "tallyctl.1: tallyctl status (client/status.c, cmd_status) has no entry"
expect subcommand 's/^\.It Cm vote close.*/.It Cm vote shut Ar vote/' tallyctl.1 \
    "tallyctl.1: tallyctl vote close (client/vote.c, cmd_vote) has no entry"
expect option 's/Fl -threads/Fl -thread/g' tallyctl.1 \
    "tallyctl.1: tallyctl verify: option --threads (client/verify.c, cmd_verify) has no entry"
expect short-option 's/^\.Pq Fl b$/.Pq b/' tallyctl.1 \
    "tallyctl.1: tallyctl cast: option -b (client/cast.c, cast_parse) has no entry"
expect global-option 's/^\.It Fl -server.*/.It Fl -serve/' tallyctl.1 \
    "tallyctl.1: tallyctl: global option --server (client/main.c, main) has no entry"
expect keys-option 's/Fl -votes/Fl -vote/g' tally-keys.1 \
    "tally-keys.1: tally-keys credentials: option --votes (keys/credentials.c, cmd_credentials) has no entry"
expect keys-subcommand 's/^\.It Cm trustee share/.It Cm trustee sharing/' tally-keys.1 \
    "tally-keys.1: tally-keys trustee share (keys/trustee.c, cmd_trustee) has no entry"
expect tallyd-option '/^\.It Fl n$/d' tallyd.8 \
    "tallyd.8: tallyd option -n (daemon/main.c) has no entry"
expect keyword '/^\.It Cm idle_timeout/d' tallyd.conf.5 \
    "tallyd.conf.5: keyword idle_timeout (daemon/config.c) has no entry"
expect error-code '/^\.It Er E_RULES$/d' tally.7 \
    "tally.7: error code E_RULES (lib/err.c) has no entry"
echo "selftest: every removed entry was reported"
