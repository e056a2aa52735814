#!/bin/bash
# Device facts on a veth pair with 4 queues each way, set to 3 RX and 3 TX
# channels with ethtool -L: pfcount -I reports driver veth, 3 RX channels
# (rx 3 of 4), the speed ethtool reports, and the XDP features and zero-copy
# support the kernel's netdev family gives (asked again by netdev_xdp.py over
# a raw netlink socket, without libnl or libpfring), before and after the
# peer's GRO changes them; a ring's pfring_get_num_rx_channels() and
# pfring_get_interface_speed() say the same; pfring_open_multichannel()
# opens 3 rings, and packets sent to RX queue Q (the peer's XPS map puts
# every CPU on TX queue Q) reach ring Q alone; lo has no channels, speed or
# driver; a missing interface is named in the error.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

NQ=4
N=200
PFCOUNT=$PFRING_BUILDDIR/pfring-backend/tools/pfcount
RINGFACTS=$PFRING_BUILDDIR/tests/tools/ringfacts
NETDEV_XDP=$PFRING_SRCDIR/tests/tools/netdev_xdp.py

lib_init
[ "$STOCK" = 0 ] || skip "device facts are libpfring's"
command -v ethtool >/dev/null || skip "ethtool not installed (Debian package: ethtool)"
command -v python3 >/dev/null || skip "python3 not installed"
for t in "$PFCOUNT" "$RINGFACTS"; do
	[ -x "$t" ] || hard_error "$t not built (make check builds it)"
done
ns_setup
ns_multiqueue "$NQ"
in_ns "$NSA" ethtool -L "$IFA" rx 3 tx 3 || hard_error "ethtool -L $IFA rx 3 tx 3 failed"
in_ns "$NSB" ethtool -L "$IFB" rx 3 tx 3 || hard_error "ethtool -L $IFB rx 3 tx 3 failed"
# GRO off on the sender: its peer's XDP features then lack ndo-xmit.
in_ns "$NSA" ethtool -K "$IFA" gro off || hard_error "ethtool -K $IFA gro off failed"

# What ethtool says, for the speed.
speed=$(in_ns "$NSB" ethtool "$IFB" | sed -n 's/^[[:space:]]*Speed: \([0-9]*\)Mb\/s$/\1/p')
[ -n "$speed" ] || hard_error "ethtool $IFB reports no speed"
check_eq "ethtool: $IFB speed (veth)" 10000 "$speed"

# line FILE PREFIX: the line of FILE that starts with PREFIX.
line() { grep "^$2" "$1" || true; }

# pfcount -I, and the XDP lines a second reader gets.
facts() { # NAME
	in_ns "$NSB" "$PFCOUNT" -i "pfring:$IFB" -I >"$WORK/$1.out" 2>"$WORK/$1.err" ||
		fail_check "pfcount -i pfring:$IFB -I: $(cat "$WORK/$1.err")"
	in_ns "$NSB" python3 "$NETDEV_XDP" "$IFB" >"$WORK/$1.raw" 2>&1 ||
		hard_error "netdev_xdp.py $IFB: $(cat "$WORK/$1.raw")"
}
facts gro-off
check_eq "pfcount -I: interface" "interface: $IFB" "$(line "$WORK/gro-off.out" interface:)"
check_eq "pfcount -I: driver" "driver: veth" "$(line "$WORK/gro-off.out" driver:)"
check_eq "pfcount -I: rx channels after ethtool -L rx 3" \
	"rx channels: 3 (rx 3 of 4, combined 0 of 0)" "$(line "$WORK/gro-off.out" "rx channels:")"
check_eq "pfcount -I: speed as ethtool says" "speed: $speed Mb/s" "$(line "$WORK/gro-off.out" speed:)"
xdp_off=$(line "$WORK/gro-off.out" "xdp features:")
check_eq "pfcount -I: xdp features as the kernel says" \
	"$(line "$WORK/gro-off.raw" "xdp features:")" "$xdp_off"
check_eq "pfcount -I: af_xdp zero copy as the kernel says" \
	"$(line "$WORK/gro-off.raw" "af_xdp zero copy:")" "$(line "$WORK/gro-off.out" "af_xdp zero copy:")"
check_eq "pfcount -I: veth has no AF_XDP zero copy" "af_xdp zero copy: no" \
	"$(line "$WORK/gro-off.out" "af_xdp zero copy:")"
