#!/bin/sh
# fetch-debian-source.sh PINFILE OUTDIR
#
# One folder of a Debian linux-source package, without installing it:
# PINFILE (e.g. drivers/e1000e/linux-6.12.pin) has
#   suite S                      optional: the suite to fetch from (the
#                                system's entries otherwise)
#   deb PACKAGE VERSION SHA256   the linux-source-X.Y .deb
#   path DIR                     the folder wanted, e.g.
#                                drivers/net/ethernet/intel/e1000e
# The .deb is taken from apt's cache when it is there with that hash, or
# fetched through a private apt configuration (debian-apt.sh); its sha256
# must be the pinned one.  DIR of the tarball inside ends up in
# OUTDIR/src (unpacked again only when the pin changes); the .deb is not
# kept (150 MB).  Prints nothing on success.
set -eu

pin=$1 out=$2
me=fetch-debian-source
die() { echo "$me: $*" >&2; exit 1; }

# shellcheck source=scripts/debian-apt.sh
. "$(dirname "$0")/debian-apt.sh"
debian_pin_read "$pin" suite path || die "bad pin file (above)"
suite=$PIN_suite dir=$PIN_path
# shellcheck disable=SC2086 # one word per deb line
set -- $PIN_DEBS
[ $# -eq 1 ] || die "$pin: expected one 'deb PACKAGE VERSION SHA256' line"
pkg=${1%%=*} rest=${1#*=}
ver=${rest%%=*} sha=${rest#*=}
[ -n "$pkg" ] || die "$pin: no 'deb' line"
case $dir in '' | /* | *..*) die "$pin: 'path' must name a folder inside the source tree" ;; esac

stamp="$pkg $ver $sha $dir"
mkdir -p "$out"
# One fetch at a time per OUTDIR (builds for two kernels may start together).
exec 9>"$out/lock"
flock 9
[ "$(cat "$out/src/.pinned" 2>/dev/null)" = "$stamp" ] && exit 0

hash_ok() { [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$sha" ]; }

work=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX")
trap 'rm -rf "$work"' EXIT
deb=/var/cache/apt/archives/${pkg}_${ver}_all.deb
if ! { [ -f "$deb" ] && hash_ok "$deb"; }; then
	command -v apt-get >/dev/null || die "apt-get not found: cannot fetch $pkg $ver"
	debian_apt_setup "$work/apt" deb "$suite" || die "no access to Debian's archive${suite:+ ($suite)}"
	mkdir -p "$work/dl"
	# shellcheck disable=SC2086
	(cd "$work/dl" && apt-get $DEBIAN_APT_OPTS download "$pkg=$ver") >"$work/download.log" 2>&1 ||
		{ cat "$work/download.log" >&2; die "downloading $pkg $ver failed (still in the archive? see $pin)"; }
	set -- "$work/dl/${pkg}_"*.deb
	[ -f "$1" ] || die "apt-get download $pkg=$ver left no ${pkg}_*.deb"
	deb=$1
	hash_ok "$deb" || die "$deb: sha256 is $(sha256sum "$deb" | cut -d' ' -f1), expected $sha (pinned in $pin)"
fi

# linux-source-X.Y holds usr/src/linux-source-X.Y.tar.xz, whose top folder
# is linux-source-X.Y.
top=${pkg}
rm -rf "$out/src" "$out/tree"
mkdir -p "$out/tree"
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$top.tar.xz" |
	tar -xJ -C "$out/tree" "$top/$dir" || die "$deb: no $top/$dir in usr/src/$top.tar.xz"
mv "$out/tree/$top/$dir" "$out/src"
rm -rf "$out/tree"
printf '%s' "$stamp" >"$out/src/.pinned"
