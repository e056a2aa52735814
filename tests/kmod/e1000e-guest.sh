#!/bin/busybox sh
# e1000e-guest.sh - /init of our e1000e driver's guest (e1000e-lab.sh).
#
# Two QEMU e1000e NICs joined back to back through a bridge on the host:
# the one with MAC 52:54:00:00:00:10 sends (flowgen), the one with ...:11
# captures.  Our e1000e.ko is loaded in place of the in-tree one.  Every
# check prints a "KMOD PASS/FAIL" line (guest-checks.sh); the host reads them.
. /lib/guest-checks.sh
guest_setup

N=500
FLOWS=20
RATE=1000

# The running e1000e is ours: the initramfs holds no other, and the kernel
# marks it out of tree (taint O; E too where unsigned modules are noted).
# Both NICs are bound to it.
ours() {
	local taint
	taint=$(cat /sys/module/e1000e/taint) || return 1
	case $taint in
	*O*) echo "ok: e1000e taint $taint (out of tree)" ;;
	*) echo "FAIL: e1000e taint is '$taint', no O (out of tree)"; return 1 ;;
	esac
	eq "driver of $TX" e1000e "$(basename "$(readlink /sys/class/net/$TX/device/driver)")" &&
	eq "driver of $RX" e1000e "$(basename "$(readlink /sys/class/net/$RX/device/driver)")"
}

# stat NAME: the counter NAME of $RX in ethtool -S.
stat() { ethtool -S "$RX" | sed -n "s/^ *$1: *//p"; }
stat_is() { [ "$(stat "$1")" = "$2" ]; }
rx_packets() { stat rx_packets; }

XDP_OBJ=/lib/e1000e-xdp.o
# Debian's ip: busybox's has no XDP and no netns.
IP=/usr/sbin/ip
# xdp_attach SECTION: a program of e1000e-xdp.bpf.c in the driver's own hook.
xdp_attach() { $IP -force link set dev "$RX" xdpdrv obj $XDP_OBJ sec "$1"; }
xdp_detach() { $IP link set dev "$RX" xdpdrv off; }

# The program runs in the driver (ip shows "xdp"), not in the generic hook.
xdp_native() {
	$IP link show dev "$RX" >/tmp/link
	grep -q ' xdp ' /tmp/link && ! grep -q xdpgeneric /tmp/link ||
		{ echo "no native XDP program on $RX:"; cat /tmp/link; return 1; }
}

# capture DEV LEN STAT: flowgen's N frames of LEN bytes, captured by Debian's
# tcpdump on DEV exactly (file, tcpdump's counts, flows, lengths), and the
# counter STAT of $RX grows by N.
capture() {
	local dev=$1 len=$2 st=$3 before name=cap$2
	before=$(stat "$st")
	td_start $name -- -i "$dev" || return 1
	case $dev in zc:*) xdp_native || return 1 ;; esac
	flowgen -i "$TX" -n $N -f $FLOWS -R $RATE -l "$len" || return 1
	wait_for file_has $name $N
	td_stop $name || return 1
	td_counts $name $N &&
	eq "flows vs flowgen --list (sorted)" "$(flowgen --list -n $N -f $FLOWS | sort)" \
		"$(pcapflows /tmp/$name.pcap | sort)" &&
	eq "caplen and length of every frame (count caplen len)" "$N $len $len" \
		"$(pcapflows -s /tmp/$name.pcap | sort | uniq -c | awk '{print $1, $2, $3}')" &&
	wait_for stat_is "$st" $((before + N)) ||
	{ echo "$st: $before before, $(stat "$st") now, $N sent"; return 1; }
	echo "ok: $st of $RX grew by $N"
}

# An XDP_DROP program drops all N frames: xdp_drop and the hardware's
# rx_packets grow by N, a capture behind it sees none.
xdp_drop() {
	local drop0 rx0
	drop0=$(stat xdp_drop) rx0=$(rx_packets)
	xdp_attach xdp/drop && xdp_native || return 1
	td_start behind -- -i "pfring:$RX" || return 1
	flowgen -i "$TX" -n $N -f $FLOWS -R $RATE -l 60 || return 1
	wait_for stat_is xdp_drop $((drop0 + N)) && wait_for rx_is $((rx0 + N)) ||
		{ echo "xdp_drop $drop0 -> $(stat xdp_drop), rx_packets $rx0 -> $(rx_packets)"; return 1; }
	td_stop behind && xdp_detach || return 1
	echo "ok: xdp_drop and rx_packets grew by $N"
	eq "pfring:$RX behind XDP_DROP: 'packets captured'" 0 "$(td_stat behind captured)"
}
rx_is() { [ "$(rx_packets)" = "$1" ]; }

# XDP_TX is not supported yet (drivers/README.md): each frame is counted
# in xdp_aborted and dropped, nothing goes out.  flowgen's frames are not
# addressed to $RX: promiscuous mode lets them past its MAC filter.
xdp_tx() {
	local ab0 hw0
	ab0=$(stat xdp_aborted) hw0=$(stat tx_packets)
	ip link set "$RX" promisc on &&
	xdp_attach xdp/tx && xdp_native || return 1
	flowgen -i "$TX" -n $N -f $FLOWS -R $RATE -l 60 || return 1
	wait_for stat_is xdp_aborted $((ab0 + N)) ||
		{ echo "xdp_aborted $ab0 -> $(stat xdp_aborted)"; return 1; }
	xdp_detach && ip link set "$RX" promisc off || return 1
	eq "xdp_aborted grew by" $N $(($(stat xdp_aborted) - ab0)) &&
	eq "xdp_tx" 0 "$(stat xdp_tx)" &&
	eq "tx_packets of $RX grew by" 0 $(($(stat tx_packets) - hw0))
}

