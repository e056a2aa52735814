#!/bin/bash
# select()/poll() on a zc:<id>@<queue> handle, with programs that wait on
# the selectable fd before their first read: upstream libpcap's own
# testprogs (selpolltest in all six modes, capturetest), built from the
# pinned tree against our library, and Debian's dumpcap and tshark.
#  - N packets queued before the program opens the queue: it gets exactly N
#    (the fd is readable from the first poll, before any read);
#  - the program waiting first, then N packets: exactly N;
#  - once they are read the fd stays quiet: no select()/poll() return over
#    a window longer than the pcap timeout (the batch timer, and before it
#    a stale wake-up, made an idle fd readable every 100 ms).
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

N=1000
FLOWS=10
TESTPROGS=$PFRING_BUILDDIR/libpcap/testprogs
SELPOLLTEST=$TESTPROGS/selpolltest
CAPTURETEST=$TESTPROGS/capturetest
# Longer than the pcap timeout of both testprogs (1000 ms).
IDLE_MS=1300

lib_init
[ "$STOCK" = 0 ] || skip "zc: queues need our libpcap"
for t in "$SELPOLLTEST" "$CAPTURETEST"; do
	[ -x "$t" ] || hard_error "$t not built (make check builds it)"
done
ns_setup
CID=$(unique_cluster_id 0)
DEV=zc:$CID@0

# Each run gets a cluster of its own: a wake-up byte an earlier consumer
# left in the queue's FIFO would make the fd readable and hide the bug.
fresh_cluster() {
	if [ -n "$ZB_PID" ]; then
		zbalance_stop
		check_eq "zbalance queue 0: dropped" 0 "$(zb_queue 0 dropped)"
		# Not the consumer's doing, but a short count follows from it.
		check_eq "zbalance input: dropped (its packet ring; a loaded machine)" 0 \
			"$(sed -n 's/^input .*: received [0-9]* dropped \([0-9]*\)$/\1/p' "$ZB_OUT" | tail -1)"
	fi
	zbalance_start "$NSB" -i "$IFB" -c "$CID" -n 1
}

# zb_report: a fresh statistics report from zbalance (SIGUSR1).
zb_report() {
	local n
	n=$(grep -c '^balancer:' "$ZB_OUT" || true)
	kill -USR1 "$ZB_PID"
	_zb_new_report() { [ "$(grep -c '^balancer:' "$ZB_OUT" || true)" -gt "$n" ]; }
	wait_until "$DEADLINE" _zb_new_report || hard_error "zbalance printed no report on SIGUSR1"
}
_queued_is() { zb_report; [ "$(zb_queue 0 queued)" = "$1" ]; }
# queue_packets: N packets into a fresh cluster's queue, nobody reading it.
# The balancer's own input ring may drop some on a loaded machine: a
# fresh cluster and another try then (3 at most).
queue_packets() {
	local try
	for try in 1 2 3; do
		fresh_cluster
		send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
		wait_until "$DEADLINE" _queued_is "$N" && return 0
		log "note: try $try: zbalance queue 0 holds $(zb_queue 0 queued) packets, not $N:" \
			"$(grep '^input ' "$ZB_OUT" | tail -1)"
		kill -KILL "$ZB_PID"
		wait "$ZB_PID" 2>/dev/null || true
		ZB_PID=
	done
	hard_error "zbalance could not queue $N packets in 3 tries"
}

# --- the testprogs ---------------------------------------------------------------------
# They loop for ever printing "<n> packets seen, ..." per read (selpolltest
# also "... returned a descriptor ..." per select()/poll() return); the
# zero-packet lines of the busy non-blocking loops are left out.
declare -A TP_PID=()
tp_start() { # NAME PROGRAM ARGS...
	local name=$1; shift
	: >"$WORK/$name.err"
	: >"$WORK/$name.out"
	# stdbuf: they print with stdio, block-buffered into a pipe.
	ip netns exec "$NSB" "$PFRING_RUN" stdbuf -oL "$@" -i "$DEV" 2>"$WORK/$name.err" \
		> >(grep --line-buffered -v '^0 packets seen' >"$WORK/$name.out") &
	TP_PID[$name]=$!
}
tp_seen() { awk '/ packets seen, / { s += $1 } END { print s + 0 }' "$WORK/$1.out"; }
tp_wakeups() { grep -c 'returned a descriptor' "$WORK/$1.out" || true; }
_tp_listening() { grep -q '^Listening on' "$WORK/$1.out" || ! _td_alive "${TP_PID[$1]}"; }
_tp_has_all() { [ "$(tp_seen "$1")" -ge "$N" ] || ! _td_alive "${TP_PID[$1]}"; }
tp_stop() {
	local pid=${TP_PID[$1]}
	kill -TERM "$pid" 2>/dev/null || true
	wait_until "$DEADLINE" _td_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	unset "TP_PID[$1]"
}
_tp_cleanup() {
	local rc=$? name
	set +e
	for name in "${!TP_PID[@]}"; do kill -KILL "${TP_PID[$name]}" 2>/dev/null; done
	(exit "$rc")
	_zb_cleanup
}
trap _tp_cleanup EXIT

