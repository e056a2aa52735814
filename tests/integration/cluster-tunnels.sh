#!/bin/bash
# Tunnelled traffic (GTP-U, VXLAN, GRE, IP in IP from flowgen -T: every flow
# has the same outer addresses) over three Debian tcpdumps in one cluster of
# the packet engine.  With an inner cluster type each carried flow reaches
# exactly the member the shared hash names for it (tests/tools/flowhash -T,
# the same tunnel frame through common/pf_flow.h); with the outer 5_tuple
# every packet lands in one member, which proves the inner types matter.
# ip_with_dup_tuple is refused by the packet engine with the reason, and
# proved through zbalance: each packet is in the member of its source and
# the member of its destination, once when they are the same.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

N=600
FLOWS=30
MEMBERS=3

lib_init
[ "$STOCK" = 0 ] || skip "cluster types need our libpcap"
[ -x "$FLOWHASH" ] || hard_error "$FLOWHASH not built"
ns_setup

# run_cluster TAG TYPE TUNNEL FLOWGEN_PROTO: 3 members of a new cluster of
# TYPE, N packets over FLOWS flows in TUNNEL; leaves $WORK/TAG-m<i>.pcap.
run_cluster() {
	local tag=$1 type=$2 tunnel=$3 proto=$4 cid i files=()
	# Rounds run one after another: the id is free again once they stop.
	cid=$(unique_cluster_id 0)
	for ((i = 0; i < MEMBERS; i++)); do
		tcpdump_start "$tag-m$i" "$NSB" "pfring:$IFB" "PFRING_CLUSTER=$cid" \
			"PFRING_CLUSTER_TYPE=$type"
		files+=("$WORK/$tag-m$i.pcap")
	done
	send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS" -p "$proto" -T "$tunnel"
	wait_for_packets "$DEADLINE" "$N" "${files[@]}" || true
	for ((i = 0; i < MEMBERS; i++)); do tcpdump_stop "$tag-m$i"; done
}

# check_members TAG TYPE TUNNEL PROTO: every carried flow in exactly the
# member flowhash names, nothing lost or twice.
check_members() {
	local tag=$1 type=$2 tunnel=$3 proto=$4 i n sum=0 bad=0 flow want
	local expected used=0
	declare -A member_of=()
	expected=$(expected_flows -n "$N" -f "$FLOWS" -p "$proto")
	check_same "$tag: carried flows of the members together vs flowgen --list" \
		"$expected" "$("$PCAPFLOWS" -c -i "$WORK/$tag-m"*.pcap)"
	for ((i = 0; i < MEMBERS; i++)); do
		n=$(pcap_count "$WORK/$tag-m$i.pcap")
		sum=$((sum + n))
		check_eq "$tag: member $i tcpdump exit status" 0 "${TD_RC[$tag-m$i]}"
		[ "$n" -eq 0 ] || used=$((used + 1))
		while read -r flow _; do
			[ -n "$flow" ] || continue
			[ -z "${member_of[$flow]:-}" ] ||
				fail_check "$tag: flow $flow in member ${member_of[$flow]} and member $i"
			member_of[$flow]=$i
		done < <("$PCAPFLOWS" -i "$WORK/$tag-m$i.pcap")
	done
	check_eq "$tag: sum of member files (no packet twice)" "$N" "$sum"
	check_eq "$tag: members that got packets" "$MEMBERS" "$used"
	while read -r flow _; do
		want=$("$FLOWHASH" -t "$type" -T "$tunnel" -m "$MEMBERS" "$flow") ||
			hard_error "flowhash -t $type -T $tunnel $flow failed"
		if [ "${member_of[$flow]:-none}" != "$want" ]; then
			fail_check "$tag: flow $flow: expected in member $want, found in ${member_of[$flow]:-none}"
			bad=$((bad + 1))
		fi
	done <<<"$expected"
	[ "$bad" -ne 0 ] || pass_check "$tag: all $FLOWS carried flows in the member the $type hash names"
}

run_cluster gtpu inner_5_tuple gtpu udp
check_members gtpu inner_5_tuple gtpu udp
run_cluster vxlan inner_flow vxlan udp
check_members vxlan inner_flow vxlan udp
run_cluster gre inner_4_tuple gre udp
check_members gre inner_4_tuple gre udp
run_cluster ipip inner_tcp_5_tuple ipip tcp
check_members ipip inner_tcp_5_tuple ipip tcp

# The outer 5-tuple of a GTP-U tunnel is one flow: one member gets it all.
run_cluster outer 5_tuple gtpu udp
want=$("$FLOWHASH" -t 5_tuple -T gtpu -m "$MEMBERS" "10.0.0.0:10000>10.255.0.1:80/udp")
for ((i = 0; i < MEMBERS; i++)); do
	n=$(pcap_count "$WORK/outer-m$i.pcap")
	if [ "$i" = "$want" ]; then
		check_eq "5_tuple over GTP-U: member $i (the tunnel's) has every packet" "$N" "$n"
	else
		check_eq "5_tuple over GTP-U: member $i has none" 0 "$n"
	fi
