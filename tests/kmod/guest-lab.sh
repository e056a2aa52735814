# guest-lab.sh - sourced by the guest suites (bash): boots a Debian kernel
# under QEMU (TCG) with an initramfs of our making and takes the verdict
# from the serial console.
#
#   lab_suite PREFIX KERNEL the script's one argument KERNEL (6.1, or a
#                           scripts/deps/kernel-*.pin) into SPEC, then
#                           lab_init PREFIX-<series>
#   lab_init NAME           checks the tools (exit 77 naming the missing
#                           one); LAB_OUT=$BUILD/tests/kmod/NAME keeps the
#                           logs, LAB_ROOT is the initramfs tree (busybox in)
#   lab_kernel SPEC         SPEC 6.1: the newest installed 6.1.* kernel with
#                           headers; SPEC a .pin file (scripts/deps/): that
#                           kernel, fetched and unpacked under the build
#                           tree.  Sets LAB_KVER, LAB_KDIR (headers),
#                           LAB_KROOT (root of its /lib/modules, / if
#                           installed) and LAB_VMLINUX (the ELF, PVH boot)
#   lab_build_module        pf_ring.ko for LAB_KVER in $BUILD/kernel/LAB_KVER
#                           (LAB_KO); suites on other kernels never clash
#   lab_add_modules MOD...  the kernel's modules and their dependencies, in
#                           load order, into /lib/modules (names in
#                           /lib/modules/order, decompressed); one built into
#                           the kernel adds nothing, so name every one the
#                           guest needs on any kernel (virtio_pci is a module
#                           on 6.1, built in on 6.12)
#   lab_add_file FILE DEST [MODE]
#   lab_add_elf FILE [DEST] a program and the host libraries it needs
#   lab_add_pcap_kit TOOL...
#                           Debian's tcpdump over our libpcap
#                           (/opt/pfring/lib), Debian's ethtool and ip
#                           (/usr/sbin/ip: busybox's knows no XDP), root's
#                           passwd lines, and the named programs of
#                           tests/tools or pfring-backend/tools
#   lab_boot [QEMU ARGS...] builds the initramfs and boots it; extra
#                           arguments (-device, -netdev...) go to QEMU.
#                           LAB_APPEND adds to the kernel command line,
#                           LAB_NETNS runs QEMU in that network namespace,
#                           LAB_MEM (MiB, 512), LAB_SMP (1), LAB_TIMEOUT (s)
#   lab_nic_pair QUEUES [MODEL]
#                           two NICs joined back to back: the sender (MAC
#                           52:54:00:00:00:10) and the capturing one (...:11,
#                           QUEUES queue pairs); MODEL virtio (default) or a
#                           QEMU NIC of one queue (e1000e); sets LAB_NETNS
#                           and LAB_NIC_ARGS (lab_boot "${LAB_NIC_ARGS[@]}")
#   lab_verdict PREFIX      the guest's "PREFIX BOOTED: $(uname -r)" (the
#                           kernel asked for), "PREFIX PASS/FAIL" and
#                           "PREFIX DONE: P passed, F failed" lines and no
#                           kernel warning, BUG, oops or slab report:
#                           exits 0 pass, 1 fail, 99 harness error
#
# Exit codes everywhere: 77 skip (a tool is missing), 99 harness error.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=${PFRING_SRCDIR:-$(cd "$here/../.." && pwd)}
BUILD=${PFRING_BUILDDIR:-$SRC}
# Kernels fetched, their vmlinux and modules: shared by every suite.
LAB_CACHE=$BUILD/tests/kmod/kernels
LAB_NAME=lab

lab_log() { echo "$LAB_NAME: $*"; }
lab_skip() { lab_log "SKIP: $*"; exit 77; }
lab_hard() { lab_log "ERROR: $*"; exit 99; }

