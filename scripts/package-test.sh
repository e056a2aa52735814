#!/bin/bash
# package-test.sh [BUILDDIR]: the Debian packages, as CI checks them.
#  1. dpkg-buildpackage -b in a copy of the tree (the files git tracks, plus
#     any debian/ changes), with the libpcap tarball BUILDDIR already fetched;
#  2. lintian on the result: any error fails;
#  3. tests/packages/install-chroot.sh installs them in a debootstrap'd
#     bookworm and runs Debian's tcpdump and tshark there;
#     tests/packages/dkms-chroot.sh has DKMS build pf_ring.ko there.
# Prints PASS:/FAIL:/SKIP: lines like make check; exit status 0 if all pass.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
out=$build/deb
rc=0
rm -rf "$out" && mkdir -p "$out/src"
(cd "$top" && { git ls-files -z; find debian -type f -print0; } | sort -zu) |
	(cd "$top" && xargs -0 cp --parents -t "$out/src") || { echo "FAIL: deb copy of the tree"; exit 1; }
if (cd "$out/src" && LIBPCAP_TARBALL=$build/libpcap/upstream/libpcap_1.10.3.orig.tar.gz \
	dpkg-buildpackage -b -uc -us) >"$out/build.log" 2>&1; then
	echo "PASS: dpkg-buildpackage -b"
else
	echo "FAIL: dpkg-buildpackage -b"; tail -30 "$out/build.log"; exit 1
fi
if lintian --tag-display-limit 0 "$out"/pfring-pcap_*.changes >"$out/lintian.log" 2>&1 &&
   ! grep -q '^E: ' "$out/lintian.log"; then
	echo "PASS: lintian (no errors; $(grep -c '^W: ' "$out/lintian.log") warnings)"
else
	echo "FAIL: lintian"; grep -E '^E: ' "$out/lintian.log" || tail -20 "$out/lintian.log"; rc=1
fi
# One debootstrap for both chroot tests; each works in a copy.
base=$out/bookworm
if command -v debootstrap >/dev/null &&
   debootstrap --variant=minbase --include=tcpdump,tshark,iproute2 bookworm "$base" \
	http://deb.debian.org/debian >"$out/debootstrap.log" 2>&1; then
	export PFRING_CHROOT_BASE=$base
else
	echo "note: debootstrap of the shared base failed, each test makes its own: $(tail -1 "$out/debootstrap.log" 2>/dev/null)"
fi
for t in install-chroot dkms-chroot; do
	PFRING_DEBS=$out PFRING_BUILDDIR=$build PFRING_SRCDIR=$top \
		timeout -k 10 1200 bash "$top/tests/packages/$t.sh" >"$out/$t.log" 2>&1
	case $? in
	0) echo "PASS: tests/packages/$t.sh" ;;
	77) echo "SKIP: tests/packages/$t.sh"; tail -1 "$out/$t.log" ;;
	*) echo "FAIL: tests/packages/$t.sh"; tail -40 "$out/$t.log"; rc=1 ;;
	esac
done
rm -rf "$base"
exit $rc
