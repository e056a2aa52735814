#!/bin/bash
# pfring:IF@Q and zc:IF@Q name the same RX queue.  A veth with 4 queues
# receives on RX queue q what its peer sends on TX queue q, and the peer's
# XPS map (every CPU on TX queue Q, none on the others) sends everything on
# Q.  For each Q: the packet engine's pfring:IF@0..3 (Debian's tcpdump, side
# by side), with and without filtering rules (their eBPF program checks the
# queue then), get N on @Q and 0 elsewhere, counted by the kernel's filter too
# ("received by filter"); the AF_XDP zc:IF@P (one at a time here; all at once
# in zc-multiqueue.sh) gets N for P = Q and 0 otherwise, while pfring:IF (every
# queue) sees the packets the socket did not take.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

N=300
FLOWS=6
NQ=4

lib_init
[ "$STOCK" = 0 ] || skip "pfring: and zc: devices need our libpcap"
ns_setup
ns_multiqueue "$NQ"

# send_on Q: N packets from $IFA's TX queue Q, i.e. to $IFB's RX queue Q.
send_on() {
	local q
	for ((q = 0; q < NQ; q++)); do
		in_ns "$NSA" sh -c "echo $([ "$q" = "$1" ] && echo "$ALL_CPUS" || echo 0) \
			>$XPS/tx-$q/xps_cpus" || hard_error "cannot set the XPS map of $IFA tx-$q"
	done
	send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
}

for ((Q = 0; Q < NQ; Q++)); do
	# The packet engine, every queue at once, and a capture of all of them.
	tcpdump_start "all-$Q" "$NSB" "pfring:$IFB"
	# With filtering rules the queue check is in their eBPF program.
	for ((P = 0; P < NQ; P++)); do
		tcpdump_start "pkt-$Q-$P" "$NSB" "pfring:$IFB@$P"
		tcpdump_start "rules-$Q-$P" "$NSB" "pfring:$IFB@$P" "PFRING_RULES=default pass"
	done
	send_on "$Q"
	wait_for_packets "$DEADLINE" "$N" "$WORK/all-$Q.pcap" || true
	wait_for_packets "$DEADLINE" "$N" "$WORK/pkt-$Q-$Q.pcap" || true
	wait_for_packets "$DEADLINE" "$N" "$WORK/rules-$Q-$Q.pcap" || true
	tcpdump_stop "all-$Q"
	check_eq "sent on queue $Q: pfring:$IFB gets them all" "$N" "${TD_CAPTURED[all-$Q]}"
	for ((P = 0; P < NQ; P++)); do
		want=0
		[ "$P" != "$Q" ] || want=$N
		for kind in pkt rules; do
			tcpdump_stop "$kind-$Q-$P"
			what="sent on queue $Q: pfring:$IFB@$P"
			[ "$kind" = pkt ] || what="$what with PFRING_RULES"
			check_eq "$what 'packets captured'" "$want" "${TD_CAPTURED[$kind-$Q-$P]}"
			check_eq "$what 'received by filter'" "$want" "${TD_RECEIVED[$kind-$Q-$P]}"
		done
		# No warning: the rules ran in the kernel, with the queue check.
		check_eq "pfring:$IFB@$P with PFRING_RULES: no warning" "" \
			"$(grep WARNING "$WORK/rules-$Q-$P.err" || true)"
	done

	# AF_XDP, one queue at a time; pfring:$IFB sees what it leaves to the stack.
	for ((P = 0; P < NQ; P++)); do
		tcpdump_start "rest-$Q-$P" "$NSB" "pfring:$IFB"
		tcpdump_start "xdp-$Q-$P" "$NSB" "zc:$IFB@$P"
		send_on "$Q"
		if [ "$P" = "$Q" ]; then
			wait_for_packets "$DEADLINE" "$N" "$WORK/xdp-$Q-$P.pcap" || true
			want=$N rest=0
		else
			wait_for_packets "$DEADLINE" "$N" "$WORK/rest-$Q-$P.pcap" || true
			want=0 rest=$N
		fi
		tcpdump_stop "xdp-$Q-$P"
		tcpdump_stop "rest-$Q-$P"
		check_eq "sent on queue $Q: zc:$IFB@$P 'packets captured'" "$want" \
			"${TD_CAPTURED[xdp-$Q-$P]}"
		check_eq "sent on queue $Q: zc:$IFB@$P 'received by filter'" "$want" \
			"${TD_RECEIVED[xdp-$Q-$P]}"
		check_eq "sent on queue $Q, zc:$IFB@$P running: the stack (pfring:$IFB) gets" \
			"$rest" "${TD_CAPTURED[rest-$Q-$P]}"
	done
done

# One rules program serves every device of a ring: a veth and lo (numbered
# the drivers' way, q + 1 or 0) cannot share one queue check.
tcpdump_run mixed "$NSB" "pfring:$IFB,lo@0" "PFRING_RULES=default pass"
check_eq "pfring:$IFB,lo@0 with PFRING_RULES: refused" \
	"tcpdump: filtering rules on RX queue 0 of '$IFB' and 'lo': a veth and another device number queues differently; open one ring each" \
	"$(cat "$WORK/mixed.err")"
finish
