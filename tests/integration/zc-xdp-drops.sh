#!/bin/bash
# AF_XDP drops count each lost frame once.  Debian's tcpdump reads zc:<veth>
# (copy mode) and is stopped (SIGSTOP) while N packets arrive at a set rate:
# its RX ring fills, the kernel drops the rest for want of fill-ring buffers
# and counts each such frame in rx_dropped and its failed buffer take in
# rx_fill_ring_empty_descs too.  Continued, it reads what its ring holds;
# M packets of a flow of their own follow, and once all M are in its file
# every earlier frame the ring took is too.  Then "packets captured" +
# "dropped by kernel" == N + M exactly, "received by filter" is that sum,
# and the drops are real (more than none).
# The same with zbalance -i zc:<veth> stopped instead (its AF_XDP input
# over the cluster's buffers; a tcpdump reads the queue): the input's
# "received" + "dropped" in its report == N + M, as zbalance(1) documents.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

N=20000
RATE=20000      # packets per second: 1 s of traffic
FLOWS=10
M=200
TAIL_BASE=100   # the tail's flow: none of the first N packets' flows
FIRST=500       # stop the reader once it has this many

lib_init
[ "$STOCK" = 0 ] || skip "zc: devices need our libpcap"
ns_setup

tx_dropped() { # NS IF: the veth's own TX drops (the peer's XDP ring full)
	ip -n "$1" -s -j link show dev "$2" | sed -n 's/.*"tx":{[^}]*"dropped":\([0-9]*\).*/\1/p'
}

tcpdump_start xsk "$NSB" "zc:$IFB"
in_ns "$NSA" "$FLOWGEN" -i "$IFA" -n "$N" -f "$FLOWS" -R "$RATE" 2>"$WORK/flowgen.err" &
FG_PID=$!
if ! wait_for_packets "$DEADLINE" "$FIRST" "$WORK/xsk.pcap"; then
	fail_check "tcpdump -i zc:$IFB did not capture $FIRST packets"
fi
tcpdump_signal xsk STOP
log "tcpdump stopped with $(pcap_count "$WORK/xsk.pcap") packets in its file"
_fg_gone() { ! kill -0 "$FG_PID" 2>/dev/null; }
wait_until "$DEADLINE" _fg_gone || hard_error "flowgen still sending after ${DEADLINE}s"
wait "$FG_PID" || hard_error "flowgen -R $RATE failed: $(cat "$WORK/flowgen.err")"
tcpdump_signal xsk CONT

send_flows "$NSA" "$IFA" -n "$M" -f 1 -b "$TAIL_BASE"
tail_flow=$(expected_flows -n "$M" -f 1 -b "$TAIL_BASE" | cut -d' ' -f1)
_tail_in() { [ "$(pcap_flows "$WORK/xsk.pcap" | sed -n "s|^$tail_flow ||p")" = "$M" ]; }
wait_until "$DEADLINE" _tail_in || fail_check "the last $M packets ($tail_flow) did not all reach tcpdump's file"
tcpdump_stop xsk

veth_drops=$(tx_dropped "$NSA" "$IFA")
[ "${veth_drops:-0}" = 0 ] || hard_error "$IFA dropped $veth_drops frames itself: nothing to check the socket's count against"
captured=$(pcap_count "$WORK/xsk.pcap")
check_eq "tcpdump exit status" 0 "${TD_RC[xsk]}"
check_eq "'packets captured' vs its file" "$captured" "${TD_CAPTURED[xsk]}"
check_true "the stopped reader lost packets (dropped ${TD_DROPPED[xsk]:-?})" \
	test "${TD_DROPPED[xsk]:-0}" -gt 0
check_eq "captured + dropped (each lost frame once) vs sent" "$((N + M))" \
	"$((captured + ${TD_DROPPED[xsk]:-0}))"
check_eq "'received by filter' (captured + dropped)" "$((N + M))" "${TD_RECEIVED[xsk]}"
check_eq "every packet of the last flow captured" "$M" \
	"$(pcap_flows "$WORK/xsk.pcap" | sed -n "s|^$tail_flow ||p")"

# --- zbalance -i zc:IF stopped ---------------------------------------------------------
CID=$(unique_cluster_id 2)
zbalance_start "$NSB" -i "zc:$IFB" -c "$CID" -n 1 -q 32768
tcpdump_start q0 "$NSB" "zc:$CID@0"
in_ns "$NSA" "$FLOWGEN" -i "$IFA" -n "$N" -f "$FLOWS" -R "$RATE" 2>"$WORK/flowgen.err" &
FG_PID=$!
if ! wait_for_packets "$DEADLINE" "$FIRST" "$WORK/q0.pcap"; then
	fail_check "tcpdump -i zc:$CID@0 did not capture $FIRST packets"
fi
kill -STOP "$ZB_PID"
wait_until "$DEADLINE" _td_stopped "$ZB_PID" || hard_error "zbalance did not stop"
wait_until "$DEADLINE" _fg_gone || hard_error "flowgen still sending after ${DEADLINE}s"
wait "$FG_PID" || hard_error "flowgen -R $RATE failed: $(cat "$WORK/flowgen.err")"
kill -CONT "$ZB_PID"
wait_until "$DEADLINE" _td_running "$ZB_PID" || hard_error "zbalance did not continue"
send_flows "$NSA" "$IFA" -n "$M" -f 1 -b "$TAIL_BASE"
_tail_in_q0() { [ "$(pcap_flows "$WORK/q0.pcap" | sed -n "s|^$tail_flow ||p")" = "$M" ]; }
wait_until "$DEADLINE" _tail_in_q0 || fail_check "the last $M packets ($tail_flow) did not all reach queue 0's tcpdump"
tcpdump_stop q0
zbalance_stop
veth_drops=$(tx_dropped "$NSA" "$IFA")
[ "${veth_drops:-0}" = 0 ] || hard_error "$IFA dropped $veth_drops frames itself: nothing to check the socket's count against"
read -r zb_recv zb_drop < <(sed -n 's/^input zc:.*: received \([0-9]*\) dropped \([0-9]*\)$/\1 \2/p' "$ZB_OUT" | tail -1)
log "zbalance: $(grep '^input ' "$ZB_OUT" | tail -1)"
check_true "the stopped balancer lost packets (dropped ${zb_drop:-?})" test "${zb_drop:-0}" -gt 0
check_eq "zbalance input: received + dropped (each lost frame once) vs sent" "$((N + M))" \
	"$((${zb_recv:-0} + ${zb_drop:-0}))"
check_eq "zbalance queue 0: sent = the input's received" "${zb_recv:-?}" "$(zb_queue 0 sent)"
check_eq "zbalance queue 0: dropped" 0 "$(zb_queue 0 dropped)"
check_eq "queue 0's tcpdump: every packet the input received" "${zb_recv:-?}" "$(pcap_count "$WORK/q0.pcap")"
finish
