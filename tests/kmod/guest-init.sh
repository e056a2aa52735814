#!/bin/busybox sh
# guest-init.sh - /init of the QEMU guest that tests pf_ring.ko.
#
# Runs every check in order and prints, on the serial console, one
# "KMOD PASS: name" or "KMOD FAIL: name" line per check (with the output of
# failed ones), then "KMOD DONE: P passed, F failed" and powers off.  The
# host (qemu.sh) takes its verdict from those lines only.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /tmp
mount -t tmpfs tmp /tmp
exec >/dev/ttyS0 2>&1 </dev/null

PASSED=0
FAILED=0
M=/lib/modules

pass() { echo "KMOD PASS: $1"; PASSED=$((PASSED + 1)); }
fail() { echo "KMOD FAIL: $1"; FAILED=$((FAILED + 1)); }

# run NAME CMD...: CMD's exit status is the verdict; its output is shown.
run() {
	name=$1
	shift
	if "$@" >/tmp/out 2>&1; then
		sed 's/^/    | /' /tmp/out
		pass "$name"
	else
		sed 's/^/    | /' /tmp/out
		fail "$name"
	fi
}

# has FILE TEXT: FILE holds the line TEXT exactly.
has() {
	grep -qxF "$2" "$1" || { echo "'$2' not in $1:"; cat "$1"; return 1; }
}

# wait_for CMD...: until CMD succeeds, 10 s at most.
wait_for() {
	i=0
	while ! "$@"; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || return 1
		sleep 0.05
	done
}

load_info() {
	f=/proc/net/pf_ring/info
	has $f "PF_RING Version          : 0.1.0 (ABI 1)" &&
	has $f "Total rings              : 0" &&
	has $f "Ring slots               : 4096" &&
	has $f "Slot version             : 1" &&
	has $f "Capture TX               : Yes [RX+TX]" &&
	has $f "IP Defragment            : No" &&
	has $f "Socket Mode              : Standard" &&
	has /proc/net/pf_ring/dev/veth0/info "Name              : veth0" &&
	has /proc/net/pf_ring/dev/veth1/info "# Bound Sockets   : 0"
}

params_info() {
	f=/proc/net/pf_ring/info
	has $f "Ring slots               : 64" &&
	has $f "Capture TX               : No [RX only]" &&
	has $f "IP Defragment            : Yes" &&
	has $f "Socket Mode              : Quick"
}

no_rings_left() {
	has /proc/net/pf_ring/info "Total rings              : 0" &&
	[ -z "$(ls /proc/net/pf_ring | grep -v -e '^info$' -e '^dev$')" ]
}

# Unloading with a ring open is refused; after the close it works.
unload_busy() {
	mkfifo /tmp/hold
	pfrtest hold </tmp/hold >/tmp/hold.out 2>&1 &
	pid=$!
	exec 3>/tmp/hold
	wait_for grep -q holding /tmp/hold.out || { cat /tmp/hold.out; return 1; }
	if rmmod pf_ring; then
		echo "rmmod succeeded with a ring open"
		return 1
	fi
	grep -q '^pf_ring ' /proc/modules || { echo "module gone"; return 1; }
	exec 3>&-
	wait $pid || { cat /tmp/hold.out; return 1; }
	rm -f /tmp/hold
	rmmod pf_ring && ! grep -q '^pf_ring ' /proc/modules
}

dev_gone() {
	ip link add veth3 type veth && ip link set veth2 up || return 1
	mkfifo /tmp/gone
	pfrtest devgone veth2 </tmp/gone >/tmp/gone.out 2>&1 &
	pid=$!
	exec 4>/tmp/gone
	wait_for grep -q holding /tmp/gone.out || { cat /tmp/gone.out; return 1; }
	ip link del veth2 || return 1
	echo x >&4
	exec 4>&-
	wait $pid
	rc=$?
	cat /tmp/gone.out
	rm -f /tmp/gone
	return $rc
}

bad_param() {
	if insmod $M/pf_ring.ko min_num_slots=0; then
		echo "min_num_slots=0 was accepted"
		rmmod pf_ring
		return 1
	fi
	! grep -q '^pf_ring ' /proc/modules
}

dmesg_clean() {
	dmesg >/tmp/dmesg
	if grep -n -E 'pf_ring.*leak|still has objects|BUG:|WARNING:|Oops|Call Trace|general protection' /tmp/dmesg; then
		return 1
	fi
	grep 'pf_ring' /tmp/dmesg | tail -n 12
}

echo "KMOD BOOTED: $(uname -r)"
for mod in $(cat $M/order); do
	insmod "$M/$mod" || echo "warning: insmod $mod failed"
done
# busybox ip ignores "peer name": the peer gets the kernel's first free
# veth%d name, which is veth0 here (and veth2 below).
ip link add veth1 type veth &&
	ip link set veth0 up && ip link set veth1 up &&
	wait_for grep -q 1 /sys/class/net/veth1/carrier || fail "veth pair"

run "load pf_ring.ko" insmod $M/pf_ring.ko
run "/proc/net/pf_ring/info and dev/<if>/info" load_info
run "version over getsockopt" pfrtest version
run "capture: exact counts, flows, hash, per-ring /proc" pfrtest capture
run "ring overflow: received + dropped == sent" pfrtest overflow
run "clusters: member = shared hash % 3, round robin" pfrtest cluster
run "BPF attach/detach, sampling after filters" pfrtest bpf
run "direction RX/TX, sendmsg TX" pfrtest direction
run "poll watermark, enable/disable" pfrtest watermark
run "bad setsockopt/getsockopt/bind values rejected" pfrtest badopts
run "no rings left after close" no_rings_left
run "unload refused with a ring open, clean after close" unload_busy
run "reload" insmod $M/pf_ring.ko
run "device removed under a bound ring" dev_gone
run "unload after device removal" rmmod pf_ring
run "load with min_num_slots=64 enable_tx_capture=0 quick_mode=1 enable_ip_defrag=1" \
	insmod $M/pf_ring.ko min_num_slots=64 enable_tx_capture=0 quick_mode=1 enable_ip_defrag=1
run "module parameters in /proc info" params_info
run "quick_mode: one ring per interface" pfrtest quick
run "enable_tx_capture=0, min_num_slots=64" pfrtest notx
run "enable_ip_defrag=1: fragments delivered reassembled" pfrtest defrag
run "unload" rmmod pf_ring
run "min_num_slots=0 refused" bad_param
run "dmesg: no leak, warning or oops" dmesg_clean

echo "KMOD DONE: $PASSED passed, $FAILED failed"
poweroff -f
