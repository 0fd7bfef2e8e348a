#!/bin/sh
# deb_install.sh BUILD_DIR SOURCE_DIR: the .deb that CPack makes of this build
# is a proper Debian package, installs into a clean root, and the installed
# programs run a whole session (scripts/demo).
#
#  1. cpack -G DEB; the control data: dependencies from dpkg-shlibdeps that
#     cover every library the programs load, the conffile, maintainer
#     scripts that never start or enable tallyd;
#  2. dpkg --root into an empty folder (maintainer scripts run without
#     chroot, with DPKG_ROOT): the _tally user, /var/lib/tally (0700 _tally),
#     /run/tally/empty, the files of `cmake --install`, no tallyd running;
#     the man pages render, bash completion completes, --version matches the
#     build, the packaged configuration passes tallyd -n;
#  3. scripts/demo with the installed programs: tallyd as a systemd service
#     where systemd runs this machine (as root, in CI: the package is then
#     installed on the machine itself with apt), from the command line where
#     it does not;
#  4. reinstall (idempotent scripts, a changed conffile kept), purge (the
#     programs go, the election records in /var/lib/tally stay).
#
# As root only (dpkg --root, chown); otherwise it says so and exits 77
# (ctest: skipped).
set -eu
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "deb_install: SKIPPED: needs root (dpkg --root, chown)"
	exit 77
fi

T=$(mktemp -d /tmp/tally-deb.XXXXXX)
SYSTEMD_INSTALLED=0
cleanup() {
	if [ "$SYSTEMD_INSTALLED" = 1 ]; then
		systemctl stop tallyd.service 2>/dev/null || true
		apt-get purge -y -qq tally >/dev/null 2>&1 || true
		rm -rf /var/lib/tally
	fi
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "deb_install: FAILED: $*" >&2; exit 1; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# ------------------------------------------------------------ 1. the package
t0=$(now)
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$T/pkg" >"$T/cpack.log" 2>&1 ||
    { cat "$T/cpack.log" >&2; fail "cpack"; }
deb=$(ls "$T"/pkg/tally_*.deb)
echo "deb_install: built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) in $(took "$t0")"

dpkg-deb -e "$deb" "$T/ctrl"
dpkg-deb -x "$deb" "$T/x"
field() { sed -n "s/^$1: //p" "$T/ctrl/control"; }
[ "$(field Package)" = tally ] || fail "Package: $(field Package)"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] ||
    fail "Architecture: $(field Architecture)"
depends=$(field Depends)
echo "deb_install: Depends: $depends"
# dpkg-shlibdeps ran: versioned library dependencies, libc6 among them.
echo "$depends" | grep -q 'libc6 (>= ' || fail "no shlibdeps libc6 dependency"
# Every shared library a program links (its NEEDED entries) belongs to a
# package in Depends.
for f in "$T"/x/usr/bin/* "$T"/x/usr/sbin/*; do
	ldd "$f" >"$T/ldd"
	readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | while read -r so; do
		lib=$(awk -v so="$so" '$1 == so && $2 == "=>" { print $3 }' "$T/ldd")
		[ -n "$lib" ] || fail "$(basename "$f"): $so not found by ldd"
		real=$(readlink -f "$lib")
		pkg=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$real" 2>/dev/null) ||
		    fail "$(basename "$f"): $lib belongs to no package"
		pkg=$(echo "$pkg" | head -1 | cut -d: -f1)
		echo "$depends" | tr ',' '\n' | sed 's/^ *//; s/ .*//' |
		    grep -qx "$pkg" ||
		    fail "$(basename "$f") links $lib of $pkg, not in Depends"
	done || exit 1
done
# Conffiles: everything under /etc, and the configuration in particular.
grep -qx /etc/tally/tallyd.conf "$T/ctrl/conffiles" || fail "tallyd.conf is no conffile"
(cd "$T/x" && find etc -type f) | while read -r f; do
	grep -qx "/$f" "$T/ctrl/conffiles" || fail "/$f is not in conffiles"
done
# The maintainer scripts never start, restart or enable tallyd.
for s in postinst prerm postrm; do
	[ -x "$T/ctrl/$s" ] || fail "no $s"
	if grep -nE '(systemctl|deb-systemd-invoke|invoke-rc.d|service)[^#]*(start|restart|enable|reload-or)' \
	    "$T/ctrl/$s" | grep -v 'systemctl restart tallyd) when no vote' |
	    grep -v 'daemon-reload' | grep -q .; then
		fail "$s may start or enable tallyd"
	fi
