#!/bin/bash
# Three tcpdumps in one round_robin cluster: together they see every packet
# exactly once, and the load is spread evenly (within one packet).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=3000
FLOWS=30
MEMBERS=3

lib_init
ns_setup
CID=$(unique_cluster_id 1)

files=()
for ((i = 0; i < MEMBERS; i++)); do
	if [ "$STOCK" = 1 ]; then
		# No clusters in stock libpcap: an even split by source port stands in.
		tcpdump_start "m$i" "$NSB" "$(capdev "$IFB")" -- "udp and udp[0:2] % $MEMBERS = $i"
	else
		tcpdump_start "m$i" "$NSB" "$(capdev "$IFB")" \
			"PFRING_CLUSTER=$CID" PFRING_CLUSTER_TYPE=round_robin
	fi
	files+=("$WORK/m$i.pcap")
done

send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
wait_for_packets "$DEADLINE" "$N" "${files[@]}" || true
for ((i = 0; i < MEMBERS; i++)); do tcpdump_stop "m$i"; done

check_same "union of the members vs flowgen --list" \
	"$(expected_flows -n "$N" -f "$FLOWS")" "$(pcap_flows "${files[@]}")"

sum=0 min='' max='' drop_sum=0 counts=()
for ((i = 0; i < MEMBERS; i++)); do
	n=$(pcap_count "$WORK/m$i.pcap")
	counts+=("$n")
	sum=$((sum + n))
	[ -n "$min" ] && [ "$min" -le "$n" ] || min=$n
	[ -n "$max" ] && [ "$max" -ge "$n" ] || max=$n
	check_eq "member $i tcpdump exit status" 0 "${TD_RC[m$i]}"
	check_eq "member $i 'packets captured' vs its file" "$n" "${TD_CAPTURED[m$i]}"
	drop_sum=$((drop_sum + ${TD_DROPPED[m$i]:-0}))
done
check_eq "sum of member files (no packet twice)" "$N" "$sum"
check_eq "sum of 'dropped by kernel'" 0 "$drop_sum"
check_true "member counts within 1 of each other (${counts[*]})" [ $((max - min)) -le 1 ]
finish
