#!/bin/busybox sh
# guest-init.sh - /init of the QEMU guest that tests pf_ring.ko.
#
# Runs every check in order and prints, on the serial console, one
# "KMOD PASS: name" or "KMOD FAIL: name" line per check (with the output of
# failed ones), then "KMOD DONE: P passed, F failed" and powers off.  The
# host (qemu.sh) takes its verdict from those lines only.
. /lib/guest-checks.sh
guest_setup

load_info() {
	f=/proc/net/pf_ring/info
	has $f "PF_RING Version          : 0.1.0 (ABI 3)" &&
	has $f "Total rings              : 0" &&
	has $f "Ring slots               : 4096" &&
	has $f "Slot version             : 3" &&
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

# The race fuzzer, bounded in time (qemu.sh writes /fuzz.conf), in a memory
# cgroup of 128 MiB so its random ring sizes cannot starve the guest.  Its
# own verdict (every kind of call made) here; the kernel's on the console
# and in dmesg.
fuzz() {
	local rc
	. /fuzz.conf
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control &&
	mkdir -p /sys/fs/cgroup/fuzz &&
	echo 134217728 >/sys/fs/cgroup/fuzz/memory.max || return 1
	# A deadlock shows as a hung-task report (on the console) in 20 s.
	echo 20 >/proc/sys/kernel/hung_task_timeout_secs
	# shellcheck disable=SC2016 # $$ is the inner shell's
	sh -c 'echo $$ >/sys/fs/cgroup/fuzz/cgroup.procs && exec pfrfuzz -s "$1" -t "$2" -j 4' \
		_ "$FUZZ_SEED" "$FUZZ_SECONDS"
	rc=$?
	rmdir /sys/fs/cgroup/fuzz
	[ $rc -eq 0 ] && dmesg_clean
}

bad_param() {
	if insmod $M/pf_ring.ko min_num_slots=0; then
		echo "min_num_slots=0 was accepted"
		rmmod pf_ring
		return 1
	fi
	! grep -q '^pf_ring ' /proc/modules
}

# ring_file NAME IF: the /proc/net/pf_ring file of tcpdump NAME's ring on IF.
ring_file() {
	ls /proc/net/pf_ring/"$(cat /tmp/$1.pid)"-"$2".* 2>/dev/null | head -n 1
}

# The kmod engine serves pfring:veth1 (AUTO with the module loaded): exact
# counts, flows as sent, and the ring in /proc under tcpdump's pid.
td_capture() {
	local f
	td_start cap -- -i pfring:veth1 || return 1
	f=$(ring_file cap veth1)
	[ -n "$f" ] || { echo "no /proc/net/pf_ring/<tcpdump pid>-veth1.* ring:"; ls /proc/net/pf_ring; td_stop cap; return 1; }
	has "$f" "Appl. Name         : tcpdump" && has "$f" "Active             : 1" || { td_stop cap; return 1; }
	flowgen -i veth0 -n 1000 -f 10 || return 1
	wait_for file_has cap 1000
	has "$f" "Tot Insert         : 1000" || { td_stop cap; return 1; }
	td_stop cap || return 1
	td_counts cap 1000 &&
	eq "flows in the file vs flowgen --list" "$(flowgen --list -n 1000 -f 10)" \
		"$(pcapflows /tmp/cap.pcap)" &&
	eq "rings left after tcpdump exited" "" "$(ring_file cap veth1)"
}

# PFRING_CLUSTER: three members started one after another, so member i is
# the i-th to join; each flow must be in member pf_flow_hash % 3.
td_cluster() {
	local i
	for i in 0 1 2; do
		td_start m$i PFRING_CLUSTER=42 -- -i pfring:veth1 || return 1
		has "$(ring_file m$i veth1)" "Cluster Id         : 42" || return 1
	done
	flowgen -i veth0 -n 3000 -f 30 || return 1
	wait_for all_members m 3 3000
	for i in 0 1 2; do td_stop m$i || return 1; done
	cluster_verify m 3 3000 30
}

# -s 100 on 200-byte frames, and a BPF filter the module runs.
td_snaplen_filter() {
	td_start snap -- -i pfring:veth1 -s 100 || return 1
	td_start flt -- -i pfring:veth1 udp src port 10003 || return 1
	has "$(ring_file flt veth1)" "BPF Filtering      : Enabled" || return 1
	flowgen -i veth0 -n 500 -f 10 -l 200 || return 1
	wait_for file_has snap 500
	wait_for file_has flt 50
	td_stop snap && td_stop flt || return 1
	td_counts snap 500 &&
	eq "-s 100: every record is 'caplen len'" "100 200" "$(pcapflows -s /tmp/snap.pcap | sort -u)" &&
	td_counts flt 50 &&
	eq "filter 'udp src port 10003': only that flow" "10.0.0.3:10003>10.255.0.1:80/udp 50" \
		"$(pcapflows /tmp/flt.pcap)"
}

# -Q in / -Q out / both on veth0: 300 frames leave it, 200 arrive (sent
# from veth1, reversed).  The module does the direction.
td_direction() {
	td_start qin -- -i pfring:veth0 -Q in || return 1
	td_start qout -- -i pfring:veth0 -Q out || return 1
	td_start qboth -- -i pfring:veth0 || return 1
	has "$(ring_file qin veth0)" "Channel Direction  : RX only" &&
	has "$(ring_file qout veth0)" "Channel Direction  : TX only" || return 1
	flowgen -i veth0 -n 300 -f 3 || return 1
	flowgen -i veth1 -n 200 -f 2 -r || return 1
	wait_for file_has qboth 500
	wait_for file_has qin 200
	wait_for file_has qout 300
	td_stop qin && td_stop qout && td_stop qboth || return 1
	td_counts qin 200 && td_counts qout 300 && td_counts qboth 500 &&
	eq "-Q in: the reversed flows" "$(flowgen --list -n 200 -f 2 -r)" "$(pcapflows /tmp/qin.pcap)" &&
	eq "-Q out: the flows sent" "$(flowgen --list -n 300 -f 3)" "$(pcapflows /tmp/qout.pcap)"
}

# A stopped tcpdump: the ring fills, every packet past it is counted as a
# drop where tcpdump reports it (received = sent, dropped = sent - slots).
td_drops() {
	local f slots sent
	td_start drop -- -i pfring:veth1 || return 1
	f=$(ring_file drop veth1)
	slots=$(sed -n 's/^Num Slots *: //p' "$f")
	kill -STOP "$(cat /tmp/drop.pid)"
	sent=$((slots + 500))
	flowgen -i veth0 -n $sent -f 10 || return 1
	wait_for grep -qxF "Tot Pkt Lost       : 500" "$f" ||
		{ cat "$f"; kill -CONT "$(cat /tmp/drop.pid)"; td_stop drop; return 1; }
	kill -CONT "$(cat /tmp/drop.pid)"
	wait_for file_has drop $slots
	td_stop drop || return 1
	eq "ring slots" 4096 "$slots" &&
	eq "drop: packets in the file" $slots "$(pcapflows -n /tmp/drop.pcap)" &&
	eq "drop: 'packets captured'" $slots "$(td_stat drop captured)" &&
	eq "drop: 'received by filter' (= sent)" $sent "$(td_stat drop 'received by filter')" &&
	eq "drop: 'dropped by kernel'" 500 "$(td_stat drop 'dropped by kernel')"
}

# PFRING_SAMPLING=10 runs in the module (its /proc file says so) and only
# there: 1000 sent over 10 flows, packets 1, 11, 21... = 100 of flow 0.
td_sampling() {
	td_start smp PFRING_SAMPLING=10 -- -i pfring:veth1 || return 1
	has "$(ring_file smp veth1)" "Sampling Rate      : 10" || return 1
	flowgen -i veth0 -n 1000 -f 10 || return 1
	wait_for file_has smp 100
	has "$(ring_file smp veth1)" "Tot Insert         : 100" || { td_stop smp; return 1; }
	td_stop smp || return 1
	td_counts smp 100 &&
	eq "sampled packets are all flow 0" "10.0.0.0:10000>10.255.0.1:80/udp 100" \
		"$(pcapflows /tmp/smp.pcap)"
}

# Filtering rules run in the module, before its sampling: 1000 packets over
# flows 0..9: the rules pass flows 3..6 (400), 1 of 2 of those is flows 3
# and 5; sampling first would have kept flows 4 and 6.
td_rules() {
	local rc
	# Exported: td_start splits its VAR=VALUE words at spaces.
	export PFRING_RULES="rule 1 pass src-port 10003-10006; default drop"
	td_start rul PFRING_SAMPLING=2 -- -i pfring:veth1
	rc=$?
	unset PFRING_RULES
	[ $rc -eq 0 ] || return 1
	has "$(ring_file rul veth1)" "Sampling Rate      : 2" &&
	has "$(ring_file rul veth1)" "Filtering Rules    : 1" &&
	has "$(ring_file rul veth1)" "Default Policy     : drop" || return 1
	flowgen -i veth0 -n 1000 -f 10 || return 1
	wait_for file_has rul 200
	td_stop rul || return 1
	eq "rul: packets in the file" 200 "$(pcapflows -n /tmp/rul.pcap)" &&
	eq "rul: 'packets captured'" 200 "$(td_stat rul captured)" &&
	eq "rul: 'dropped by kernel' (rules filter, they do not drop)" 0 \
		"$(td_stat rul 'dropped by kernel')" &&
	eq "rules, then 1 of 2: flows 3 and 5" "10.0.0.3:10003>10.255.0.1:80/udp 100
10.0.0.5:10005>10.255.0.1:80/udp 100" "$(pcapflows /tmp/rul.pcap)"
}

# --- filtering rules in the module through tcpdump: the expectations of
# tests/integration/rules.sh for the packet engine, so both engines give the
# same verdicts.  flowgen flow k: 10.0.0.k:(10000+k) -> 10.255.0.1:80, udp.

flows() { # the flowgen --list lines of the given flow numbers, 20 packets each
	local k
	for k in "$@"; do flowgen --list -n 1 -f 1 -b "$k" | sed 's/ 1$/ 20/'; done
}

# same WHAT EXPECTED ACTUAL: equal as sorted line sets.
same() {
	eq "$1" "$(printf '%s\n' "$2" | sed '/^$/d' | sort)" "$(printf '%s\n' "$3" | sed '/^$/d' | sort)"
}

# no_user_rules NAME: tcpdump did not warn that rules run in user space.
no_user_rules() {
	if grep -q 'filtering rules run in user space' /tmp/$1.err; then
		echo "FAIL: $1: rules ran in user space:"
		cat /tmp/$1.err
		return 1
	fi
	echo "ok: $1: no user-space rules warning"
}

# A config file: drop flows 0-4 by port, count 10.0.0.0/24 and go on, drop
# flow 7 by its exact 5-tuple, accept the rest.
td_rules_file() {
	local f
	cat >/tmp/rules.conf <<'CONF'
# drop the first five flows, and flow 7 exactly
rule 10 drop src-port 10000-10004
rule 20 count src 10.0.0.0/24 proto udp
hash 5 drop udp 10.0.0.7:10007 10.255.0.1:80
default pass
CONF
	td_start file -- -i pfring//tmp/rules.conf:veth1 || return 1
	# Without the module (packet engine): no ring file, the eBPF filter.
	f=$(ring_file file veth1)
	if [ -n "$f" ] || grep -q '^pf_ring ' /proc/modules; then
		has "$f" "Filtering Rules    : 2" && has "$f" "Hash Rules         : 1" &&
		has "$f" "Default Policy     : accept" || { td_stop file; return 1; }
	fi
	flowgen -i veth0 -n 200 -f 10 || return 1
	wait_for file_has file 80
	[ -z "$f" ] || has "$f" "Tot Insert         : 80" || { td_stop file; return 1; }
	td_stop file || return 1
	no_user_rules file &&
	same "config file rules: flows 5, 6, 8, 9 pass" "$(flows 5 6 8 9)" "$(pcapflows /tmp/file.pcap)" &&
	td_counts file 80
}

# PFRING_RULES, default drop, with a tcpdump filter on top: both must pass.
td_rules_bpf() {
	local rc
	export PFRING_RULES="rule 1 pass src-port 10003-10006; default drop"
	td_start env -- -i pfring:veth1 "udp port 10004 or udp port 10006 or udp port 10008"
	rc=$?
	unset PFRING_RULES
	[ $rc -eq 0 ] || return 1
	has "$(ring_file env veth1)" "BPF Filtering      : Enabled" || { td_stop env; return 1; }
	flowgen -i veth0 -n 200 -f 10 || return 1
	wait_for file_has env 40
	td_stop env || return 1
	no_user_rules env &&
	same "PFRING_RULES and a BPF filter: flows 4 and 6" "$(flows 4 6)" "$(pcapflows /tmp/env.pcap)"
}

# Hash rules: one way only unless bidirectional.  Forward flows 0-2, then
# their reverse (flowgen -r): the one-way rule drops only the forward flow 2.
td_rules_hash() {
	local rc
	export PFRING_RULES="hash 9 drop udp 10.0.0.2:10002 10.255.0.1:80"
	td_start oneway -- -i pfring:veth1
	rc=$?
	export PFRING_RULES="hash 9 drop udp 10.0.0.2:10002 10.255.0.1:80 bidir"
	[ $rc -eq 0 ] && td_start bidir -- -i pfring:veth1
	rc=$?
	unset PFRING_RULES
	[ $rc -eq 0 ] || return 1
	flowgen -i veth0 -n 30 -f 3 || return 1
	flowgen -i veth0 -n 30 -f 3 -r || return 1
	wait_for file_has oneway 50
	wait_for file_has bidir 40
	td_stop oneway && td_stop bidir || return 1
	no_user_rules oneway && no_user_rules bidir &&
	same "one-way hash rule" "$( (flows 0 1 | sed 's/ 20$/ 10/'; flowgen --list -n 30 -f 3 -r) | sort)" \
		"$(pcapflows /tmp/oneway.pcap)" &&
	same "bidirectional hash rule drops both directions" \
		"$( (flows 0 1; flowgen --list -n 20 -f 2 -r) | sed 's/ 20$/ 10/')" \
		"$(pcapflows /tmp/bidir.pcap)"
}

# Per-rule counters through the API (tests/tools/rulestat) come from the
# module and equal the packets each rule saw.
td_rules_stats() {
	local pid
	# Emptied first: a "ready" left by an earlier run must not start the send.
	: >/tmp/rs.out
	PFRING_RULES="rule 10 drop src-port 10000-10004; rule 20 count src 10.0.0.0/24; hash 5 drop udp 10.0.0.7:10007 10.255.0.1:80" \
		LD_LIBRARY_PATH=$PCAPLIB rulestat -i veth1 -n 80 -r 10,20 \
		-h 5:udp:10.0.0.7:10007:10.255.0.1:80 >/tmp/rs.out 2>/tmp/rs.err &
	pid=$!
	wait_for grep -q '^ready' /tmp/rs.out || { cat /tmp/rs.out /tmp/rs.err; kill $pid; return 1; }
	flowgen -i veth0 -n 200 -f 10 || return 1
	wait $pid || { echo "rulestat exited with $?"; cat /tmp/rs.out /tmp/rs.err; return 1; }
	cat /tmp/rs.out /tmp/rs.err
	has /tmp/rs.out "rules kernel" &&
	has /tmp/rs.out "received 80" &&
	has /tmp/rs.out "rule 10 packets 100 bytes 6400" &&
	has /tmp/rs.out "rule 20 packets 80 bytes 5120" &&
	has /tmp/rs.out "hash 5 packets 20" &&
	! grep -q 'user space' /tmp/rs.err
}

# PFRING_ENGINE=packet with the module loaded: AF_PACKET, no pf_ring ring.
td_packet_engine() {
	td_start pkt PFRING_ENGINE=packet -- -i pfring:veth1 || return 1
	eq "pf_ring rings of the PFRING_ENGINE=packet tcpdump" "" "$(ring_file pkt veth1)" || return 1
	flowgen -i veth0 -n 1000 -f 10 || return 1
	wait_for file_has pkt 1000
	td_stop pkt || return 1
	td_counts pkt 1000
}

# A module of another ABI: the capture fails, naming both versions.
td_abi_mismatch() {
	local rc
	insmod $M/pf_ring_abi99.ko || return 1
	LD_LIBRARY_PATH=$PCAPLIB tcpdump -Z root -n -c 1 -w /tmp/abi.pcap -i pfring:veth1 \
		>/dev/null 2>/tmp/abi.err
	rc=$?
	cat /tmp/abi.err
	rmmod pf_ring || return 1
	[ $rc -ne 0 ] || { echo "tcpdump accepted a module of ABI 99"; return 1; }
	grep -qF "pf_ring kernel module 0.1.0 (ABI 99) does not match libpfring 0.1.0 (ABI 3)" \
		/tmp/abi.err
}

# Without the module: PFRING_ENGINE=kmod fails saying so, AUTO uses packet.
td_no_module() {
	local rc
	LD_LIBRARY_PATH=$PCAPLIB PFRING_ENGINE=kmod tcpdump -Z root -n -c 1 -w /tmp/nomod.pcap \
		-i pfring:veth1 >/dev/null 2>/tmp/nomod.err
	rc=$?
	cat /tmp/nomod.err
	[ $rc -ne 0 ] || { echo "tcpdump succeeded with PFRING_ENGINE=kmod and no module"; return 1; }
	grep -q "engine 'kmod' requested but the pf_ring kernel module is not available" /tmp/nomod.err ||
		return 1
	td_start auto -- -i pfring:veth1 || return 1
	flowgen -i veth0 -n 1000 -f 10 || return 1
	wait_for file_has auto 1000
	td_stop auto || return 1
	td_counts auto 1000
}

# --- the packet engine's eBPF programs (no module loaded) ------------------

# no_bpf_warning NAME: tcpdump NAME said nothing of a fallback (the kernel's
# own flow hash, rules in user space, a rejected eBPF program).
no_bpf_warning() {
	if grep -E 'flow hash|user space|eBPF|verifier|warning' /tmp/$1.err; then
		echo "FAIL: $1 warned (above)"
		return 1
	fi
	echo "ok: $1: no eBPF fallback warning"
}

# Three members of a per_flow cluster on the packet engine: the fanout
# eBPF program (pf_flow_hash % 3) picks the member.
pkt_cluster() {
	local i
	grep -q '^pf_ring ' /proc/modules && { echo "pf_ring.ko is loaded"; return 1; }
	for i in 0 1 2; do
		td_start pc$i PFRING_CLUSTER=43 -- -i pfring:veth1 || return 1
	done
	flowgen -i veth0 -n 600 -f 30 || return 1
	wait_for all_members pc 3 600
	for i in 0 1 2; do td_stop pc$i || return 1; done
	no_bpf_warning pc0 && no_bpf_warning pc1 && no_bpf_warning pc2 &&
	cluster_verify pc 3 600 30
}

# --- zc: AF_XDP capture and zbalance (no module loaded) ---------------------
ZB_CID=7

# tcpdump -i zc:veth1: our XDP program redirects to an AF_XDP socket.
zc_capture() {
	td_start xsk -- -i zc:veth1 || return 1
	flowgen -i veth0 -n 500 -f 10 || return 1
	wait_for file_has xsk 500
	td_stop xsk || return 1
	eq "xsk: packets in the file" 500 "$(pcapflows -n /tmp/xsk.pcap)" &&
	eq "xsk: 'packets captured'" 500 "$(td_stat xsk captured)" &&
	eq "xsk: 'dropped by kernel'" 0 "$(td_stat xsk 'dropped by kernel')" &&
	eq "xsk: flows vs flowgen --list" "$(flowgen --list -n 500 -f 10)" "$(pcapflows /tmp/xsk.pcap)"
}

# zb_run NAME INPUT: zbalance -i INPUT per_flow over 2 queues, a tcpdump on
# each (NAME0, NAME1), 400 packets over 20 flows; its report in NAME.zb.
zb_run() {
	local n=$1 i rc
	: >/tmp/$n.zb
	zbalance -i "$2" -c $ZB_CID -n 2 -m hash -t per_flow -q 512 >/tmp/$n.zb 2>/tmp/$n.zberr &
	echo $! >/tmp/$n.pid
	wait_for zb_running $n && kill -0 "$(cat /tmp/$n.pid)" 2>/dev/null ||
		{ echo "zbalance -i $2 did not start:"; cat /tmp/$n.zb /tmp/$n.zberr; return 1; }
	for i in 0 1; do td_start $n$i -- -i zc:$ZB_CID@$i || return 1; done
	flowgen -i veth0 -n 400 -f 20 || return 1
	wait_for all_members $n 2 400
	for i in 0 1; do td_stop $n$i || return 1; done
	kill -INT "$(cat /tmp/$n.pid)"
	wait_for td_gone $n || { echo "zbalance did not exit"; return 1; }
	wait "$(cat /tmp/$n.pid)"
	rc=$?
	rm -f /tmp/$n.pid
	cat /tmp/$n.zb /tmp/$n.zberr
	eq "zbalance -i $2 exit status" 0 $rc
}

# zb_queue NAME Q FIELD: FIELD of queue Q in zbalance NAME's last report.
zb_queue() {
	sed -n "s/^queue $2: .*\b$3 \([0-9][0-9]*\).*/\1/p" /tmp/$1.zb | tail -n 1
}

# zbalance -i zc:veth1 (AF_XDP input, the hash from our XDP program as
# metadata): the queues hold the shared hash's flows, the same as with the
# packet engine input -i veth1, and zbalance's statistics agree.
zb_xdp() {
	local i n bad=0
	zb_run zp veth1 || return 1
	zb_run zx zc:veth1 || return 1
	has /tmp/zx.zb "zbalance: input zc:veth1 (engine xdp-copy)" &&
	has /tmp/zx.zb "input zc:veth1 (rx_dropped 0 rx_ring_full 0 fill_ring_empty 0 invalid_descs 0): received 400 dropped 0" &&
	has /tmp/zx.zb "balancer: packets 400 filtered 0" || return 1
	eq "zbalance -i zc:veth1 stderr (no user-space hash)" "" "$(cat /tmp/zx.zberr)" || return 1
	cluster_verify zx 2 400 20 || return 1
	for i in 0 1; do
		n=$(pcapflows -n /tmp/zx$i.pcap)
		eq "zbalance queue $i: sent" "$n" "$(zb_queue zx $i sent)" &&
		eq "zbalance queue $i: dropped" 0 "$(zb_queue zx $i dropped)" &&
		eq "zbalance queue $i: consumed" "$n" "$(zb_queue zx $i consumed)" &&
		eq "queue $i: the same flows with -i zc:veth1 as with -i veth1" \
			"$(pcapflows /tmp/zp$i.pcap)" "$(pcapflows /tmp/zx$i.pcap)" || bad=$((bad + 1))
	done
	[ $bad -eq 0 ]
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
run "filtering rules: fields, order, policy, hash, counters, bad values" pfrtest rules
run "network namespaces: own clusters (two cluster 42), rings, /proc/net/pf_ring" pfrtest netns
run "unprivileged user namespace: socket() gets EPERM" pfrtest userns
run "ring memory charged to the memory cgroup, ENOMEM over memory.max" pfrtest memcg
run "device deleted, ifindex reused: ring left its cluster, gets nothing" pfrtest devreuse
run "mmap does not wait for a setsockopt stuck in a page fault" pfrtest mmaplock
run "race fuzzer (seeded, bounded), slub_debug: no kernel error" fuzz
if [ -x /bin/tcpdump ]; then
	td_run "tcpdump pfring:veth1: kmod engine (ring in /proc), exact counts" td_capture
	td_run "tcpdump x3 PFRING_CLUSTER: each flow in member pf_flow_hash % 3" td_cluster
	td_run "tcpdump -s 100 and a BPF filter in the module" td_snaplen_filter
	td_run "tcpdump -Q in / -Q out" td_direction
	td_run "tcpdump stopped: pcap_stats received = sent, dropped = overflow" td_drops
	td_run "tcpdump PFRING_SAMPLING=10: sampled in the module only" td_sampling
	td_run "tcpdump PFRING_RULES: in the module, sampled after them" td_rules
	td_run "tcpdump pfring/<file>:veth1: config file rules in the module" td_rules_file
	td_run "tcpdump PFRING_RULES + BPF filter: both must pass" td_rules_bpf
	td_run "tcpdump hash rules: one way, bidirectional" td_rules_hash
	td_run "rulestat: per-rule counters from the module" td_rules_stats
	td_run "tcpdump PFRING_ENGINE=packet with the module loaded" td_packet_engine
else
	echo "KMOD SKIP: tcpdump checks (no tcpdump in the initramfs)"
fi
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
if [ -x /bin/tcpdump ]; then
	td_run "module of another ABI refused, both versions named" td_abi_mismatch
	td_run "no module: PFRING_ENGINE=kmod refused, AUTO uses packet" td_no_module
	td_run "packet engine: per_flow cluster x3 by the fanout eBPF, member = pf_flow_hash % 3" pkt_cluster
	td_run "packet engine: pfring/<file>: rules by the eBPF socket filter" td_rules_file
	td_run "packet engine: PFRING_RULES hash rules, one way and bidirectional" td_rules_hash
	td_run "packet engine: rulestat counters from the eBPF rules (rules kernel)" td_rules_stats
	td_run "tcpdump zc:veth1 (AF_XDP): exact counts and flows" zc_capture
	td_run "zbalance -i zc:veth1 per_flow x2: queues = pf_flow_hash % 2 = -i veth1, stats agree" zb_xdp
fi
run "min_num_slots=0 refused" bad_param
run "dmesg: no leak, warning or oops" dmesg_clean

echo "KMOD DONE: $PASSED passed, $FAILED failed"
poweroff -f