done

# --------------------------------------------------- 2. into a clean root
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/etc"
: >"$R/var/lib/dpkg/status"
# What every Debian root has before any package: base-passwd's users.
cp /usr/share/base-passwd/passwd.master "$R/etc/passwd"
cp /usr/share/base-passwd/group.master "$R/etc/group"
t0=$(now)
dpkg --root="$R" --log=/dev/null --force-script-chrootless --force-depends \
    -i "$deb" >"$T/dpkg.log" 2>&1 || { cat "$T/dpkg.log" >&2; fail "dpkg -i"; }
echo "deb_install: installed into a clean root in $(took "$t0")"
dpkg --root="$R" -s tally | grep -qx 'Status: install ok installed' ||
    fail "dpkg says tally is not installed"
dpkg --root="$R" -s tally | grep -q '^ /etc/tally/tallyd.conf [0-9a-f]*$' ||
    fail "dpkg does not record /etc/tally/tallyd.conf as a conffile"
for f in usr/bin/tallyctl usr/bin/tally-keys usr/sbin/tallyd \
    usr/share/man/man1/tallyctl.1.gz usr/share/man/man1/tally-keys.1.gz \
    usr/share/man/man5/tallyd.conf.5.gz usr/share/man/man7/tally.7.gz \
    usr/share/man/man8/tallyd.8.gz lib/systemd/system/tallyd.service \
    usr/lib/sysusers.d/tally.conf usr/lib/tmpfiles.d/tally.conf \
    etc/tally/tallyd.conf usr/share/doc/tally/examples/tallyd.conf \
    usr/share/doc/tally/hall.md usr/share/doc/tally/README.md \
    usr/share/bash-completion/completions/tallyctl \
    usr/share/bash-completion/completions/tally-keys; do
	[ -e "$R/$f" ] || [ -e "$R/usr/$f" ] || fail "/$f not installed"
done
unit=$R/lib/systemd/system/tallyd.service
[ -e "$unit" ] || unit=$R/usr/lib/systemd/system/tallyd.service
grep -q '^ExecStart=/usr/sbin/tallyd -d -f /etc/tally/tallyd.conf$' "$unit" ||
    fail "the unit does not run /usr/sbin/tallyd with /etc/tally/tallyd.conf"
# The unit as systemd reads it (where systemd-analyze exists): any message,
# an unknown key included, fails. It names the installed tallyd.
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s|/usr/sbin/tallyd|$R/usr/sbin/tallyd|g" "$unit" >"$T/tallyd.service"
	out=$(systemd-analyze verify --man=no "$T/tallyd.service" 2>&1) ||
	    fail "systemd-analyze verify tallyd.service: $out"
	[ -z "$out" ] || fail "systemd-analyze verify tallyd.service: $out"
fi
# The user and the folders of the maintainer scripts.
uid=$(awk -F: '$1 == "_tally" { print $3 }' "$R/etc/passwd")
[ -n "$uid" ] || fail "no _tally in the root's /etc/passwd"
[ "$uid" -lt 1000 ] || fail "_tally is not a system user (uid $uid)"
[ "$(stat -c '%a %u' "$R/var/lib/tally")" = "700 $uid" ] ||
    fail "/var/lib/tally is $(stat -c '%a %u' "$R/var/lib/tally"), not 700 $uid"
[ -d "$R/run/tally/empty" ] || fail "no /run/tally/empty"
[ -z "$(ls -A "$R/run/tally/empty")" ] || fail "/run/tally/empty is not empty"
# Installed, never started.
for p in $(pgrep -x tallyd 2>/dev/null); do
	case $(readlink "/proc/$p/exe" 2>/dev/null) in
	"$R"/*) fail "the installation started tallyd (pid $p)" ;;
	esac
done
# The packaged configuration is valid as shipped.
"$R/usr/sbin/tallyd" -n -f "$R/etc/tally/tallyd.conf" >/dev/null ||
    fail "the packaged tallyd.conf does not pass tallyd -n"
# --version: the build's.
for p in usr/bin/tallyctl usr/bin/tally-keys usr/sbin/tallyd; do
	name=$(basename "$p")
	case $p in usr/sbin/*) b=$build/daemon/$name ;; usr/bin/tallyctl) b=$build/client/$name ;; *) b=$build/keys/$name ;; esac
	[ "$("$R/$p" --version)" = "$("$b" --version)" ] ||
	    fail "installed $name --version differs from the build's"
done
# Man pages render and man finds them.
for m in "$R"/usr/share/man/man*/*.gz; do
	err=$(MANWIDTH=80 man -l "$m" 2>&1 >/dev/null) || fail "man -l $m"
	[ -z "$err" ] || fail "man -l $m: $err"