case "$xdp_off" in
*" basic"*" redirect"*) pass_check "veth: xdp features include basic and redirect ($xdp_off)" ;;
*) fail_check "veth: xdp features without basic and redirect: '$xdp_off'" ;;
esac
# GRO on the sender makes its peer a redirect target: the facts follow.
in_ns "$NSA" ethtool -K "$IFA" gro on || hard_error "ethtool -K $IFA gro on failed"
facts gro-on
xdp_on=$(line "$WORK/gro-on.out" "xdp features:")
check_eq "pfcount -I after GRO on the peer: xdp features as the kernel says" \
	"$(line "$WORK/gro-on.raw" "xdp features:")" "$xdp_on"
case "$xdp_on" in
*" ndo-xmit"*) pass_check "veth with GRO on its peer: ndo-xmit ($xdp_on)" ;;
*) fail_check "veth with GRO on its peer: no ndo-xmit: '$xdp_on'" ;;
esac
if [ "$xdp_on" != "$xdp_off" ]; then
	pass_check "xdp features changed with the peer's GRO"
else
	fail_check "xdp features did not change with the peer's GRO: '$xdp_on'"
fi

# The ring calls.
in_ns "$NSB" "$RINGFACTS" "pfring:$IFB" >"$WORK/ring.out" 2>"$WORK/ring.err" ||
	fail_check "ringfacts pfring:$IFB: $(cat "$WORK/ring.err")"
check_eq "pfring_get_num_rx_channels()" "rx channels: 3" "$(line "$WORK/ring.out" "rx channels:")"
check_eq "pfring_get_interface_speed() as ethtool says" "speed: $speed" "$(line "$WORK/ring.out" speed:)"

# pfring_open_multichannel(): one ring per RX channel, each with its queue.
_ready() { grep -qx ready "$WORK/mc-$1.out"; }
for ((Q = 0; Q < 3; Q++)); do
	in_ns "$NSB" "$RINGFACTS" -m "pfring:$IFB" "$N" >"$WORK/mc-$Q.out" 2>"$WORK/mc-$Q.err" &
	pid=$!
	wait_until "$DEADLINE" _ready "$Q" ||
		{ fail_check "ringfacts -m: not ready: $(cat "$WORK/mc-$Q.err")"; _kill_reap "$pid"; break; }
	for ((q = 0; q < 3; q++)); do
		in_ns "$NSA" sh -c "echo $([ "$q" = "$Q" ] && echo "$ALL_CPUS" || echo 0) \
			>$XPS/tx-$q/xps_cpus" || hard_error "cannot set the XPS map of $IFA tx-$q"
	done
	send_flows "$NSA" "$IFA" -n "$N" -f 4
	proc_reap "ringfacts -m" "$pid"
	check_eq "ringfacts -m pfring:$IFB exit status" 0 "$PROC_RC"
	check_eq "pfring_open_multichannel(): rings opened" "opened: 3" "$(line "$WORK/mc-$Q.out" opened:)"
	for ((P = 0; P < 3; P++)); do
		check_eq "sent to RX queue $Q: ring $P" "ring $P: $([ "$P" = "$Q" ] && echo "$N" || echo 0)" \
			"$(line "$WORK/mc-$Q.out" "ring $P:")"
	done
done

# lo: no channels, no speed, no driver.
in_ns "$NSB" "$PFCOUNT" -i lo -I >"$WORK/lo.out" 2>&1 || fail_check "pfcount -i lo -I: $(cat "$WORK/lo.out")"
check_eq "pfcount -I lo: driver" "driver: none" "$(line "$WORK/lo.out" driver:)"
check_eq "pfcount -I lo: rx channels" "rx channels: unknown (no ethtool channels)" \
	"$(line "$WORK/lo.out" "rx channels:")"
check_eq "pfcount -I lo: speed" "speed: unknown" "$(line "$WORK/lo.out" speed:)"

# A missing interface.
rc=0
in_ns "$NSB" "$PFCOUNT" -i nosuch0 -I >"$WORK/nosuch.out" 2>&1 || rc=$?
check_eq "pfcount -i nosuch0 -I: exit status" 1 "$rc"
check_eq "pfcount -i nosuch0 -I: message" "pfcount: interface 'nosuch0': no such device" \
	"$(cat "$WORK/nosuch.out")"
rc=0
in_ns "$NSB" "$RINGFACTS" -m nosuch0 1 >"$WORK/mc-nosuch.out" 2>"$WORK/mc-nosuch.err" || rc=$?
check_eq "pfring_open_multichannel(nosuch0): rings opened" "opened: 0" "$(cat "$WORK/mc-nosuch.out")"
check_eq "pfring_open_multichannel(nosuch0): message" \
	"pfring_open_multichannel: interface 'nosuch0': no such device" "$(cat "$WORK/mc-nosuch.err")"
check_eq "ringfacts -m nosuch0: exit status" 1 "$rc"
finish
