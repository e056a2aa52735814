#!/bin/busybox sh
# guest-checks.sh - sourced by the guests' /init scripts (guest-init.sh: the
# pf_ring.ko suite; nic-guest.sh: the multi-queue NIC suite): the guest's
# set-up, the verdict lines the host reads ("KMOD PASS: name", "KMOD FAIL:
# name"), and the tcpdump helpers both suites' checks are written with.

# guest_setup: busybox applets, the kernel file systems, the serial console.
guest_setup() {
	/bin/busybox --install -s /bin
	export PATH=/bin
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	# Memory cgroups: ring memory is charged to them (pfrtest memcg, pfrfuzz).
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
	mount -t devtmpfs dev /dev 2>/dev/null
	mkdir -p /tmp /dev/shm
	mount -t tmpfs tmp /tmp
	# ZC clusters (zbalance) live in /dev/shm.
	mount -t tmpfs shm /dev/shm
	exec >/dev/ttyS0 2>&1 </dev/null
}

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
	local i=0
	while ! "$@"; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || return 1
		sleep 0.05
	done
}

# --- pcap level: Debian's tcpdump over our libpcap (kmod engine) -----------
PCAPLIB=/opt/pfring/lib

# td_start NAME [VAR=VALUE...] -- TCPDUMP_ARGS...: tcpdump in the background
# (-U: every packet reaches the file at once), returning once it listens.
td_start() {
	local name=$1 envs=
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs="$envs $1"
		shift
	done
	shift
	rm -f /tmp/$name.pcap
	: >/tmp/$name.err
	# shellcheck disable=SC2086 # one word per VAR=VALUE
	env LD_LIBRARY_PATH=$PCAPLIB $envs tcpdump -Z root -n -U -w /tmp/$name.pcap "$@" \
		>/dev/null 2>/tmp/$name.err &
	echo $! >/tmp/$name.pid
	wait_for td_listening $name || { echo "tcpdump $name did not start:"; cat /tmp/$name.err; return 1; }
}

td_listening() {
	grep -q 'listening on' /tmp/$1.err && return 0
	# Gone already: no point in waiting.
	kill -0 "$(cat /tmp/$1.pid)" 2>/dev/null || return 0
	return 1
}

td_gone() { ! kill -0 "$(cat /tmp/$1.pid)" 2>/dev/null; }

# td_stop NAME: SIGINT, wait for the exit; the status must be 0.
td_stop() {
	local rc
	kill -INT "$(cat /tmp/$1.pid)" 2>/dev/null
	wait_for td_gone $1 || { echo "tcpdump $1 did not exit"; kill -KILL "$(cat /tmp/$1.pid)"; }
	wait "$(cat /tmp/$1.pid)"
	rc=$?
	rm -f /tmp/$1.pid
	[ $rc -eq 0 ] || { echo "tcpdump $1 exited with $rc:"; cat /tmp/$1.err; return 1; }
}

# td_stat NAME WHAT: the number of tcpdump's "N packets WHAT" exit line.
td_stat() {
	sed -n "s/^\([0-9][0-9]*\) packets\{0,1\} $2\$/\1/p" /tmp/$1.err
}

# eq WHAT EXPECTED ACTUAL
eq() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1 = $2"
	else
		echo "FAIL: $1: expected '$2', got '$3'"
		return 1
	fi
}

# td_counts NAME N: tcpdump reported N captured, N received, 0 dropped, and
# its file holds N packets.
td_counts() {
	eq "$1: packets in the file" "$2" "$(pcapflows -n /tmp/$1.pcap)" &&
	eq "$1: 'packets captured'" "$2" "$(td_stat $1 captured)" &&
	eq "$1: 'received by filter'" "$2" "$(td_stat $1 'received by filter')" &&
	eq "$1: 'dropped by kernel'" 0 "$(td_stat $1 'dropped by kernel')"
}

# file_has NAME N: the capture file of NAME has N packets (a wait condition).
file_has() { [ "$(pcapflows -n /tmp/$1.pcap 2>/dev/null)" = "$2" ]; }

