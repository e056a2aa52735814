#!/bin/bash
# zbalance in fan-out mode: every consumer of the 3 queues gets every
# packet.  Consumer 0 is a plain tcpdump, consumer 1 a tcpdump with a BPF
# filter (run in user space for zc: devices), consumer 2 zcount through the
# libpfring API.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

N=2000
FLOWS=10
ZCOUNT=$PFRING_BUILDDIR/pfring-backend/tools/zcount

lib_init
[ "$STOCK" = 0 ] || skip "zc: queues need our libpcap"
ns_setup
CID=$(unique_cluster_id 2)

zbalance_start "$NSB" -i "$IFB" -c "$CID" -n 3 -m fanout
tcpdump_start all "$NSB" "zc:$CID@0"
FILTER="udp src port 10003 or udp src port 10007"
tcpdump_start filtered "$NSB" "zc:$CID@1" -- "$FILTER"
# ip netns exec itself, not in_ns: a function would run in a subshell,
# $! would be that subshell and a SIGINT would never reach zcount.
ip netns exec "$NSB" "$ZCOUNT" -i "zc:$CID@2" -n "$N" >"$WORK/zcount.out" 2>"$WORK/zcount.err" &
ZC_PID=$!
TD_PID[zcount]=$ZC_PID   # killed by the cleanup if the test ends early
_zcount_ready() { grep -q 'engine zc' "$WORK/zcount.out" || _td_gone "$ZC_PID"; }
wait_until "$DEADLINE" _zcount_ready || true
check_contains "zcount reads through the zc engine" "$WORK/zcount.out" "zcount: zc:$CID@2: engine zc"

send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
expected=$(expected_flows -n "$N" -f "$FLOWS")
want_filtered=$(printf '%s\n' "$expected" | awk '/:1000[37]>/ { n += $2 } END { print n + 0 }')
wait_for_packets "$DEADLINE" "$N" "$WORK/all.pcap" || true
wait_for_packets "$DEADLINE" "$want_filtered" "$WORK/filtered.pcap" || true
# zcount ends by itself at $N packets; short of them, SIGINT for its report.
wait_until "$DEADLINE" _td_gone "$ZC_PID" || fail_check "zcount did not reach $N packets"
proc_reap zcount "$ZC_PID" INT
unset "TD_PID[zcount]"
check_eq "zcount exit status" 0 "$PROC_RC"
# An idle zcount (the traffic is over) ends at once on SIGINT and SIGTERM.
for sig in INT TERM; do
	ip netns exec "$NSB" "$ZCOUNT" -i "zc:$CID@2" >"$WORK/zcidle.out" 2>&1 &
	TD_PID[zcidle]=$!
	_idle_ready() { grep -q 'engine zc' "$WORK/zcidle.out" || _td_gone "${TD_PID[zcidle]}"; }
	wait_until "$DEADLINE" _idle_ready || true
	check_stops "zcount (idle)" "${TD_PID[zcidle]}" "$sig"
	unset "TD_PID[zcidle]"
done
tcpdump_stop all
tcpdump_stop filtered
zbalance_stop
check_eq "zbalance input $IFB: received" "$N" "$(zb_input received)"
check_eq "zbalance input $IFB: dropped (its ring held the burst)" 0 "$(zb_input dropped)"

check_same "consumer 0: every packet of every flow" "$expected" "$(pcap_flows "$WORK/all.pcap")"
check_eq "consumer 0: packets" "$N" "$(pcap_count "$WORK/all.pcap")"
check_eq "consumer 0: 'packets captured'" "$N" "${TD_CAPTURED[all]}"
check_same "consumer 1: exactly the flows its filter takes" \
	"$(printf '%s\n' "$expected" | grep -E ':1000[37]>')" "$(pcap_flows "$WORK/filtered.pcap")"
check_eq "consumer 1: 'packets captured'" "$want_filtered" "${TD_CAPTURED[filtered]}"
check_eq "consumer 1: 'received by filter' (every packet of its queue)" "$N" "${TD_RECEIVED[filtered]}"
check_contains "consumer 2 (zcount): every packet" "$WORK/zcount.out" "zcount: total $N packets"
for q in 0 1 2; do
	check_eq "zbalance queue $q: sent" "$N" "$(zb_queue "$q" sent)"
	check_eq "zbalance queue $q: dropped" 0 "$(zb_queue "$q" dropped)"
done
finish
