#!/bin/bash
# nic-lab.sh KERNEL - the multi-queue NIC suite: boots KERNEL (6.1, or a
# scripts/deps/kernel-*.pin) with two virtio-net NICs, one sending and one
# capturing with 4 queue pairs, and runs nic-guest.sh in it.
#
# The NICs are joined back to back on the host by a bridge in a network
# namespace this script creates (and deletes): QEMU runs inside it, each NIC
# on a tap there.  The capturing NIC's tap is multi-queue (one queue per
# virtio queue pair), so the host's tun driver spreads flows over the
# guest's RX queues by a flow hash, as an RSS NIC does.  (QEMU 7.2's own
# software RSS, virtio-net rss=on, lost whole flows inside the guest: 9 of
# 40 flows in one run, so it is not used.)
set -uo pipefail
export LC_ALL=C
[ $# -eq 1 ] || { echo "usage: nic-lab.sh KERNEL (6.1, or a scripts/deps/kernel-*.pin)"; exit 99; }
. "$(cd "$(dirname "$0")" && pwd)/guest-lab.sh"
spec=$1
case $spec in *.pin) name=nic-$(basename "$spec" .pin | sed 's/^kernel-//') ;; *) name=nic-$spec ;; esac
lab_init "$name"
[ -c /dev/net/tun ] || lab_skip "no /dev/net/tun (the NICs' taps)"
command -v ip >/dev/null || lab_skip "ip not installed (iproute2)"
command -v ethtool >/dev/null || lab_skip "ethtool not installed"
lab_kernel "$spec"
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

# The host side: a namespace with a bridge and the two taps.
LAB_NETNS=pfr-$name-$$
cleanup_netns() { ip netns del "$LAB_NETNS" 2>/dev/null; }
trap 'cleanup_netns; rm -rf "$LAB_WORK"' EXIT
ip netns add "$LAB_NETNS" || lab_hard "ip netns add $LAB_NETNS"
# Only the test's frames cross the bridge: no IPv6 chatter from the host side.
ip netns exec "$LAB_NETNS" sh -e -c '
	sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip link add br0 type bridge
	ip link set br0 up
	ip tuntap add dev tap-tx mode tap
	ip tuntap add dev tap-rx mode tap multi_queue
	for t in tap-tx tap-rx; do ip link set $t master br0; ip link set $t up; done
' || lab_hard "setting up the bridge and taps in $LAB_NETNS"

QUEUES=4
nic="virtio-net-pci,disable-legacy=on,iommu_platform=on"
LAB_APPEND="ipv6.disable=1"
LAB_MEM=1024
LAB_TIMEOUT=${NIC_TIMEOUT:-900}
lab_boot \
	-netdev tap,id=tx,ifname=tap-tx,script=no,downscript=no \
	-device "$nic,netdev=tx,mac=52:54:00:00:00:10" \
	-netdev tap,id=rx,ifname=tap-rx,script=no,downscript=no,queues=$QUEUES \
	-device "$nic,netdev=rx,mac=52:54:00:00:00:11,mq=on,vectors=$((2 * QUEUES + 2))"
lab_verdict KMOD