done
MANPATH=$R/usr/share/man man -w tallyd.conf >/dev/null ||
    fail "man does not find tallyd.conf(5) in the installed tree"
# Bash completion from the installed programs.
complete_test() {	# complete_test EXPECTED WORD...
	want=$1
	shift
	got=$(PATH="$R/usr/bin:$PATH" bash -c '
		. "$0"
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		case $1 in tally-keys) _tally_keys ;; *) _tallyctl ;; esac
		echo "${COMPREPLY[*]}"' \
	    "$R/usr/share/bash-completion/completions/$1" "$@")
	case " $got " in
	*" $want "*) ;;
	*) fail "completion of '$*' gave '$got', not $want" ;;
	esac
}
complete_test vote tallyctl vo
complete_test create tallyctl vote cr
complete_test --registry tallyctl vote create --reg
complete_test --server tallyctl --ser
complete_test credentials tally-keys cre
complete_test official tally-keys cert issue PKI --role off
echo "deb_install: files, user, folders, conffile, man, completion checked"

# ----------------------------------------- 3. the demo on the installed programs
if [ -d /run/systemd/system ] && [ "${CI:-}" = true ] &&
    command -v apt-get >/dev/null 2>&1; then
	# A machine run by systemd (CI's): the package on the machine itself,
	# tallyd started by systemctl (tests/integration/deb_systemd_tallyd.sh
	# stands in for tallyd in the demo).
	SYSTEMD_INSTALLED=1
	apt-get install -y -qq "$deb" >"$T/apt.log" 2>&1 ||
	    { cat "$T/apt.log" >&2; fail "apt-get install"; }
	! systemctl is-active --quiet tallyd.service ||
	    fail "installing the package started tallyd"
	mode=systemd
	t0=$(now)
	TALLY_PREFIX=/usr TALLYD_WRAPPER="$src/tests/integration/deb_systemd_tallyd.sh" \
	    sh "$src/scripts/demo" >"$T/demo.log" 2>&1 ||
	    { tail -40 "$T/demo.log" >&2; journalctl -u tallyd --no-pager | tail -20 >&2; fail "demo with tallyd under systemd"; }
else
	mode="the command line"
	t0=$(now)
	TALLY_PREFIX=$R/usr sh "$src/scripts/demo" >"$T/demo.log" 2>&1 ||
	    { tail -40 "$T/demo.log" >&2; fail "demo with the installed programs"; }
fi
grep -q '^demo: every vote verified$' "$T/demo.log" || fail "the demo did not verify"
echo "deb_install: scripts/demo passed with the installed programs, tallyd from $mode, in $(took "$t0")"

# ------------------------------------------------- 4. reinstall and purge
echo "listen 127.0.0.1:7444 # changed by the official" >"$T/conf"
sed '/^listen /d' "$R/etc/tally/tallyd.conf" >>"$T/conf"
cp "$T/conf" "$R/etc/tally/tallyd.conf"
echo "a record" >"$R/var/lib/tally/s1.log"
dpkg --root="$R" --log=/dev/null --force-script-chrootless --force-depends \
    --force-confold -i "$deb" >"$T/dpkg2.log" 2>&1 ||
    { cat "$T/dpkg2.log" >&2; fail "dpkg -i a second time"; }
cmp -s "$T/conf" "$R/etc/tally/tallyd.conf" || fail "reinstalling replaced the changed tallyd.conf"
[ "$(grep -c '^_tally:' "$R/etc/passwd")" = 1 ] || fail "a second _tally user"
dpkg --root="$R" --log=/dev/null --force-script-chrootless --force-depends \
    --purge tally >"$T/purge.log" 2>&1 || { cat "$T/purge.log" >&2; fail "dpkg --purge"; }
[ ! -e "$R/usr/sbin/tallyd" ] || fail "purge left /usr/sbin/tallyd"
[ ! -e "$R/etc/tally/tallyd.conf" ] || fail "purge left the conffile"
[ -f "$R/var/lib/tally/s1.log" ] || fail "purge removed the election records"
echo "deb_install: reinstall kept the changed conffile; purge kept /var/lib/tally"
echo "deb_install: OK"