lab_suite() {
	[ $# -eq 2 ] || { echo "usage: $(basename "$0") KERNEL (6.1, or a scripts/deps/kernel-*.pin)"; exit 99; }
	SPEC=$2
	case $SPEC in
	*.pin) lab_init "$1-$(basename "$SPEC" .pin | sed 's/^kernel-//')" ;;
	*) lab_init "$1-$SPEC" ;;
	esac
}

lab_init() {
	LAB_NAME=$1
	LAB_OUT=$BUILD/tests/kmod/$1
	QEMU=$(command -v qemu-system-x86_64) || lab_skip "qemu-system-x86_64 not installed (qemu-system-x86)"
	BUSYBOX=/bin/busybox
	readelf -d "$BUSYBOX" 2>/dev/null | grep -q NEEDED && BUSYBOX=
	[ -x "$BUSYBOX" ] || lab_skip "busybox-static not installed"
	command -v cpio >/dev/null || lab_skip "cpio not installed"
	command -v modprobe >/dev/null || lab_skip "modprobe not installed (kmod)"
	mkdir -p "$LAB_OUT" "$LAB_CACHE" || lab_hard "cannot create $LAB_OUT"
	LAB_WORK=$(mktemp -d "${TMPDIR:-/tmp}/pfr-$1.XXXXXX") || lab_hard "mktemp failed"
	# shellcheck disable=SC2064 # expanded now, on purpose
	trap "rm -rf '$LAB_WORK'" EXIT
	LAB_ROOT=$LAB_WORK/root
	mkdir -p "$LAB_ROOT"/{bin,lib/modules,proc,sys,dev,tmp,etc}
	cp "$BUSYBOX" "$LAB_ROOT/bin/busybox"
	: >"$LAB_ROOT/lib/modules/order"
}

lab_kernel() {
	local spec=$1 v
	LAB_KVER=
	case $spec in
	*.pin)
		local pinned
		pinned=$(sed -n 's/^release[[:space:]]\{1,\}//p' "$spec")
		[ -n "$pinned" ] || lab_hard "$spec: no 'release' line"
		command -v dpkg-deb >/dev/null || lab_skip "dpkg-deb not installed"
		LAB_KROOT=$LAB_CACHE/$(basename "$spec" .pin)/root
		lab_log "$pinned, pinned in $spec"
		sh "$SRC/scripts/fetch-debian-kernel.sh" "$spec" "$(dirname "$LAB_KROOT")" ||
			lab_hard "could not fetch the kernel pinned in $spec (above)"
		LAB_KVER=$pinned
		LAB_KDIR=$LAB_KROOT/usr/src/linux-headers-$LAB_KVER
		;;
	*)
		# The newest installed kernel of that series with headers.
		for v in $(ls /boot/vmlinuz-"$spec".* 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V -r); do
			if [ -f "/lib/modules/$v/build/Makefile" ]; then LAB_KVER=$v; break; fi
		done
		[ -n "$LAB_KVER" ] ||
			lab_skip "no /boot/vmlinuz-$spec.* with headers in /lib/modules/*/build (linux-image-amd64, linux-headers-amd64)"
		LAB_KROOT=/
		LAB_KDIR=/lib/modules/$LAB_KVER/build
		;;
	esac
	# Named by the image's hash: a rebuilt image of the same release (an
	# upgrade, another pin) gets a vmlinux of its own.
	local vmlinuz=${LAB_KROOT%/}/boot/vmlinuz-$LAB_KVER sum
	[ -f "$vmlinuz" ] || lab_hard "no $vmlinuz"
	sum=$(sha256sum "$vmlinuz" | cut -c1-16)
	LAB_VMLINUX=$LAB_CACHE/vmlinux-$LAB_KVER-$sum
	[ -s "$LAB_VMLINUX" ] || lab_extract_vmlinux "$vmlinuz" "$LAB_VMLINUX"
	lab_log "guest kernel $LAB_KVER"
}

