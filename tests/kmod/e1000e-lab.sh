#!/bin/bash
# e1000e-lab.sh KERNEL - our e1000e driver's suite: builds drivers/e1000e
# for KERNEL (6.1, or a scripts/deps/kernel-*.pin), boots it with two QEMU
# e1000e NICs (82574L) joined back to back, loads our e1000e.ko in place of
# the in-tree one and runs e1000e-guest.sh.
#
# The NICs are guest-lab.sh's lab_nic_pair.
set -uo pipefail
export LC_ALL=C
. "$(cd "$(dirname "$0")" && pwd)/guest-lab.sh"
lab_suite e1000e "$@"
command -v patch >/dev/null || lab_skip "patch not installed"
lab_kernel "$SPEC"

# Our e1000e for this kernel (drivers/build.sh; one build per kernel at a time).
log=$LAB_OUT/driver-build.log
mkdir -p "$BUILD/drivers"
flock "$BUILD/drivers/.$LAB_KVER.lock" \
	make -s -C "$BUILD" drivers KDIR="$LAB_KDIR" DRIVERS_OUT="drivers/$LAB_KVER" >"$log" 2>&1 ||
	{ tail -40 "$log"; lab_log "FAIL: building e1000e.ko against $LAB_KDIR"; exit 1; }
ko=$BUILD/drivers/$LAB_KVER/e1000e/e1000e.ko
[ -f "$ko" ] || lab_hard "$ko not built"
[ "$(modinfo -F vermagic "$ko" | awk '{print $1}')" = "$LAB_KVER" ] || lab_hard "$ko is not for $LAB_KVER"

lab_add_file "$here/e1000e-guest.sh" /init 755
lab_add_file "$here/guest-checks.sh" /lib/guest-checks.sh
# What e1000e needs (ptp: a module on 6.1, built in on 6.12), then ours,
# loaded last; the in-tree e1000e is not in the guest at all.
lab_add_modules ptp
lab_add_file "$ko" /lib/modules/e1000e.ko
echo e1000e.ko >>"$LAB_ROOT/lib/modules/order"
# The test's XDP programs, attached with Debian's ip (libbpf).
CLANG=${CLANG:-$(command -v clang)} || lab_skip "clang not installed"
multiarch=$(gcc -print-multiarch 2>/dev/null)
"$CLANG" -O2 -g -target bpf -Wall -Werror ${multiarch:+-idirafter /usr/include/$multiarch} \
	-c "$here/e1000e-xdp.bpf.c" -o "$LAB_WORK/e1000e-xdp.o" || lab_hard "compiling e1000e-xdp.bpf.c"
lab_add_file "$LAB_WORK/e1000e-xdp.o" /lib/e1000e-xdp.o
lab_add_pcap_kit flowgen pcapflows

LAB_APPEND="ipv6.disable=1"
LAB_TIMEOUT=${E1000E_TIMEOUT:-600}
lab_nic_pair 1 e1000e
lab_boot "${LAB_NIC_ARGS[@]}"
lab_verdict KMOD
