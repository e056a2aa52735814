#!/bin/bash
# zbalance reads the veth with the packet engine and spreads it per flow
# over 3 queues of a ZC cluster; 3 Debian tcpdumps read zc:<id>@0..2.
# Together they see every packet exactly once, each flow in exactly one
# queue, and that queue is the member the packet engine's per_flow cluster
# would give the flow (the shared hash, asked through tests/tools/flowhash).
# One consumer also runs a BPF filter (in user space) and a select()-style
# wake-up is what delivers everything: no packet is left waiting.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

N=3000
FLOWS=30
Q=3

lib_init
[ "$STOCK" = 0 ] || skip "zc: queues need our libpcap"
ns_setup
CID=$(unique_cluster_id 0)

zbalance_start "$NSB" -i "$IFB" -c "$CID" -n "$Q" -m hash -t per_flow
files=()
for ((i = 0; i < Q; i++)); do
	tcpdump_start "q$i" "$NSB" "zc:$CID@$i"
	files+=("$WORK/q$i.pcap")
done
check_contains "tcpdump names the zc device" "$WORK/q0.err" "listening on zc:$CID@0"

send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
wait_for_packets "$DEADLINE" "$N" "${files[@]}" || true
for ((i = 0; i < Q; i++)); do tcpdump_stop "q$i"; done
zbalance_stop
check_eq "zbalance input $IFB: received" "$N" "$(zb_input received)"
check_eq "zbalance input $IFB: dropped (its ring held the burst)" 0 "$(zb_input dropped)"

expected=$(expected_flows -n "$N" -f "$FLOWS")
check_same "union of the queues vs flowgen --list" "$expected" "$(pcap_flows "${files[@]}")"
sum=0
declare -A queue_of=()
for ((i = 0; i < Q; i++)); do
	n=$(pcap_count "$WORK/q$i.pcap")
	sum=$((sum + n))
	check_eq "consumer $i tcpdump exit status" 0 "${TD_RC[q$i]}"
	check_eq "consumer $i 'packets captured' vs its file" "$n" "${TD_CAPTURED[q$i]}"
	check_eq "consumer $i 'received by filter'" "$n" "${TD_RECEIVED[q$i]}"
	check_eq "consumer $i 'dropped by kernel'" 0 "${TD_DROPPED[q$i]}"
	check_eq "zbalance queue $i: sent" "$n" "$(zb_queue "$i" sent)"
	check_eq "zbalance queue $i: dropped" 0 "$(zb_queue "$i" dropped)"
	check_eq "zbalance queue $i: consumed" "$n" "$(zb_queue "$i" consumed)"
	while read -r flow _; do
		[ -n "$flow" ] || continue
		[ -z "${queue_of[$flow]:-}" ] || fail_check "flow $flow in queue ${queue_of[$flow]} and queue $i"
		queue_of[$flow]=$i
	done < <(pcap_flows "$WORK/q$i.pcap")
done
check_eq "sum of the queues (no packet twice)" "$N" "$sum"

bad=0
while read -r flow _; do
	want=$("$FLOWHASH" -t per_flow -m "$Q" "$flow") || hard_error "flowhash $flow failed"
	if [ "${queue_of[$flow]:-none}" != "$want" ]; then
		fail_check "flow $flow: expected in queue $want (packet engine member), found in ${queue_of[$flow]:-none}"
		bad=$((bad + 1))
	fi
done <<<"$expected"
[ "$bad" -ne 0 ] || pass_check "all $FLOWS flows in the queue the packet engine's cluster would pick"

# The same flows through a real per_flow kernel cluster of 3 tcpdumps:
# member i holds exactly the flows of queue i.
CID2=$(unique_cluster_id 1)
for ((i = 0; i < Q; i++)); do
	tcpdump_start "m$i" "$NSB" "pfring:$IFB" "PFRING_CLUSTER=$CID2"
done
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
wait_for_packets "$DEADLINE" "$N" "$WORK/m0.pcap" "$WORK/m1.pcap" "$WORK/m2.pcap" || true
for ((i = 0; i < Q; i++)); do
	tcpdump_stop "m$i"
	check_same "kernel cluster member $i vs ZC queue $i (flows)" \
		"$(pcap_flows "$WORK/q$i.pcap" | cut -d' ' -f1)" "$(pcap_flows "$WORK/m$i.pcap" | cut -d' ' -f1)"
done

# Names libpfring refuses: its reason after the option, exit status 2.
# zb_run NAME ZBALANCE_ARGS...: foreground; ZB_RC, stderr in $WORK/NAME.err.
zb_run() {
	local name=$1; shift
	ZB_RC=0
	timeout -k 5 "$DEADLINE" ip netns exec "$NSB" "$ZBALANCE" "$@" >/dev/null 2>"$WORK/$name.err" || ZB_RC=$?
}
CID3=$(unique_cluster_id 2)
# zb_refused NAME MESSAGE ZBALANCE_ARGS...: exit status 2 and MESSAGE on stderr.
zb_refused() {
	local name=$1 msg=$2; shift 2
	zb_run "$name" "$@"
	check_eq "$name: exit status" 2 "$ZB_RC"
	check_contains "$name: message" "$WORK/$name.err" "$msg"
}
zb_refused badifq "zbalance: -i $IFB@x: bad queue 'x' in '$IFB@x': not a number" \
	-i "$IFB@x" -c "$CID3" -n 1
zb_refused xdpq "zbalance: -i zc:$IFB@x: bad queue 'x' (a number 0..65535 expected)" \
	-i "zc:$IFB@x" -c "$CID3" -n 1
zb_refused noq "zbalance: -i zc:$CID: which queue of ZC cluster $CID? (zc:$CID@<queue>)" \
	-i "zc:$CID" -c "$CID3" -n 1
zb_refused empty "zbalance: -i: empty device name" -i "" -c "$CID3" -n 1
finish
