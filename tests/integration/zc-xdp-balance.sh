#!/bin/bash
# zbalance -i zc:<veth>: an AF_XDP socket whose UMEM is the cluster's own
# buffer memory (copy mode on veth); the per-flow hash comes from our XDP
# program as metadata in each buffer's header.
# 1. per_flow over 3 queues, 3 Debian tcpdumps: together every packet once,
#    each queue exactly the packets of its flows, and the flow -> queue map
#    is the shared hash's (flowhash) and the one zbalance -i <veth> (packet
#    engine input, run first) gives; again with the hash computed in user
#    space (PFRING_ZC_XDP_USER_HASH=1, what a driver without metadata gets).
# 2. A stopped consumer: its queue (-q 256) fills, the rest of its packets
#    are drops of that queue only, counted by zbalance and by the consumer's
#    pcap_stats; the other queues lose nothing.
# 3. Round robin over 2 queues (input zc:<veth>@0): exactly half each.
#    Fan-out over 3 queues: every consumer gets every packet, byte for byte
#    (one queue gets the received buffer itself, the others copies).
# Then the interface has no XDP program left.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

N=3000
FLOWS=30
Q=3
QLEN=256

lib_init
[ "$STOCK" = 0 ] || skip "zc: queues need our libpcap"
ns_setup
CID=$(unique_cluster_id 0)
expected=$(expected_flows -n "$N" -f "$FLOWS")

# Each queue's share from the shared hash, and the flows it should hold.
share=(0 0 0)
want_q=("" "" "")
while read -r flow count; do
	m=$("$FLOWHASH" -t per_flow -m "$Q" "$flow") || hard_error "flowhash $flow failed"
	share[m]=$((share[m] + count))
	want_q[m]+="$flow"$'\n'
done <<<"$expected"
log "shares: queue 0 ${share[0]}, queue 1 ${share[1]}, queue 2 ${share[2]}"

_zb_counted() { kill -USR1 "$ZB_PID"; sleep 0.1; grep -q "^balancer: packets $1 " "$ZB_OUT"; }

# run_hash NAME INPUT: zbalance -i INPUT per_flow over Q queues, a tcpdump
# on each (NAME-q<i>), N packets; zbalance's report kept in NAME.zb.
run_hash() {
	local name=$1 input=$2 i files=()
	zbalance_start "$NSB" -i "$input" -c "$CID" -n "$Q" -m hash -t per_flow
	for ((i = 0; i < Q; i++)); do
		tcpdump_start "$name-q$i" "$NSB" "zc:$CID@$i"
		files+=("$WORK/$name-q$i.pcap")
	done
	send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
	wait_for_packets "$DEADLINE" "$N" "${files[@]}" || true
	for ((i = 0; i < Q; i++)); do tcpdump_stop "$name-q$i"; done
	zbalance_stop
	cp "$ZB_OUT" "$WORK/$name.zb"
	cp "$WORK/zbalance.err" "$WORK/$name.zb-err"
}

# 1. The packet engine input, then the AF_XDP one.
run_hash pkt "$IFB"
run_hash xdp "zc:$IFB"
check_contains "zbalance -i zc:$IFB binds AF_XDP (veth: copy mode)" "$WORK/xdp.zb" \
	"zbalance: input zc:$IFB (engine xdp-copy)"
check_contains "zbalance -i zc:$IFB: the input took every packet, the kernel dropped none" \
	"$WORK/xdp.zb" \
	"input zc:$IFB (rx_dropped 0 rx_ring_full 0 fill_ring_empty 0 invalid_descs 0): received $N dropped 0"
check_contains "zbalance -i zc:$IFB: the balancer took every packet" "$WORK/xdp.zb" \
	"balancer: packets $N filtered 0"
check_true "no 'computing the flow hash in user space' (metadata works)" \
	test ! -s "$WORK/xdp.zb-err"
check_same "-i zc:$IFB: union of the queues vs flowgen --list" "$expected" \
	"$(pcap_flows "$WORK"/xdp-q*.pcap)"
ZB_OUT=$WORK/xdp.zb
for ((i = 0; i < Q; i++)); do
	n=$(pcap_count "$WORK/xdp-q$i.pcap")
	check_eq "-i zc:$IFB queue $i: packets (its flows' share)" "${share[i]}" "$n"
	check_eq "-i zc:$IFB consumer $i: 'packets captured'" "${share[i]}" "${TD_CAPTURED[xdp-q$i]}"
	check_eq "-i zc:$IFB consumer $i: 'dropped by kernel'" 0 "${TD_DROPPED[xdp-q$i]}"
	check_eq "-i zc:$IFB zbalance queue $i: sent" "${share[i]}" "$(zb_queue "$i" sent)"
	check_eq "-i zc:$IFB zbalance queue $i: dropped" 0 "$(zb_queue "$i" dropped)"
	check_eq "-i zc:$IFB zbalance queue $i: consumed" "${share[i]}" "$(zb_queue "$i" consumed)"
	check_same "-i zc:$IFB queue $i: the flows the shared hash gives it" \
		"$(printf '%s' "${want_q[i]}" | sort)" "$(pcap_flows "$WORK/xdp-q$i.pcap" | cut -d' ' -f1 | sort)"
	check_same "queue $i: the same flows (and counts) with -i zc:$IFB as with -i $IFB" \
		"$(pcap_flows "$WORK/pkt-q$i.pcap")" "$(pcap_flows "$WORK/xdp-q$i.pcap")"
done

