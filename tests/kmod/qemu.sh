#!/bin/bash
# qemu.sh - the pf_ring.ko suite: boots Debian's own kernel under QEMU (TCG)
# with an initramfs of busybox, veth, pf_ring.ko and the static pfrtest and
# pfrfuzz, and takes the verdict from the guest's "KMOD ..." lines on the
# serial console (QEMU exits 0 on poweroff and on panic alike).  The kernel
# runs with slub_debug, and any warning, BUG, oops or slab report on the
# console fails the run.  KMOD_FUZZ_SECONDS (default 25) bounds the fuzzer;
# KMOD_FUZZ_SEED replays a seed it printed.
#
# Exit: 0 pass, 1 fail, 77 skip (no QEMU, no Debian kernel or headers),
# 99 harness error.  Environment: PFRING_BUILDDIR, PFRING_SRCDIR,
# KMOD_KVER (kernel release to boot; default the newest in /boot with headers).
set -uo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
SRC=${PFRING_SRCDIR:-$(cd "$here/../.." && pwd)}
BUILD=${PFRING_BUILDDIR:-$SRC}
OUT=$BUILD/tests/kmod
TIMEOUT=${KMOD_TIMEOUT:-600}

log() { echo "kmod: $*"; }
skip() { log "SKIP: $*"; exit 77; }
hard() { log "ERROR: $*"; exit 99; }

QEMU=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 not installed"
BUSYBOX=/bin/busybox
readelf -d "$BUSYBOX" 2>/dev/null | grep -q NEEDED && BUSYBOX=
[ -x "$BUSYBOX" ] || skip "busybox-static not installed"
command -v cpio >/dev/null || skip "cpio not installed"

# The newest Debian kernel that has both an image and headers.
kver=${KMOD_KVER:-}
if [ -z "$kver" ]; then
	for v in $(ls /boot/vmlinuz-* 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V -r); do
		if [ -f "/lib/modules/$v/build/Makefile" ]; then kver=$v; break; fi
	done
fi
[ -n "$kver" ] || skip "no /boot/vmlinuz-* with headers in /lib/modules/*/build (linux-image-amd64, linux-headers-amd64)"
vmlinuz=/boot/vmlinuz-$kver
kdir=/lib/modules/$kver/build
log "guest kernel $kver"

# The module for that kernel (the top-level make skips it on a host whose
# running kernel has no headers).
make -s -C "$BUILD" kernel-module KDIR="$kdir" >"$OUT/module-build.log" 2>&1 ||
	{ cat "$OUT/module-build.log"; log "FAIL: building pf_ring.ko against $kdir"; exit 1; }
ko=$BUILD/kernel/pf_ring.ko
[ -f "$ko" ] || hard "$ko not built"
vermagic=$(modinfo -F vermagic "$ko" | awk '{print $1}')
[ "$vermagic" = "$kver" ] || hard "pf_ring.ko is for '$vermagic', not $kver"

for t in pfrtest pfrfuzz; do
	[ -x "$OUT/$t" ] || hard "$OUT/$t not built (make check builds it)"
	readelf -d "$OUT/$t" 2>/dev/null | grep -q NEEDED && hard "$OUT/$t is not static"
done

# PVH boot of the ELF vmlinux skips the guest's own decompression (~5 s).
vmlinux=$OUT/vmlinux-$kver
if [ ! -s "$vmlinux" ]; then
	off=$(grep -abo -P '\xfd7zXZ\x00' "$vmlinuz" | head -1 | cut -d: -f1)
	[ -n "$off" ] || hard "no XZ stream in $vmlinuz"
	tail -c +$((off + 1)) "$vmlinuz" | xz -dc 2>/dev/null >"$vmlinux.tmp"
	[ "$(head -c 4 "$vmlinux.tmp" | tail -c 3)" = ELF ] || hard "could not extract vmlinux from $vmlinuz"
	mv "$vmlinux.tmp" "$vmlinux"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pfr-kmod.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/bin" "$root/lib/modules" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
cp "$OUT/pfrtest" "$OUT/pfrfuzz" "$root/bin/"
cp "$here/guest-init.sh" "$root/init"
chmod 755 "$root/init"
cp "$ko" "$root/lib/modules/pf_ring.ko"
# The same module claiming ABI 99: the library must refuse it, naming both.
abi=$work/abi99
mkdir -p "$abi"
cp "$SRC/kernel/pf_ring.c" "$SRC/kernel/pf_ring_compat.h" "$SRC/kernel/Kbuild" "$abi/"
make -C "$kdir" M="$abi" PFR_COMMON="$SRC/common" KCFLAGS=-DPF_RING_ABI_VERSION=99 modules \
	>"$OUT/module-build.log" 2>&1 ||
	{ cat "$OUT/module-build.log"; log "FAIL: building the ABI 99 pf_ring.ko"; exit 1; }
