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

# if_of MAC: the interface that has it.
if_of() {
	local d
	for d in /sys/class/net/*; do
		[ "$(cat "$d/address")" = "$1" ] && basename "$d" && return 0
	done
	return 1
}

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

rx_packets() { ethtool -S "$RX" | sed -n 's/^ *rx_packets: *//p'; }
rx_is() { [ "$(rx_packets)" = "$1" ]; }

# capture LEN: flowgen's N frames of LEN bytes, seen by pfring:RX exactly
# (file, tcpdump's counts and flows) and by the driver's rx_packets.
capture() {
	local len=$1 before
	before=$(rx_packets)
	td_start cap$len -- -i "pfring:$RX" || return 1
	flowgen -i "$TX" -n $N -f $FLOWS -R $RATE -l "$len" || return 1
	wait_for file_has cap$len $N
	td_stop cap$len || return 1
	td_counts cap$len $N &&
	eq "flows vs flowgen --list (sorted)" "$(flowgen --list -n $N -f $FLOWS | sort)" \
		"$(pcapflows /tmp/cap$len.pcap | sort)" &&
	eq "caplen and length of every frame (count caplen len)" "$N $len $len" \
		"$(pcapflows -s /tmp/cap$len.pcap | sort | uniq -c | awk '{print $1, $2, $3}')" &&
	wait_for rx_is $((before + N)) ||
	{ echo "rx_packets: $before before, $(rx_packets) now, $N sent"; return 1; }
	echo "ok: rx_packets of $RX grew by $N"
}

# rmmod with both NICs up, then load it again: the NICs come back.
reload() {
	rmmod e1000e || return 1
	eq "interfaces bound after rmmod" "" "$(if_of 52:54:00:00:00:11)" || return 1
	insmod $M/e1000e.ko || return 1
	wait_for if_of 52:54:00:00:00:11 >/dev/null || { echo "$RX did not come back"; return 1; }
	TX=$(if_of 52:54:00:00:00:10) && RX=$(if_of 52:54:00:00:00:11) || return 1
	ip link set "$TX" up && ip link set "$RX" up &&
	wait_for grep -q 1 /sys/class/net/$RX/carrier && ours
}

echo "KMOD BOOTED: $(uname -r)"
for mod in $(cat $M/order); do
	insmod "$M/$mod" || echo "warning: insmod $mod failed"
done
TX=$(if_of 52:54:00:00:00:10) && RX=$(if_of 52:54:00:00:00:11) ||
	{ fail "NICs by MAC"; ls /sys/class/net; }
ip link set lo up
ip link set "$TX" up && ip link set "$RX" up &&
	wait_for grep -q 1 /sys/class/net/$RX/carrier && wait_for grep -q 1 /sys/class/net/$TX/carrier ||
	fail "links up"
echo "sender $TX, capture $RX"

run "our e1000e.ko runs both NICs" ours
td_run "pfring:$RX: $N frames of 60 bytes, exact" capture 60
td_run "pfring:$RX: $N frames of 1514 bytes, exact" capture 1514
run "rmmod and insmod with the links up" reload
td_run "pfring:$RX after the reload: $N frames of 60 bytes, exact" capture 60
run "dmesg: no warning or oops" dmesg_clean

echo "KMOD DONE: $PASSED passed, $FAILED failed"
poweroff -f
