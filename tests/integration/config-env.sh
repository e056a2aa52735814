#!/bin/bash
# Configuration as a user sets it, with Debian's tcpdump: PFRING_CAPLEN and
# PFRING_SAMPLING, a per-handle config file and its precedence over the
# environment, PF_RING's own variables on a plain interface name, and the
# PCAP_NO_PF_RING escape hatch.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$STOCK" = 0 ] || skip "pfring-pcap configuration only"
lib_init
ns_setup
CID=$(unique_cluster_id 2)

# caplen from the environment overrides tcpdump's snaplen.
tcpdump_start cap "$NSB" "pfring:$IFB" PFRING_CAPLEN=60
send_flows "$NSA" "$IFA" -n 40 -l 200
wait_for_packets "$DEADLINE" 40 "$WORK/cap.pcap" || true
tcpdump_stop cap
check_same "PFRING_CAPLEN=60: every record 60 of 200 bytes" "$(yes "60 200" | head -40)" \
	"$(pcap_sizes "$WORK/cap.pcap")"

# Sampling 1 in 10: the 1st, 11th, 21st... packet.
tcpdump_start smp "$NSB" "pfring:$IFB" PFRING_SAMPLING=10
send_flows "$NSA" "$IFA" -n 1000 -f 10
wait_for_packets "$DEADLINE" 100 "$WORK/smp.pcap" || true
tcpdump_stop smp
check_eq "PFRING_SAMPLING=10: 1000 sent, 100 captured" 100 "$(pcap_count "$WORK/smp.pcap")"
# flowgen sends round robin over 10 flows, so every sampled packet is flow 0.
check_same "sampling keeps packets 1, 11, 21...: all of flow 0" \
	"$(expected_flows -n 100 -f 1)" "$(pcap_flows "$WORK/smp.pcap")"

# The per-handle file is more specific than the environment: its caplen wins.
cat >"$WORK/handle.conf" <<CONF
# capture the headers only
caplen = 100   # bytes
sampling = 1
CONF
tcpdump_start file "$NSB" "pfring/$WORK/handle.conf:$IFB" PFRING_CAPLEN=80 PFRING_SAMPLING=5
send_flows "$NSA" "$IFA" -n 20 -l 300
wait_for_packets "$DEADLINE" 20 "$WORK/file.pcap" || true
tcpdump_stop file
check_same "config file (caplen 100, sampling 1) over PFRING_CAPLEN=80, PFRING_SAMPLING=5" \
	"$(yes "100 300" | head -20)" "$(pcap_sizes "$WORK/file.pcap")"

# PF_RING's variables on a plain interface name: two members of a cluster
# split the flows between them.
for i in 0 1; do
	tcpdump_start "pf$i" "$NSB" "$IFB" "PCAP_PF_RING_CLUSTER_ID=$CID" PCAP_PF_RING_USE_CLUSTER_PER_FLOW=1
done
send_flows "$NSA" "$IFA" -n 400 -f 20
wait_for_packets "$DEADLINE" 400 "$WORK/pf0.pcap" "$WORK/pf1.pcap" || true
for i in 0 1; do tcpdump_stop "pf$i"; done
n0=$(pcap_count "$WORK/pf0.pcap") n1=$(pcap_count "$WORK/pf1.pcap")
check_eq "PCAP_PF_RING_CLUSTER_ID on '-i $IFB': members together got each packet once" 400 $((n0 + n1))
check_true "both members got a share ($n0 + $n1)" [ "$n0" -gt 0 ] && [ "$n1" -gt 0 ]
check_eq "no flow reached both members" 0 \
	"$( (pcap_flows "$WORK/pf0.pcap"; pcap_flows "$WORK/pf1.pcap") | cut -d' ' -f1 | sort | uniq -d | wc -l)"

# PCAP_NO_PF_RING: pfring:$IFB is opened by libpcap's own Linux capture, so
# PFRING_CLUSTER no longer splits anything: both copies see every packet.
for i in 0 1; do
	tcpdump_start "no$i" "$NSB" "pfring:$IFB" PCAP_NO_PF_RING=1 "PFRING_CLUSTER=$((CID + 1))"
done
send_flows "$NSA" "$IFA" -n 100 -f 10
wait_for_packets "$DEADLINE" 200 "$WORK/no0.pcap" "$WORK/no1.pcap" || true
for i in 0 1; do tcpdump_stop "no$i"; done
check_eq "PCAP_NO_PF_RING: first copy got all" 100 "$(pcap_count "$WORK/no0.pcap")"
check_eq "PCAP_NO_PF_RING: second copy got all" 100 "$(pcap_count "$WORK/no1.pcap")"
finish
