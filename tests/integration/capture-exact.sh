#!/bin/bash
# One capture on the receiving veth: every packet sent arrives exactly once,
# in the right flows, and tcpdump's own counters agree.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=1000
FLOWS=10

lib_init
ns_setup

tcpdump_start cap "$NSB" "$(capdev "$IFB")"
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
wait_for_packets "$DEADLINE" "$N" "$WORK/cap.pcap" || true
tcpdump_stop cap

check_eq "tcpdump exit status" 0 "${TD_RC[cap]}"
check_eq "packets in the file" "$N" "$(pcap_count "$WORK/cap.pcap")"
check_same "flows and per-flow counts in the file vs flowgen --list" \
	"$(expected_flows -n "$N" -f "$FLOWS")" "$(pcap_flows "$WORK/cap.pcap")"
check_eq "tcpdump 'packets captured'" "$N" "${TD_CAPTURED[cap]}"
check_eq "tcpdump 'packets dropped by kernel'" 0 "${TD_DROPPED[cap]}"
finish
