#!/bin/bash
# zfwd, the ZC API's forwarding example, end to end with exact counts.
# zbalance spreads a veth per flow over 3 queues of cluster A, then:
#
#   A@0 -> zfwd (queue -> interface, sent in place) -> veth X1 ~ X2
#       -> zfwd (interface -> queue, buffer handle swap) -> B@0 -> tcpdump
#   A@1 -> zfwd (queue -> queue of another cluster, one copy) -> C@0 -> tcpdump
#   A@2    nobody reads it
#
# Each Debian tcpdump gets exactly the packets, flows and sizes the shared
# hash (tests/tools/flowhash) sends to its queue of A; every zfwd counts
# exactly that many received and forwarded with none dropped, and the
# queues' own counters agree.  Bad names give clear errors.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

ZFWD=$PFRING_BUILDDIR/pfring-backend/tools/zfwd
N=3000
FLOWS=30
LEN=200
Q=3

lib_init
[ "$STOCK" = 0 ] || skip "zc: queues need our libpcap"
[ -x "$ZFWD" ] || hard_error "$ZFWD not built"
[ -x "$FLOWHASH" ] || hard_error "$FLOWHASH not built (make check builds it)"
ns_setup
CID=$(unique_cluster_id 0)     # A; zc-lib cleans up after it by this name
CID_B=$(unique_cluster_id 1)
CID_C=$(unique_cluster_id 2)

