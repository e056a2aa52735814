#!/bin/bash
# nic-lab.sh KERNEL - the multi-queue NIC suite: boots KERNEL (6.1, or a
# scripts/deps/kernel-*.pin) with two virtio-net NICs, one sending and one
# capturing with 4 queue pairs, and runs nic-guest.sh in it.
#
# The pair is guest-lab.sh's lab_nic_pair.
set -uo pipefail
export LC_ALL=C
. "$(cd "$(dirname "$0")" && pwd)/guest-lab.sh"
lab_suite nic "$@"
command -v ethtool >/dev/null || lab_skip "ethtool not installed"
lab_kernel "$SPEC"
lab_build_module

TCPDUMP=${TCPDUMP:-$(command -v tcpdump)} || lab_skip "tcpdump not installed"
pcaplib=$BUILD/libpcap/lib/libpcap.so.0.8
[ -f "$pcaplib" ] || lab_hard "$pcaplib not built"
lab_add_file "$here/nic-guest.sh" /init 755
lab_add_file "$here/guest-checks.sh" /lib/guest-checks.sh
lab_add_file "$LAB_KO" /lib/modules/pf_ring.ko
lab_add_modules virtio_pci virtio_net
lab_add_elf "$TCPDUMP" /bin/tcpdump
lab_add_elf "$pcaplib" /opt/pfring/lib/libpcap.so.0.8
# Debian's ethtool sets the channels; iproute2's ip shows an attached XDP
# program (busybox's ip does not).
lab_add_elf "$(command -v ethtool)" /bin/ethtool
lab_add_elf "$(command -v ip)" /usr/sbin/ip
for t in flowgen pcapflows flowhash; do
	[ -x "$BUILD/tests/tools/$t" ] || lab_hard "$BUILD/tests/tools/$t not built (make check builds it)"
	lab_add_elf "$BUILD/tests/tools/$t" "/bin/$t"
done
for t in zbalance pfcount; do
	[ -x "$BUILD/pfring-backend/tools/$t" ] || lab_hard "$t not built"
	lab_add_elf "$BUILD/pfring-backend/tools/$t" "/bin/$t"
done
printf 'root:x:0:0:root:/:/bin/sh\n' >"$LAB_ROOT/etc/passwd"
printf 'root:x:0:\n' >"$LAB_ROOT/etc/group"

LAB_APPEND="ipv6.disable=1"
LAB_MEM=1024
LAB_TIMEOUT=${NIC_TIMEOUT:-900}
lab_nic_pair 4
lab_boot "${LAB_NIC_ARGS[@]}"
lab_verdict KMOD
