#!/bin/sh
# build.sh KDIR OUT: our e1000e for the kernel whose headers are KDIR, in
# OUT/e1000e/e1000e.ko (make drivers KDIR=... runs it).
#
# Debian's e1000e source of KDIR's series (drivers/e1000e/linux-X.Y.pin,
# fetched and sha256-checked by scripts/fetch-debian-source.sh into
# drivers/sources/linux-X.Y of the build tree) is copied to OUT/e1000e,
# drivers/e1000e/patches/*.patch are applied in order (kernel-tree paths,
# -p1 from the kernel's top), and Kbuild builds it out of tree.  The module
# keeps its name, e1000e: installed under /lib/modules/R/updates/ it takes
# the in-tree one's place (drivers/README.md).
set -eu
me=drivers/build.sh
die() { echo "$me: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: build.sh KDIR OUT"
kdir=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
sources=${DRIVERS_SOURCES:-$(pwd)/drivers/sources}

[ -f "$kdir/Makefile" ] || die "no kernel headers at $kdir (KDIR=...)"
release=$(cat "$kdir/include/config/kernel.release" 2>/dev/null) ||
	die "$kdir: no include/config/kernel.release (not a prepared kernel tree)"
series=$(echo "$release" | sed -n 's/^\([0-9]*\.[0-9]*\)[.-].*/\1/p')
pin=$here/e1000e/linux-$series.pin
[ -f "$pin" ] || die "no e1000e source pinned for Linux $series ($release): drivers/e1000e/linux-*.pin"
grep -q '^CONFIG_PTP_1588_CLOCK=' "$kdir/include/config/auto.conf" 2>/dev/null ||
	die "$release: e1000e needs PTP (CONFIG_PTP_1588_CLOCK) in the kernel"

sh "$top/scripts/fetch-debian-source.sh" "$pin" "$sources/linux-$series"

dst=$out/e1000e
# Built already from the same source, patches and headers: nothing to do.
stamp=$(cat "$pin" "$here"/e1000e/patches/*.patch "$0" "$kdir/include/config/auto.conf" 2>/dev/null |
	sha256sum | cut -d' ' -f1)
[ -f "$dst/e1000e.ko" ] && [ "$(cat "$dst/.built" 2>/dev/null)" = "$stamp" ] && exit 0
rm -rf "$dst"
mkdir -p "$dst"
cp -r "$sources/linux-$series/src/." "$dst/"
for p in "$here"/e1000e/patches/*.patch; do
	[ -f "$p" ] || continue
	patch -s -p6 -N --no-backup-if-mismatch -d "$dst" <"$p" >"$dst/patch.log" 2>&1 ||
		{ cat "$dst/patch.log" >&2; die "$(basename "$p") does not apply to $(cat "$dst/.pinned")"; }
done
# Debian builds it as a module (CONFIG_E1000E=m); say so for a kernel that
# has it built in or not at all.
make -C "$kdir" M="$dst" CONFIG_E1000E=m modules
[ -f "$dst/e1000e.ko" ] || die "Kbuild made no $dst/e1000e.ko"
echo "$stamp" >"$dst/.built"