# tp_check NAME WHAT POLLS: exactly N packets; with POLLS=1 no select()/poll()
# return for IDLE_MS once they are read.
tp_check() {
	local name=$1 what=$2 polls=$3 before
	if ! wait_until "$DEADLINE" _tp_has_all "$name"; then
		fail_check "$what: $(tp_seen "$name") of $N packets after ${DEADLINE}s"
	fi
	check_true "$what: still running" _td_alive "${TP_PID[$name]}"
	if [ "$polls" = 1 ]; then
		before=$(tp_wakeups "$name")
		# A poll with a timeout that must expire: nothing to wait for.
		sleep "$((IDLE_MS / 1000)).$((IDLE_MS % 1000))"
		check_eq "$what: select()/poll() returns while idle for ${IDLE_MS} ms" \
			"$before" "$(tp_wakeups "$name")"
	fi
	check_eq "$what: packets" "$N" "$(tp_seen "$name")"
	tp_stop "$name"
	check_eq "$what: no error" "" "$(grep -v '^selpolltest: WARNING\|^capturetest: WARNING' "$WORK/$name.err" || true)"
}

i=0
for mode in "" "-n" "-s" "-s -n" "-p" "-p -n"; do
	polls=0
	case $mode in -s* | -p*) polls=1 ;; esac
	# shellcheck disable=SC2086
	{
		queue_packets
		tp_start "sq$i" "$SELPOLLTEST" $mode
		tp_check "sq$i" "selpolltest ${mode:-(dispatch)}, $N queued before" "$polls"
		fresh_cluster
		tp_start "sl$i" "$SELPOLLTEST" $mode
		wait_until "$DEADLINE" _tp_listening "sl$i" || true
		send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
		tp_check "sl$i" "selpolltest ${mode:-(dispatch)}, $N sent while it waits" "$polls"
	}
	i=$((i + 1))
done

for mode in "" "-n" "-m"; do
	# shellcheck disable=SC2086
	{
		queue_packets
		tp_start "cq$i" "$CAPTURETEST" $mode
		tp_check "cq$i" "capturetest ${mode:-(blocking)}, $N queued before" 0
		check_eq "capturetest ${mode:-(blocking)}: drops" "0 ps_drop" \
			"$(sed -n 's/.*, \([0-9]* ps_drop\),.*/\1/p' "$WORK/cq$i.out" | sort -u | tr '\n' ' ' | sed 's/ $//')"
		fresh_cluster
		tp_start "cl$i" "$CAPTURETEST" $mode
		wait_until "$DEADLINE" _tp_listening "cl$i" || true
		send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
		tp_check "cl$i" "capturetest ${mode:-(blocking)}, $N sent while it waits" 0
	}
	i=$((i + 1))
done

# --- Debian's dumpcap and tshark: -c N ends them -----------------------------------------
declare -A WS_PID=()
_ws_gone() { ! _td_alive "${WS_PID[$1]}"; }
ws_start() { # NAME PROGRAM ARGS...
	local name=$1; shift
	ip netns exec "$NSB" "$PFRING_RUN" "$@" -i "$DEV" -c "$N" -w "$WORK/$name.pcap" \
		>/dev/null 2>"$WORK/$name.err" &
	WS_PID[$name]=$!
	TP_PID[$name]=$!
}
_ws_capturing() { grep -q '^Capturing on' "$WORK/$1.err" || ! _td_alive "${WS_PID[$1]}"; }
ws_check() { # NAME WHAT
	local rc=0
	if ! wait_until "$DEADLINE" _ws_gone "$1"; then
		fail_check "$2: still running ${DEADLINE}s after $N packets ($(pcap_count "$WORK/$1.pcap" 2>/dev/null || echo 0) in its file)"
		kill -KILL "${WS_PID[$1]}" 2>/dev/null || true
	fi
	wait "${WS_PID[$1]}" || rc=$?
	unset "TP_PID[$1]"
	check_eq "$2: exit status" 0 "$rc"
	check_same "$2: every packet of every flow" \
		"$(expected_flows -n "$N" -f "$FLOWS")" "$(pcap_flows "$WORK/$1.pcap")"
}

if command -v dumpcap >/dev/null; then
	queue_packets
	ws_start dq dumpcap -P
	ws_check dq "dumpcap -c $N, $N queued before"
	fresh_cluster
	ws_start dl dumpcap -P
	wait_until "$DEADLINE" _ws_capturing dl || true
	send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
	ws_check dl "dumpcap -c $N, $N sent while it waits"
else
	log "note: dumpcap not installed (Debian package: wireshark-common): not run"
fi
if command -v tshark >/dev/null; then
	queue_packets
	ws_start tq tshark -F pcap
	ws_check tq "tshark -c $N, $N queued before"
	fresh_cluster
	ws_start tl tshark -F pcap
	wait_until "$DEADLINE" _ws_capturing tl || true
	send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS"
	ws_check tl "tshark -c $N, $N sent while it waits"
else
	log "note: tshark not installed (Debian package: tshark): not run"
fi

fresh_cluster
finish