cp "$abi/pf_ring.ko" "$root/lib/modules/pf_ring_abi99.ko"
: >"$root/lib/modules/order"
for m in $(modprobe -S "$kver" --show-depends veth | awk '$1 == "insmod" {print $2}'); do
	b=$(basename "$m")
	case $m in
	*.xz) xz -dc "$m" >"$root/lib/modules/${b%.xz}"; b=${b%.xz} ;;
	*.zst) zstd -qdc "$m" >"$root/lib/modules/${b%.zst}"; b=${b%.zst} ;;
	*) cp "$m" "$root/lib/modules/$b" ;;
	esac
	echo "$b" >>"$root/lib/modules/order"
done
[ -s "$root/lib/modules/order" ] || hard "veth module of $kver not found"

# The pcap-level checks: Debian's unmodified tcpdump loading our libpcap
# (LD_LIBRARY_PATH=/opt/pfring/lib in the guest), the host's shared libraries
# beside it, and the test tools that do not use the library under test.
add_elf() { # add_elf FILE [DEST]: the file and every library ldd lists for it
	local f=$1 dest=${2:-$1} lib
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$f" "$root$dest" || return 1
	for lib in $(ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		# Only our libpcap is in the guest, so tcpdump cannot load another.
		case $lib in */libpcap.so*) continue ;; esac
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib" || return 1
	done
}
TCPDUMP=${TCPDUMP:-$(command -v tcpdump || echo /usr/sbin/tcpdump)}
pcaplib=$BUILD/libpcap/lib/libpcap.so.0.8
if [ -x "$TCPDUMP" ] && [ -f "$pcaplib" ]; then
	add_elf "$TCPDUMP" /bin/tcpdump || hard "copying $TCPDUMP and its libraries"
	add_elf "$pcaplib" /opt/pfring/lib/libpcap.so.0.8 || hard "copying $pcaplib"
	for t in flowgen pcapflows flowhash rulestat; do
		[ -x "$BUILD/tests/tools/$t" ] || hard "$BUILD/tests/tools/$t not built (make check builds it)"
		add_elf "$BUILD/tests/tools/$t" "/bin/$t" || hard "copying $t"
	done
	# zbalance: the AF_XDP input and its XDP programs on the guest's kernel.
	zb=$BUILD/pfring-backend/tools/zbalance
	[ -x "$zb" ] || hard "$zb not built"
	add_elf "$zb" /bin/zbalance || hard "copying $zb"
	mkdir -p "$root/etc"
	echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
else
	log "no tcpdump ($TCPDUMP) or $pcaplib: the guest skips the tcpdump checks"
fi
# The fuzzer's bounds and seed, read by /init.
fuzz_seconds=${KMOD_FUZZ_SECONDS:-25}
fuzz_seed=${KMOD_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
printf 'FUZZ_SECONDS=%s\nFUZZ_SEED=%s\n' "$fuzz_seconds" "$fuzz_seed" >"$root/fuzz.conf"
log "fuzzer: $fuzz_seconds s, seed $fuzz_seed (KMOD_FUZZ_SEED=$fuzz_seed replays it)"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio" || hard "cpio failed"

serial=$OUT/serial.log
log "booting (serial log: $serial)"
start=$(date +%s)
timeout -k 10 "$TIMEOUT" "$QEMU" -machine pc -accel tcg -m 512 -smp 1 \
	-nographic -no-reboot -nodefaults -serial "file:$serial" \
	-kernel "$vmlinux" -initrd "$work/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 oops=panic ipv6.disable=1 quiet loglevel=5 slub_debug=FZPU rdinit=/init" \
	</dev/null >"$work/qemu.out" 2>&1
qrc=$?
log "QEMU exited with $qrc after $(($(date +%s) - start)) s"
[ "$qrc" -eq 124 ] && log "timed out after ${TIMEOUT}s"

tr -d '\r' <"$serial" >"$work/serial.txt"
grep -v '^KMOD ' "$work/serial.txt" | grep -E '^    \| |Kernel panic|BUG|Oops|WARNING|Call Trace' | head -2000
grep -o 'KMOD .*' "$work/serial.txt"
grep -q 'KMOD BOOTED' "$work/serial.txt" || { cat "$work/qemu.out"; tail -40 "$work/serial.txt"; hard "the guest did not start /init"; }
if ! grep -q '^KMOD DONE: ' "$work/serial.txt"; then
	tail -60 "$work/serial.txt"
	log "FAIL: the guest did not finish (panic or timeout)"
	exit 1
fi
# Kernel lines (not the guest's output) reporting a bug: warnings, BUG and
# oopses, and what slub_debug reports on a corrupted or misused object.
bad_kernel='Kernel panic|WARNING:|BUG|Oops|general protection|slab|Poison overwritten|Redzone|Object padding|Freepointer|KASAN|INFO: task .* blocked'
if grep -v -e '^KMOD ' -e '^    | ' "$work/serial.txt" | grep -E "$bad_kernel"; then
	log "FAIL: kernel panic/oops/warning/slab error in the serial log (above)"
	exit 1
fi
failed=$(sed -n 's/^KMOD DONE: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$work/serial.txt")
passed=$(sed -n 's/^KMOD DONE: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$work/serial.txt")
[ "${failed:-1}" -eq 0 ] && [ "${passed:-0}" -gt 0 ] || { log "FAIL"; exit 1; }
log "PASS ($passed guest checks)"
exit 0
