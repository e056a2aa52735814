#!/bin/bash
# kill -9 of one consumer of a per-flow ZC cluster: the other consumers lose
# nothing, the balancer keeps going (the dead consumer's queue holds its
# packets), and a consumer restarted on that queue continues exactly where
# the dead one stopped: the two files together hold every packet of the
# queue once.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

N=1500
FLOWS=30
Q=3

lib_init
[ "$STOCK" = 0 ] || skip "zc: queues need our libpcap"
ns_setup
CID=$(unique_cluster_id 3)

zbalance_start "$NSB" -i "$IFB" -c "$CID" -n "$Q" -q 8192
for ((i = 0; i < Q; i++)); do tcpdump_start "q$i" "$NSB" "zc:$CID@$i"; done

# Each queue's share of one round of traffic, from the shared hash.
expected=$(expected_flows -n "$N" -f "$FLOWS")
share=(0 0 0)
while read -r flow count; do
	m=$("$FLOWHASH" -t per_flow -m "$Q" "$flow")
	share[m]=$((share[m] + count))
done <<<"$expected"
log "per round: queue 0 ${share[0]}, queue 1 ${share[1]}, queue 2 ${share[2]}"

send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
wait_for_packets "$DEADLINE" "${share[1]}" "$WORK/q1.pcap" || true

kill -KILL "${TD_PID[q1]}"
wait_until "$DEADLINE" _td_gone "${TD_PID[q1]}" || hard_error "tcpdump q1 survived SIGKILL"
wait "${TD_PID[q1]}" 2>/dev/null || true
unset "TD_PID[q1]"
log "killed consumer 1 with SIGKILL"

send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
wait_for_packets "$DEADLINE" $((2 * share[0])) "$WORK/q0.pcap" || true
wait_for_packets "$DEADLINE" $((2 * share[2])) "$WORK/q2.pcap" || true
check_eq "consumer 0 while 1 is dead: nothing lost" $((2 * share[0])) "$(pcap_count "$WORK/q0.pcap")"
check_eq "consumer 2 while 1 is dead: nothing lost" $((2 * share[2])) "$(pcap_count "$WORK/q2.pcap")"

tcpdump_start q1b "$NSB" "zc:$CID@1"
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
wait_for_packets "$DEADLINE" $((2 * share[1])) "$WORK/q1b.pcap" || true
wait_for_packets "$DEADLINE" $((3 * share[0])) "$WORK/q0.pcap" || true
wait_for_packets "$DEADLINE" $((3 * share[2])) "$WORK/q2.pcap" || true
tcpdump_stop q0
tcpdump_stop q1b
tcpdump_stop q2
zbalance_stop
check_eq "zbalance input $IFB: received" "$((3 * N))" "$(zb_input received)"
check_eq "zbalance input $IFB: dropped (its ring held the burst)" 0 "$(zb_input dropped)"

check_eq "consumer 0: all 3 rounds" $((3 * share[0])) "$(pcap_count "$WORK/q0.pcap")"
check_eq "consumer 2: all 3 rounds" $((3 * share[2])) "$(pcap_count "$WORK/q2.pcap")"
check_eq "killed consumer 1: round 1" "${share[1]}" "$(pcap_count "$WORK/q1.pcap")"
check_eq "restarted consumer 1: rounds 2 (queued while dead) and 3" $((2 * share[1])) \
	"$(pcap_count "$WORK/q1b.pcap")"
all=$(for r in 1 2 3; do printf '%s\n' "$expected"; done | awk '{ n[$1] += $2 } END { for (f in n) print f, n[f] }')
check_same "every packet once over all files" "$all" \
	"$(pcap_flows "$WORK/q0.pcap" "$WORK/q1.pcap" "$WORK/q1b.pcap" "$WORK/q2.pcap")"
for ((i = 0; i < Q; i++)); do
	check_eq "zbalance queue $i: dropped" 0 "$(zb_queue "$i" dropped)"
	check_eq "zbalance queue $i: sent" $((3 * share[i])) "$(zb_queue "$i" sent)"
done
finish
