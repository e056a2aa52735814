#!/bin/bash
# tcpdump options that go through the library: -s (snaplen), a BPF filter
# expression, -Q (direction).
#
# Where the expected result excludes packets, a trailing "sentinel" packet
# that the capture must keep is sent after the traffic it must drop; waiting
# for the sentinel means the capture got past the packets that must not
# appear, so "not captured" is observed rather than assumed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lib_init
ns_setup
DEV_B=$(capdev "$IFB")
DEV_A=$(capdev "$IFA")

# --- -s 100 on 200-byte frames ------------------------------------------------
N=50
tcpdump_start snap "$NSB" "$DEV_B" -- -s 100
send_flows "$NSA" "$IFA" -n "$N" -f 5 -l 200
wait_for_packets "$DEADLINE" "$N" "$WORK/snap.pcap" || true
tcpdump_stop snap
check_eq "-s 100: tcpdump exit status" 0 "${TD_RC[snap]}"
check_eq "-s 100: 'caplen len' of every record" "$N 100 200" \
	"$(pcap_sizes "$WORK/snap.pcap" | sort | uniq -c | awk '{print $1, $2, $3}' | paste -sd' ')"
check_same "-s 100: flows" "$(expected_flows -n "$N" -f 5)" "$(pcap_flows "$WORK/snap.pcap")"

# --- BPF filter: 10 flows x 10 packets, 'udp port 10003' keeps flow 3 -----------
tcpdump_start filt "$NSB" "$DEV_B" -- udp port 10003
send_flows "$NSA" "$IFA" -n 100 -f 10
# Sentinel: the reverse of flow 3 also matches 'udp port 10003'.
send_flows "$NSA" "$IFA" -n 1 -b 3 -r
wait_for_packets "$DEADLINE" 11 "$WORK/filt.pcap" || true
tcpdump_stop filt
check_eq "filter: tcpdump exit status" 0 "${TD_RC[filt]}"
check_same "filter 'udp port 10003': exactly the 10 packets of flow 3 (+ sentinel)" \
	"$(expected_flows -n 10 -b 3; expected_flows -n 1 -b 3 -r)" \
	"$(pcap_flows "$WORK/filt.pcap")"
check_eq "filter: 'packets captured'" 11 "${TD_CAPTURED[filt]}"
# ps_recv counts what passed the filter: the 90 others must not be in it.
check_eq "filter: 'received by filter'" 11 "${TD_RECEIVED[filt]}"

# --- -Q in / -Q out ---------------------------------------------------------------
# All three run together.  Traffic, in order:
#   100 packets A->B (flows 0..9)        out on A, in on B
#   S1: 1 packet B->A (flow 500 reversed) out on B, in on A
#   S2: 1 packet A->B (flow 501)          out on A, in on B
tcpdump_start qinB "$NSB" "$DEV_B" -- -Q in
tcpdump_start qoutB "$NSB" "$DEV_B" -- -Q out
tcpdump_start qoutA "$NSA" "$DEV_A" -- -Q out
send_flows "$NSA" "$IFA" -n 100 -f 10
send_flows "$NSB" "$IFB" -n 1 -b 500 -r
send_flows "$NSA" "$IFA" -n 1 -b 501
wait_for_packets "$DEADLINE" 101 "$WORK/qinB.pcap" || true
wait_for_packets "$DEADLINE" 1 "$WORK/qoutB.pcap" || true
wait_for_packets "$DEADLINE" 101 "$WORK/qoutA.pcap" || true
tcpdump_stop qinB
tcpdump_stop qoutB
tcpdump_stop qoutA
a_to_b=$(expected_flows -n 100 -f 10; expected_flows -n 1 -b 501)
for c in qinB qoutB qoutA; do
	check_eq "$c: tcpdump exit status" 0 "${TD_RC[$c]}"
done
check_same "-Q in on $IFB: all A->B packets, not S1" "$a_to_b" "$(pcap_flows "$WORK/qinB.pcap")"
check_same "-Q out on $IFB: none of the A->B packets, only S1" \
	"$(expected_flows -n 1 -b 500 -r)" "$(pcap_flows "$WORK/qoutB.pcap")"
check_same "-Q out on $IFA (sender): all A->B packets, not S1" "$a_to_b" "$(pcap_flows "$WORK/qoutA.pcap")"
finish
