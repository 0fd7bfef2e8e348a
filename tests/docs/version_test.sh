#!/bin/sh
# version_test.sh SOURCE_DIR VERSION OPENSSL_VERSION PROGRAM...: --version
# of every program prints "NAME VERSION (git COMMIT)" with the commit of the
# source tree (when it is a git checkout) and "built with OpenSSL X.Y.Z ..."
# for the OpenSSL headers CMake found, and exits 0.
set -eu
src=$1
version=$2
ossl="OpenSSL $3 "
shift 3
head=
if git -C "$src" rev-parse --show-toplevel >/dev/null 2>&1 &&
    [ "$(cd "$(git -C "$src" rev-parse --show-toplevel)" && pwd -P)" = "$(cd "$src" && pwd -P)" ]; then
	head=$(git -C "$src" rev-parse HEAD)
fi
for p in "$@"; do
	name=$(basename "$p")
	out=$("$p" --version)
	line1=$(echo "$out" | sed -n 1p)
	case $line1 in
	"$name $version (git "*")") ;;
	*) echo "version: $p: first line '$line1'" >&2; exit 1 ;;
	esac
	commit=$(echo "$line1" | sed 's/.*(git \(.*\))$/\1/; s/-dirty$//')
	if [ -n "$head" ]; then
		case $head in
		"$commit"*) ;;
		*) echo "version: $p: commit $commit, tree at $head" >&2; exit 1 ;;
		esac
		[ ${#commit} -ge 12 ] || { echo "version: $p: short commit $commit" >&2; exit 1; }
	fi
	line2=$(echo "$out" | sed -n 2p)
	case $line2 in
	"built with $ossl"*) ;;
	*) echo "version: $p: second line '$line2', headers say '$ossl'" >&2; exit 1 ;;
	esac
	echo "$p: $line1 / $line2"
done