peer_carrier() { [ "$($IP netns exec peer cat /sys/class/net/$TX/carrier 2>/dev/null)" = 1 ]; }

# pass_agrees PASS0 RX0: xdp_pass grew as much as rx_packets did.
pass_agrees() { [ $(($(stat xdp_pass) - $1)) -eq $(($(rx_packets) - $2)) ]; }

# With an XDP_PASS program the host stack works: ping from the sender,
# moved into a network namespace, to $RX; every frame passed is counted.
xdp_pass() {
	local pass0 rx0 rc=0
	xdp_attach xdp/pass && xdp_native || return 1
	mkdir -p /run/netns
	$IP netns add peer && $IP link set "$TX" netns peer || return 1
	$IP -n peer addr add 192.0.2.1/24 dev "$TX" && $IP -n peer link set "$TX" up &&
		$IP addr add 192.0.2.2/24 dev "$RX" || rc=1
	wait_for peer_carrier || rc=1
	pass0=$(stat xdp_pass) rx0=$(rx_packets)
	$IP netns exec peer ping -c 5 -W 5 192.0.2.2 >/tmp/ping 2>&1 || rc=1
	cat /tmp/ping
	grep -q '5 packets received' /tmp/ping || rc=1
	wait_for pass_agrees "$pass0" "$rx0" || rc=1
	echo "xdp_pass grew by $(($(stat xdp_pass) - pass0)), rx_packets by $(($(rx_packets) - rx0))"
	[ $(($(stat xdp_pass) - pass0)) -ge 5 ] || rc=1
	$IP addr del 192.0.2.2/24 dev "$RX"
	$IP -n peer link set "$TX" netns 1 && $IP netns del peer && xdp_detach || return 1
	wait_for if_of 52:54:00:00:00:10 >/dev/null && ip link set "$TX" up &&
		wait_for grep -q 1 /sys/class/net/$TX/carrier || return 1
	return $rc
}

# Programs attached and detached 20 times while flowgen sends; then a
# capture over the native hook is exact again.
xdp_flap() {
	local i=0
	flowgen -i "$TX" -n 2000 -f $FLOWS -R $RATE -l 60 &
	while [ $i -lt 20 ]; do
		xdp_attach xdp/drop && xdp_attach xdp/pass && xdp_detach || { kill $!; return 1; }
		i=$((i + 1))
	done
	wait $! || return 1
	wait_for grep -q 1 /sys/class/net/$RX/carrier && capture "zc:$RX" 60 xdp_redirect
}

# The link goes down and up under a running zc: capture; once it is back
# and the capture ended, a new one is exact.
link_flap() {
	td_start flap -- -i "zc:$RX" || return 1
	ip link set "$RX" down && ip link set "$RX" up || return 1
	wait_for grep -q 1 /sys/class/net/$RX/carrier || return 1
	td_stop flap || return 1
	capture "zc:$RX" 1514 xdp_redirect
}

# rmmod with both NICs up and a program attached, then load it again: the
# NICs come back, without a program.
reload() {
	xdp_attach xdp/drop && xdp_native || return 1
	rmmod e1000e || return 1
	eq "interfaces bound after rmmod" "" "$(if_of 52:54:00:00:00:11)" || return 1
	insmod $M/e1000e.ko || return 1
	wait_for if_of 52:54:00:00:00:11 >/dev/null || { echo "$RX did not come back"; return 1; }
	TX=$(if_of 52:54:00:00:00:10) && RX=$(if_of 52:54:00:00:00:11) || return 1
	ip link set "$TX" up && ip link set "$RX" up &&
	wait_for grep -q 1 /sys/class/net/$RX/carrier && ours || return 1
	eq "xdp_drop after the reload" 0 "$(stat xdp_drop)"
}

echo "KMOD BOOTED: $(uname -r)"
for mod in $(cat $M/order); do
	insmod "$M/$mod" || echo "warning: insmod $mod failed"
done
nic_pair_up || fail "the NIC pair: sender and capture found, links up"

run "our e1000e.ko runs both NICs" ours
td_run "pfring:$RX: $N frames of 60 bytes, exact" capture "pfring:$RX" 60 rx_packets
td_run "pfring:$RX: $N frames of 1514 bytes, exact" capture "pfring:$RX" 1514 rx_packets
td_run "zc:$RX over native XDP: $N frames of 60 bytes, exact, xdp_redirect agrees" \
	capture "zc:$RX" 60 xdp_redirect
td_run "zc:$RX over native XDP: $N frames of 1514 bytes, exact, xdp_redirect agrees" \
	capture "zc:$RX" 1514 xdp_redirect
td_run "XDP_DROP drops exactly $N, xdp_drop agrees" xdp_drop
td_run "XDP_TX (not supported yet): $N counted as aborted, none sent" xdp_tx
run "XDP_PASS: ping works, xdp_pass agrees with rx_packets" xdp_pass
td_run "XDP attached and detached 20 times under traffic, then zc:$RX exact" xdp_flap
td_run "link down/up under zc:$RX, then zc:$RX exact" link_flap
run "rmmod with an XDP program attached, and insmod" reload
td_run "pfring:$RX after the reload: $N frames of 60 bytes, exact" capture "pfring:$RX" 60 rx_packets
run "dmesg: no warning or oops" dmesg_clean

echo "KMOD DONE: $PASSED passed, $FAILED failed"
poweroff -f
