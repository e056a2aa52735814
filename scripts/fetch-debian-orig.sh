#!/bin/sh
# fetch-debian-orig.sh SOURCE VERSION SHA256 OUTPUT [LOCAL_TARBALL]
#
# Puts SOURCE_VERSION.orig.tar.* from Debian's source archive at OUTPUT and
# checks it against the pinned SHA256.  With LOCAL_TARBALL (an already
# downloaded copy, for offline builds) nothing is fetched, but the hash is
# still checked.
#
# deb-src is not configured on a fresh machine, and the system's apt
# configuration is not ours to edit: debian-apt.sh builds a private one from
# the system's own 'deb' entries (same mirrors, same keys) turned into
# 'deb-src'.
set -eu

src=$1 ver=$2 sha=$3 out=$4 local_tarball=${5:-}

die() { echo "fetch-debian-orig: $*" >&2; exit 1; }

check_hash() {
	got=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$got" = "$sha" ] || die "$1: sha256 is $got, expected $sha (pinned for $src $ver)"
}

mkdir -p "$(dirname "$out")"
if [ -n "$local_tarball" ]; then
	[ -f "$local_tarball" ] || die "no such file: $local_tarball"
	check_hash "$local_tarball"
	cp "$local_tarball" "$out"
	exit 0
fi
if [ -f "$out" ]; then
	check_hash "$out"
	exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found: give configure --with-${src}-tarball=FILE"

work=$(mktemp -d "${TMPDIR:-/tmp}/fetch-$src.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/dl"
# shellcheck source=scripts/debian-apt.sh
. "$(dirname "$0")/debian-apt.sh"
debian_apt_setup "$work/apt" deb-src || die "no access to Debian's source archive"
# shellcheck disable=SC2086
(cd "$work/dl" && apt-get $DEBIAN_APT_OPTS source --download-only "$src") \
	>"$work/source.log" 2>&1 ||
	{ cat "$work/source.log" >&2; die "apt-get source $src failed"; }

tarball=
for t in "$work/dl/${src}_${ver}.orig.tar."*; do
	case "$t" in *.asc) continue ;; esac
	[ -f "$t" ] && tarball=$t
done
[ -n "$tarball" ] || die "Debian's archive has no ${src}_${ver}.orig.tar.* (got: $(ls "$work/dl" | tr '\n' ' '))"
check_hash "$tarball"
cp "$tarball" "$out"