done

# ip_with_dup_tuple: the packet engine says why it cannot.
cid=$(unique_cluster_id 1)
ip netns exec "$NSB" env "PFRING_CLUSTER=$cid" PFRING_CLUSTER_TYPE=ip_with_dup_tuple \
	"${RUNNER[@]}" "$TCPDUMP" -n -c 1 -w /dev/null -i "pfring:$IFB" >/dev/null 2>"$WORK/dup.err" &&
	fail_check "tcpdump with ip_with_dup_tuple on the packet engine started" ||
	pass_check "tcpdump with ip_with_dup_tuple on the packet engine refused"
check_contains "the refusal names the engines that can" "$WORK/dup.err" \
	"cluster type ip_with_dup_tuple sends a packet to two members, which a PACKET_FANOUT group cannot: use the kmod engine (pf_ring.ko) or zbalance -t ip_with_dup_tuple"

# ... and zbalance does it, with a copying input (-i IF) and with AF_XDP
# (-i zc:IF, where the second member gets a copy of the received buffer):
# flows 10.0.0.k > 10.255.0.1 and some replies.
dup_round() {
	local input=$1 tag=$2 cid i m flow count members got exp bad=0 total=0
	declare -A want_count=()
	cid=$(unique_cluster_id 2)
	zbalance_start "$NSB" -i "$input" -c "$cid" -n "$MEMBERS" -m hash -t ip_with_dup_tuple
	for ((i = 0; i < MEMBERS; i++)); do
		tcpdump_start "$tag-q$i" "$NSB" "zc:$cid@$i"
	done
	send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
	send_flows "$NSA" "$IFA" -n 60 -f 6 -r -b 100
	while read -r flow count; do
		members=$("$FLOWHASH" -t ip_with_dup_tuple -m "$MEMBERS" "$flow")
		for m in $members; do
			want_count[$m]=$(( ${want_count[$m]:-0} + count ))
			total=$((total + count))
		done
	done < <(expected_flows -n "$N" -f "$FLOWS"; expected_flows -n 60 -f 6 -r -b 100)
	wait_for_packets "$DEADLINE" "$total" "$WORK/$tag"-q*.pcap || true
	zbalance_stop
	for ((i = 0; i < MEMBERS; i++)); do tcpdump_stop "$tag-q$i"; done
	for ((i = 0; i < MEMBERS; i++)); do
		check_eq "$tag: queue $i has the packets of the hosts that hash to it" \
			"${want_count[$i]:-0}" "$(pcap_count "$WORK/$tag-q$i.pcap")"
	done
	# Per flow: exactly the members flowhash names, all of its packets in each.
	while read -r flow count; do
		members=" $("$FLOWHASH" -t ip_with_dup_tuple -m "$MEMBERS" "$flow") "
		for ((i = 0; i < MEMBERS; i++)); do
			got=$("$PCAPFLOWS" "$WORK/$tag-q$i.pcap" | awk -v f="$flow" '$1 == f { print $2 }')
			if [[ "$members" == *" $i "* ]]; then exp=$count; else exp=""; fi
			if [ "${got:-}" != "$exp" ]; then
				fail_check "$tag: $flow in queue $i: ${got:-0}, expected ${exp:-0}"
				bad=$((bad + 1))
			fi
		done
	done < <(expected_flows -n "$N" -f "$FLOWS"; expected_flows -n 60 -f 6 -r -b 100)
	[ "$bad" -ne 0 ] ||
		pass_check "$tag: every flow in exactly its source's and its destination's member"
}
dup_round "$IFB" dup
dup_round "zc:$IFB" dup-xdp

# An inner type through the balancer's XDP hashing program
# (pf_xdp_hash_inner_5_tuple): GTP-U flows to the queues flowhash names.
cid=$(unique_cluster_id 2)
zbalance_start "$NSB" -i "zc:$IFB" -c "$cid" -n "$MEMBERS" -m hash -t inner_5_tuple
for ((i = 0; i < MEMBERS; i++)); do
	tcpdump_start "xdp-m$i" "$NSB" "zc:$cid@$i"
done
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS" -T gtpu
wait_for_packets "$DEADLINE" "$N" "$WORK"/xdp-m*.pcap || true
zbalance_stop
for ((i = 0; i < MEMBERS; i++)); do tcpdump_stop "xdp-m$i"; done
if grep -q "computing the flow hash in user space" "$WORK/zbalance.err"; then
	fail_check "xdp: the hash came from user space, not the XDP program"
else
	pass_check "xdp: the hash came from the XDP program (no user-space fallback)"
fi
check_members xdp inner_5_tuple gtpu udp
finish
