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
lab_kernel "$SPEC"
lab_build_module

lab_add_file "$here/nic-guest.sh" /init 755
lab_add_file "$here/guest-checks.sh" /lib/guest-checks.sh
lab_add_file "$LAB_KO" /lib/modules/pf_ring.ko
lab_add_modules virtio_pci virtio_net
# ethtool sets the channels, ip shows an attached XDP program.
lab_add_pcap_kit flowgen pcapflows flowhash zbalance pfcount

LAB_APPEND="ipv6.disable=1"
LAB_MEM=1024
LAB_TIMEOUT=${NIC_TIMEOUT:-900}
lab_nic_pair 4
lab_boot "${LAB_NIC_ARGS[@]}"
lab_verdict KMOD
