#!/bin/bash
# pcap_stats as tcpdump reports it at exit:
#   "packets captured"          packets tcpdump processed (written to the file)
#   "packets received by filter" ps_recv
#   "packets dropped by kernel"  ps_drop
# Like libpcap's Linux module, ps_recv counts every packet that passed the
# filter, including those then dropped for lack of ring space; so once
# tcpdump has drained the ring, received == captured + dropped.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lib_init
ns_setup

# --- no loss: N packets, counters exact -----------------------------------------
N=500
tcpdump_start plain "$NSB" "$(capdev "$IFB")"
send_flows "$NSA" "$IFA" -n "$N" -f 5
wait_for_packets "$DEADLINE" "$N" "$WORK/plain.pcap" || true
tcpdump_stop plain
check_eq "no loss: tcpdump exit status" 0 "${TD_RC[plain]}"
check_eq "no loss: packets in the file" "$N" "$(pcap_count "$WORK/plain.pcap")"
check_eq "no loss: 'packets captured'" "$N" "${TD_CAPTURED[plain]}"
check_eq "no loss: 'received by filter'" "$N" "${TD_RECEIVED[plain]}"
check_eq "no loss: 'dropped by kernel'" 0 "${TD_DROPPED[plain]}"

# --- overflow: a small ring and a reader that is stopped while 5000 arrive -----
M=5000
MFLOWS=10
if [ "$STOCK" = 1 ]; then
	# No PFRING_RX_SLOTS in stock libpcap: the smallest buffer (-B, KiB) instead.
	tcpdump_start over "$NSB" "$(capdev "$IFB")" -- -B 1
else
	tcpdump_start over "$NSB" "$(capdev "$IFB")" PFRING_RX_SLOTS=64
fi
tcpdump_signal over STOP
send_flows "$NSA" "$IFA" -n "$M" -f "$MFLOWS"
tcpdump_signal over CONT
# How many survive is not known in advance, so wait for the file to stop
# growing for longer than the block timeout (1 s): the ring is then drained.
wait_quiet 3 60 "$WORK/over.pcap" || fail_check "overflow: capture still growing after 60 s"
tcpdump_stop over
cap=$(pcap_count "$WORK/over.pcap")
c=${TD_CAPTURED[over]} r=${TD_RECEIVED[over]} d=${TD_DROPPED[over]}
check_eq "overflow: tcpdump exit status" 0 "${TD_RC[over]}"
check_eq "overflow: 'packets captured' vs the file" "$cap" "$c"
if [ -n "$c" ] && [ -n "$r" ] && [ -n "$d" ]; then
	check_eq "overflow: captured + dropped ($c + $d)" "$M" "$((c + d))"
	check_true "overflow: dropped > 0 (dropped $d)" [ "$d" -gt 0 ]
	check_eq "overflow: received by filter = captured + dropped" "$((c + d))" "$r"
else
	fail_check "overflow: tcpdump statistics missing (captured '$c' received '$r' dropped '$d')"
fi
# What survived must be ours, and no flow more often than it was sent.
extra=$(join -a 2 -e 0 -o '2.1,1.2,2.2' \
	<(expected_flows -n "$M" -f "$MFLOWS" | sort) <(pcap_flows "$WORK/over.pcap" | sort) |
	awk '$3 > $2 { print $1 " sent " $2 " captured " $3 }')
check_eq "overflow: flows captured more often than sent" "" "$extra"
finish
