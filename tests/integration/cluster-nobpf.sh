#!/bin/bash
# A per_flow cluster for a process that may not load eBPF (Wireshark's
# dumpcap runs with CAP_NET_RAW and CAP_NET_ADMIN only): the members fall
# back to the kernel's own symmetric flow hash and say so; together they
# still get every packet once and no flow reaches two members.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$STOCK" = 0 ] || skip "pfring-pcap clusters only"
lib_init
ns_setup
CID=$(unique_cluster_id 3)
NOBPF=(setpriv --bounding-set -bpf,-sys_admin,-perfmon --)

files=()
for i in 0 1 2; do
	: >"$WORK/m$i.err"
	ip netns exec "$NSB" env "PFRING_CLUSTER=$CID" "${NOBPF[@]}" "$PFRING_RUN" "$TCPDUMP" -n -U \
		-w "$WORK/m$i.pcap" -i "pfring:$IFB" 2>"$WORK/m$i.err" &
	TD_PID[m$i]=$!
	wait_until "$DEADLINE" grep -q 'listening on' "$WORK/m$i.err" ||
		{ fail_check "member $i did not start: $(cat "$WORK/m$i.err")"; finish; }
	files+=("$WORK/m$i.pcap")
done
send_flows "$NSA" "$IFA" -n 3000 -f 30
wait_for_packets "$DEADLINE" 3000 "${files[@]}" || true
for i in 0 1 2; do tcpdump_stop "m$i"; done

for i in 0 1 2; do
	check_contains "member $i warns about the fallback" "$WORK/m$i.err" \
		"no permission to load eBPF; flows are spread by the kernel's flow hash"
done
check_same "union of the members vs flowgen --list" "$(expected_flows -n 3000 -f 30)" \
	"$(pcap_flows "${files[@]}")"
check_eq "no packet twice" 3000 \
	$(( $(pcap_count "$WORK/m0.pcap") + $(pcap_count "$WORK/m1.pcap") + $(pcap_count "$WORK/m2.pcap") ))
check_eq "no flow in two members" 0 \
	"$(for f in "${files[@]}"; do pcap_flows "$f" | cut -d' ' -f1; done | sort | uniq -d | wc -l)"
finish
