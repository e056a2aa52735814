#!/bin/bash
# AF_XDP on every RX queue of a 4-queue veth, one XDP program shared by all.
# The sender puts flows 100q.. (100 (q + 1) packets) on RX queue q (its XPS
# map, as in zc-queues.sh), so every queue has its own count and flows.
# 1. pfring:IF@0..3 (packet engine) at once: the counts per queue.
# 2. zc:IF@0..3 in four Debian tcpdumps at once: each exactly its queue's
#    packets and flows (= what pfring:IF@Q saw), copy mode reported.  One is
#    killed with SIGKILL and started again: it gets its queue again, the
#    others lose nothing.  After all exit (as user tcpdump: Debian's tcpdump
#    drops root after opening) no XDP program is left.
# 3. zc:IF (no queue): one handle gets every packet of every queue (our
#    patched tcpdump's ring counters too; zcount's pfring_recv too).  Four
#    zcounts on @0..3 opened at the same instant: each exactly its queue.
# 4. zbalance -i zc:IF -n 3 -m hash: the union of its queues is what was
#    sent, no flow in two queues.
# 5. Another program on the interface: zc:IF@1 while zbalance -i zc:IF@0
#    runs our hashing variant, and a foreign XDP program: refused, named.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

NQ=4
FLOWS=5
ZCOUNT=$PFRING_BUILDDIR/pfring-backend/tools/zcount

lib_init
[ "$STOCK" = 0 ] || skip "pfring: and zc: devices need our libpcap"
ns_setup
CID=$(unique_cluster_id 0)
ns_multiqueue "$NQ"

# Queue q: count[q] packets of flows 100q .. 100q + FLOWS - 1.
count=() want=() SENT=0 ALL=""
for ((q = 0; q < NQ; q++)); do
	count[q]=$((100 * (q + 1)))
	want[q]=$(expected_flows -n "${count[q]}" -f "$FLOWS" -b $((100 * q)))
	SENT=$((SENT + count[q]))
	ALL+="${want[q]}"$'\n'
done

# send_all: every queue's packets, queue by queue.
send_all() {
	local q p
	for ((q = 0; q < NQ; q++)); do
		for ((p = 0; p < NQ; p++)); do
			in_ns "$NSA" sh -c "echo $([ "$p" = "$q" ] && echo "$ALL_CPUS" || echo 0) \
				>$XPS/tx-$p/xps_cpus" || hard_error "cannot set the XPS map of $IFA tx-$p"
		done
		send_flows "$NSA" "$IFA" -n "${count[q]}" -f "$FLOWS" -b $((100 * q))
	done
}

_no_xdp() { ! ip -n "$NSB" -d link show dev "$IFB" | grep -q 'prog/xdp'; }
_has_xdp() { ! _no_xdp; }

# 1. The packet engine's view of the queues.
for ((q = 0; q < NQ; q++)); do tcpdump_start "pkt$q" "$NSB" "pfring:$IFB@$q"; done
send_all
for ((q = 0; q < NQ; q++)); do wait_for_packets "$DEADLINE" "${count[q]}" "$WORK/pkt$q.pcap" || true; done
for ((q = 0; q < NQ; q++)); do
	tcpdump_stop "pkt$q"
	check_eq "pfring:$IFB@$q 'packets captured'" "${count[q]}" "${TD_CAPTURED[pkt$q]}"
done

# 2. Four AF_XDP captures at once, one per queue.
for ((q = 0; q < NQ; q++)); do tcpdump_start "xdp$q" "$NSB" "zc:$IFB@$q"; done
check_contains "zc:$IFB@0 says it runs in copy mode (veth has no zero copy)" "$WORK/xdp0.err" \
	"WARNING: zc:$IFB: AF_XDP capture (copy mode): packets received on $IFB RX queue 0 are taken"
check_eq "one XDP program on $IFB for the four captures" 1 \
	"$(ip -n "$NSB" -d link show dev "$IFB" | grep -c 'prog/xdp id')"
send_all
for ((q = 0; q < NQ; q++)); do wait_for_packets "$DEADLINE" "${count[q]}" "$WORK/xdp$q.pcap" || true; done
# Debian's tcpdump drops root after opening: closing must not need it.
check_eq "zc:$IFB@0's tcpdump runs as user tcpdump (no root to close)" tcpdump \
	"$(ps -o user= -p "${TD_PID[xdp0]}")"
# SIGKILL one: the others keep their queues, it gets its own back.
KQ=1
kill -KILL "${TD_PID[xdp$KQ]}"
wait_until "$DEADLINE" _td_gone "${TD_PID[xdp$KQ]}" || hard_error "tcpdump xdp$KQ survived SIGKILL"
wait "${TD_PID[xdp$KQ]}" 2>/dev/null || true
unset "TD_PID[xdp$KQ]"
check_same "zc:$IFB@$KQ before its SIGKILL: its queue's flows and counts" "${want[KQ]}" \
	"$(pcap_flows "$WORK/xdp$KQ.pcap")"