# lab_extract_vmlinux BZIMAGE OUT: the ELF kernel inside a bzImage.  PVH
# boot of the ELF skips the guest's own decompression (~5 s under TCG).
# The setup header says where the payload is; it ends with its decompressed
# size (4 bytes), which the result must have.
lab_extract_vmlinux() {
	local z=$1 out=$2 setup off len size magic dec
	[ -f "$z" ] || lab_hard "no $z"
	setup=$(od -An -tu1 -j $((0x1f1)) -N1 "$z" | tr -d ' ')
	off=$(( (setup + 1) * 512 + $(od -An -tu4 -j $((0x248)) -N4 "$z" | tr -d ' ') ))
	len=$(od -An -tu4 -j $((0x24c)) -N4 "$z" | tr -d ' ')
	size=$(od -An -tu4 -j $((off + len - 4)) -N4 "$z" | tr -d ' ')
	magic=$(od -An -tx1 -j "$off" -N4 "$z" | tr -d ' ')
	case $magic in
	fd377a58) dec=xz; command -v xz >/dev/null || lab_skip "xz not installed (xz-utils)" ;;
	28b52ffd) dec=zstd; command -v zstd >/dev/null || lab_skip "zstd not installed" ;;
	*) lab_hard "$z: payload at $off starts with $magic, neither xz nor zstd" ;;
	esac
	dd if="$z" iflag=skip_bytes,count_bytes skip="$off" count=$((len - 4)) status=none |
		$dec -dc >"$out.$$" ||
		{ rm -f "$out.$$"; lab_hard "$dec could not unpack the payload of $z"; }
	[ "$(stat -c %s "$out.$$")" = "$size" ] && [ "$(head -c 4 "$out.$$" | tail -c 3)" = ELF ] ||
		{ rm -f "$out.$$"; lab_hard "$z: the payload is not a $size-byte ELF"; }
	mv "$out.$$" "$out"
}

lab_build_module() {
	local out=kernel/$LAB_KVER log=$LAB_OUT/module-build.log
	if grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$LAB_KDIR/.config" 2>/dev/null &&
	   [ -f "$LAB_KDIR/vmlinux" ] && ! command -v pahole >/dev/null; then
		lab_skip "pahole not installed (dwarves): $LAB_KVER's headers make BTF for modules"
	fi
	mkdir -p "$BUILD/kernel"
	# One build per kernel at a time: suites on the same kernel share it.
	flock "$BUILD/kernel/.$LAB_KVER.lock" \
		make -s -C "$BUILD" kernel-module KDIR="$LAB_KDIR" KMOD_OUT="$out" >"$log" 2>&1 ||
		{ cat "$log"; lab_log "FAIL: building pf_ring.ko against $LAB_KDIR"; exit 1; }
	LAB_KO=$BUILD/$out/pf_ring.ko
	[ -f "$LAB_KO" ] || lab_hard "$LAB_KO not built"
	local vermagic
	vermagic=$(modinfo -F vermagic "$LAB_KO" | awk '{print $1}')
	[ "$vermagic" = "$LAB_KVER" ] || lab_hard "$LAB_KO is for '$vermagic', not $LAB_KVER"
}

lab_add_modules() {
	local mod m b
	for mod in "$@"; do
		modprobe -d "$LAB_KROOT" -S "$LAB_KVER" --show-depends "$mod" >"$LAB_WORK/deps" 2>&1 ||
			{ cat "$LAB_WORK/deps"; lab_hard "module $mod of $LAB_KVER not found"; }
		for m in $(awk '$1 == "insmod" {print $2}' "$LAB_WORK/deps"); do
			b=$(basename "$m")
			b=${b%.xz} b=${b%.zst}
			grep -qxF "$b" "$LAB_ROOT/lib/modules/order" && continue
			case $m in
			*.xz) xz -dc "$m" >"$LAB_ROOT/lib/modules/$b" ;;
			*.zst) zstd -qdc "$m" >"$LAB_ROOT/lib/modules/$b" ;;
			*) cp "$m" "$LAB_ROOT/lib/modules/$b" ;;
			esac || lab_hard "unpacking $m"
			echo "$b" >>"$LAB_ROOT/lib/modules/order"
		done
	done
}

