#!/bin/bash
# ZC shared memory as a trust boundary, attacked the way a local user can.
#
# 1. A hostile consumer (tests/tools/zcscribble, mapping the cluster file as
#    a member of a shared group could) writes random and out-of-range values
#    into every shared field of queue 0 and into the cluster header, while
#    zbalance spreads flows over 2 queues and a Debian tcpdump reads each.
#    Nothing crashes (zbalance and both tcpdumps exit 0 on SIGINT), queue 1
#    loses nothing and gets only its own flows, exactly what zbalance queued
#    for it; queue 0's damage is counted (bad > 0 in zbalance's report).
#    Run with ZBALANCE pointing at an ASan+UBSan build, any memory error
#    ends zbalance with an error instead of exit status 0.
# 2. A cluster planted in another user's folder is refused by tcpdump with
#    a message naming the owner.
# 3. A user who squats root's folder name first cannot block or spoof
#    root's cluster: zbalance moves it aside, says so, and tcpdump reads it.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

N=3000
FLOWS=30
Q=2
SCRIBBLE=$PFRING_BUILDDIR/tests/tools/zcscribble
NOBODY=65534

lib_init
[ "$STOCK" = 0 ] || skip "zc: queues need our libpcap"
[ -x "$SCRIBBLE" ] || hard_error "$SCRIBBLE not built (make check builds it)"
ns_setup
CID=$(unique_cluster_id 0)
FILE=/dev/shm/pfring_zc-$(id -u)/pfring_zc.$CID

# --- 1. scribbled queue 0 ------------------------------------------------------
# Short queues: the producer reads the consumer's tail at every burst, so
# a scribbled one is met (and refused) many times.
zbalance_start "$NSB" -i "$IFB" -c "$CID" -n "$Q" -q 256 -m hash -t per_flow
tcpdump_start q0 "$NSB" "zc:$CID@0"
tcpdump_start q1 "$NSB" "zc:$CID@1"
seed=$(( $$ * 7919 + 1 ))
veth_drop0=$(in_ns "$NSB" cat "/sys/class/net/$IFB/statistics/rx_dropped")
"$SCRIBBLE" "$FILE" 0 3 "$seed" >"$WORK/scribble.out" 2>&1 &
spid=$!
# A controlled rate, so the balancer's input and queue 1 keep up.
send_flows "$NSA" "$IFA" -n "$N" -f "$FLOWS" -R 3000
_scribbler_done() { ! kill -0 "$spid" 2>/dev/null; }
if ! wait_until "$DEADLINE" _scribbler_done; then
	kill -KILL "$spid" 2>/dev/null || true
	fail_check "zcscribble did not end within ${DEADLINE}s"
fi
src=0
wait "$spid" || src=$?
check_eq "zcscribble exit status ($(tail -1 "$WORK/scribble.out"))" 0 "$src"

# What queue 1 should hold: the flows the shared hash gives it.
expected1=
while read -r flow n; do
	[ -n "$flow" ] || continue
	want=$("$FLOWHASH" -t per_flow -m "$Q" "$flow") || hard_error "flowhash $flow failed"
	[ "$want" != 1 ] || expected1+="$flow $n"$'\n'
done < <(expected_flows -n "$N" -f "$FLOWS")
n1=$(printf '%s' "$expected1" | awk '{ s += $2 } END { print s + 0 }')
wait_for_packets "$DEADLINE" "$n1" "$WORK/q1.pcap" || true
check_true "zbalance survived the scribbler" kill -0 "$ZB_PID"
tcpdump_stop q0
tcpdump_stop q1
zbalance_stop

# Queue 0's own counts are whatever the scribbler left: not checked.
check_eq "tcpdump on the scribbled queue 0: exit status" 0 "${TD_RC[q0]}"
check_eq "tcpdump on queue 1: exit status" 0 "${TD_RC[q1]}"
# Every packet sent reached the balancer, or is counted as dropped at its
# input or by the veth (a starved machine may overflow the veth's backlog).
in_drop=$(sed -n 's/^input .*: received [0-9]* dropped \([0-9]*\)$/\1/p' "$ZB_OUT" | tail -1)
veth_drop=$(( $(in_ns "$NSB" cat "/sys/class/net/$IFB/statistics/rx_dropped") - veth_drop0 ))
balanced=$(sed -n 's/^balancer: packets \([0-9]*\) .*/\1/p' "$ZB_OUT" | tail -1)
check_eq "sent == balancer + input dropped ($in_drop) + veth dropped ($veth_drop)" "$N" \
	"$(( balanced + in_drop + veth_drop ))"
if [ "$balanced" = "$N" ]; then
	check_same "queue 1: exactly its flows, every packet" "$expected1" "$(pcap_flows "$WORK/q1.pcap")"
