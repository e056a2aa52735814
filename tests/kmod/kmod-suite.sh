#!/bin/bash
# kmod-suite.sh KERNEL - the pf_ring.ko suite on one Debian kernel: boots it
# under QEMU (guest-lab.sh) with an initramfs of busybox, veth, pf_ring.ko,
# the static pfrtest and pfrfuzz, Debian's tcpdump over our libpcap and the
# test tools, runs guest-init.sh as /init and takes the verdict from its
# "KMOD ..." lines on the serial console.  The kernel runs with slub_debug,
# and any warning, BUG, oops or slab report on the console fails the run.
# KERNEL is a series with an installed kernel (6.1) or a pin file of
# scripts/deps (kernel-6.12.pin); kmod-6.1.sh and kmod-6.12.sh are the tests.
# KMOD_FUZZ_SECONDS (default 25) bounds the fuzzer; KMOD_FUZZ_SEED replays a
# seed it printed.
#
# Exit: 0 pass, 1 fail, 77 skip (a tool or the installed kernel missing),
# 99 harness error.  Environment: PFRING_BUILDDIR, PFRING_SRCDIR.
set -uo pipefail
export LC_ALL=C
# shellcheck source=tests/kmod/guest-lab.sh
. "$(cd "$(dirname "$0")" && pwd)/guest-lab.sh"
lab_suite kmod "$@"
lab_kernel "$SPEC"
lab_build_module

BIN=$BUILD/tests/kmod
for t in pfrtest pfrfuzz; do
	[ -x "$BIN/$t" ] || lab_hard "$BIN/$t not built (make check builds it)"
	readelf -d "$BIN/$t" 2>/dev/null | grep -q NEEDED && lab_hard "$BIN/$t is not static"
	lab_add_file "$BIN/$t" "/bin/$t"
done
lab_add_file "$here/guest-init.sh" /init 755
lab_add_file "$here/guest-checks.sh" /lib/guest-checks.sh
lab_add_file "$LAB_KO" /lib/modules/pf_ring.ko
# The same module claiming ABI 99: the library must refuse it, naming both.
abi=$LAB_WORK/abi99
mkdir -p "$abi"
cp "$SRC/kernel/pf_ring.c" "$SRC/kernel/pf_ring_compat.h" "$SRC/kernel/Kbuild" "$abi/"
make -C "$LAB_KDIR" M="$abi" PFR_COMMON="$SRC/common" KCFLAGS=-DPF_RING_ABI_VERSION=99 modules \
	>"$LAB_OUT/abi99-build.log" 2>&1 ||
	{ cat "$LAB_OUT/abi99-build.log"; lab_log "FAIL: building the ABI 99 pf_ring.ko"; exit 1; }
lab_add_file "$abi/pf_ring.ko" /lib/modules/pf_ring_abi99.ko
lab_add_modules veth

# The pcap-level checks: Debian's unmodified tcpdump loading our libpcap
# (LD_LIBRARY_PATH=/opt/pfring/lib in the guest), the host's shared libraries
# beside it, and the test tools that do not use the library under test.
TCPDUMP=${TCPDUMP:-$(command -v tcpdump || echo /usr/sbin/tcpdump)}
pcaplib=$BUILD/libpcap/lib/libpcap.so.0.8
if [ -x "$TCPDUMP" ] && [ -f "$pcaplib" ]; then
	lab_add_elf "$TCPDUMP" /bin/tcpdump
	lab_add_elf "$pcaplib" /opt/pfring/lib/libpcap.so.0.8
	for t in flowgen pcapflows flowhash rulestat; do
		[ -x "$BUILD/tests/tools/$t" ] || lab_hard "$BUILD/tests/tools/$t not built (make check builds it)"
		lab_add_elf "$BUILD/tests/tools/$t" "/bin/$t"
	done
	# zbalance: the AF_XDP input and its XDP programs on the guest's kernel.
	zb=$BUILD/pfring-backend/tools/zbalance
	[ -x "$zb" ] || lab_hard "$zb not built"
	lab_add_elf "$zb" /bin/zbalance
	echo 'root:x:0:0:root:/:/bin/sh' >"$LAB_ROOT/etc/passwd"
	echo 'root:x:0:' >"$LAB_ROOT/etc/group"
else
	lab_log "no tcpdump ($TCPDUMP) or $pcaplib: the guest skips the tcpdump checks"
fi
# The fuzzer's bounds and seed, read by /init.
fuzz_seconds=${KMOD_FUZZ_SECONDS:-25}
fuzz_seed=${KMOD_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
printf 'FUZZ_SECONDS=%s\nFUZZ_SEED=%s\n' "$fuzz_seconds" "$fuzz_seed" >"$LAB_ROOT/fuzz.conf"
lab_log "fuzzer: $fuzz_seconds s, seed $fuzz_seed (KMOD_FUZZ_SEED=$fuzz_seed replays it)"

LAB_APPEND="ipv6.disable=1 slub_debug=FZPU"
LAB_TIMEOUT=${KMOD_TIMEOUT:-600}
lab_boot
lab_verdict KMOD
