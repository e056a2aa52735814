#!/bin/bash
# The pcap API paths tcpdump does not take, through a pcap program of our own
# (tests/tools/pcapclient) loading our libpcap: select() on the selectable fd
# with non-blocking reads, immediate mode, nanosecond timestamps,
# pcap_breakloop() from a signal handler, pcap_inject(), pcap_findalldevs(),
# pcap_lookupnet(), several devices in one handle, one RX queue; a filter on
# a zc: device (no kernel filter there) still filters.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$STOCK" = 0 ] || skip "pfring: devices only"
CLIENT=$TOOLS_DIR/pcapclient
lib_init
[ -x "$CLIENT" ] || hard_error "$CLIENT not built (make check builds it)"
ns_setup

# client_start NAME ARGS...: pcapclient capture in $NSB, waits for "ready".
declare -A CL_PID=()
client_start() {
	local name=$1; shift
	: >"$WORK/$name.out"
	# Not through a shell function: $! must be the client itself (signals).
	ip netns exec "$NSB" "$PFRING_RUN" "$CLIENT" capture "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	CL_PID[$name]=$!
	wait_until "$DEADLINE" grep -q '^ready' "$WORK/$name.out" ||
		{ fail_check "$name: not ready: $(cat "$WORK/$name.err")"; finish; }
}
# client_wait NAME: waits for exit; the exit status goes to CL_RC.
client_wait() {
	local pid=${CL_PID[$1]}
	proc_reap "$1" "$pid"
	CL_RC=$PROC_RC
}
out() { cat "$WORK/$1.out"; }

# select() + non-blocking reads: 20 packets, each reported.
client_start sel -i "pfring:$IFB" -c 20 -S
send_flows "$NSA" "$IFA" -n 20 -f 4
client_wait sel
check_eq "select: exit status" 0 "$CL_RC"
check_contains "select: got all 20" "$WORK/sel.out" "got 20"
check_contains "select: pcap_stats" "$WORK/sel.out" "stats recv 20 drop 0"

# Immediate mode: with a 10-minute read timeout a single packet must still
# arrive at once; without immediate mode it would wait for the timeout.
client_start imm -i "pfring:$IFB" -c 1 -I -t 600000
send_flows "$NSA" "$IFA" -n 1
client_wait imm
check_contains "immediate: the packet arrived before the 600 s timeout" "$WORK/imm.out" "got 1"

# Timestamp precision: nanoseconds when asked (20 packets: the largest
# fraction exceeds 999999 unless all 20 fell in the first millisecond of a
# second), microseconds otherwise.
client_start nano -i "pfring:$IFB" -c 20 -N
send_flows "$NSA" "$IFA" -n 20
client_wait nano
check_contains "nano: precision reported" "$WORK/nano.out" "ready precision nano"
frac=$(sed -n 's/^ts //p' "$WORK/nano.out")
check_true "nano: fractions go past 999999 (max $frac)" [ "${frac:-0}" -gt 999999 ]
client_start micro -i "pfring:$IFB" -c 20
send_flows "$NSA" "$IFA" -n 20
client_wait micro
frac=$(sed -n 's/^ts //p' "$WORK/micro.out")
check_true "micro: fractions stay below 1000000 (max $frac)" [ "${frac:-1000000}" -lt 1000000 ]

# pcap_breakloop() from a signal handler wakes a reader blocked in poll.
client_start brk -i "pfring:$IFB" -c 1000000 -t 0
kill -USR1 "${CL_PID[brk]}"
client_wait brk
check_eq "breakloop: exit status" 0 "$CL_RC"
check_contains "breakloop: dispatch returned PCAP_ERROR_BREAK" "$WORK/brk.out" "break"

# pcap_inject() on pfring:$IFA reaches the peer exactly.
tcpdump_start inj "$NSB" "pfring:$IFB"
in_ns "$NSA" "$PFRING_RUN" "$CLIENT" inject -i "pfring:$IFA" -n 50 >"$WORK/inject.out" 2>&1 ||
	fail_check "inject: $(cat "$WORK/inject.out")"
