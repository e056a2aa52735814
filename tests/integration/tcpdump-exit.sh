#!/bin/bash
# Our patched tcpdump (tcpdump-patches/) closes its capture handle before it
# exits: after SIGINT, after SIGTERM and after a filter compile error.  A
# probe preloaded into tcpdump (tcpdump-patches/closeprobe.so) logs every
# successful pcap_activate() and every pcap_close(); each handle activated
# must be closed.  At exit it reports the pfring device's extra line.
set -euo pipefail
TCPDUMP=${PFRING_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tcpdump-patches/tcpdump
. "$(dirname "$0")/lib.sh"

PROBE=$PFRING_BUILDDIR/tcpdump-patches/closeprobe.so

lib_init
[ "$STOCK" = 0 ] || skip "needs our libpcap and patched tcpdump (not in stock mode)"
[ -f "$PROBE" ] || hard_error "$PROBE not built (make check builds it)"
ns_setup
CID=$(unique_cluster_id 0)

# probe_summary LOG: "activated A, closed C, all closed: yes|no"
probe_summary() {
	local log=$1 a c open
	a=$(grep -c '^activate ' "$log" || true)
	c=$(grep -c '^close ' "$log" || true)
	open=$(comm -23 <(sed -n 's/^activate //p' "$log" | sort) <(sed -n 's/^close //p' "$log" | sort) | wc -l)
	echo "activated $a, closed $c, all closed: $([ "$open" = 0 ] && echo yes || echo no)"
}

for sig in INT TERM; do
	name=sig$sig
	tcpdump_start "$name" "$NSB" "pfring:$IFB" LD_PRELOAD="$PROBE" \
		PCAP_PROBE_LOG="$WORK/$name.probe" PFRING_CLUSTER="$CID"
	send_flows "$NSA" "$IFA" -n 20 -f 2
	wait_for_packets "$DEADLINE" 20 "$WORK/$name.pcap" || true
	pid=${TD_PID[$name]}
	kill "-$sig" "$pid"
	# Gone on this signal alone, before tcpdump_stop sends its own SIGINT.
	check_true "SIG$sig: tcpdump exits on it" wait_until "$DEADLINE" _td_gone "$pid"
	tcpdump_stop "$name"
	check_eq "SIG$sig: exit status" 0 "${TD_RC[$name]}"
	check_eq "SIG$sig: packets captured" 20 "${TD_CAPTURED[$name]}"
	check_eq "SIG$sig: handle closed before exit" "activated 1, closed 1, all closed: yes" \
		"$(probe_summary "$WORK/$name.probe")"
	# The backend's own counters, through libpcap's pcap_pfring_stats().
	check_contains "SIG$sig: pfring report at exit" "$WORK/$name.err" \
		"pfring:$IFB: pfring engine packet: 20 received by ring, 0 dropped by ring, 0 shunted"
done

# A filter that does not compile: error exit, handle closed.
tcpdump_run badfilter "$NSB" "pfring:$IFB" LD_PRELOAD="$PROBE" \
	PCAP_PROBE_LOG="$WORK/badfilter.probe" PFRING_CLUSTER="$CID" -- udp port nosuchport
check_eq "filter error: exit status" 1 "${TD_RC[badfilter]}"
check_contains "filter error: message" "$WORK/badfilter.err" "unknown port 'nosuchport'"
check_eq "filter error: handle closed before exit" "activated 1, closed 1, all closed: yes" \
	"$(probe_summary "$WORK/badfilter.probe")"

# The cluster is usable by the next consumer right after: a new member
# joins the same cluster id and captures everything.
tcpdump_start next "$NSB" "pfring:$IFB" PFRING_CLUSTER="$CID"
send_flows "$NSA" "$IFA" -n 30 -f 3
wait_for_packets "$DEADLINE" 30 "$WORK/next.pcap" || true
tcpdump_stop next
check_eq "next cluster member: exit status" 0 "${TD_RC[next]}"
check_eq "next cluster member: packets" 30 "$(pcap_count "$WORK/next.pcap")"
finish