# The second veth pair lives in $NSB, which ns_setup made without IPv6: the
# only frames crossing X1 -> X2 are the ones zfwd sends.
X1=fx${IFB#vethB}
X2=fy${IFB#vethB}
ip -n "$NSB" link add "$X1" type veth peer name "$X2" 2>"$WORK/ns.err" ||
	hard_error "cannot create the veth pair $X1/$X2: $(cat "$WORK/ns.err")"
in_ns "$NSB" ip link set "$X1" up
in_ns "$NSB" ip link set "$X2" up
wait_until "$DEADLINE" _link_up "$NSB" "$X1" || hard_error "$X1 did not come up"
wait_until "$DEADLINE" _link_up "$NSB" "$X2" || hard_error "$X2 did not come up"

# --- zfwd in the background ------------------------------------------------------------
declare -A FW_PID=()

_fw_cleanup() {
	local rc=$? name
	# Off: under errexit the "(exit rc)" below would end a failed run before
	# zc-lib's and lib.sh's cleanup removed the namespaces.
	set +e
	for name in "${!FW_PID[@]}"; do
		_kill_reap "${FW_PID[$name]}"
	done
	# A killed zfwd leaves its cluster's files (a later create removes them too).
	rm -f "/dev/shm/pfring_zc-$(id -u)/pfring_zc.$CID_B" /dev/shm/pfring_zc-"$(id -u)"/pfring_zc."$CID_B".*.wake \
		"/dev/shm/pfring_zc-$(id -u)/pfring_zc.$CID_C" /dev/shm/pfring_zc-"$(id -u)"/pfring_zc."$CID_C".*.wake
	(exit "$rc")
	_zb_cleanup
}

_fw_ready() {
	grep -q '^zfwd: running$' "$WORK/$1.out" || ! kill -0 "${FW_PID[$1]}" 2>/dev/null
}

# zfwd_start NAME ZFWD_ARGS...: zfwd in $NSB (stdout $WORK/NAME.out), back
# once it says "running".
zfwd_start() {
	local name=$1; shift
	ip netns exec "$NSB" "$ZFWD" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	FW_PID[$name]=$!
	trap _fw_cleanup EXIT
	if ! wait_until "$DEADLINE" _fw_ready "$name" || ! kill -0 "${FW_PID[$name]}" 2>/dev/null; then
		fail_check "zfwd $* did not start:"
		sed 's/^/    | /' "$WORK/$name.err" "$WORK/$name.out"
		finish
	fi
	log "zfwd $* (pid ${FW_PID[$name]}): $(sed -n 's/^zfwd: \(.* -> .*\)$/\1/p' "$WORK/$name.out")"
}

# zfwd_stop NAME: SIGINT, exit status 0, final report in $WORK/NAME.out.
zfwd_stop() {
	local name=$1
	check_stops "zfwd $name" "${FW_PID[$name]}" INT
	unset "FW_PID[$name]"
}

# fw_count NAME FIELD: received, forwarded or dropped in the final report.
fw_count() {
	grep '^zfwd: received [0-9]' "$WORK/$1.out" | tail -1 |
		sed -n "s/.*\\b$2 \\([0-9][0-9]*\\).*/\\1/p"
}
# fw_out NAME FIELD: the output queue's sent, dropped, consumed, queued.
fw_out() {
	sed -n "s/^zfwd: output zc:[0-9]*@0: .*\\b$2 \\([0-9][0-9]*\\).*/\\1/p" "$WORK/$1.out" | tail -1
}

# --- the chains ------------------------------------------------------------------------------
zbalance_start "$NSB" -i "$IFB" -c "$CID" -n "$Q" -m hash -t per_flow
zfwd_start toif -i "zc:$CID@0" -o "$X1"
zfwd_start swap -i "$X2" -o "zc:$CID_B@0"
zfwd_start copy -i "zc:$CID@1" -o "zc:$CID_C"
check_contains "queue -> interface sends in place" "$WORK/toif.out" \
	"zfwd: zc:$CID@0 -> $X1: in place (sent from the queue's buffers, no copy in zfwd)"
check_contains "interface -> queue swaps buffer handles" "$WORK/swap.out" \
	"zfwd: $X2 -> zc:$CID_B@0: received into a pool buffer, queued by buffer handle swap"
check_contains "queue -> queue of another cluster copies once" "$WORK/copy.out" \
	"zfwd: zc:$CID@1 -> zc:$CID_C@0: one copy per packet (two clusters never share buffers)"
tcpdump_start tb "$NSB" "zc:$CID_B@0"
tcpdump_start tc "$NSB" "zc:$CID_C@0"

# What the shared hash sends to each queue of A: "flow count" lines.
declare -A WANT=() COUNT=()
for ((i = 0; i < Q; i++)); do WANT[$i]=''; COUNT[$i]=0; done
while read -r flow n; do
	q=$("$FLOWHASH" -t per_flow -m "$Q" "$flow") || hard_error "flowhash $flow failed"
	WANT[$q]+="$flow $n"$'\n'
	COUNT[$q]=$((COUNT[$q] + n))
done < <(expected_flows -n "$N" -f "$FLOWS" -l "$LEN")
for ((i = 0; i < Q; i++)); do
	[ "${COUNT[$i]}" -gt 0 ] || hard_error "queue $i of A gets no flow: pick other flows"
done
log "queues of A get ${COUNT[0]}, ${COUNT[1]} and ${COUNT[2]} of $N packets"

send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS" -l "$LEN"
wait_for_packets "$DEADLINE" "${COUNT[0]}" "$WORK/tb.pcap" || true
wait_for_packets "$DEADLINE" "${COUNT[1]}" "$WORK/tc.pcap" || true
tcpdump_stop tb
tcpdump_stop tc
zfwd_stop toif
zfwd_stop swap
zfwd_stop copy
zbalance_stop
check_eq "zbalance input $IFB: received" "$N" "$(zb_input received)"
check_eq "zbalance input $IFB: dropped (its ring held the burst)" 0 "$(zb_input dropped)"

# --- A@0 -> X1 -> X2 -> B@0 -----------------------------------------------------------
M=${COUNT[0]}
check_eq "tcpdump on zc:$CID_B@0: exit status" 0 "${TD_RC[tb]}"
check_eq "tcpdump on zc:$CID_B@0: packets in its file" "$M" "$(pcap_count "$WORK/tb.pcap")"
check_eq "tcpdump on zc:$CID_B@0: 'packets captured'" "$M" "${TD_CAPTURED[tb]}"
check_same "flows through A@0 -> $X1 -> $X2 -> B@0 vs the hash's flows of queue 0" \
	"${WANT[0]}" "$(pcap_flows "$WORK/tb.pcap")"
check_eq "whole $LEN-byte frames through both hops" "$M" \
	"$(pcap_sizes "$WORK/tb.pcap" | grep -c "^$LEN $LEN\$" || true)"
check_eq "zbalance queue 0: sent" "$M" "$(zb_queue 0 sent)"
check_eq "zbalance queue 0: consumed (by zfwd)" "$M" "$(zb_queue 0 consumed)"
check_eq "zfwd queue -> $X1: received" "$M" "$(fw_count toif received)"
check_eq "zfwd queue -> $X1: forwarded" "$M" "$(fw_count toif forwarded)"
check_eq "zfwd queue -> $X1: dropped" 0 "$(fw_count toif dropped)"
check_eq "zfwd $X2 -> queue: received" "$M" "$(fw_count swap received)"
check_eq "zfwd $X2 -> queue: forwarded" "$M" "$(fw_count swap forwarded)"
check_eq "zfwd $X2 -> queue: dropped" 0 "$(fw_count swap dropped)"
check_eq "queue B@0: sent" "$M" "$(fw_out swap sent)"
check_eq "queue B@0: dropped" 0 "$(fw_out swap dropped)"
check_eq "queue B@0: consumed (by tcpdump)" "$M" "$(fw_out swap consumed)"

# --- A@1 -> C@0 -------------------------------------------------------------------------
M=${COUNT[1]}
check_eq "tcpdump on zc:$CID_C@0: exit status" 0 "${TD_RC[tc]}"
check_eq "tcpdump on zc:$CID_C@0: packets in its file" "$M" "$(pcap_count "$WORK/tc.pcap")"
check_eq "tcpdump on zc:$CID_C@0: 'packets captured'" "$M" "${TD_CAPTURED[tc]}"
check_same "flows through A@1 -> C@0 vs the hash's flows of queue 1" \
	"${WANT[1]}" "$(pcap_flows "$WORK/tc.pcap")"
check_eq "whole $LEN-byte frames through the copy" "$M" \
	"$(pcap_sizes "$WORK/tc.pcap" | grep -c "^$LEN $LEN\$" || true)"
check_eq "zbalance queue 1: sent" "$M" "$(zb_queue 1 sent)"
check_eq "zbalance queue 1: consumed (by zfwd)" "$M" "$(zb_queue 1 consumed)"
check_eq "zfwd queue -> queue: received" "$M" "$(fw_count copy received)"
check_eq "zfwd queue -> queue: forwarded" "$M" "$(fw_count copy forwarded)"
check_eq "zfwd queue -> queue: dropped" 0 "$(fw_count copy dropped)"
check_eq "queue C@0: sent" "$M" "$(fw_out copy sent)"
check_eq "queue C@0: dropped" 0 "$(fw_out copy dropped)"
check_eq "queue C@0: consumed (by tcpdump)" "$M" "$(fw_out copy consumed)"

# --- A@2: nobody read it ------------------------------------------------------------------
check_eq "zbalance queue 2: sent" "${COUNT[2]}" "$(zb_queue 2 sent)"
check_eq "zbalance queue 2: consumed" 0 "$(zb_queue 2 consumed)"

# --- bad names ---------------------------------------------------------------------------
# fw_run NAME ZFWD_ARGS...: foreground; FW_RC, stderr in $WORK/NAME.err.
fw_run() {
	local name=$1; shift
	FW_RC=0
	timeout -k 5 "$DEADLINE" ip netns exec "$NSB" "$ZFWD" "$@" >/dev/null 2>"$WORK/$name.err" || FW_RC=$?
}
fw_run nocluster -i "zc:$CID@0" -o "$X1"
check_eq "input cluster gone: exit status" 1 "$FW_RC"
check_contains "input cluster gone: message" "$WORK/nocluster.err" \
	"zfwd: -i zc:$CID@0: no ZC cluster $CID (start one first, e.g. zbalance -c $CID)"
fw_run outq -i "$X2" -o "zc:$CID_B@1"
check_eq "output queue 1: exit status" 2 "$FW_RC"
check_contains "output queue 1: message" "$WORK/outq.err" \
	"zfwd: -o zc:$CID_B@1: zfwd creates cluster $CID_B with one queue: write zc:$CID_B@0 (or zc:$CID_B)"
fw_run noq -i "zc:$CID" -o "$X1"
check_eq "input without a queue: exit status" 2 "$FW_RC"
check_contains "input without a queue: message" "$WORK/noq.err" "zfwd: -i zc:$CID: which queue? (zc:$CID@<queue>)"
fw_run badid -i "zc:70000@0" -o "$X1"
check_eq "cluster id 70000: exit status" 2 "$FW_RC"
check_contains "cluster id 70000: message" "$WORK/badid.err" "zfwd: -i zc:70000@0: cluster id 70000 out of range 1..65535"
fw_run noif -i nosuchif0 -o "$X1"
check_eq "unknown input interface: exit status" 1 "$FW_RC"
check_contains "unknown input interface: message" "$WORK/noif.err" "zfwd: -i nosuchif0: "
fw_run pfif -i pfring:nosuchif0 -o "$X1"
check_eq "pfring: input interface: exit status" 1 "$FW_RC"
check_contains "pfring: input interface: message" "$WORK/pfif.err" \
	"zfwd: -i pfring:nosuchif0: no such interface 'nosuchif0'"
# Names libpfring refuses: its reason, after the option; exit status 2.
# fw_refused NAME MESSAGE ZFWD_ARGS...
fw_refused() {
	local name=$1 msg=$2; shift 2
	fw_run "$name" "$@"
	check_eq "$name: exit status" 2 "$FW_RC"
	check_contains "$name: message" "$WORK/$name.err" "$msg"
}
fw_refused badifq "zfwd: -i $X2@x: bad queue 'x' in '$X2@x': not a number" -i "$X2@x" -o "$X1"
fw_refused badq "zfwd: -i zc:$CID@x: bad queue 'x' (a number 0..65535 expected)" \
	-i "zc:$CID@x" -o "$X1"
fw_refused nozc "zfwd: -i zc:: no cluster id or interface after 'zc:' (zc:<cluster id>@<queue> or zc:<interface>[@<queue>])" \
	-i "zc:" -o "$X1"
fw_refused outbadid "zfwd: -o zc:70000: cluster id 70000 out of range 1..65535" -i "$X2" -o "zc:70000"
finish