lab_add_file() {
	mkdir -p "$LAB_ROOT$(dirname "$2")" && cp -L "$1" "$LAB_ROOT$2" || lab_hard "copying $1"
	[ -z "${3:-}" ] || chmod "$3" "$LAB_ROOT$2"
}

# The file and every library ldd lists for it (our libpcap excepted: only
# the one the suite puts in is in the guest).
lab_add_elf() {
	local f=$1 dest=${2:-$1} lib
	lab_add_file "$f" "$dest"
	for lib in $(ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		case $lib in */libpcap.so*) continue ;; esac
		[ -e "$LAB_ROOT$lib" ] || lab_add_file "$lib" "$lib"
	done
}

lab_add_pcap_kit() {
	local t f tcpdump pcaplib=$BUILD/libpcap/lib/libpcap.so.0.8
	tcpdump=${TCPDUMP:-$(command -v tcpdump)} || lab_skip "tcpdump not installed"
	command -v ethtool >/dev/null || lab_skip "ethtool not installed"
	[ -f "$pcaplib" ] || lab_hard "$pcaplib not built"
	lab_add_elf "$tcpdump" /bin/tcpdump
	lab_add_elf "$pcaplib" /opt/pfring/lib/libpcap.so.0.8
	lab_add_elf "$(command -v ethtool)" /bin/ethtool
	lab_add_elf "$(command -v ip)" /usr/sbin/ip
	for t in "$@"; do
		f=$BUILD/tests/tools/$t
		[ -x "$f" ] || f=$BUILD/pfring-backend/tools/$t
		[ -x "$f" ] || lab_hard "$t not built (make check builds it)"
		lab_add_elf "$f" "/bin/$t"
	done
	printf 'root:x:0:0:root:/:/bin/sh\n' >"$LAB_ROOT/etc/passwd"
	printf 'root:x:0:\n' >"$LAB_ROOT/etc/group"
}

lab_boot() {
	local start qrc
	LAB_SERIAL=$LAB_OUT/serial.log
	(cd "$LAB_ROOT" && find . | cpio -o -H newc --quiet) >"$LAB_WORK/initramfs.cpio" ||
		lab_hard "cpio failed"
	lab_log "booting $LAB_KVER (serial log: $LAB_SERIAL)"
	start=$(date +%s)
	# shellcheck disable=SC2086 # LAB_NETNS: none, or one word
	timeout -k 10 "${LAB_TIMEOUT:-600}" ${LAB_NETNS:+ip netns exec $LAB_NETNS} "$QEMU" -machine pc -accel tcg \
		-m "${LAB_MEM:-512}" -smp "${LAB_SMP:-1}" \
		-nographic -no-reboot -nodefaults -serial "file:$LAB_SERIAL" \
		-kernel "$LAB_VMLINUX" -initrd "$LAB_WORK/initramfs.cpio" \
		-append "console=ttyS0 panic=-1 oops=panic quiet loglevel=5 rdinit=/init ${LAB_APPEND:-}" \
		"$@" </dev/null >"$LAB_WORK/qemu.out" 2>&1
	qrc=$?
	LAB_SECONDS=$(($(date +%s) - start))
	lab_log "QEMU exited with $qrc after $LAB_SECONDS s"
	[ "$qrc" -eq 124 ] && lab_log "timed out after ${LAB_TIMEOUT:-600}s"
	tr -d '\r' <"$LAB_SERIAL" >"$LAB_WORK/serial.txt"
}