# 1b. The path of drivers without XDP metadata: the hash in user space, the
# same queues.
PFRING_ZC_XDP_USER_HASH=1 run_hash sw "zc:$IFB"
check_contains "PFRING_ZC_XDP_USER_HASH=1 says where the hash comes from" "$WORK/sw.zb-err" \
	"zc:$IFB: PFRING_ZC_XDP_USER_HASH=1; computing the flow hash in user space"
for ((i = 0; i < Q; i++)); do
	check_same "queue $i: the same flows (and counts) with the hash in user space" \
		"$(pcap_flows "$WORK/pkt-q$i.pcap")" "$(pcap_flows "$WORK/sw-q$i.pcap")"
done

# 2. Consumer 1 stopped while N packets come: queue 1 holds QLEN of its
# share, the rest are its drops; queues 0 and 2 lose nothing.
zbalance_start "$NSB" -i "zc:$IFB" -c "$CID" -n "$Q" -m hash -t per_flow -q "$QLEN"
for ((i = 0; i < Q; i++)); do tcpdump_start "stop-q$i" "$NSB" "zc:$CID@$i"; done
tcpdump_signal stop-q1 STOP
# Paced, so that the running consumers keep their small queues drained: a
# buffered tcpdump wakes when half its queue (128) is full, and a loaded
# machine may take tens of ms to run it.
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS" -R 5000
check_true "zbalance counted all $N packets" wait_until "$DEADLINE" _zb_counted "$N"
tcpdump_signal stop-q1 CONT
wait_for_packets "$DEADLINE" "${share[0]}" "$WORK/stop-q0.pcap" || true
wait_for_packets "$DEADLINE" "$QLEN" "$WORK/stop-q1.pcap" || true
wait_for_packets "$DEADLINE" "${share[2]}" "$WORK/stop-q2.pcap" || true
for ((i = 0; i < Q; i++)); do tcpdump_stop "stop-q$i"; done
zbalance_stop
lost=$((share[1] - QLEN))
check_eq "stopped consumer 1: 'packets captured' (a full queue)" "$QLEN" "${TD_CAPTURED[stop-q1]}"
check_eq "stopped consumer 1: 'dropped by kernel' (pcap_stats)" "$lost" "${TD_DROPPED[stop-q1]}"
check_eq "zbalance queue 1: sent" "$QLEN" "$(zb_queue 1 sent)"
check_eq "zbalance queue 1: dropped" "$lost" "$(zb_queue 1 dropped)"
for i in 0 2; do
	check_eq "consumer $i beside the stopped one: 'packets captured'" "${share[i]}" "${TD_CAPTURED[stop-q$i]}"
	check_eq "consumer $i beside the stopped one: 'dropped by kernel'" 0 "${TD_DROPPED[stop-q$i]}"
	check_eq "zbalance queue $i: dropped" 0 "$(zb_queue "$i" dropped)"
done
check_contains "input: received every packet, the kernel dropped none" "$ZB_OUT" \
	"input zc:$IFB (rx_dropped 0 rx_ring_full 0 fill_ring_empty 0 invalid_descs 0): received $N dropped 0"

# 3. Round robin over 2 queues (the input named with its RX queue: zc:IF@0),
# then fan-out over 3.
zbalance_start "$NSB" -i "zc:$IFB@0" -c "$CID" -n 2 -m rr
check_contains "zbalance -i zc:$IFB@0 binds AF_XDP on queue 0" "$ZB_OUT" \
	"zbalance: input zc:$IFB@0 (engine xdp-copy)"
for i in 0 1; do tcpdump_start "rr-q$i" "$NSB" "zc:$CID@$i"; done
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
wait_for_packets "$DEADLINE" "$N" "$WORK/rr-q0.pcap" "$WORK/rr-q1.pcap" || true
for i in 0 1; do tcpdump_stop "rr-q$i"; done
zbalance_stop
check_same "round robin: union of the 2 queues vs flowgen --list" "$expected" \
	"$(pcap_flows "$WORK/rr-q0.pcap" "$WORK/rr-q1.pcap")"
for i in 0 1; do
	check_eq "round robin: queue $i packets" $((N / 2)) "$(pcap_count "$WORK/rr-q$i.pcap")"
	check_eq "round robin: zbalance queue $i sent" $((N / 2)) "$(zb_queue "$i" sent)"
done

zbalance_start "$NSB" -i "zc:$IFB" -c "$CID" -n "$Q" -m fanout
for ((i = 0; i < Q; i++)); do tcpdump_start "fan-q$i" "$NSB" "zc:$CID@$i"; done
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
for ((i = 0; i < Q; i++)); do wait_for_packets "$DEADLINE" "$N" "$WORK/fan-q$i.pcap" || true; done
for ((i = 0; i < Q; i++)); do tcpdump_stop "fan-q$i"; done
zbalance_stop
for ((i = 0; i < Q; i++)); do
	check_same "fan-out consumer $i: every packet of every flow" "$expected" \
		"$(pcap_flows "$WORK/fan-q$i.pcap")"
	check_eq "fan-out zbalance queue $i: sent" "$N" "$(zb_queue "$i" sent)"
	check_eq "fan-out zbalance queue $i: dropped" 0 "$(zb_queue "$i" dropped)"
	[ "$i" = 0 ] || check_same "fan-out consumer $i: the same bytes as consumer 0" \
		"$("$TCPDUMP" -r "$WORK/fan-q0.pcap" -t -nn -x 2>/dev/null | md5sum)" \
		"$("$TCPDUMP" -r "$WORK/fan-q$i.pcap" -t -nn -x 2>/dev/null | md5sum)"
done

_no_xdp() { ! ip -n "$NSB" link show dev "$IFB" | grep -q 'prog/xdp'; }
check_true "no XDP program left on $IFB after zbalance exits" wait_until "$DEADLINE" _no_xdp
finish
