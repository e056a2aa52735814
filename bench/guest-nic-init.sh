#!/bin/busybox sh
# guest-nic-init.sh - /init of the NIC benchmark guest (guest-nic.sh): the
# user-space instructions per packet of bench/dispatch (pcap_dispatch, a
# callback that only counts) under callgrind, on the capturing virtio-net
# NIC, with Debian's libpcap on eth1 and with ours on pfring:eth1 and
# zc:eth1.  Each case runs once with packets and once without (the fixed
# cost); one "BENCH case run-instructions base-instructions captured" line
# per case, read by the host.
. /lib/guest-checks.sh
guest_setup
. /bench.conf

# callgrind_run NAME LIBDIR DEVICE PACKETS: the instruction total.
callgrind_run() {
	local name=$1 pid
	: >/tmp/$name.err
	env LD_LIBRARY_PATH=$2 valgrind --tool=callgrind --callgrind-out-file=/tmp/$name.cg \
		dispatch -i "$3" >/dev/null 2>/tmp/$name.err &
	pid=$!
	wait_for grep -q 'listening on' /tmp/$name.err ||
		{ echo "BENCH ERROR $name did not start:"; cat /tmp/$name.err; kill -KILL $pid; return 1; } >&2
	if [ "$4" -gt 0 ]; then
		flowgen -i "$TX" -n "$4" -f 40 -R "$RATE" || return 1
	else
		sleep $((PACKETS / RATE)) # as long as the sending: the same idle wake-ups
	fi
	sleep 2
	kill -INT $pid
	wait $pid || { echo "BENCH ERROR $name failed:"; cat /tmp/$name.err; return 1; } >&2
	sed -n 's/^summary: *//p' /tmp/$name.cg
}

# captured NAME: the packets dispatch NAME counted.
captured() {
	sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' /tmp/$1.err
}

# bench CASE LIBDIR DEVICE
bench() {
	local base run
	base=$(callgrind_run "$1-base" "$2" "$3" 0) || return 1
	run=$(callgrind_run "$1-run" "$2" "$3" "$PACKETS") || return 1
	echo "BENCH $1 $run $base $(($(captured "$1-run") - $(captured "$1-base")))"
}

echo "BENCH BOOTED: $(uname -r)"
for mod in $(cat /lib/modules/order); do
	insmod "/lib/modules/$mod" || echo "warning: insmod $mod failed"
done
nic_pair_up || echo "BENCH ERROR the NIC pair"
ethtool -L "$RX" combined 4
bench stock /opt/stock/lib "$RX"
bench pfring /opt/pfring/lib "pfring:$RX"
bench zc-copy /opt/pfring/lib "zc:$RX"
echo "BENCH DONE"
poweroff -f
