#!/bin/bash
# bench/guest-nic.sh [KERNEL]: instructions per packet of a pcap_dispatch
# reader on an emulated multi-queue NIC, in the guest lab (QEMU TCG: counts,
# never times), side by side in one run: Debian's libpcap on eth1, ours on
# pfring:eth1 and on zc:eth1 (AF_XDP on every RX queue; copy mode, as no NIC
# QEMU emulates has zero copy on Debian's kernels up to 6.12).  KERNEL: 6.1
# or a scripts/deps/kernel-*.pin (default: the 6.12 pin).  Builds and tests
# first need `make -C build check TESTS=` (bench/dispatch: make -C build
# bench/dispatch).  Knobs: BENCH_PACKETS (4000), BENCH_RATE (pps, 400).
# Not part of make check.
set -uo pipefail
export LC_ALL=C
bench_dir=$(cd "$(dirname "$0")" && pwd)
export PFRING_SRCDIR=${PFRING_SRCDIR:-$(cd "$bench_dir/.." && pwd)}
export PFRING_BUILDDIR=${PFRING_BUILDDIR:-$PFRING_SRCDIR/build}
. "$PFRING_SRCDIR/tests/kmod/guest-lab.sh"
. "$PFRING_SRCDIR/tests/tools/libpcap-pair.sh"
spec=${1:-$PFRING_SRCDIR/scripts/deps/kernel-6.12.pin}
lab_init bench-nic
command -v valgrind >/dev/null || lab_skip "valgrind not installed"
command -v ethtool >/dev/null || lab_skip "ethtool not installed"
lab_kernel "$spec"

dispatch=$BUILD/bench/dispatch
[ -x "$dispatch" ] || lab_hard "$dispatch not built (make -C build bench/dispatch)"
stock=$(libpcap_stock_path) || lab_hard "Debian's libpcap.so.0.8 not found"
lab_add_file "$bench_dir/guest-nic-init.sh" /init 755
lab_add_file "$PFRING_SRCDIR/tests/kmod/guest-checks.sh" /lib/guest-checks.sh
lab_add_modules virtio_pci virtio_net
lab_add_elf "$dispatch" /bin/dispatch
lab_add_elf "$stock" /opt/stock/lib/libpcap.so.0.8
lab_add_elf "$BUILD/libpcap/lib/libpcap.so.0.8" /opt/pfring/lib/libpcap.so.0.8
lab_add_elf "$BUILD/tests/tools/flowgen" /bin/flowgen
lab_add_elf "$(command -v ethtool)" /bin/ethtool
# Debian's valgrind is a script that runs valgrind.bin beside it.
lab_add_file "$(command -v valgrind)" /bin/valgrind 755
lab_add_elf "$(command -v valgrind).bin" /bin/valgrind.bin
for f in callgrind-amd64-linux vgpreload_core-amd64-linux.so default.supp; do
	lab_add_elf "/usr/libexec/valgrind/$f" "/usr/libexec/valgrind/$f"
done
printf 'PACKETS=%s\nRATE=%s\n' "${BENCH_PACKETS:-4000}" "${BENCH_RATE:-400}" >"$LAB_ROOT/bench.conf"

LAB_APPEND="ipv6.disable=1"
LAB_MEM=1024
LAB_TIMEOUT=${BENCH_TIMEOUT:-1800}
lab_nic_pair 4
lab_boot "${LAB_NIC_ARGS[@]}"
s=$LAB_WORK/serial.txt
grep -q '^BENCH DONE' "$s" || { tail -30 "$s"; lab_hard "the guest did not finish"; }
[ "$(awk '$1 == "BENCH" && NF == 5' "$s" | wc -l)" = 3 ] ||
	{ grep -A8 'BENCH ERROR' "$s"; lab_hard "a case did not measure (above)"; }
echo "guest $LAB_KVER, ${BENCH_PACKETS:-4000} packets at ${BENCH_RATE:-400} pps; instructions/packet" \
	"(callgrind, user space of the reader: run minus an idle run of the same length)"
awk '$1 == "BENCH" && NF == 5 {
	ipp = ($3 - $4) / $5
	if ($2 == "stock") stock = ipp
	printf "%-10s %10.1f   %s packets\n", $2, ipp, $5
	if (stock > 0 && $2 != "stock") printf "%-10s %10.2fx stock\n", "", ipp / stock
}' "$s"