check_true "the others keep the XDP program after a SIGKILL" _has_xdp
tcpdump_start "re$KQ" "$NSB" "zc:$IFB@$KQ"
send_all
for ((q = 0; q < NQ; q++)); do
	[ "$q" = "$KQ" ] && f=$WORK/re$KQ.pcap n=${count[q]} || f=$WORK/xdp$q.pcap n=$((2 * count[q]))
	wait_for_packets "$DEADLINE" "$n" "$f" || true
done
tcpdump_stop "re$KQ"
check_eq "zc:$IFB@$KQ restarted after SIGKILL: 'packets captured'" "${count[KQ]}" "${TD_CAPTURED[re$KQ]}"
check_same "zc:$IFB@$KQ restarted: its queue's flows and counts" "${want[KQ]}" \
	"$(pcap_flows "$WORK/re$KQ.pcap")"
for ((q = 0; q < NQ; q++)); do
	[ "$q" != "$KQ" ] || continue
	tcpdump_stop "xdp$q"
	check_eq "zc:$IFB@$q (twice its queue's packets) 'packets captured'" $((2 * count[q])) \
		"${TD_CAPTURED[xdp$q]}"
	check_eq "zc:$IFB@$q 'dropped by kernel'" 0 "${TD_DROPPED[xdp$q]}"
	check_eq "zc:$IFB@$q = pfring:$IFB@$q twice" $((2 * TD_CAPTURED[pkt$q])) "${TD_CAPTURED[xdp$q]}"
	check_same "zc:$IFB@$q: its queue's flows, each packet twice" \
		"$(printf '%s\n' "${want[q]}" | awk '{ print $1, 2 * $2 }')" "$(pcap_flows "$WORK/xdp$q.pcap")"
done
check_true "no XDP program left on $IFB after the last capture exits" wait_until "$DEADLINE" _no_xdp

# 3. zc:IF: every queue in one handle.
tcpdump_start all "$NSB" "zc:$IFB"
check_contains "zc:$IFB names every queue it takes" "$WORK/all.err" \
	"packets received on $IFB RX queues 0-$((NQ - 1)) are taken"
send_all
wait_for_packets "$DEADLINE" "$SENT" "$WORK/all.pcap" || true
tcpdump_stop all
check_eq "zc:$IFB 'packets captured'" "$SENT" "${TD_CAPTURED[all]}"
check_eq "zc:$IFB 'dropped by kernel'" 0 "${TD_DROPPED[all]}"
check_same "zc:$IFB: every flow of every queue, each packet once" "$ALL" "$(pcap_flows "$WORK/all.pcap")"
check_true "no XDP program left on $IFB after zc:$IFB" wait_until "$DEADLINE" _no_xdp
# Our patched tcpdump prints the ring's counters, summed over the queues, with the mode.
DEBIAN_TCPDUMP=$TCPDUMP
TCPDUMP=$PFRING_BUILDDIR/tcpdump-patches/tcpdump
tcpdump_start ours "$NSB" "zc:$IFB"
send_all
wait_for_packets "$DEADLINE" "$SENT" "$WORK/ours.pcap" || true
tcpdump_stop ours
TCPDUMP=$DEBIAN_TCPDUMP
check_contains "patched tcpdump on zc:$IFB: the ring's counters, copy mode" "$WORK/ours.err" \
	"zc:$IFB: pfring engine xdp-copy: $SENT received by ring, 0 dropped by ring, 0 shunted"

# Four zcounts (the libpfring API) opening at the same instant: two may both
# find no program and race to attach it; each gets exactly its queue.
_zcounts_ready() {
	local q
	for ((q = 0; q < NQ; q++)); do
		grep -q engine "$WORK/zcount$q.out" || _td_gone "${ZC_PIDS[q]}" || return 1
	done
}
ZC_PIDS=()
for ((q = 0; q < NQ; q++)); do
	ip netns exec "$NSB" "$ZCOUNT" -i "zc:$IFB@$q" \
		>"$WORK/zcount$q.out" 2>"$WORK/zcount$q.err" &
	ZC_PIDS[q]=$!
	TD_PID[zcount$q]=${ZC_PIDS[q]}   # killed by the cleanup if the test ends early
done
wait_until "$DEADLINE" _zcounts_ready || true
send_all
# Everything is sent: once a zcount's once-a-second line shows its queue's
# count, its total at SIGINT shows whether anything more came.
_zcount_has() { grep -q "^zcount: $2 packets," "$WORK/zcount$1.out"; }
for ((q = 0; q < NQ; q++)); do
	wait_until "$DEADLINE" _zcount_has "$q" "${count[q]}" || true
	proc_reap "zcount$q" "${ZC_PIDS[q]}" INT
	unset "TD_PID[zcount$q]"
	check_eq "zcount -i zc:$IFB@$q (opened at once with 3 others): exit status" 0 "$PROC_RC"
	check_contains "zcount -i zc:$IFB@$q: none dropped, copy mode" \
		"$WORK/zcount$q.out" "dropped 0 (engine xdp-copy)"
	check_contains "zcount -i zc:$IFB@$q: its queue's ${count[q]} packets, no more" \
		"$WORK/zcount$q.out" "zcount: total ${count[q]} packets "
