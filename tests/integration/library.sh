#!/bin/bash
# The drop-in library itself: libpcap.so.0.8 carries Debian's soname and
# exports exactly the symbols Debian's libpcap0.8 exports; libpcap.so.1 and
# libpcap.a work; pcap_lib_version() names pfring-pcap; 'make install' with a
# prefix gives a tree whose pfring-run, pcap-config and libpcap.pc work.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$STOCK" = 0 ] || skip "checks our library only"
lib_init
DEBIAN_LIB=/usr/lib/x86_64-linux-gnu/libpcap.so.0.8
[ -e "$DEBIAN_LIB" ] || skip "Debian's libpcap0.8 is not installed"

exports() { nm -D --defined-only "$1" | awk '{print $3}' | sort; }
soname() { objdump -p "$1" | awk '$1 == "SONAME" {print $2}'; }

check_same "libpcap.so.0.8 exports exactly Debian's symbols plus pcap_pfring_stats" \
	"$( (exports "$DEBIAN_LIB"; echo pcap_pfring_stats) | sort)" \
	"$(exports "$PFRING_LIBDIR/libpcap.so.0.8")"
check_eq "libpcap.so.0.8 soname" libpcap.so.0.8 "$(soname "$PFRING_LIBDIR/libpcap.so.0.8")"
check_eq "libpcap.so.1 soname" libpcap.so.1 "$(soname "$PFRING_LIBDIR/libpcap.so.1")"
check_eq "no libpfring symbol leaks from libpcap.so.1" 0 \
	"$(exports "$PFRING_LIBDIR/libpcap.so.1" | grep -c '^pf' || true)"

"$PFRING_RUN" "$TCPDUMP" --version >"$WORK/version.out" 2>&1
check_contains "tcpdump --version names pfring-pcap" "$WORK/version.out" \
	"libpcap version 1.10.3 (with TPACKET_V3, pfring-pcap"

# A program linked statically with libpcap.a (libpfring inside) and one
# linked with -lpcap against libpcap.so.1's headers.
cat >"$WORK/v.c" <<'C'
#include <stdio.h>
#include <pcap/pcap.h>
int main(void) { puts(pcap_lib_version()); return 0; }
C
TREE=$PFRING_BUILDDIR/libpcap/upstream/libpcap-1.10.3
cc -I"$TREE" -o "$WORK/v-static" "$WORK/v.c" "$PFRING_LIBDIR/libpcap.a" -ldbus-1 -lbpf -lelf -lz
"$WORK/v-static" >"$WORK/static.out"
check_contains "static link with libpcap.a" "$WORK/static.out" "pfring-pcap"
cc -I"$TREE" -o "$WORK/v-so1" "$WORK/v.c" "$PFRING_LIBDIR/libpcap.so.1"
LD_LIBRARY_PATH=$PFRING_LIBDIR "$WORK/v-so1" >"$WORK/so1.out"
check_contains "dynamic link with libpcap.so.1" "$WORK/so1.out" "pfring-pcap"

# make install under a prefix (DESTDIR keeps it inside the work dir).
make -s -C "$PFRING_BUILDDIR" install DESTDIR="$WORK/root" >"$WORK/install.out" 2>&1 ||
	{ fail_check "make install: $(tail -5 "$WORK/install.out")"; finish; }
prefix=$(sed -n 's/^prefix = //p' "$PFRING_BUILDDIR/Makefile")
libdir=$(sed -n 's/^libdir = //p' "$PFRING_BUILDDIR/Makefile" | sed "s|\${exec_prefix}|$prefix|")
root=$WORK/root$prefix
for f in "$root/bin/pfring-run" "$root/bin/pcap-config" "$WORK/root$libdir/libpcap.so.0.8" \
	"$WORK/root$libdir/libpcap.so.1" "$WORK/root$libdir/libpcap.a" \
	"$WORK/root$libdir/pkgconfig/libpcap.pc" "$WORK/root$libdir/libpfring.so.0" \
	"$root/include/pcap/pcap.h" "$root/include/pfring.h" "$root/include/pfring-pcap.h"; do
	check_true "installed: ${f#"$WORK/root"}" [ -e "$f" ]
done
PKG_CONFIG_PATH=$WORK/root$libdir/pkgconfig pkg-config --static --libs libpcap >"$WORK/pc.out" 2>&1 || true
check_contains "pkg-config --static names what libpcap.a needs" "$WORK/pc.out" "-lbpf"
finish