# cluster_verify PREFIX MEMBERS N FLOWS: the stopped tcpdumps PREFIX0..
# together hold flowgen -n N -f FLOWS once, none is empty, none dropped,
# and each flow is in the member pf_flow_hash % MEMBERS names.
cluster_verify() {
	local p=$1 members=$2 n i c got sum=0 recv=0 drop=0 bad=0 files=
	i=0
	while [ $i -lt "$members" ]; do
		c=$(pcapflows -n /tmp/$p$i.pcap)
		echo "member $i: $c packets"
		[ "$c" -gt 0 ] || { echo "member $i is empty"; bad=$((bad + 1)); }
		eq "member $i 'packets captured' vs its file" "$c" "$(td_stat $p$i captured)" || bad=$((bad + 1))
		sum=$((sum + c))
		recv=$((recv + $(td_stat $p$i 'received by filter')))
		drop=$((drop + $(td_stat $p$i 'dropped by kernel')))
		pcapflows /tmp/$p$i.pcap | while read -r flow _; do
			want=$(flowhash -t per_flow -m "$members" "$flow")
			[ "$want" = "$i" ] || echo "FAIL: flow $flow in member $i, the hash says $want"
		done >/tmp/$p$i.bad
		cat /tmp/$p$i.bad
		[ -s /tmp/$p$i.bad ] && bad=$((bad + 1))
		files="$files /tmp/$p$i.pcap"
		i=$((i + 1))
	done
	n=$3
	# shellcheck disable=SC2086 # one word per file
	got=$(pcapflows -c $files | sort)
	eq "sum of the members' files" "$n" $sum &&
	eq "sum of 'received by filter'" "$n" $recv &&
	eq "sum of 'dropped by kernel'" 0 $drop &&
	eq "flows in the members vs flowgen --list (sorted)" "$(flowgen --list -n "$n" -f "$4" | sort)" \
		"$got" &&
	eq "members with a flow off its hash member, or empty" 0 $bad
}

# all_members PREFIX MEMBERS N: the members' files hold N packets or more.
all_members() {
	local i=0 sum=0
	while [ $i -lt "$2" ]; do
		sum=$((sum + $(pcapflows -n /tmp/$1$i.pcap 2>/dev/null || echo 0)))
		i=$((i + 1))
	done
	[ $sum -ge "$3" ]
}

# td_run NAME FUNC: run, then end any tcpdump a failed check left behind,
# so the checks after it start from no rings.
td_run() {
	local p
	run "$@"
	for p in /tmp/*.pid; do
		[ -f "$p" ] || continue
		kill -KILL "$(cat "$p")" 2>/dev/null && wait "$(cat "$p")" 2>/dev/null
		rm -f "$p"
	done
}

# dmesg_clean: the kernel reported no leak, warning or oops.
dmesg_clean() {
	dmesg >/tmp/dmesg
	if grep -n -E 'pf_ring.*leak|still has objects|BUG:|WARNING:|Oops|Call Trace|general protection' /tmp/dmesg; then
		return 1
	fi
	grep 'pf_ring' /tmp/dmesg | tail -n 12
}

# zb_running NAME: zbalance NAME said it runs, or has gone.
zb_running() {
	grep -q '^zbalance: running$' /tmp/$1.zb && return 0
	kill -0 "$(cat /tmp/$1.pid)" 2>/dev/null || return 0
	return 1
}

# if_of MAC: the interface that has it.
if_of() {
	local d
	for d in /sys/class/net/*; do
		[ "$(cat "$d/address")" = "$1" ] && basename "$d" && return 0
	done
	return 1
}

# nic_pair_up: the NIC lab's pair (nic-lab.sh gives the MACs): TX sends, RX
# captures; both up with carrier.
nic_pair_up() {
	TX=$(if_of 52:54:00:00:00:10) && RX=$(if_of 52:54:00:00:00:11) ||
		{ ls /sys/class/net; return 1; }
	ip link set lo up
	ip link set "$TX" up && ip link set "$RX" up &&
		wait_for grep -q 1 /sys/class/net/$RX/carrier &&
		wait_for grep -q 1 /sys/class/net/$TX/carrier || return 1
	echo "sender $TX, capture $RX"
}