done
check_true "no XDP program left on $IFB after the zcounts" wait_until "$DEADLINE" _no_xdp
# zcount -i zc:IF: pfring_recv (the engine's next()) over every queue.
ip netns exec "$NSB" "$ZCOUNT" -i "zc:$IFB" >"$WORK/zcount-all.out" 2>"$WORK/zcount-all.err" &
ZC_ALL=$!
TD_PID[zcount-all]=$ZC_ALL
_zcount_all_ready() { grep -q engine "$WORK/zcount-all.out" || _td_gone "$ZC_ALL"; }
wait_until "$DEADLINE" _zcount_all_ready || true
send_all
_zcount_all_has() { grep -q "^zcount: $SENT packets," "$WORK/zcount-all.out"; }
wait_until "$DEADLINE" _zcount_all_has || true
proc_reap zcount-all "$ZC_ALL" INT
unset "TD_PID[zcount-all]"
check_eq "zcount -i zc:$IFB: exit status" 0 "$PROC_RC"
check_contains "zcount -i zc:$IFB: every queue's packets, no more" \
	"$WORK/zcount-all.out" "zcount: total $SENT packets "
check_contains "zcount -i zc:$IFB: none dropped, copy mode" "$WORK/zcount-all.out" \
	"dropped 0 (engine xdp-copy)"
check_true "no XDP program left on $IFB after zcount -i zc:$IFB" wait_until "$DEADLINE" _no_xdp

# 4. zbalance over every queue.
zbalance_start "$NSB" -i "zc:$IFB" -c "$CID" -n 3 -m hash -t per_flow
for ((i = 0; i < 3; i++)); do tcpdump_start "zb$i" "$NSB" "zc:$CID@$i"; done
send_all
wait_for_packets "$DEADLINE" "$SENT" "$WORK"/zb?.pcap || true
for ((i = 0; i < 3; i++)); do tcpdump_stop "zb$i"; done
zbalance_stop
check_contains "zbalance -i zc:$IFB: copy mode on veth" "$ZB_OUT" \
	"zbalance: input zc:$IFB (engine xdp-copy)"
check_contains "zbalance -i zc:$IFB: every queue's packets, no kernel drop" "$ZB_OUT" \
	"input zc:$IFB (rx_dropped 0 rx_ring_full 0 fill_ring_empty 0 invalid_descs 0): received $SENT dropped 0"
check_same "zbalance -i zc:$IFB: union of its queues = what was sent" "$ALL" \
	"$(pcap_flows "$WORK"/zb?.pcap)"
check_eq "zbalance -i zc:$IFB: no flow in two queues" "" \
	"$(for ((i = 0; i < 3; i++)); do pcap_flows "$WORK/zb$i.pcap" | cut -d' ' -f1; done | sort | uniq -d)"
check_true "no XDP program left on $IFB after zbalance" wait_until "$DEADLINE" _no_xdp

# 5a. Our program in another variant: zbalance's hashing one on queue 0.
zbalance_start "$NSB" -i "zc:$IFB@0" -c "$CID" -n 1 -m hash -t per_flow
tcpdump_run variant "$NSB" "zc:$IFB@1"
check_eq "zc:$IFB@1 beside zbalance -i zc:$IFB@0: refused, naming the program" \
	"tcpdump: '$IFB' runs our XDP program 'pf_xdp_hash_per' (id $(ip -n "$NSB" -d link show dev "$IFB" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')), this capture needs 'pf_xdp_redirect': a zbalance -i zc:IF -m hash runs on it" \
	"$(cat "$WORK/variant.err")"
zbalance_stop
check_true "no XDP program left on $IFB after zbalance -i zc:$IFB@0" wait_until "$DEADLINE" _no_xdp

# 5b. A foreign program (XDP_PASS), attached by ip through netlink.
if command -v "${CLANG:-clang}" >/dev/null; then
	# 2: XDP_PASS; no headers, the target has none of the host's.
	printf '%s\n' \
		'__attribute__((section("xdp"), used)) int other_prog(void *ctx) { return 2; }' \
		'char _license[] __attribute__((section("license"), used)) = "GPL";' >"$WORK/other.c"
	"${CLANG:-clang}" -O2 -target bpf -c "$WORK/other.c" -o "$WORK/other.o" ||
		hard_error "cannot compile a test XDP program"
	in_ns "$NSB" ip link set dev "$IFB" xdp obj "$WORK/other.o" sec xdp ||
		hard_error "ip cannot attach a test XDP program"
	id=$(ip -n "$NSB" -d link show dev "$IFB" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	tcpdump_run foreign "$NSB" "zc:$IFB@2"
	check_eq "zc:$IFB@2 with a foreign XDP program: refused, naming it" \
		"tcpdump: '$IFB' runs another XDP program ('other_prog', id $id): detach it first (ip link set dev $IFB xdp off)" \
		"$(cat "$WORK/foreign.err")"
	in_ns "$NSB" ip link set dev "$IFB" xdp off
else
	log "note: no clang: the foreign XDP program case is not run"
fi
finish