else
	log "note: $((N - balanced)) packets lost before the balancer: queue 1 checked by accounting"
	n1=$(zb_queue 1 sent)
fi
check_eq "queue 1: zbalance sent" "$n1" "$(zb_queue 1 sent)"
check_eq "queue 1: zbalance dropped" 0 "$(zb_queue 1 dropped)"
check_eq "queue 1: zbalance bad" 0 "$(zb_queue 1 bad)"
check_eq "queue 1: tcpdump 'packets captured'" "$n1" "${TD_CAPTURED[q1]}"
check_eq "queue 1: tcpdump 'dropped by kernel'" 0 "${TD_DROPPED[q1]}"
bad0=$(zb_queue 0 bad)
if [ "${bad0:-0}" -gt 0 ]; then
	pass_check "queue 0: zbalance counted $bad0 refused values"
else
	fail_check "queue 0: zbalance counted no refused values (bad '${bad0}')"
fi
# Every packet the balancer took is in a queue or counted as a queue's drop.
check_eq "balancer packets == sent + dropped over the queues" "$balanced" \
	"$(( $(zb_queue 0 sent) + $(zb_queue 0 dropped) + $(zb_queue 1 sent) + $(zb_queue 1 dropped) ))"

# --- 2. a cluster planted in another user's folder ----------------------------
CID2=$(unique_cluster_id 1)
made_dir=0
pdir=/dev/shm/pfring_zc-$NOBODY
[ -e "$pdir" ] || made_dir=1
setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups \
	sh -c "mkdir -p '$pdir' && head -c 1048576 /dev/zero >'$pdir/pfring_zc.$CID2'" ||
	hard_error "cannot plant a file as uid $NOBODY"
tcpdump_run planted "$NSB" "zc:$CID2@0"
rm -f "$pdir/pfring_zc.$CID2"
[ "$made_dir" = 0 ] || rmdir "$pdir" 2>/dev/null || true
check_eq "tcpdump on a planted cluster: exit status" 1 "${TD_RC[planted]}"
check_contains "tcpdump names the planted file's owner" "$WORK/planted.err" \
	"pfring_zc.$CID2 was made by uid $NOBODY and is not shared with any of this user's groups"

# --- 3. root's folder name squatted first -------------------------------------
# In a /dev/shm of its own (a private mount namespace): the squat must
# happen before root's folder exists.
CID3=$(unique_cluster_id 2)
cat >"$WORK/squat.sh" <<EOF
set -u
mount -t tmpfs none /dev/shm || exit 99
setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
	sh -c 'mkdir /dev/shm/pfring_zc-0 && head -c 4096 /dev/urandom >/dev/shm/pfring_zc-0/pfring_zc.$CID3' ||
	exit 98
ip netns exec "$NSB" "$ZBALANCE" -i "$IFB" -c $CID3 -n 1 >"$WORK/squat-zb.out" 2>&1 &
zb=\$!
for i in \$(seq 200); do grep -q '^zbalance: running' "$WORK/squat-zb.out" && break; sleep 0.05; done
ip netns exec "$NSB" timeout $DEADLINE ${RUNNER[*]} "$TCPDUMP" -n -c 10 -w "$WORK/squat.pcap" \
	-i zc:$CID3@0 >/dev/null 2>"$WORK/squat-td.err" &
td=\$!
for i in \$(seq 200); do grep -q 'listening on' "$WORK/squat-td.err" && break; sleep 0.05; done
ip netns exec "$NSA" "$FLOWGEN" -i "$IFA" -n 10 -f 2 -R 1000 2>/dev/null
wait \$td; echo "tcpdump \$?" >"$WORK/squat.rc"
kill -INT \$zb
for i in \$(seq 200); do kill -0 \$zb 2>/dev/null || break; sleep 0.05; done
kill -KILL \$zb 2>/dev/null
wait \$zb; echo "zbalance \$?" >>"$WORK/squat.rc"
stat -c '%u %a' /dev/shm/pfring_zc-0 >"$WORK/squat.dir"
EOF
rc=0
unshare --mount --propagation private bash "$WORK/squat.sh" || rc=$?
check_eq "squat scenario ran" 0 "$rc"
check_contains "zbalance moved the squatter's folder aside and said so" "$WORK/squat-zb.out" \
	"moved /dev/shm/pfring_zc-0 aside to /dev/shm/pfring_zc-0.refused."
check_contains "zbalance named the squatter" "$WORK/squat-zb.out" "(made by uid $NOBODY, mode"
check_eq "root's folder: owner and mode" "0 755" "$(cat "$WORK/squat.dir" 2>/dev/null)"
check_eq "tcpdump and zbalance exit status" "tcpdump 0
zbalance 0" "$(cat "$WORK/squat.rc" 2>/dev/null)"
check_eq "tcpdump on root's cluster got every packet" 10 "$(pcap_count "$WORK/squat.pcap")"
finish
