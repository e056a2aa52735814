#!/bin/sh
# fetch-debian-kernel.sh PINFILE OUTDIR
#
# Fetches the Debian kernel packages PINFILE pins (scripts/deps/kernel-*.pin:
# 'suite S', 'release R', then 'deb PACKAGE VERSION SHA256' lines) from
# Debian's archive through a private apt configuration (debian-apt.sh: the
# system's mirrors and keys, suite S), checks each .deb against its pinned
# sha256, and unpacks them all into OUTDIR/root, ready to use without
# installing anything:
#   OUTDIR/root/boot/vmlinuz-R            the kernel image
#   OUTDIR/root/lib/modules/R             its modules, with modules.dep
#   OUTDIR/root/usr/src/linux-headers-R   KDIR for out-of-tree modules
# The .debs stay in OUTDIR/debs: a second run downloads nothing, and unpacks
# nothing while the pins are unchanged.  Prints nothing on success.
set -eu

pin=$1 out=$2
me=fetch-debian-kernel
die() { echo "$me: $*" >&2; exit 1; }

# shellcheck source=scripts/debian-apt.sh
. "$(dirname "$0")/debian-apt.sh"
debian_pin_read "$pin" suite release || die "bad pin file (above)"
suite=$PIN_suite release=$PIN_release debs=$PIN_DEBS
[ -n "$suite" ] || die "$pin: no 'suite' line"
[ -n "$release" ] || die "$pin: no 'release' line"
[ -n "$debs" ] || die "$pin: no 'deb' line"

mkdir -p "$out/debs"
# One fetch at a time per OUTDIR (two test runs may start together).
exec 9>"$out/lock"
flock 9

# deb_file PACKAGE VERSION: the cached .deb of that package, if any.
deb_file() {
	for f in "$out/debs/$1_"*.deb; do
		[ -f "$f" ] || continue
		[ "$(dpkg-deb -f "$f" Version)" = "$2" ] && { echo "$f"; return 0; }
	done
	return 0
}

hash_ok() { [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

missing=
for d in $debs; do
	p=${d%%=*} rest=${d#*=}
	v=${rest%%=*} h=${rest#*=}
	f=$(deb_file "$p" "$v")
	if [ -n "$f" ] && hash_ok "$f" "$h"; then continue; fi
	[ -n "$f" ] && rm -f "$f"
	missing="$missing $p=$v"
done

if [ -n "$missing" ]; then
	command -v apt-get >/dev/null || die "apt-get not found: cannot fetch$missing"
	work=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	debian_apt_setup "$work/apt" deb "$suite" || die "no access to Debian's $suite suite"
	mkdir -p "$work/dl"
	# shellcheck disable=SC2086
	(cd "$work/dl" && apt-get $DEBIAN_APT_OPTS download $missing) >"$work/download.log" 2>&1 ||
		{ cat "$work/download.log" >&2; die "downloading$missing from $suite failed (still in the archive? see $pin)"; }
	for m in $missing; do
		p=${m%%=*}
		set -- "$work/dl/${p}_"*.deb
		[ -f "$1" ] || die "apt-get download $m left no ${p}_*.deb"
		mv "$1" "$out/debs/"
	done
fi

# Every pinned .deb, checked again (also those just fetched).
stamp=
for d in $debs; do
	p=${d%%=*} rest=${d#*=}
	v=${rest%%=*} h=${rest#*=}
	f=$(deb_file "$p" "$v")
	[ -n "$f" ] || die "$p $v: not in $out/debs"
	got=$(sha256sum "$f" | cut -d' ' -f1)
	[ "$got" = "$h" ] || die "$f: sha256 is $got, expected $h (pinned in $pin)"
	stamp="$stamp$p $v $h
"
done

root=$out/root
if [ "$(cat "$root/.pinned" 2>/dev/null)" != "$(printf '%s' "$stamp")" ]; then
	rm -rf "$root"
	mkdir -p "$root"
	for d in $debs; do
		p=${d%%=*} rest=${d#*=}
		dpkg-deb -x "$(deb_file "$p" "${rest%%=*}")" "$root" || die "unpacking $p failed"
	done
	kdir=$root/usr/src/linux-headers-$release
	[ -f "$kdir/Makefile" ] || die "$pin: no package holds usr/src/linux-headers-$release/Makefile"
	[ -f "$root/boot/vmlinuz-$release" ] || die "$pin: no package holds boot/vmlinuz-$release"
	# The headers include their -common half by its installed path.
	sed -i "s|/usr/src/|$root/usr/src/|g" "$kdir/Makefile"
	# modules.dep is made by the image's postinst, which dpkg-deb -x skips.
	depmod -b "$root" "$release" || die "depmod -b $root $release failed"
	printf '%s' "$stamp" >"$root/.pinned"
fi
