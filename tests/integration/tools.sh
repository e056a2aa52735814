#!/bin/bash
# libpfring's own tools on a veth pair: pfsend's packets arrive exactly (as
# Debian's tcpdump sees them), pfcount counts exactly what was sent, with a
# BPF filter and as a cluster member, and VLAN-tagged frames keep their tag.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$STOCK" = 0 ] || skip "libpfring tools only"
PFCOUNT=$PFRING_BUILDDIR/pfring-backend/tools/pfcount
PFSEND=$PFRING_BUILDDIR/pfring-backend/tools/pfsend
lib_init
for t in "$PFCOUNT" "$PFSEND"; do [ -x "$t" ] || hard_error "$t not built"; done
ns_setup

# pfcount_start NAME ARGS...: in $NSB; ready once it says it is capturing.
declare -A PC_PID=()
pfcount_start() {
	local name=$1; shift
	ip netns exec "$NSB" "$PFCOUNT" -i "$IFB" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	PC_PID[$name]=$!
	wait_until "$DEADLINE" grep -q 'capturing on' "$WORK/$name.err" ||
		{ fail_check "pfcount $name did not start: $(cat "$WORK/$name.err")"; finish; }
}
pfcount_wait() {
	proc_reap "pfcount $1" "${PC_PID[$1]}"
	[ "$PROC_RC" = 0 ] || fail_check "pfcount $1 exit status $PROC_RC"
}
total() { sed -n 's/^Total: \([0-9]*\) packets.*/\1/p' "$WORK/$1.out"; }

# pfsend -> Debian's tcpdump: the same flows flowgen would have sent.
tcpdump_start rx "$NSB" "pfring:$IFB"
in_ns "$NSA" "$PFSEND" -i "$IFA" -n 300 -f 6 >"$WORK/pfsend.out" 2>&1 ||
	fail_check "pfsend: $(cat "$WORK/pfsend.out")"
wait_for_packets "$DEADLINE" 300 "$WORK/rx.pcap" || true
tcpdump_stop rx
check_same "pfsend's 300 packets over 6 flows" "$(expected_flows -n 300 -f 6)" \
	"$(pcap_flows "$WORK/rx.pcap")"

# pfcount -n stops after exactly that many and reports them.
pfcount_start cnt -n 200
send_flows "$NSA" "$IFA" -n 200 -f 4
pfcount_wait cnt
check_eq "pfcount: total" 200 "$(total cnt)"
check_contains "pfcount: ring statistics" "$WORK/cnt.out" "Ring: 200 received, 0 dropped (engine packet)"

# A BPF filter through pfring_set_bpf_filter (compiled by our libpcap).
pfcount_start flt -f "udp port 10001" -n 25
send_flows "$NSA" "$IFA" -n 100 -f 4
pfcount_wait flt
check_eq "pfcount -f 'udp port 10001': only flow 1" 25 "$(total flt)"

# Blocked with nothing arriving, pfcount still ends at once on SIGINT and SIGTERM.
for sig in INT TERM; do
	pfcount_start "idle$sig"
	check_stops "pfcount (idle)" "${PC_PID[idle$sig]}" "$sig"
done

# VLAN-tagged frames: the kernel strips the tag (offload); it must be back
# in every captured frame.
tcpdump_start vlan "$NSB" "pfring:$IFB"
send_flows "$NSA" "$IFA" -n 40 -f 2 -v 100
wait_for_packets "$DEADLINE" 40 "$WORK/vlan.pcap" || true
tcpdump_stop vlan
check_eq "VLAN 100 frames captured with their tag" 40 \
	"$("$TCPDUMP" -r "$WORK/vlan.pcap" -nn -e 2>/dev/null | grep -c 'vlan 100')"
check_same "VLAN frames: the flows inside" "$(expected_flows -n 40 -f 2)" \
	"$(pcap_flows "$WORK/vlan.pcap")"
finish