wait_for_packets "$DEADLINE" 50 "$WORK/inj.pcap" || true
tcpdump_stop inj
check_same "inject: the 50 injected frames" "10.1.0.1:20000>10.255.0.1:80/udp 50" \
	"$(pcap_flows "$WORK/inj.pcap")"

# Several devices in one handle: a second veth pair into the same namespaces.
IFC=${IFA}c IFD=${IFB}d
ip link add "$IFC" netns "$NSA" type veth peer name "$IFD" netns "$NSB"
in_ns "$NSA" ip link set "$IFC" up
in_ns "$NSB" ip link set "$IFD" up
wait_until "$DEADLINE" _link_up "$NSB" "$IFD" || hard_error "$IFD did not come up"
tcpdump_start multi "$NSB" "pfring:$IFB,$IFD"
send_flows "$NSA" "$IFA" -n 100 -f 2
send_flows "$NSA" "$IFC" -n 50 -f 1 -b 7
wait_for_packets "$DEADLINE" 150 "$WORK/multi.pcap" || true
tcpdump_stop multi
check_same "two devices in one handle" "$( (expected_flows -n 100 -f 2; expected_flows -n 50 -f 1 -b 7) | sort)" \
	"$(pcap_flows "$WORK/multi.pcap" | sort)"

# One RX queue: a veth has queue 0 only.
tcpdump_start q0 "$NSB" "pfring:$IFB@0"
send_flows "$NSA" "$IFA" -n 30 -f 3
wait_for_packets "$DEADLINE" 30 "$WORK/q0.pcap" || true
tcpdump_stop q0
check_eq "queue 0 of a single-queue veth gets everything" 30 "$(pcap_count "$WORK/q0.pcap")"
tcpdump_run q1 "$NSB" "pfring:$IFB@1"
check_eq "queue 1 does not exist: tcpdump fails" 1 "${TD_RC[q1]}"
check_contains "queue 1: the error names interface and queue" "$WORK/q1.err" "interface '$IFB' has no RX queue 1"

# Device list and address lookup.
in_ns "$NSB" "$PFRING_RUN" "$CLIENT" devs >"$WORK/devs.out"
check_true "findalldevs lists pfring:$IFB" grep -qx "pfring:$IFB" "$WORK/devs.out"
check_true "findalldevs still lists $IFB" grep -qx "$IFB" "$WORK/devs.out"
in_ns "$NSB" ip addr add 192.0.2.1/24 dev "$IFB"
check_eq "lookupnet pfring:$IFB" "net 192.0.2.0 mask 255.255.255.0" \
	"$(in_ns "$NSB" "$PFRING_RUN" "$CLIENT" lookupnet "pfring:$IFB" 2>&1)"
check_eq "lookupnet of two devices has no single address" "net 0.0.0.0 mask 0.0.0.0" \
	"$(in_ns "$NSB" "$PFRING_RUN" "$CLIENT" lookupnet "pfring:$IFB,$IFD" 2>&1)"

# zc:<if> (AF_XDP) takes no classic BPF, so libpcap filters in user space,
# except tcpdump's accept-all "ret #snaplen" (no expression), which it skips
# (zc-xdp.sh: every packet arrives).  A real expression must still filter.
ZFILTER="udp src port 10003 or udp src port 10007"
tcpdump_start zcf "$NSB" "zc:$IFB" -- "$ZFILTER"
send_flows "$NSA" "$IFA" -n 200 -f 10
zwant=$(expected_flows -n 200 -f 10 | grep -E ':1000[37]>')
zn=$(printf '%s\n' "$zwant" | awk '{ n += $2 } END { print n + 0 }')
wait_for_packets "$DEADLINE" "$zn" "$WORK/zcf.pcap" || true
tcpdump_stop zcf
check_same "zc:$IFB with '$ZFILTER': exactly the flows it takes" "$zwant" "$(pcap_flows "$WORK/zcf.pcap")"
check_eq "zc:$IFB filtered: 'packets captured'" "$zn" "${TD_CAPTURED[zcf]}"
finish
