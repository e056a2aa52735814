#!/bin/busybox sh
# nic-guest.sh - /init of the multi-queue NIC guest (nic-lab.sh).
#
# Two virtio-net NICs joined back to back through a bridge on the host: the
# one with MAC 52:54:00:00:00:10 sends (flowgen), the one with ...:11 has
# four queue pairs and captures.  The host's multi-queue tap spreads the
# flows over its RX queues by a flow hash, as an RSS NIC does.  Every check
# prints a "KMOD PASS/FAIL" line (guest-checks.sh); the host reads them.
. /lib/guest-checks.sh
guest_setup

QUEUES=4
N=1000
FLOWS=40
# flowgen paces: 1 vCPU under TCG runs the sender and four captures.
RATE=1000
ZB_CID=7

send() { flowgen -i "$TX" -n "$N" -f "$FLOWS" -R "$RATE" -b "${1:-0}"; }

# start_queues PREFIX DEV [VAR=VALUE...]: a tcpdump on DEV@0..QUEUES-1.
start_queues() {
	local p=$1 dev=$2 q=0
	shift 2
	while [ $q -lt $QUEUES ]; do
		td_start $p$q "$@" -- -i "$dev@$q" || return 1
		q=$((q + 1))
	done
}

stop_queues() {
	local q=0
	while [ $q -lt $QUEUES ]; do
		td_stop $1$q || return 1
		q=$((q + 1))
	done
}

# queue_map PREFIX: "queue flow" lines of the stopped tcpdumps PREFIX0..,
# after checking every packet was captured once and none dropped.
queue_map() {
	local q=0 files= sum=0 c
	: >/tmp/$1.map
	while [ $q -lt $QUEUES ]; do
		c=$(pcapflows -n /tmp/$1$q.pcap)
		eq "$1$q: 'packets captured' vs its file" "$c" "$(td_stat $1$q captured)" &&
		eq "$1$q: 'dropped by kernel'" 0 "$(td_stat $1$q 'dropped by kernel')" || return 1
		[ "$c" -gt 0 ] || { echo "queue $q of $1 got nothing: the flows did not spread"; return 1; }
		sum=$((sum + c))
		files="$files /tmp/$1$q.pcap"
		pcapflows /tmp/$1$q.pcap | sed "s/^/$q /" >>/tmp/$1.map
		q=$((q + 1))
	done
	# shellcheck disable=SC2086 # one word per file
	eq "$1: packets in all queues" "$N" "$sum" &&
	eq "$1: flows of all queues vs flowgen --list (each once)" \
		"$(flowgen --list -n $N -f $FLOWS -b "${2:-0}" | sort)" "$(pcapflows -c $files | sort)"
}

# The driver's channels, as ethtool set them, and our library's count.
channels() {
	ethtool -L "$RX" combined $QUEUES || return 1
	eq "RX queues in sysfs" $QUEUES "$(ls -d /sys/class/net/$RX/queues/rx-* | wc -l)" &&
	eq "pfcount: RX channels" $QUEUES \
		"$(pfcount -i "$RX" -I | sed -n 's/^rx channels: *\([0-9]*\).*/\1/p')"
}

# The packet engine's pfring:IF@Q: where each flow arrives, the reference.
packet_queues() {
	start_queues pq "pfring:$RX" || return 1
	td_start pall -- -i "pfring:$RX" || return 1
	send || return 1
	wait_for all_members pq $QUEUES $N
	wait_for file_has pall $N
	stop_queues pq && td_stop pall || return 1
	td_counts pall $N && queue_map pq
}

# pf_ring.ko's pfring:IF@Q names the same queue for every flow.
kmod_queues() {
	insmod $M/pf_ring.ko || return 1
	start_queues kq "pfring:$RX" || { rmmod pf_ring; return 1; }
	send
	wait_for all_members kq $QUEUES $N
	stop_queues kq
	rmmod pf_ring || return 1
	queue_map kq || return 1
	eq "flow -> queue: kmod engine vs packet engine" "$(sort /tmp/pq.map)" "$(sort /tmp/kq.map)"
}

# Four AF_XDP captures, one per queue, in four processes at once.
zc_queues() {
	start_queues zq "zc:$RX" || return 1
	send || return 1
	wait_for all_members zq $QUEUES $N
	stop_queues zq || return 1
	queue_map zq || return 1
	eq "flow -> queue: zc:$RX@Q vs pfring:$RX@Q" "$(sort /tmp/pq.map)" "$(sort /tmp/zq.map)"
}

# kill -9 one of the four; a new one gets its queue, the others lose nothing.
zc_kill_restart() {
	local q
	start_queues zk "zc:$RX" || return 1
	kill -KILL "$(cat /tmp/zk2.pid)"
	wait "$(cat /tmp/zk2.pid)" 2>/dev/null
	td_start zk2 -- -i "zc:$RX@2" || return 1
	send || return 1
	wait_for all_members zk $QUEUES $N
	stop_queues zk || return 1
	queue_map zk || return 1
	eq "flow -> queue after kill -9 and restart of queue 2" "$(sort /tmp/pq.map)" "$(sort /tmp/zk.map)"
}