# The NICs are joined on the host by a bridge in a network namespace made
# here (and deleted at exit): QEMU runs inside it, each NIC on a tap there.
# The capturing NIC's tap is multi-queue (one queue per virtio queue pair),
# so the host's tun driver spreads flows over the guest's RX queues by a
# flow hash, as an RSS NIC does.  (QEMU 7.2's own software RSS, virtio-net
# rss=on, lost whole flows inside the guest: 9 of 40 in one run.)
# iommu_platform: virtio_net's AF_XDP pool needs the DMA API.
lab_nic_pair() {
	local q=$1 nic="virtio-net-pci,disable-legacy=on,iommu_platform=on" mq=
	[ "${2:-virtio}" = virtio ] || { nic=$2; [ "$q" = 1 ] || lab_hard "$2: one queue"; }
	[ -c /dev/net/tun ] || lab_skip "no /dev/net/tun (the NICs' taps)"
	command -v ip >/dev/null || lab_skip "ip not installed (iproute2)"
	LAB_NETNS=pfr-$LAB_NAME-$$
	# shellcheck disable=SC2064 # expanded now, on purpose
	trap "ip netns del '$LAB_NETNS' 2>/dev/null; rm -rf '$LAB_WORK'" EXIT
	ip netns add "$LAB_NETNS" || lab_hard "ip netns add $LAB_NETNS"
	# Only the test's frames cross the bridge: no IPv6 chatter from this side.
	ip netns exec "$LAB_NETNS" sh -e -c '
		sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		ip link add br0 type bridge
		ip link set br0 up
		ip tuntap add dev tap-tx mode tap
		ip tuntap add dev tap-rx mode tap '"$([ "$q" -gt 1 ] && echo multi_queue)"'
		for t in tap-tx tap-rx; do ip link set $t master br0; ip link set $t up; done
	' || lab_hard "setting up the bridge and taps in $LAB_NETNS"
	[ "$q" -gt 1 ] && mq=",mq=on,vectors=$((2 * q + 2))"
	LAB_NIC_ARGS=(
		-netdev tap,id=tx,ifname=tap-tx,script=no,downscript=no
		-device "$nic,netdev=tx,mac=52:54:00:00:00:10"
		-netdev "tap,id=rx,ifname=tap-rx,script=no,downscript=no,queues=$q"
		-device "$nic,netdev=rx,mac=52:54:00:00:00:11$mq"
	)
}

lab_verdict() {
	local p=$1 s=$LAB_WORK/serial.txt passed failed
	grep -v "^$p " "$s" | grep -E '^    \| |Kernel panic|BUG|Oops|WARNING|Call Trace' | head -2000
	grep -o "$p .*" "$s"
	grep -q "^$p BOOTED" "$s" ||
		{ cat "$LAB_WORK/qemu.out"; tail -40 "$s"; lab_hard "the guest did not start /init"; }
	grep -qxF "$p BOOTED: $LAB_KVER" "$s" ||
		lab_hard "the guest did not boot $LAB_KVER: $(grep -m1 "^$p BOOTED" "$s")"
	if ! grep -q "^$p DONE: " "$s"; then
		tail -60 "$s"
		lab_log "FAIL: the guest did not finish (panic or timeout)"
		exit 1
	fi
	# Kernel lines (not the guest's output) reporting a bug: warnings, BUG
	# and oopses, and what slub_debug reports on a corrupted or misused object.
	local bad='Kernel panic|WARNING:|BUG|Oops|general protection|slab|Poison overwritten|Redzone|Object padding|Freepointer|KASAN|INFO: task .* blocked'
	if grep -v -e "^$p " -e '^    | ' "$s" | grep -E "$bad"; then
		lab_log "FAIL: kernel panic/oops/warning/slab error in the serial log (above)"
		exit 1
	fi
	passed=$(sed -n "s/^$p DONE: \([0-9]*\) passed, \([0-9]*\) failed\$/\1/p" "$s")
	failed=$(sed -n "s/^$p DONE: \([0-9]*\) passed, \([0-9]*\) failed\$/\2/p" "$s")
	[ "${failed:-1}" -eq 0 ] && [ "${passed:-0}" -gt 0 ] || { lab_log "FAIL"; exit 1; }
	lab_log "PASS ($passed guest checks on $LAB_KVER, $LAB_SECONDS s)"
	exit 0
}
