#!/bin/bash
# The balancer goes away under a running Debian tcpdump on zc:<id>@0.
# 1. kill -9 zbalance and start a new one on the same cluster id: tcpdump
#    re-attaches (one line on stderr) and gets every packet sent after the
#    restart too, nothing twice.
# 2. Stop zbalance (SIGINT) with none to follow: tcpdump ends by itself with
#    an error naming the balancer's pid instead of waiting forever.
# Debian's tcpdump gives up root for user tcpdump once the capture is open,
# so a new cluster must be shared with its group (-G tcpdump) for it to
# attach again: that is part of what is tested.
set -euo pipefail
. "$(dirname "$0")/zc-lib.sh"

N=500

lib_init
[ "$STOCK" = 0 ] || skip "zc: queues need our libpcap"
ns_setup
CID=$(unique_cluster_id 0)
getent group tcpdump >/dev/null || skip "no group tcpdump (Debian's tcpdump package makes it)"

zbalance_start "$NSB" -i "$IFB" -c "$CID" -n 1 -G tcpdump
tcpdump_start q0 "$NSB" "zc:$CID@0"
send_flows "$NSA" "$IFA" -n "$N" -f 10 -R 5000
wait_for_packets "$DEADLINE" "$N" "$WORK/q0.pcap" || true
check_eq "before the restart" "$N" "$(pcap_count "$WORK/q0.pcap")"

old=$ZB_PID
kill -KILL "$old"
wait "$old" 2>/dev/null || true
log "killed zbalance $old with SIGKILL"
zbalance_start "$NSB" -i "$IFB" -c "$CID" -n 1 -G tcpdump
_reattached() { grep -q 're-attached' "$WORK/q0.err"; }
wait_until "$DEADLINE" _reattached || true
check_contains "tcpdump says it re-attached, naming the old balancer" "$WORK/q0.err" \
	"pfring_zc: cluster $CID queue 0: balancer pid $old is gone, a new one runs: re-attached"
send_flows "$NSA" "$IFA" -n "$N" -f 10 -b 100 -R 5000
wait_for_packets "$DEADLINE" $((2 * N)) "$WORK/q0.pcap" || true
check_same "both rounds, every packet once" \
	"$( (expected_flows -n "$N" -f 10; expected_flows -n "$N" -f 10 -b 100) )" \
	"$(pcap_flows "$WORK/q0.pcap")"

old=$ZB_PID
zbalance_stop
_td_ended() { ! kill -0 "${TD_PID[q0]}" 2>/dev/null; }
if wait_until "$DEADLINE" _td_ended; then
	pass_check "tcpdump ended by itself once the balancer was gone"
else
	fail_check "tcpdump still waits ${DEADLINE}s after its balancer stopped"
fi
tcpdump_stop q0
check_eq "tcpdump exit status" 1 "${TD_RC[q0]}"
check_contains "tcpdump's error names the balancer" "$WORK/q0.err" \
	"ZC cluster $CID: its balancer (pid $old) is gone and no new one took its place"
finish