# zc:IF without a queue: every RX queue in one handle.
# flowgen's frames are not addressed to $RX: they pass QEMU's MAC filter
# only because the capture holds promiscuous mode, as tcpdump asked.
zc_all() {
	td_start zall -- -i "zc:$RX" || return 1
	eq "promiscuous while zc:$RX runs (IFF_PROMISC)" 256 $(($(cat /sys/class/net/$RX/flags) & 256)) ||
		return 1
	send || return 1
	wait_for file_has zall $N
	td_stop zall || return 1
	eq "promiscuous after zc:$RX ended" 0 $(($(cat /sys/class/net/$RX/flags) & 256)) &&
	td_counts zall $N &&
	eq "zc:$RX: flows vs flowgen --list (sorted: queues interleave)" \
		"$(flowgen --list -n $N -f $FLOWS | sort)" "$(pcapflows /tmp/zall.pcap | sort)"
}

# zbalance -i zc:IF reads every RX queue and hashes flows over 3 queues.
zb_all_queues() {
	local i rc
	zbalance -i "zc:$RX" -c $ZB_CID -n 3 -m hash -t per_flow -q 2048 >/tmp/zb.zb 2>/tmp/zb.zberr &
	echo $! >/tmp/zb.pid
	wait_for zb_running zb && kill -0 "$(cat /tmp/zb.pid)" 2>/dev/null ||
		{ echo "zbalance did not start:"; cat /tmp/zb.zb /tmp/zb.zberr; return 1; }
	for i in 0 1 2; do td_start zb$i -- -i zc:$ZB_CID@$i || return 1; done
	send || return 1
	wait_for all_members zb 3 $N
	for i in 0 1 2; do td_stop zb$i || return 1; done
	kill -INT "$(cat /tmp/zb.pid)"
	wait_for td_gone zb || { echo "zbalance did not exit"; return 1; }
	wait "$(cat /tmp/zb.pid)"
	rc=$?
	rm -f /tmp/zb.pid
	cat /tmp/zb.zb /tmp/zb.zberr
	eq "zbalance exit status" 0 $rc &&
	has /tmp/zb.zb "balancer: packets $N filtered 0" &&
	cluster_verify zb 3 $N $FLOWS
}

# Zero copy is asked for first; virtio_net has none on these kernels (6.12
# has the pool code but does not advertise NETDEV_XDP_ACT_XSK_ZEROCOPY, so
# the kernel refuses the zero-copy bind), so copy mode is granted and said:
# in pcap's warning, pfcount's Ring line, and pfcount -I agrees.
zc_mode() {
	local want
	case $(uname -r) in
	6.1.*) want="af_xdp zero copy: unknown" ;; # no netdev netlink family
	*) want="af_xdp zero copy: no" ;;
	esac
	pfcount -i "$RX" -I >/tmp/facts || return 1
	cat /tmp/facts
	has /tmp/facts "driver: virtio_net" && has /tmp/facts "$want" || return 1
	td_start mode -- -i "zc:$RX@1" || return 1
	td_stop mode || return 1
	grep -qF "zc:$RX: AF_XDP capture (copy mode): packets received on $RX RX queue 1 are taken" \
		/tmp/mode.err || { cat /tmp/mode.err; return 1; }
	pfcount -i "zc:$RX" -s 1 >/tmp/pfc 2>&1 || { cat /tmp/pfc; return 1; }
	grep '^Ring:' /tmp/pfc
	grep -q '^Ring: .*(engine xdp-copy)$' /tmp/pfc
}

# No XDP program is left on the interface once every capture has gone.
no_xdp_left() {
	/usr/sbin/ip link show dev "$RX" >/tmp/link
	cat /tmp/link
	! grep -q 'xdp' /tmp/link
}

# The interface holding the default route is refused unless allowed.
default_route() {
	local rc=0
	ip addr add 192.0.2.2/24 dev "$RX" && ip route add default via 192.0.2.1 dev "$RX" || return 1
	if env LD_LIBRARY_PATH=$PCAPLIB tcpdump -Z root -c 1 -i "zc:$RX@0" >/tmp/dr.out 2>&1; then
		echo "zc:$RX@0 opened on the default-route interface"
		rc=1
	fi
	cat /tmp/dr.out
	grep -q "holds the default route" /tmp/dr.out || rc=1
	td_start dra PFRING_XDP_ALLOW_DEFAULT_ROUTE=1 -- -i "zc:$RX@0" || rc=1
	td_stop dra || rc=1
	ip route del default && ip addr del 192.0.2.2/24 dev "$RX" || rc=1
	return $rc
}

echo "KMOD BOOTED: $(uname -r)"
for mod in $(cat $M/order); do
	insmod "$M/$mod" || echo "warning: insmod $mod failed"
done
nic_pair_up || fail "the NIC pair: sender and capture found, links up"

run "ethtool -L $RX combined $QUEUES: sysfs and pfring_get_num_rx_channels agree" channels
td_run "pfring:$RX@0..3 (packet engine): each flow on one queue, all queues used" packet_queues
td_run "pfring:$RX@0..3 (pf_ring.ko): the same queue for every flow" kmod_queues
td_run "zc:$RX@0..3 in 4 processes at once: the same queue for every flow" zc_queues
td_run "zc:$RX@2 killed (-9) and restarted: gets its queue, others lose nothing" zc_kill_restart
td_run "zc:$RX (every RX queue in one handle): exact counts and flows" zc_all
td_run "zbalance -i zc:$RX -n 3: every queue read, member = pf_flow_hash % 3" zb_all_queues
td_run "copy mode granted (no zero copy in virtio_net) and reported" zc_mode
run "no XDP program left on $RX" no_xdp_left
td_run "zc:$RX refused on the default-route interface, allowed by PFRING_XDP_ALLOW_DEFAULT_ROUTE" default_route
run "dmesg: no warning or oops" dmesg_clean

echo "KMOD DONE: $PASSED passed, $FAILED failed"
poweroff -f
